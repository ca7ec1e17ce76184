package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"

	"kartoteka/store/db"
)

// sessionCache keeps the signed-in sessions every request reads (SPEC section
// 10: a page view should not cost a database read for who is asking). An entry
// is dropped when its session ends, and every entry when any person changes
// (role, name, deactivation, password: forgetSessions, after the commit); it
// lives sessionCacheTTL at most, which bounds a change made behind the store's
// back (by hand in the database file).
type sessionCache struct {
	mu  sync.Mutex
	gen uint64 // moves on every forget: a read that raced one is not kept
	m   map[string]cachedSession
}

type cachedSession struct {
	row db.SessionGetRow
	at  time.Time
}

const (
	sessionCacheTTL = 30 * time.Second
	sessionCacheMax = 4096
)

// Session is the signed-in session with the token hash and its active user
// (sql.ErrNoRows when there is none), from the cache when it is fresh.
func (s *Store) Session(ctx context.Context, hash string) (db.SessionGetRow, error) {
	now := time.Now()
	c := &s.sessions
	c.mu.Lock()
	e, ok := c.m[hash]
	gen := c.gen
	c.mu.Unlock()
	if ok && now.Sub(e.at) < sessionCacheTTL {
		return e.row, nil
	}
	row, err := s.Q.SessionGet(ctx, hash)
	if err != nil {
		return row, err
	}
	c.mu.Lock()
	if c.gen == gen {
		if c.m == nil || len(c.m) >= sessionCacheMax {
			c.m = map[string]cachedSession{}
		}
		c.m[hash] = cachedSession{row: row, at: now}
	}
	c.mu.Unlock()
	return row, nil
}

// forgetSessions drops every cached session (after a person or a session changed).
func (s *Store) forgetSessions() {
	c := &s.sessions
	c.mu.Lock()
	c.gen++
	c.m = nil
	c.mu.Unlock()
}

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
	defer s.forgetSessions()
	return s.InTx(ctx, func(tx *Tx) error { return tx.SessionDelete(ctx, hash) })
}

// TouchSession records activity so the idle timeout starts again.
func (s *Store) TouchSession(ctx context.Context, hash string) error {
	var now time.Time
	err := s.InTx(ctx, func(tx *Tx) error {
		now = tx.Now
		return tx.SessionTouch(ctx, db.SessionTouchParams{Now: tx.Now, TokenHash: hash})
	})
	if err == nil {
		c := &s.sessions
		c.mu.Lock()
		if e, ok := c.m[hash]; ok {
			e.row.LastSeenAt = now
			c.m[hash] = e
		}
		c.mu.Unlock()
	}
	return err
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
