package web

import (
	"path/filepath"

	"kartoteka/app/auth"
)

// Damage is what the owner and the administrators are told on every page when
// the background integrity check of the database failed.
type Damage struct {
	Error  string // what SQLite reported
	Backup string // the newest checked backup's file name, "" when there is none
}

// DatabaseDamaged records that the database failed its full integrity check:
// /healthz answers 503 from now on and the owner and the administrators see a
// banner with what to do.
func (s *Server) DatabaseDamaged(err error, backup string) {
	d := &Damage{Error: err.Error()}
	if backup != "" {
		d.Backup = filepath.Base(backup)
	}
	s.damage.Store(d)
}

// DamageFor is the damage banner's content for u: nil when the database passed
// (or is still being checked) and for the roles that cannot act on it.
func (s *Server) DamageFor(u *User) *Damage {
	if u == nil || (u.Role != auth.Owner && u.Role != auth.Admin) {
		return nil
	}
	return s.damage.Load()
}
