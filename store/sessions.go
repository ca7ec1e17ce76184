package store

import (
	"context"
	"database/sql"
	"errors"

	"kartoteka/store/db"
)

// StartSession stores a new session by the hash of its token.
func (s *Store) StartSession(ctx context.Context, hash, csrf string, userID int64, ip, ua string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if len(ua) > 300 {
			ua = ua[:300]
		}
		if err := tx.SessionCreate(ctx, db.SessionCreateParams{TokenHash: hash, UserID: userID, Csrf: csrf, Now: tx.Now, Ip: ip, UserAgent: ua}); err != nil {
			return err
		}
		return tx.Audit(userID, "user", userID, "login", nil, map[string]any{"ip": ip})
	})
}

// EndSession signs a session out.
func (s *Store) EndSession(ctx context.Context, hash string) error {
	return s.InTx(ctx, func(tx *Tx) error { return tx.SessionDelete(ctx, hash) })
}

// TouchSession records activity so the idle timeout starts again.
func (s *Store) TouchSession(ctx context.Context, hash string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		return tx.SessionTouch(ctx, db.SessionTouchParams{Now: tx.Now, TokenHash: hash})
	})
}

// IsNoRows tells whether a read found nothing.
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) || errors.Is(err, ErrNotFound) }

// RehashPassword replaces a password hash made with older argon2 parameters by
// one made with the current ones, only while the stored hash is still old (a
// password changed meanwhile wins). Sessions and the audit log are untouched:
// the password itself is the same.
func (s *Store) RehashPassword(ctx context.Context, id int64, old, hash string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		u, err := tx.UserGet(ctx, id)
		if err != nil || u.PasswordHash != old {
			return notFound(err)
		}
		return tx.UserSetPassword(ctx, db.UserSetPasswordParams{PasswordHash: hash, Now: u.UpdatedAt, ID: id})
	})
}

// LogLockout records in the audit log that wrong passwords locked a login out
// of one address (userID 0: no such login).
func (s *Store) LogLockout(ctx context.Context, userID int64, login, ip string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		return tx.Audit(0, "user", userID, "lockout", nil, map[string]any{"login": login, "ip": ip})
	})
}

// LogUnlock records that the owner lifted a login's lock-outs.
func (s *Store) LogUnlock(ctx context.Context, actor, userID int64, ips string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		return tx.Audit(actor, "user", userID, "unlock", map[string]any{"ip": ips}, nil)
	})
}
