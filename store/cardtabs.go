package store

import (
	"context"
	"fmt"
	"time"
)

// CardRow is one card of the «Новые карты», «В работе» and «Отработаны» tabs.
type CardRow struct {
	ID                                                              int64
	Number, Last4, Lifecycle                                        string
	Stage                                                           *int64
	Version                                                         int64
	ContactName, ContactPhone                                       string
	CreatedAt, UpdatedAt                                            time.Time
	BankName, SupplierName, WarmerName, ManagerName, AccountantName string
}

// CardTabEach calls each for every card of a lifecycle, newest first; for a
// non-privileged user (onlyUser > 0) only the cards where they are responsible.
// The tab page and its export both read through it, one row at a time.
func (s *Store) CardTabEach(ctx context.Context, lifecycle string, onlyUser int64, each func(CardRow) error) error {
	n, err := s.names(ctx)
	if err != nil {
		return err
	}
	q := `SELECT id, number, last4, lifecycle, stage, version, contact_name, contact_phone, created_at, updated_at,
	bank_id, supplier_id, warmer_id, manager_id, accountant_id
FROM cards WHERE lifecycle = ?`
	args := []any{lifecycle}
	if onlyUser > 0 {
		q += " AND (warmer_id = ? OR manager_id = ? OR accountant_id = ?)"
		args = append(args, onlyUser, onlyUser, onlyUser)
	}
	rows, err := s.reader.QueryContext(ctx, q+" ORDER BY id DESC", args...)
	if err != nil {
		return fmt.Errorf("cards %s: %w", lifecycle, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r CardRow
		var bank, sup, w, m, a int64
		if err := rows.Scan(&r.ID, &r.Number, &r.Last4, &r.Lifecycle, &r.Stage, &r.Version, &r.ContactName, &r.ContactPhone,
			&r.CreatedAt, &r.UpdatedAt, &bank, &sup, &w, &m, &a); err != nil {
			return err
		}
		r.BankName, r.SupplierName = n.banks[bank], n.suppliers[sup]
		r.WarmerName, r.ManagerName, r.AccountantName = n.users[w], n.users[m], n.users[a]
		if err := each(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
