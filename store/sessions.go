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
