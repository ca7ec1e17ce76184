package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// ArchiveFilter is the archive tab's seven filters, paging and sorting.
// It is hand-written SQL rather than sqlc: only the filters in use go into the
// WHERE clause, so SQLite can pick the index that fits (see EXPLAIN in the tests).
type ArchiveFilter struct {
	Number     string // full number, a part of it, or the last four digits
	Contact    string // name or phone, a part of it
	BankID     int64
	SupplierID int64
	WarmerID   int64
	ManagerID  int64
	AccountID  int64
	OnlyUser   int64 // non-privileged: cards where this user is responsible
	Offset     int
	Limit      int
	SortAsc    bool
	// Total is the archive's size in this scope (ArchiveTotal) when the caller
	// keeps it (it changes only when a card is archived); 0: counted here.
	Total int64

	// residual: the typed text matches too many cards to list them first, so it is
	// checked on each card the other filters' index walk meets (kt_has).
	residual bool
}

// Check refuses a text filter no index answers: a part of a number or of a contact
// under three characters (four digits are the last four, an index of their own).
func (f ArchiveFilter) Check() error {
	if n := digitsOnly(f.Number); n != "" && len(n) < 3 {
		return ErrShortText
	}
	if q := strings.TrimSpace(f.Contact); q != "" && len([]rune(contactNeedle(q))) < 3 {
		return ErrShortText
	}
	return nil
}

// ArchiveCountCap is where the archive stops counting a filter's cards: past it the
// page says «более 10 000» instead of stepping through every match (SPEC section 10).
const ArchiveCountCap = 10_000

// archiveTextSet is the most cards a typed text may match to be listed first from
// the trigram index and joined; past it, the text is checked card by card (residual).
var archiveTextSet = 2000

// ArchiveRow is one archived card in the table.
type ArchiveRow struct {
	ID                                          int64
	Last4, ContactName, ContactPhone            string
	Bank, Supplier, Warmer, Manager, Accountant string
	ArchivedAt                                  *time.Time
}

// ArchivePage is one page of the archive with the counts DataTables shows.
type ArchivePage struct {
	Total, Filtered int64
	Capped          bool // Filtered is ArchiveCountCap+1: there are more
	Rows            []ArchiveRow
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// where builds the WHERE clause for the filters in use.
// likeEscape makes typed text literal inside a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// ftsPhrase quotes typed text as one FTS5 phrase (a substring for the trigram index).
func ftsPhrase(col, s string) string {
	return col + `:"` + strings.NewReplacer(`"`, `""`, "\x00", " ").Replace(s) + `"`
}

// contactNeedle reads the contact filter: a phone (digits and the usual punctuation,
// "+7 (912) 345-67-89", "8 912…") is searched as digits, anything else as a name.
func contactNeedle(q string) string {
	if d := digitsOnly(q); len(d) >= 3 && strings.Trim(q, "0123456789+-(). \u00a0") == "" {
		if len(d) == 11 && d[0] == '8' {
			d = "7" + d[1:]
		}
		return d
	}
	return q
}

// where builds the WHERE clause for the filters in use. Every filter has an
// index: equality filters use the archive's partial indexes; substrings of 3+
// characters use the trigram index; "only mine" is three indexed arms (ownArm).
func (f ArchiveFilter) where() (string, []any) {
	conds := []string{"c.lifecycle = 'archived'"}
	var args []any
	add := func(cond string, a ...any) { conds = append(conds, cond); args = append(args, a...) }
	search := func(col, needle, likeCol string) {
		switch {
		case f.residual:
			add("kt_has("+likeCol+", ?)", needle)
		case len([]rune(needle)) >= 3:
			add("c.id IN (SELECT rowid FROM cards_search WHERE cards_search MATCH ?)", ftsPhrase(col, needle))
		default:
			add(likeCol+` LIKE ? ESCAPE '\'`, "%"+likeEscape(needle)+"%")
		}
	}
	if n := digitsOnly(f.Number); n != "" {
		switch {
		case len(n) == 4:
			add("c.last4 = ?", n)
		case len(n) >= 13:
			add("c.number = ?", n)
		default:
			search("number", n, "c.number")
		}
	}
	if q := strings.TrimSpace(f.Contact); q != "" {
		search("contact", contactNeedle(q), "(c.contact_name || ' ' || c.contact_phone)")
	}
	for _, x := range []struct {
		col string
		v   int64
	}{{"c.bank_id", f.BankID}, {"c.supplier_id", f.SupplierID}, {"c.warmer_id", f.WarmerID}, {"c.manager_id", f.ManagerID}, {"c.accountant_id", f.AccountID}} {
		if x.v > 0 {
			add(x.col+" = ?", x.v)
		}
	}
	if f.OnlyUser > 0 && !f.ownArms() {
		// A number or contact finds few cards: check those (the unary plus keeps
		// SQLite from starting at the user's thousands of cards instead).
		add("(+c.warmer_id = ? OR +c.manager_id = ? OR +c.accountant_id = ?)", f.OnlyUser, f.OnlyUser, f.OnlyUser)
	}
	return strings.Join(conds, " AND "), args // else "only mine" is added by count and page
}

// ownArms tells whether "only mine" is read as three arms (ownArm): unless a number
// or contact is typed, which finds fewer cards than the user has.
func (f ArchiveFilter) ownArms() bool {
	return f.OnlyUser > 0 && (f.residual || digitsOnly(f.Number) == "" && strings.TrimSpace(f.Contact) == "")
}

// ownArm is one of the three disjoint parts of "only mine": the cards where the
// user is the warmer; else the manager; else the accountant. Each is read from
// its person's archive index, which also holds the other ids, so the user's
// cards are counted and paged without touching the others (SPEC section 10).
type ownArm struct {
	index, cond string
	args        []any
}

func ownArms(u int64) []ownArm {
	return []ownArm{
		{"cards_arch_warmer", "c.warmer_id = ?", []any{u}},
		{"cards_arch_manager", "c.manager_id = ? AND c.warmer_id <> ?", []any{u, u}},
		{"cards_arch_accountant", "c.accountant_id = ? AND c.warmer_id <> ? AND c.manager_id <> ?", []any{u, u, u}},
	}
}

// searchOnly is the trigram index's MATCH expression when every filter in use is
// searched there (a part of a number, a contact). The index holds exactly the
// archived cards (its triggers), so such a page is counted and read on it alone,
// without looking each match up in the cards table.
func (f ArchiveFilter) searchOnly() (string, bool) {
	if f.BankID > 0 || f.SupplierID > 0 || f.WarmerID > 0 || f.ManagerID > 0 || f.AccountID > 0 || f.OnlyUser > 0 {
		return "", false
	}
	return f.textMatch()
}

// textMatch is the trigram index's MATCH expression of the typed text, when all of
// it is searched there.
func (f ArchiveFilter) textMatch() (string, bool) {
	var parts []string
	if n := digitsOnly(f.Number); n != "" {
		if len(n) < 3 || len(n) == 4 || len(n) >= 13 {
			return "", false
		}
		parts = append(parts, ftsPhrase("number", n))
	}
	if q := strings.TrimSpace(f.Contact); q != "" {
		needle := contactNeedle(q)
		if len([]rune(needle)) < 3 {
			return "", false
		}
		parts = append(parts, ftsPhrase("contact", needle))
	}
	return strings.Join(parts, " AND "), len(parts) > 0
}

// count is the query counting the filter's cards.
func (f ArchiveFilter) count() (string, []any) {
	lim := fmt.Sprint(ArchiveCountCap + 1)
	if m, ok := f.searchOnly(); ok {
		return "SELECT COUNT(*) FROM (SELECT 1 FROM cards_search WHERE cards_search MATCH ? LIMIT " + lim + ")", []any{m}
	}
	w, args := f.where()
	if !f.ownArms() {
		return "SELECT COUNT(*) FROM (SELECT 1 FROM " + f.from(w) + " WHERE " + w + " LIMIT " + lim + ")", args
	}
	var parts []string
	var all []any
	for _, a := range ownArms(f.OnlyUser) {
		parts = append(parts, "(SELECT COUNT(*) FROM (SELECT 1 FROM cards c INDEXED BY "+a.index+" WHERE "+w+" AND "+a.cond+" LIMIT "+lim+"))")
		all = append(append(all, args...), a.args...)
	}
	return "SELECT " + strings.Join(parts, " + "), all
}

// page is the query of the page's ids (LIMIT and OFFSET are the last two arguments).
func (f ArchiveFilter) page() (string, []any) {
	q, args := f.selectRows("c.id", true)
	return q + " LIMIT ? OFFSET ?", args
}

// selectRows is the query of the filter's cards in order, giving cols (of
// "cards c"). The page and the export share it, so both hold the same cards.
// shortcut lets a pure text search read ids from the search index alone
// (cols must then be "c.id").
func (f ArchiveFilter) selectRows(cols string, shortcut bool) (string, []any) {
	dir := "DESC"
	if f.SortAsc {
		dir = "ASC"
	}
	if m, ok := f.searchOnly(); ok && shortcut {
		return "SELECT rowid FROM cards_search WHERE cards_search MATCH ? ORDER BY rowid " + dir, []any{m}
	}
	w, args := f.where()
	if !f.ownArms() {
		return "SELECT " + cols + " FROM " + f.from(w) + " WHERE " + w + " ORDER BY c.id " + dir, args
	}
	var parts []string
	var all []any
	for _, a := range ownArms(f.OnlyUser) {
		parts = append(parts, "SELECT "+cols+" FROM cards c INDEXED BY "+a.index+" WHERE "+w+" AND "+a.cond)
		all = append(append(all, args...), a.args...)
	}
	return strings.Join(parts, " UNION ALL ") + " ORDER BY 1 " + dir, all
}

// from picks the table expression: with no filter, walk the archive's id index
// (newest first) so neither the count nor a deep page sorts a million rows.
//
// Typed text listed first (a few cards): the cards are looked up by id from that
// list, never walked (else SQLite may walk every archived card against a Bloom filter).
func (f ArchiveFilter) from(w string) string {
	if w == "c.lifecycle = 'archived'" {
		return "cards c INDEXED BY cards_arch_id"
	}
	if _, text := f.textMatch(); text && !f.residual {
		return "cards c NOT INDEXED"
	}
	return "cards c"
}

// Archive reads one page of archived cards: the page's ids first (from an index,
// no joins), then their names.
func (s *Store) Archive(ctx context.Context, f ArchiveFilter) (p ArchivePage, err error) {
	if err := f.Check(); err != nil {
		return p, err
	}
	ctx, cancel := Budget(ctx)
	defer cancel()
	defer func() { err = tooBroad(ctx, err) }()
	if err := s.archiveText(ctx, &f); err != nil {
		return p, err
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 25
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	base := ArchiveFilter{OnlyUser: f.OnlyUser}
	if p.Total = f.Total; p.Total <= 0 {
		if p.Total, err = s.archiveTotal(ctx, f.OnlyUser); err != nil {
			return p, err
		}
	}
	bw, _ := base.where()
	if w, _ := f.where(); w == bw {
		p.Filtered = p.Total
	} else {
		q, args := f.count()
		if err := s.reader.QueryRowContext(ctx, q, args...).Scan(&p.Filtered); err != nil {
			return p, fmt.Errorf("archive count: %w", err)
		}
		if p.Filtered > ArchiveCountCap {
			p.Filtered, p.Capped = ArchiveCountCap+1, true
		}
	}
	order := "c.id DESC"
	if f.SortAsc {
		order = "c.id ASC"
	}
	// A page past the middle is read from the other end: OFFSET steps over every
	// row it skips, and the last of a million pages would step over all of them.
	pf, limit, offset := f, f.Limit, f.Offset
	if rest := int(p.Filtered) - f.Offset - f.Limit; !p.Capped && f.Offset > int(p.Filtered)/2 && rest > -f.Limit {
		pf.SortAsc, offset = !f.SortAsc, max(rest, 0)
		limit = min(f.Limit, f.Limit+rest)
	}
	pq, pargs := pf.page()
	ids, err := s.reader.QueryContext(ctx, pq, append(pargs, limit, offset)...)
	if err != nil {
		return p, fmt.Errorf("archive page: %w", err)
	}
	var page []any
	for ids.Next() {
		var id int64
		if err := ids.Scan(&id); err != nil {
			ids.Close()
			return p, err
		}
		page = append(page, id)
	}
	ids.Close()
	if len(page) == 0 {
		return p, ids.Err()
	}
	q := `SELECT c.id, c.last4, c.contact_name, c.contact_phone, b.name, s.name, w.name, m.name, a.name, c.archived_at
FROM cards c
JOIN banks b ON b.id = c.bank_id
JOIN contractors s ON s.id = c.supplier_id
JOIN users w ON w.id = c.warmer_id
JOIN users m ON m.id = c.manager_id
JOIN users a ON a.id = c.accountant_id
WHERE c.id IN (?` + strings.Repeat(", ?", len(page)-1) + `) ORDER BY ` + order
	rows, err := s.reader.QueryContext(ctx, q, page...)
	if err != nil {
		return p, fmt.Errorf("archive page rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ArchiveRow
		if err := rows.Scan(&r.ID, &r.Last4, &r.ContactName, &r.ContactPhone, &r.Bank, &r.Supplier, &r.Warmer, &r.Manager, &r.Accountant, &r.ArchivedAt); err != nil {
			return p, err
		}
		p.Rows = append(p.Rows, r)
	}
	return p, rows.Err()
}

// ArchiveEach calls each for every archived card the filter finds, in the
// page's order (the same query, the same reading of typed text), straight from one database cursor (an export of a million cards
// holds one row at a time). Offset and Limit are ignored. Names come from the
// small reference tables read once, so the cursor walks the cards alone.
func (s *Store) ArchiveEach(ctx context.Context, f ArchiveFilter, each func(ArchiveRow) error) error {
	if err := f.Check(); err != nil {
		return err
	}
	if err := s.archiveText(ctx, &f); err != nil {
		return err
	}
	n, err := s.names(ctx)
	if err != nil {
		return err
	}
	q, args := f.selectRows("c.id, c.last4, c.contact_name, c.contact_phone, c.bank_id, c.supplier_id, "+
		"c.warmer_id, c.manager_id, c.accountant_id, c.archived_at", false)
	rows, err := s.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("archive export: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ArchiveRow
		var bank, sup, w, m, a int64
		if err := rows.Scan(&r.ID, &r.Last4, &r.ContactName, &r.ContactPhone, &bank, &sup, &w, &m, &a, &r.ArchivedAt); err != nil {
			return err
		}
		r.Bank, r.Supplier, r.Warmer, r.Manager, r.Accountant = n.banks[bank], n.suppliers[sup], n.users[w], n.users[m], n.users[a]
		if err := each(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ArchiveTotal is how many cards the archive holds for everyone (onlyUser 0) or
// where onlyUser is responsible: the "of N" under the table, the same for every
// filter, so the web layer keeps it until the next change (ArchiveFilter.Total).
func (s *Store) ArchiveTotal(ctx context.Context, onlyUser int64) (n int64, err error) {
	ctx, cancel := Budget(ctx)
	defer cancel()
	defer func() { err = tooBroad(ctx, err) }()
	return s.archiveTotal(ctx, onlyUser)
}

func (s *Store) archiveTotal(ctx context.Context, onlyUser int64) (int64, error) {
	total, targs := ArchiveFilter{OnlyUser: onlyUser}.countExact()
	if onlyUser == 0 {
		// Every card but the few not archived: SQLite counts a whole table from its
		// pages' cell counts, several times faster than stepping through a million
		// archive index entries (SPEC section 10).
		total, targs = "SELECT (SELECT COUNT(*) FROM cards) - (SELECT COUNT(*) FROM cards WHERE lifecycle <> 'archived')", nil
	}
	var n int64
	if err := s.reader.QueryRowContext(ctx, total, targs...).Scan(&n); err != nil {
		return 0, fmt.Errorf("archive total: %w", err)
	}
	return n, nil
}

// countExact counts "only mine" exactly: three index-only counts.
func (f ArchiveFilter) countExact() (string, []any) {
	w, args := f.where()
	var parts []string
	var all []any
	for _, a := range ownArms(f.OnlyUser) {
		parts = append(parts, "(SELECT COUNT(*) FROM cards c INDEXED BY "+a.index+" WHERE "+w+" AND "+a.cond+")")
		all = append(append(all, args...), a.args...)
	}
	return "SELECT " + strings.Join(parts, " + "), all
}

// archiveText decides how typed text combined with other filters is read: the
// cards it matches listed first (a few), or checked card by card (many).
func (s *Store) archiveText(ctx context.Context, f *ArchiveFilter) error {
	m, ok := f.textMatch()
	if _, only := f.searchOnly(); !ok || only {
		return nil
	}
	var n int
	if err := s.reader.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM cards_search WHERE cards_search MATCH ? LIMIT ?)",
		m, archiveTextSet+1).Scan(&n); err != nil {
		return fmt.Errorf("archive text: %w", err)
	}
	f.residual = n > archiveTextSet
	return nil
}

// ArchivePlan explains the archive query for a filter (for tests and benchmarks).
func (s *Store) ArchivePlan(ctx context.Context, f ArchiveFilter) (string, error) {
	if err := s.archiveText(ctx, &f); err != nil {
		return "", err
	}
	q, args := f.count()
	return s.Explain(ctx, q, args...)
}

// Explain is SQLite's plan of a read query, one step a line (tests check that
// queries stay on their indexes).
func (s *Store) Explain(ctx context.Context, q string, args ...any) (string, error) {
	rows, err := s.reader.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return "", err
		}
		b.WriteString(detail + "\n")
	}
	return b.String(), rows.Err()
}
