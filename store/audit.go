package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"kartoteka/store/db"
)

// Audit records one write in the change log, inside the caller's transaction.
// before and after are marshalled to JSON; nil gives an empty value.
func (tx *Tx) Audit(userID int64, entity string, entityID int64, action string, before, after any) error {
	var uid *int64
	if userID != 0 {
		uid = &userID
	}
	err := tx.AuditAdd(tx.ctx(), db.AuditAddParams{
		At: tx.Now, UserID: uid, Entity: entity, EntityID: entityID, Action: action,
		Before: toJSON(before), After: toJSON(after),
	})
	if err != nil {
		return fmt.Errorf("audit %s %d %s: %w", entity, entityID, action, err)
	}
	return nil
}

func toJSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%q", fmt.Sprint(v))
	}
	return string(b)
}

// AuditFilter is the change log's filters («Журнал изменений»).
type AuditFilter struct {
	UserID   *int64
	Entity   *string
	From, To *time.Time // at in [From, To)
}

// AuditRow is one line of the change log with who made it.
type AuditRow struct {
	ID       int64
	At       time.Time
	UserID   *int64
	UserName string
	Entity   string
	EntityID int64
	Action   string
	Before   string
	After    string
}

func (f AuditFilter) where() (string, []any) {
	conds, args := []string{"1=1"}, []any{}
	if f.UserID != nil {
		conds, args = append(conds, "user_id = ?"), append(args, *f.UserID)
	}
	if f.Entity != nil {
		conds, args = append(conds, "entity = ?"), append(args, *f.Entity)
	}
	if f.From != nil {
		conds, args = append(conds, "at >= ?"), append(args, *f.From)
	}
	if f.To != nil {
		conds, args = append(conds, "at < ?"), append(args, *f.To)
	}
	return strings.Join(conds, " AND "), args
}

// AuditCount counts the change log's lines the filter finds.
func (s *Store) AuditCount(ctx context.Context, f AuditFilter) (int64, error) {
	w, args := f.where()
	var n int64
	if err := s.reader.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE "+w, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("audit count: %w", err)
	}
	return n, nil
}

// AuditEach calls each for the change log's lines the filter finds, newest
// first, from one cursor: a page (limit > 0) or, for an export, all of them.
func (s *Store) AuditEach(ctx context.Context, f AuditFilter, limit, offset int, each func(AuditRow) error) error {
	n, err := s.names(ctx)
	if err != nil {
		return err
	}
	w, args := f.where()
	q := "SELECT id, at, user_id, entity, entity_id, action, before, after FROM audit_log WHERE " + w + " ORDER BY at DESC, id DESC"
	if limit > 0 {
		q, args = q+" LIMIT ? OFFSET ?", append(args, limit, offset)
	}
	rows, err := s.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("audit list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r AuditRow
		if err := rows.Scan(&r.ID, &r.At, &r.UserID, &r.Entity, &r.EntityID, &r.Action, &r.Before, &r.After); err != nil {
			return err
		}
		if r.UserID != nil {
			r.UserName = n.users[*r.UserID]
		}
		if err := each(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
