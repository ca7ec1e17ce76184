package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// ArchiveFilter is the archive tab's seven filters, paging and sorting.
// It is hand-written SQL rather than sqlc: only the filters in use go into the
// query, so each reads the one index that fits (see the plan tests).
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
	// Found is what the filter finds when the caller keeps it from another page of
	// the same filter (it is the same on every page and in either order); nil:
	// counted here when the page does not tell.
	Found *ArchiveFound
}

// ArchiveFound is what a filter finds: N cards, or more than ArchiveCountCap
// (N is then ArchiveCountCap+1 and Capped is set).
type ArchiveFound struct {
	N      int64
	Capped bool
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

// ftsPhrase quotes text as one FTS5 phrase of a column (a substring for the trigram index).
func ftsPhrase(col, s string) string {
	return col + `:"` + strings.ReplaceAll(s, `"`, `""`) + `"`
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
	return strings.ReplaceAll(q, "\x00", " ") // FTS5 refuses NUL in a phrase
}

// The search index's terms for the id filters and the last four digits: three
// characters of Unicode's private use area (kind, value / 2000, value % 2000), one
// trigram in a column of its own, as migration 000009's cards_search_rows writes them.
var searchTagCols = [...]string{"bank", "supplier", "warmer", "manager", "accountant", "last4"}

const (
	tagBank = iota
	tagSupplier
	tagWarmer
	tagManager
	tagAccountant
	tagLast4
)

// searchTag is the MATCH term of an id (or the last four digits as a number) in its column.
func searchTag(kind int, v int64) string {
	return ftsPhrase(searchTagCols[kind], string([]rune{rune(0xE000 + kind), rune(0xE100 + v/2000), rune(0xE100 + v%2000)}))
}

// archivePhraseGrams is the longest typed text (in trigrams) always matched as one
// FTS5 phrase; a longer one may be matched by its rarest trigrams (rareGrams).
// archiveCheckSet is the most cards those may find (with the other filters) to be
// listed and checked one by one (a read of each card's text).
const archivePhraseGrams = 3

var archiveCheckSet = 2000

// archiveIDSet is the most cards the id filters may find together for typed text
// to be checked on each of those cards instead (fewCards).
var archiveIDSet = 200

// archiveWords tells whether a contact typed as one word is read on the word index
// (cards_words, migration 000013) rather than the trigrams (off in tests that check
// both ways).
var archiveWords = true

// contactWord is a contact typed as one word of four or more Latin or Cyrillic
// letters (a first name, a surname, a part of one), as the word index reads it: the
// cards whose contact holds it are those with a word-index token beginning with it
// (migration 000013); "" for any other text. Digits, punctuation and letters past
// Latin Extended-B and basic Cyrillic stay on the trigrams (the word index leaves
// out phones of digits alone, and its tokenizer splits words at what it does not
// know as a letter).
func contactWord(q string) string {
	q = strings.TrimSpace(q)
	if len([]rune(q)) < 4 {
		return ""
	}
	for _, r := range q {
		if !unicode.IsLetter(r) || r > 0x24F && (r < 0x400 || r > 0x4FF) {
			return ""
		}
	}
	return q
}

// contactWords are the words of four letters or more of a contact typed as several
// (each a run of letters contactWord reads), nil when there are none.
func contactWords(q string) []string {
	var ws []string
	for _, w := range strings.FieldsFunc(contactNeedle(q), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if contactWord(w) != "" {
			ws = append(ws, w)
		}
	}
	return ws
}

// wordCards lists the cards the word index's match finds that hold the typed
// contact (needle), newest first, when the match finds at most archiveCheckSet
// cards (else nil).
func (s *Store) wordCards(ctx context.Context, match, needle string) ([]int64, error) {
	count, check := wordCardsQueries()
	var found int
	if err := s.reader.QueryRowContext(ctx, count, match, archiveCheckSet+1).Scan(&found); err != nil {
		return nil, fmt.Errorf("archive words: %w", err)
	}
	if found > archiveCheckSet {
		return nil, nil
	}
	got, err := s.archiveRowIDs(ctx, check, match, needle)
	ids := []int64{}
	for _, id := range got {
		ids = append(ids, id.(int64))
	}
	return ids, err
}

// wordCardsQueries are wordCards' queries: how many cards the match finds (up to
// LIMIT), and those holding the typed contact.
func wordCardsQueries() (count, check string) {
	return "SELECT COUNT(*) FROM (SELECT 1 FROM cards_words WHERE cards_words MATCH ? LIMIT ?)",
		"SELECT c.id FROM cards_words CROSS JOIN cards c ON c.id = cards_words.rowid WHERE cards_words MATCH ? " +
			"AND kt_has(c.contact_name || ' ' || c.contact_phone, ?) ORDER BY cards_words.rowid DESC"
}

// archiveQuery is a filter made into SQL. Typed text (a part of a number, the last
// four digits, a contact) is read on a search index alone — the trigrams, or the
// word index for a contact typed as one word — every other filter being a term of
// the same MATCH, so FTS5 steps through the lists together and a page or a count
// never looks at a card the text does not match (SPEC section 10).
// Without text (or with a full number, one card) the cards' archive indexes answer.
type archiveQuery struct {
	f     ArchiveFilter
	index string  // the search index MATCH reads: cards_search (trigrams) or cards_words
	match string  // the MATCH expression; "" reads the cards' indexes
	check string  // " AND …" on each match when the MATCH is wider than the typed text
	args  []any   // check's arguments
	ids   []int64 // with check: every card found, newest first (listed while deciding)
}

// archiveQuery reads the filter (f.Check has passed). A contact typed as words
// (with no part of a number but three digits) is read on the word index: one word
// exactly, several by their cards there, checked when they are few. Other long
// text (a phone, a long part of a number) is first matched by its three rarest
// trigrams with the other filters: when they find at most archiveCheckSet cards,
// those are the answer once checked; else the whole phrase is matched. FTS5 steps
// through every trigram list of a phrase — a full name has some twenty, several of
// them in half the archive — and a rare trigram's list is a fraction of that.
func (s *Store) archiveQuery(ctx context.Context, f ArchiveFilter) (archiveQuery, error) {
	q := archiveQuery{f: f, index: "cards_search"}
	n := digitsOnly(f.Number)
	contact := strings.TrimSpace(f.Contact)
	if len(n) >= 13 || n == "" && contact == "" {
		return q, nil
	}
	if f.BankID > 0 || f.SupplierID > 0 || f.WarmerID > 0 || f.ManagerID > 0 || f.AccountID > 0 {
		ids, err := s.fewCards(ctx, f)
		if ids != nil || err != nil {
			q.ids = ids
			return q, err
		}
	}
	var terms []string
	for kind, v := range []int64{f.BankID, f.SupplierID, f.WarmerID, f.ManagerID, f.AccountID} {
		if v > 0 {
			terms = append(terms, searchTag(kind, v))
		}
	}
	if u := f.OnlyUser; u > 0 {
		terms = append(terms, "("+searchTag(tagWarmer, u)+" OR "+searchTag(tagManager, u)+" OR "+searchTag(tagAccountant, u)+")")
	}
	var texts []struct{ col, needle, check string }
	switch {
	case len(n) == 4:
		v, _ := strconv.ParseInt(n, 10, 64)
		terms = append(terms, searchTag(tagLast4, v))
	case n != "":
		texts = append(texts, struct{ col, needle, check string }{"number", n, "instr(cards_search.number, ?) > 0"})
	}
	// A word with no part of a number or three digits of one: the word index, its
	// own short list with the other filters' terms (the same as the trigrams' ones)
	// and the number's three digits as a term of their own, nothing to check.
	if archiveWords && (texts == nil || len(n) == 3) {
		wterms := slices.Clone(terms)
		if len(n) == 3 {
			wterms = append(wterms, ftsPhrase("number", n))
		}
		if w := contactWord(contact); w != "" {
			q.index, q.match = "cards_words", strings.Join(append(wterms, ftsPhrase("words", w)+" *"), " AND ")
			return q, nil
		}
		// Several words (a full name): the cards where each word of four letters or
		// more is, checked for the whole text when they are few, as its rarest
		// trigrams' cards are.
		if ws := contactWords(contact); ws != nil {
			for _, w := range ws {
				wterms = append(wterms, ftsPhrase("words", w)+" *")
			}
			ids, err := s.wordCards(ctx, strings.Join(wterms, " AND "), contactNeedle(contact))
			if ids != nil || err != nil {
				q.ids = ids
				return q, err
			}
		}
	}
	if contact != "" {
		texts = append(texts, struct{ col, needle, check string }{"contact", contactNeedle(contact), "kt_has(cards_search.contact, ?)"})
	}
	phrases, rare := slices.Clone(terms), terms
	var checks []string
	for _, t := range texts {
		phrases = append(phrases, ftsPhrase(t.col, t.needle))
		grams, err := s.rareGrams(ctx, t.col, t.needle)
		if err != nil {
			return q, err
		}
		if grams == nil {
			rare = append(rare, ftsPhrase(t.col, t.needle))
			continue
		}
		for _, g := range grams {
			rare = append(rare, ftsPhrase(t.col, g))
		}
		checks = append(checks, t.check)
		q.args = append(q.args, t.needle)
	}
	q.match = strings.Join(phrases, " AND ")
	if checks == nil {
		q.args = nil
		return q, nil
	}
	// The rarest trigrams' cards, each with whether the text is in it.
	rows, err := s.reader.QueryContext(ctx, "SELECT rowid, "+strings.Join(checks, " AND ")+
		" FROM cards_search WHERE cards_search MATCH ? ORDER BY rowid DESC LIMIT ?", append(q.args, strings.Join(rare, " AND "), archiveCheckSet+1)...)
	if err != nil {
		return q, fmt.Errorf("archive text: %w", err)
	}
	defer rows.Close()
	found, ids := 0, []int64{}
	for rows.Next() {
		var id int64
		var ok bool
		if err := rows.Scan(&id, &ok); err != nil {
			return q, err
		}
		if found++; ok {
			ids = append(ids, id)
		}
	}
	if err := rows.Err(); err != nil {
		return q, fmt.Errorf("archive text: %w", err)
	}
	if found > archiveCheckSet {
		q.args = nil
		return q, nil
	}
	q.match, q.check, q.ids = strings.Join(rare, " AND "), " AND "+strings.Join(checks, " AND "), ids
	return q, nil
}

// fewCards lists the cards the filter finds when its id filters alone find at most
// archiveIDSet cards (else nil): their ids from the ids' archive indexes, then the
// typed text checked on each card. All seven filters, say, find one card or none,
// while their terms on the search index would each be a list of many thousands.
func (s *Store) fewCards(ctx context.Context, f ArchiveFilter) ([]int64, error) {
	idq, args, _ := f.fewCardsQueries(0)
	found, err := s.archiveRowIDs(ctx, idq, append(args, archiveIDSet+1)...)
	if err != nil || len(found) > archiveIDSet {
		return nil, err
	}
	ids := []int64{}
	if len(found) == 0 {
		return ids, nil
	}
	_, _, check := f.fewCardsQueries(len(found))
	_, args = f.where()
	got, err := s.archiveRowIDs(ctx, check, append(found, args...)...)
	for _, id := range got {
		ids = append(ids, id.(int64))
	}
	return ids, err
}

// fewCardsQueries are fewCards' queries: the id filters' cards (LIMIT is the last
// argument), and n of them with the whole filter checked (the ids, then where's arguments).
func (f ArchiveFilter) fewCardsQueries(n int) (ids string, idArgs []any, check string) {
	idf := ArchiveFilter{BankID: f.BankID, SupplierID: f.SupplierID, WarmerID: f.WarmerID, ManagerID: f.ManagerID, AccountID: f.AccountID}
	w, idArgs := idf.where()
	all, _ := f.where()
	return "SELECT c.id FROM " + idf.from(w) + " WHERE " + w + " LIMIT ?", idArgs,
		"SELECT c.id FROM cards c WHERE c.id IN (?" + strings.Repeat(", ?", max(n, 1)-1) + ") AND " + all + " ORDER BY c.id DESC"
}

// archiveRowIDs reads a query's single column of card ids.
func (s *Store) archiveRowIDs(ctx context.Context, q string, args ...any) ([]any, error) {
	rows, err := s.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("archive ids: %w", err)
	}
	defer rows.Close()
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// trigrams are the distinct trigrams of text, case folded, in order.
func trigrams(text string) []string {
	r := []rune(strings.ToLower(text))
	var out []string
	for i := 0; i+3 <= len(r); i++ {
		if g := string(r[i : i+3]); !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// rareGrams are the three rarest of a long text's trigrams in a column of the
// search index (nil for a text of up to archivePhraseGrams trigrams), of twelve
// spread over it. A trigram's rarity is read from its list's 256th-newest card:
// the older that card, the rarer the trigram.
func (s *Store) rareGrams(ctx context.Context, col, text string) ([]string, error) {
	grams := trigrams(text)
	if len(grams) <= archivePhraseGrams || archiveCheckSet < 0 {
		return nil, nil
	}
	if len(grams) > 12 {
		spread := make([]string, 12)
		for i := range spread {
			spread[i] = grams[i*(len(grams)-1)/11]
		}
		grams = spread
	}
	at := map[string]int64{}
	for _, g := range grams {
		id, ok := s.rarity.get(col + ":" + g)
		if !ok {
			err := s.reader.QueryRowContext(ctx, `SELECT rowid FROM cards_search WHERE cards_search MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET 255`,
				ftsPhrase(col, g)).Scan(&id)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return nil, fmt.Errorf("archive text: %w", err)
			}
			s.rarity.put(col+":"+g, id)
		}
		at[g] = id
	}
	slices.SortStableFunc(grams, func(a, b string) int { return cmp.Compare(at[a], at[b]) })
	return grams[:archivePhraseGrams], nil
}

// gramRarity keeps the trigrams' rarity read by rareGrams. Typed text reuses a few
// thousand trigrams, and an estimate from before the latest cards were archived
// only picks other trigrams to start from — never other cards (the result is
// checked or is the phrase). Emptied when it reaches 50,000 trigrams.
type gramRarity struct {
	mu sync.Mutex
	at map[string]int64
}

func (r *gramRarity) get(g string) (int64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.at[g]
	return v, ok
}

func (r *gramRarity) put(g string, v int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.at == nil || len(r.at) >= 50_000 {
		r.at = map[string]int64{}
	}
	r.at[g] = v
}

// count is the query counting the filter's cards, up to ArchiveCountCap+1.
func (q archiveQuery) count() (string, []any) {
	lim := fmt.Sprint(ArchiveCountCap + 1)
	if q.match != "" {
		return "SELECT COUNT(*) FROM (SELECT 1 FROM " + q.index + " WHERE " + q.index + " MATCH ?" + q.check + " LIMIT " + lim + ")",
			append([]any{q.match}, q.args...)
	}
	f := q.f
	w, args := f.where()
	if !f.ownArms() {
		return "SELECT COUNT(*) FROM (SELECT 1 FROM " + f.from(w) + " WHERE " + w + " LIMIT " + lim + ")", args
	}
	var parts []string
	var all []any
	for _, a := range f.arms() {
		parts = append(parts, "(SELECT COUNT(*) FROM (SELECT 1 FROM cards c INDEXED BY "+a.index+" WHERE "+w+" AND "+a.cond+" LIMIT "+lim+"))")
		all = append(append(all, args...), a.args...)
	}
	return "SELECT " + strings.Join(parts, " + "), all
}

// page is the query of the page's ids, newest first unless asc (LIMIT and OFFSET
// are the last two arguments).
func (q archiveQuery) page(asc bool) (string, []any) {
	if q.match != "" {
		return "SELECT rowid FROM " + q.index + " WHERE " + q.index + " MATCH ?" + q.check + " ORDER BY rowid " + sortDir(asc) + " LIMIT ? OFFSET ?",
			append([]any{q.match}, q.args...)
	}
	f := q.f
	f.SortAsc = asc
	r, args := f.selectRows("c.id")
	return r + " LIMIT ? OFFSET ?", args
}

// rows is the query of all the filter's cards in the page's order, giving cols
// (of "cards c"): the export.
func (q archiveQuery) rows(cols string) (string, []any) {
	if q.match != "" {
		return "SELECT " + cols + " FROM " + q.index + " CROSS JOIN cards c ON c.id = " + q.index + ".rowid WHERE " + q.index + " MATCH ?" +
			q.check + " ORDER BY " + q.index + ".rowid " + sortDir(q.f.SortAsc), append([]any{q.match}, q.args...)
	}
	return q.f.selectRows(cols)
}

func sortDir(asc bool) string {
	if asc {
		return "ASC"
	}
	return "DESC"
}

// where builds the WHERE clause of the filters read on the cards' indexes: the ids
// on the archive's partial indexes; a full number on its own; typed text checked on
// the cards a full number or the ids find (fewCards); "only mine" as three indexed
// arms (ownArm) or, with typed text, checked on those cards.
func (f ArchiveFilter) where() (string, []any) {
	conds := []string{"c.lifecycle = 'archived'"}
	var args []any
	add := func(cond string, a ...any) { conds = append(conds, cond); args = append(args, a...) }
	switch n := digitsOnly(f.Number); {
	case len(n) >= 13:
		add("c.number = ?", n)
	case len(n) == 4:
		add("c.last4 = ?", n)
	case n != "":
		add("instr(c.number, ?) > 0", n)
	}
	if q := strings.TrimSpace(f.Contact); q != "" {
		add("kt_has(c.contact_name || ' ' || c.contact_phone, ?)", contactNeedle(q))
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
		// The unary plus keeps SQLite on the number's index or the listed ids rather than the user's thousands of cards.
		add("(+c.warmer_id = ? OR +c.manager_id = ? OR +c.accountant_id = ?)", f.OnlyUser, f.OnlyUser, f.OnlyUser)
	}
	return strings.Join(conds, " AND "), args // else "only mine" is added by count and page
}

// ownArms tells whether "only mine" is read as three arms (ownArm): unless a number
// or a contact is typed (a full number finds one card; text is read on the search
// index or checked on a few cards).
func (f ArchiveFilter) ownArms() bool {
	return f.OnlyUser > 0 && digitsOnly(f.Number) == "" && strings.TrimSpace(f.Contact) == ""
}

// ownArm is one of the three disjoint parts of "only mine": the cards where the
// user is the warmer; else the manager; else the accountant. Each is read from
// its person's archive index (with an id filter, the pair index of the person and
// the filter that narrows the most), which also holds the other ids, so the user's
// cards are counted and paged without touching the others (SPEC section 10).
type ownArm struct {
	index, cond string
	args        []any
}

func (f ArchiveFilter) arms() []ownArm {
	u := f.OnlyUser
	return []ownArm{
		{f.idIndex(dimWarmer), "c.warmer_id = ?", []any{u}},
		{f.idIndex(dimManager), "c.manager_id = ? AND c.warmer_id <> ?", []any{u, u}},
		{f.idIndex(dimAccountant), "c.accountant_id = ? AND c.warmer_id <> ? AND c.manager_id <> ?", []any{u, u, u}},
	}
}

// archiveDims are the five id filters' columns as the archive's indexes name them
// (cards_arch_bank…, and cards_arch_bank_supplier… for each pair, migration 15).
var archiveDims = [...]string{"bank", "supplier", "warmer", "manager", "accountant"}

const (
	dimBank = iota
	dimSupplier
	dimWarmer
	dimManager
	dimAccountant
)

// archiveNarrowing is the order in which the id filters narrow the archive, the most
// first: an office has some 200 suppliers, 40 banks, and more managers than warmers
// or accountants (SPEC section 10).
var archiveNarrowing = [...]int{dimSupplier, dimBank, dimManager, dimWarmer, dimAccountant}

// idIndex is the archive index the id filters are read from, with the column fixed
// (an "only mine" arm's person; -1: none) among them: the pair index of the two that
// narrow the most, the one filter's own index, or "" when there is no id filter.
func (f ArchiveFilter) idIndex(fixed int) string {
	vals := [...]int64{f.BankID, f.SupplierID, f.WarmerID, f.ManagerID, f.AccountID}
	var picked []int
	if fixed >= 0 {
		picked = append(picked, fixed)
	}
	for _, d := range archiveNarrowing {
		if len(picked) < 2 && vals[d] > 0 && d != fixed {
			picked = append(picked, d)
		}
	}
	switch len(picked) {
	case 0:
		return ""
	case 1:
		return "cards_arch_" + archiveDims[picked[0]]
	}
	return "cards_arch_" + archiveDims[min(picked[0], picked[1])] + "_" + archiveDims[max(picked[0], picked[1])]
}

// selectRows is the query of the filter's cards in order on the cards' indexes,
// giving cols (of "cards c").
func (f ArchiveFilter) selectRows(cols string) (string, []any) {
	dir := sortDir(f.SortAsc)
	w, args := f.where()
	if !f.ownArms() {
		return "SELECT " + cols + " FROM " + f.from(w) + " WHERE " + w + " ORDER BY c.id " + dir, args
	}
	var parts []string
	var all []any
	for _, a := range f.arms() {
		parts = append(parts, "SELECT "+cols+" FROM cards c INDEXED BY "+a.index+" WHERE "+w+" AND "+a.cond)
		all = append(append(all, args...), a.args...)
	}
	return strings.Join(parts, " UNION ALL ") + " ORDER BY 1 " + dir, all
}

// from picks the table expression: with no filter, walk the archive's id index
// (newest first) so neither the count nor a deep page sorts a million rows; a full
// number is looked up on its index; id filters walk their pair's or their own index.
func (f ArchiveFilter) from(w string) string {
	switch {
	case w == "c.lifecycle = 'archived'":
		return "cards c INDEXED BY cards_arch_id"
	case len(digitsOnly(f.Number)) >= 13:
		return "cards c INDEXED BY cards_arch_number"
	}
	if ix := f.idIndex(-1); ix != "" {
		return "cards c INDEXED BY " + ix
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
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 25
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	aq, err := s.archiveQuery(ctx, f)
	if err != nil {
		return p, err
	}
	if p.Total = f.Total; p.Total <= 0 {
		if p.Total, err = s.archiveTotal(ctx, f.OnlyUser); err != nil {
			return p, err
		}
	}
	var page []any
	fetched := false
	switch {
	case aq.ids != nil:
		p.Filtered = int64(len(aq.ids))
	case aq.unfiltered():
		p.Filtered = p.Total
	case f.Found != nil:
		p.Filtered, p.Capped = f.Found.N, f.Found.Capped
	default:
		if f.Offset == 0 {
			// The first page first: when it is not full, it is all the filter finds
			// (one walk of the index, not two).
			if page, err = s.archiveIDs(ctx, aq, f.SortAsc, f.Limit, 0); err != nil {
				return p, err
			}
			if fetched = true; len(page) < f.Limit {
				p.Filtered = int64(len(page))
				break
			}
		}
		q, args := aq.count()
		if err := s.reader.QueryRowContext(ctx, q, args...).Scan(&p.Filtered); err != nil {
			return p, fmt.Errorf("archive count: %w", err)
		}
		if p.Filtered > ArchiveCountCap {
			p.Filtered, p.Capped = ArchiveCountCap+1, true
		}
	}
	if !fetched && !p.Capped && f.Offset >= int(p.Filtered) {
		return p, nil // past what the filter finds: nothing to walk over
	}
	if !fetched {
		// A page past the middle is read from the other end: OFFSET steps over every
		// row it skips, and the last of a million pages would step over all of them.
		asc, limit, offset := f.SortAsc, f.Limit, f.Offset
		if rest := int(p.Filtered) - f.Offset - f.Limit; !p.Capped && f.Offset > int(p.Filtered)/2 && rest > -f.Limit {
			asc, offset = !f.SortAsc, max(rest, 0)
			limit = min(f.Limit, f.Limit+rest)
		}
		if page, err = s.archiveIDs(ctx, aq, asc, limit, offset); err != nil {
			return p, err
		}
	}
	if len(page) == 0 {
		return p, nil
	}
	order := "c.id DESC"
	if f.SortAsc {
		order = "c.id ASC"
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

// unfiltered tells whether the query is the whole archive in its scope (ArchiveTotal).
func (q archiveQuery) unfiltered() bool {
	w, _ := q.f.where()
	bw, _ := ArchiveFilter{OnlyUser: q.f.OnlyUser}.where()
	return q.match == "" && w == bw
}

// archiveIDs is a page of the query's card ids (a slice of them when listed).
func (s *Store) archiveIDs(ctx context.Context, q archiveQuery, asc bool, limit, offset int) ([]any, error) {
	var page []any
	if q.ids != nil {
		for i := offset; i < min(offset+limit, len(q.ids)); i++ {
			if asc {
				page = append(page, q.ids[len(q.ids)-1-i])
			} else {
				page = append(page, q.ids[i])
			}
		}
		return page, nil
	}
	pq, args := q.page(asc)
	return s.archiveRowIDs(ctx, pq, append(args, limit, offset)...)
}

// ArchiveEach calls each for every archived card the filter finds, in the
// page's order (the same query, the same reading of typed text), straight from one database cursor (an export of a million cards
// holds one row at a time). Offset and Limit are ignored. Names come from the
// small reference tables read once, so the cursor walks the cards alone.
func (s *Store) ArchiveEach(ctx context.Context, f ArchiveFilter, each func(ArchiveRow) error) error {
	if err := f.Check(); err != nil {
		return err
	}
	aq, err := s.archiveQuery(ctx, f)
	if err != nil {
		return err
	}
	n, err := s.names(ctx)
	if err != nil {
		return err
	}
	q, args := aq.rows("c.id, c.last4, c.contact_name, c.contact_phone, c.bank_id, c.supplier_id, " +
		"c.warmer_id, c.manager_id, c.accountant_id, c.archived_at")
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
		total, targs = "SELECT n FROM archive_size", nil // kept by triggers (migration 000010)
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
	for _, a := range f.arms() {
		parts = append(parts, "(SELECT COUNT(*) FROM cards c INDEXED BY "+a.index+" WHERE "+w+" AND "+a.cond+")")
		all = append(append(all, args...), a.args...)
	}
	return "SELECT " + strings.Join(parts, " + "), all
}

// ArchivePlan explains the archive's count for a filter (for tests and benchmarks).
func (s *Store) ArchivePlan(ctx context.Context, f ArchiveFilter) (string, error) {
	aq, err := s.archiveQuery(ctx, f)
	if err != nil {
		return "", err
	}
	q, args := aq.count()
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
