package store

import (
	"encoding/json"
	"fmt"

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
