package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// CardListFilter is a page of the «Карты» tabs new, in work and worked out
// (SPEC section 10: a page costs what it shows, not the office's 5,000 cards).
type CardListFilter struct {
	Lifecycle string
	OnlyUser  int64  // non-privileged: cards where this user is responsible
	Search    string // any part of the number, contact, bank, supplier or a person's name
	Offset    int
	Limit     int
}

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

// from is the tab's FROM … WHERE: the page, its count and the export share it.
func (f CardListFilter) from() (string, []any) {
	conds, args := []string{"c.lifecycle = ?"}, []any{f.Lifecycle}
	if u := f.OnlyUser; u > 0 {
		conds, args = append(conds, "(c.warmer_id = ? OR c.manager_id = ? OR c.accountant_id = ?)"), append(args, u, u, u)
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		hay := "c.number || ' ' || c.contact_name || ' ' || c.contact_phone || ' ' || b.name || ' ' || s.name || ' ' || w.name || ' ' || m.name || ' ' || a.name"
		conds, args = append(conds, "kt_has("+hay+", ?)"), append(args, q)
	}
	return `FROM cards c
JOIN banks b ON b.id = c.bank_id
JOIN contractors s ON s.id = c.supplier_id
JOIN users w ON w.id = c.warmer_id
JOIN users m ON m.id = c.manager_id
JOIN users a ON a.id = c.accountant_id
WHERE ` + strings.Join(conds, " AND "), args
}

const cardRowCols = `SELECT c.id, c.number, c.last4, c.lifecycle, c.stage, c.version, c.contact_name, c.contact_phone,
	c.created_at, c.updated_at, b.name, s.name, w.name, m.name, a.name `

func scanCardRow(rs *sql.Rows) (CardRow, error) {
	var r CardRow
	err := rs.Scan(&r.ID, &r.Number, &r.Last4, &r.Lifecycle, &r.Stage, &r.Version, &r.ContactName, &r.ContactPhone,
		&r.CreatedAt, &r.UpdatedAt, &r.BankName, &r.SupplierName, &r.WarmerName, &r.ManagerName, &r.AccountantName)
	return r, err
}

// CardPage reads one page of a tab, newest first, and how many cards match.
// Without a search, the count and the page's ids come from the cards alone (an
// index: no join per card) and only the page's cards are joined to their names.
func (s *Store) CardPage(ctx context.Context, f CardListFilter) (rows []CardRow, total int64, err error) {
	ctx, cancel := Budget(ctx)
	defer cancel()
	defer func() { err = tooBroad(ctx, err) }()
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	f.Offset = max(f.Offset, 0)
	if strings.TrimSpace(f.Search) != "" {
		from, args := f.from()
		if err := s.reader.QueryRowContext(ctx, "SELECT COUNT(*) "+from, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("card list count: %w", err)
		}
		rows, err = s.cardRows(ctx, cardRowCols+from+` ORDER BY c.id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
		return rows, total, err
	}
	where, args := f.plainWhere()
	if err := s.reader.QueryRowContext(ctx, "SELECT COUNT(*) FROM cards c WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("card list count: %w", err)
	}
	rows, err = s.CardPageRows(ctx, f)
	return rows, total, err
}

// plainWhere is the tab's condition without a search, on cards c alone.
func (f CardListFilter) plainWhere() (string, []any) {
	if u := f.OnlyUser; u > 0 {
		return "c.lifecycle = ? AND (c.warmer_id = ? OR c.manager_id = ? OR c.accountant_id = ?)", []any{f.Lifecycle, u, u, u}
	}
	return "c.lifecycle = ?", []any{f.Lifecycle}
}

// CardPageRows is CardPage's page without a search (f.Search is ignored) and
// without its count, for a caller that knows the tab's size (CardCounts): the
// page's ids walked from the live cards' index (newest first, stopping after the
// page), then those cards joined to their names.
func (s *Store) CardPageRows(ctx context.Context, f CardListFilter) (rows []CardRow, err error) {
	ctx, cancel := Budget(ctx)
	defer cancel()
	defer func() { err = tooBroad(ctx, err) }()
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	switch f.Lifecycle {
	case "new", "in_work", "worked_out":
	default:
		return nil, fmt.Errorf("card list: no tab of lifecycle %q", f.Lifecycle)
	}
	where, args := f.plainWhere()
	index := "INDEXED BY cards_live_id"
	if f.OnlyUser > 0 {
		index = "" // the person's three indexes
	} else {
		// The partial index's own condition written out: SQLite uses a partial
		// index only when the query states its WHERE term.
		where, args = "c.lifecycle = ? AND c.lifecycle <> 'archived'", []any{f.Lifecycle}
	}
	return s.cardRows(ctx, cardRowCols+`FROM (SELECT c.id FROM cards c `+index+` WHERE `+where+` ORDER BY c.id DESC LIMIT ? OFFSET ?) p
JOIN cards c ON c.id = p.id
JOIN banks b ON b.id = c.bank_id
JOIN contractors s ON s.id = c.supplier_id
JOIN users w ON w.id = c.warmer_id
JOIN users m ON m.id = c.manager_id
JOIN users a ON a.id = c.accountant_id
ORDER BY c.id DESC`, append(args, f.Limit, max(f.Offset, 0))...)
}

func (s *Store) cardRows(ctx context.Context, q string, args ...any) ([]CardRow, error) {
	rs, err := s.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("card list: %w", err)
	}
	defer rs.Close()
	var rows []CardRow
	for rs.Next() {
		r, err := scanCardRow(rs)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	return rows, rs.Err()
}

// CardListEach calls each for every card of the tab and search, in the pages'
// order, from one database cursor (the export): Offset and Limit are ignored.
func (s *Store) CardListEach(ctx context.Context, f CardListFilter, each func(CardRow) error) error {
	from, args := f.from()
	rs, err := s.reader.QueryContext(ctx, cardRowCols+from+` ORDER BY c.id DESC`, args...)
	if err != nil {
		return fmt.Errorf("card list export: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		r, err := scanCardRow(rs)
		if err != nil {
			return err
		}
		if err := each(r); err != nil {
			return err
		}
	}
	return rs.Err()
}

// CardCounts is how many cards each «Карты» tab but the archive holds, for
// everyone (who nil) or for the cards where who is responsible. Both read only
// indexes: the lifecycle index, or the person's three indexes (a card is counted
// once even when someone holds two of its roles) — not the cards themselves.
func (s *Store) CardCounts(ctx context.Context, who *int64) (map[string]int64, error) {
	q := `SELECT lifecycle, COUNT(*) FROM cards INDEXED BY cards_lifecycle
WHERE lifecycle IN ('new', 'in_work', 'worked_out') GROUP BY lifecycle`
	var args []any
	if who != nil {
		q = `SELECT lifecycle, COUNT(*) FROM (
	SELECT id, lifecycle FROM cards INDEXED BY cards_warmer WHERE warmer_id = ? AND lifecycle IN ('new', 'in_work', 'worked_out')
	UNION SELECT id, lifecycle FROM cards INDEXED BY cards_manager WHERE manager_id = ? AND lifecycle IN ('new', 'in_work', 'worked_out')
	UNION SELECT id, lifecycle FROM cards INDEXED BY cards_accountant WHERE accountant_id = ? AND lifecycle IN ('new', 'in_work', 'worked_out'))
GROUP BY lifecycle`
		args = []any{*who, *who, *who}
	}
	rs, err := s.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("card counts: %w", err)
	}
	defer rs.Close()
	out := map[string]int64{}
	for rs.Next() {
		var l string
		var n int64
		if err := rs.Scan(&l, &n); err != nil {
			return nil, err
		}
		out[l] = n
	}
	return out, rs.Err()
}
