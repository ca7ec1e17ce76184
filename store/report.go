package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"kartoteka/app/money"
	"kartoteka/app/pipeline"
)

// The owner's «Отчёт» read from the rollups: whole years, whole months, days and
// running sums, so a period of any length reads a bounded number of rows (at most
// four period keys a year).

// periodParts splits the dates from..to (inclusive, 'YYYY-MM-DD') into whole
// years, whole months and single days, all added (the chart's months).
func periodParts(from, to string) ([]string, error) {
	f, t, err := periodDates(from, to)
	if err != nil {
		return nil, err
	}
	var keys []string
	for d := f; !d.After(t); {
		switch {
		case d.YearDay() == 1 && !d.AddDate(1, 0, -1).After(t):
			keys = append(keys, d.Format("2006"))
			d = d.AddDate(1, 0, 0)
		case d.Day() == 1 && !d.AddDate(0, 1, -1).After(t):
			keys = append(keys, d.Format("2006-01"))
			d = d.AddDate(0, 1, 0)
		default:
			keys = append(keys, d.Format(pipeline.DateLayout))
			d = d.AddDate(0, 0, 1)
		}
	}
	return keys, nil
}

func periodDates(from, to string) (f, t time.Time, err error) {
	if f, err = time.Parse(pipeline.DateLayout, from); err != nil {
		return f, t, fmt.Errorf("period start %q: %w", from, err)
	}
	if t, err = time.Parse(pipeline.DateLayout, to); err != nil {
		return f, t, fmt.Errorf("period end %q: %w", to, err)
	}
	return f, t, nil
}

// PeriodKey is a rollup period whose figures are added (Sign 1) or subtracted (-1).
type PeriodKey struct {
	Key  string
	Sign int
}

// PeriodKeys splits the dates from..to (inclusive, 'YYYY-MM-DD') into the fewest
// rollup periods, year by year: whole years, whole months and single days, each
// added — or a year or a month less what lies outside the period (a month less its
// first three days, a year less its last month and a half) — or, where those would
// be more, the running sums (runningPeriods): the year from the period's first day
// on less the year from the day after its last, at most four keys.
func PeriodKeys(from, to string) ([]PeriodKey, error) {
	f, t, err := periodDates(from, to)
	if err != nil {
		return nil, err
	}
	var keys []PeriodKey
	for y := f.Year(); y <= t.Year(); y++ {
		a, b := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)
		a, b = maxTime(a, f), minTime(b, t)
		part := yearPart(a, b, 1)
		if running := netKeys(append(fromOn(a, 1), fromOn(b.AddDate(0, 0, 1), -1)...)); len(running) < len(part) {
			part = running
		}
		keys = append(keys, part...)
	}
	return keys, nil
}

// netKeys drops the keys that are both added and subtracted (a period to the end
// of a month is its first day's running sum: the next month's cancels out).
func netKeys(keys []PeriodKey) []PeriodKey {
	for i := 0; i < len(keys); i++ {
		for j := i + 1; j < len(keys); j++ {
			if keys[i].Key == keys[j].Key && keys[i].Sign == -keys[j].Sign {
				keys = slices.Delete(keys, j, j+1)
				keys = slices.Delete(keys, i, i+1)
				i--
				break
			}
		}
	}
	return keys
}

// fromOn is the days of d's year from d on, as running sums (none when d is a
// new year: the period ran to the end of the last).
func fromOn(d time.Time, sign int) []PeriodKey {
	switch {
	case d.YearDay() == 1:
		if sign > 0 {
			return []PeriodKey{{d.Format("2006"), sign}}
		}
		return nil
	case d.Day() == 1:
		return []PeriodKey{{d.Format("2006-01") + "+", sign}}
	case d.Month() == time.December:
		return []PeriodKey{{d.Format(pipeline.DateLayout) + "+", sign}}
	}
	next := time.Date(d.Year(), d.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	return []PeriodKey{{d.Format(pipeline.DateLayout) + "+", sign}, {next.Format("2006-01") + "+", sign}}
}

// yearPart covers the days a..b of one year: by months, or as the year less the
// months before and after.
func yearPart(a, b time.Time, sign int) []PeriodKey {
	first, last := time.Date(a.Year(), 1, 1, 0, 0, 0, 0, time.UTC), time.Date(a.Year(), 12, 31, 0, 0, 0, 0, time.UTC)
	before, after := a.AddDate(0, 0, -1), b.AddDate(0, 0, 1)
	out := 1
	if a.After(first) {
		out += monthsPart(first, before, 0, nil)
	}
	if b.Before(last) {
		out += monthsPart(after, last, 0, nil)
	}
	var keys []PeriodKey
	if out >= monthsPart(a, b, 0, nil) {
		monthsPart(a, b, sign, &keys)
		return keys
	}
	keys = append(keys, PeriodKey{a.Format("2006"), sign})
	if a.After(first) {
		monthsPart(first, before, -sign, &keys)
	}
	if b.Before(last) {
		monthsPart(after, last, -sign, &keys)
	}
	return keys
}

// monthsPart covers the days a..b of one year month by month, each month day by
// day or as the month less the days outside, whichever is fewer keys; it returns
// how many, and appends them to keys unless keys is nil.
func monthsPart(a, b time.Time, sign int, keys *[]PeriodKey) int {
	n := 0
	for m := time.Date(a.Year(), a.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(b); m = m.AddDate(0, 1, 0) {
		end := m.AddDate(0, 1, -1)
		from, to := maxTime(a, m), minTime(b, end)
		in := to.Day() - from.Day() + 1
		out := 1 + end.Day() - in
		n += min(in, out)
		if keys == nil {
			continue
		}
		if in <= out {
			for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
				*keys = append(*keys, PeriodKey{d.Format(pipeline.DateLayout), sign})
			}
			continue
		}
		*keys = append(*keys, PeriodKey{m.Format("2006-01"), sign})
		for d := m; !d.After(end); d = d.AddDate(0, 0, 1) {
			if d.Before(from) || d.After(to) {
				*keys = append(*keys, PeriodKey{d.Format(pipeline.DateLayout), -sign})
			}
		}
	}
	return n
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// periodWith is the WITH clause naming the keys as p(period, w): a rollup row of a
// key counts w times (SUM(x * p.w)). No keys (an empty period) match no row.
func periodWith(keys []PeriodKey) (string, []any) {
	if len(keys) == 0 {
		keys = []PeriodKey{{"-", 0}}
	}
	args := make([]any, 0, 2*len(keys))
	for _, k := range keys {
		args = append(args, k.Key, k.Sign)
	}
	return "WITH p(period, w) AS (VALUES " + strings.TrimSuffix(strings.Repeat("(?, ?), ", len(keys)), ", ") + ") ", args
}

// monthKeys is periodParts with whole years split into their months (the chart).
func monthKeys(from, to string) ([]string, error) {
	keys, err := periodParts(from, to)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range keys {
		if len(k) == 4 {
			for m := 1; m <= 12; m++ {
				out = append(out, fmt.Sprintf("%s-%02d", k, m))
			}
			continue
		}
		out = append(out, k)
	}
	return out, nil
}

// MoneySums are the report's figures for a period and a breakdown row.
type MoneySums struct {
	TxN        int64         // transactions
	Amount     money.Kopecks // «Общая сумма отработки»
	Commission money.Kopecks
	Net        money.Kopecks
	ConfirmedN int64         // cards confirmed
	Confirmed  money.Kopecks // «Подтверждённая прибыль»
}

// ReportRow is one line of a breakdown: a bank, supplier or manager.
type ReportRow struct {
	Key  int64
	Name string
	MoneySums
}

// MonthRow is one month of the chart (Month 'YYYY-MM').
type MonthRow struct {
	Month string
	MoneySums
}

// StagePerson is one responsible's figures in a stage.
type StagePerson struct {
	UserID                       int64
	Name                         string
	Entered, Left, Done, Overdue int64
	Mean                         time.Duration // average time in the stage of the tasks that left
}

// StageRow is one stage's analytics for the period.
type StageRow struct {
	Stage                        pipeline.Stage
	Entered, Left, Done, Overdue int64
	Median, P90                  time.Duration // of the time spent by the tasks that left; 0 when none
	People                       []StagePerson
}

// Report is everything «Отчёт» shows for a period.
type Report struct {
	From, To                   string
	Total                      MoneySums
	Banks, Suppliers, Managers []ReportRow
	Months                     []MonthRow
	Stages                     []StageRow
}

func inList(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

func anys(keys []string) []any {
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out
}

// ReportFor reads the report for the dates from..to (inclusive, office calendar).
func (s *Store) ReportFor(ctx context.Context, from, to string) (Report, error) {
	r := Report{From: from, To: to}
	keys, err := PeriodKeys(from, to)
	if err != nil {
		return r, err
	}
	names, err := s.reportNames(ctx)
	if err != nil {
		return r, err
	}
	// The chart and the stage analytics read other tables: on other reader
	// connections at the same time (the page waits for the slowest, not the sum).
	var wg sync.WaitGroup
	var months []MonthRow
	var stages []StageRow
	var monthsErr, stagesErr error
	wg.Add(2)
	go func() { defer wg.Done(); months, monthsErr = s.reportMonths(ctx, from, to) }()
	go func() { defer wg.Done(); stages, stagesErr = s.reportStages(ctx, keys, names[DimManager]) }()
	defer wg.Wait()
	with, args := periodWith(keys)
	rows, err := s.reader.QueryContext(ctx, with+`SELECT r.dim, r.key, SUM(r.tx_n * p.w), SUM(r.amount * p.w), SUM(r.commission * p.w), SUM(r.net * p.w),
	SUM(r.confirmed_n * p.w), SUM(r.confirmed * p.w)
FROM p CROSS JOIN rollup_money r WHERE r.dim IN (0, 1, 2, 3) AND r.period = p.period GROUP BY r.dim, r.key`, args...)
	if err != nil {
		return r, fmt.Errorf("report: %w", err)
	}
	for rows.Next() {
		var dim int
		var row ReportRow
		m := &row.MoneySums
		if err := rows.Scan(&dim, &row.Key, &m.TxN, &m.Amount, &m.Commission, &m.Net, &m.ConfirmedN, &m.Confirmed); err != nil {
			rows.Close()
			return r, err
		}
		if m.TxN == 0 && m.ConfirmedN == 0 {
			continue
		}
		row.Name = names[dim][row.Key]
		switch dim {
		case DimAll:
			r.Total = row.MoneySums
		case DimBank:
			r.Banks = append(r.Banks, row)
		case DimSupplier:
			r.Suppliers = append(r.Suppliers, row)
		case DimManager:
			r.Managers = append(r.Managers, row)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, err
	}
	for _, b := range [][]ReportRow{r.Banks, r.Suppliers, r.Managers} {
		SortReportRows(b, "amount")
	}
	wg.Wait()
	r.Months, r.Stages = months, stages
	return r, errors.Join(monthsErr, stagesErr)
}

// SortReportRows orders a breakdown by a column: "name" A→Я, the figures largest first.
func SortReportRows(rows []ReportRow, by string) {
	val := func(r ReportRow) int64 {
		switch by {
		case "commission":
			return int64(r.Commission)
		case "net":
			return int64(r.Net)
		case "confirmed":
			return int64(r.Confirmed)
		case "count":
			return r.TxN
		}
		return int64(r.Amount)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if by == "name" {
			return strings.ToLower(rows[i].Name) < strings.ToLower(rows[j].Name)
		}
		if a, b := val(rows[i]), val(rows[j]); a != b {
			return a > b
		}
		return strings.ToLower(rows[i].Name) < strings.ToLower(rows[j].Name)
	})
}

// reportNames are the names of banks, suppliers and employees by id, per breakdown
// (users under DimManager serve the stage analytics too).
func (s *Store) reportNames(ctx context.Context) (map[int]map[int64]string, error) {
	out := map[int]map[int64]string{DimAll: {0: "Всего"}}
	for dim, q := range map[int]string{DimBank: "SELECT id, name FROM banks", DimSupplier: "SELECT id, name FROM contractors",
		DimManager: "SELECT id, name FROM users"} {
		m := map[int64]string{}
		rows, err := s.reader.QueryContext(ctx, q)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, err
			}
			m[id] = name
		}
		rows.Close()
		out[dim] = m
	}
	return out, nil
}

func (s *Store) reportMonths(ctx context.Context, from, to string) ([]MonthRow, error) {
	keys, err := monthKeys(from, to)
	if err != nil {
		return nil, err
	}
	rows, err := s.reader.QueryContext(ctx, `SELECT substr(period, 1, 7), SUM(tx_n), SUM(amount), SUM(commission), SUM(net), SUM(confirmed_n), SUM(confirmed)
FROM rollup_money WHERE dim = 0 AND period IN (`+inList(len(keys))+`) GROUP BY 1 ORDER BY 1`, anys(keys)...)
	if err != nil {
		return nil, fmt.Errorf("report months: %w", err)
	}
	defer rows.Close()
	got := map[string]MoneySums{}
	for rows.Next() {
		var month string
		var m MoneySums
		if err := rows.Scan(&month, &m.TxN, &m.Amount, &m.Commission, &m.Net, &m.ConfirmedN, &m.Confirmed); err != nil {
			return nil, err
		}
		got[month] = m
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Every month of the period, empty ones too (a chart with gaps would mislead),
	// but not the empty years before the first figure of an «all time» period.
	var out []MonthRow
	seen := map[string]bool{}
	for _, k := range keys {
		m := k[:7]
		if seen[m] {
			continue
		}
		seen[m] = true
		if len(out) == 0 && got[m] == (MoneySums{}) {
			continue
		}
		out = append(out, MonthRow{Month: m, MoneySums: got[m]})
	}
	for len(out) > 0 && out[len(out)-1].MoneySums == (MoneySums{}) && out[len(out)-1].Month > s.Now().Format("2006-01") {
		out = out[:len(out)-1] // months still to come
	}
	return out, nil
}

func (s *Store) reportStages(ctx context.Context, keys []PeriodKey, users map[int64]string) ([]StageRow, error) {
	stages := make([]StageRow, pipeline.Last)
	for i := range stages {
		stages[i].Stage = pipeline.Stage(i + 1)
	}
	var wg sync.WaitGroup
	var hist []map[int]int64
	var histErr error
	wg.Add(1)
	go func() { defer wg.Done(); hist, histErr = s.stageTimes(ctx, keys) }()
	defer wg.Wait()
	with, args := periodWith(keys)
	rows, err := s.reader.QueryContext(ctx, with+`SELECT r.stage, r.user_id, SUM(r.entered * p.w), SUM(r.left_n * p.w), SUM(r.done_n * p.w),
	SUM(r.overdue * p.w), SUM(r.secs * p.w)
FROM p CROSS JOIN rollup_stage r WHERE r.period = p.period GROUP BY r.stage, r.user_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("report stages: %w", err)
	}
	for rows.Next() {
		var st, user, secs int64
		var p StagePerson
		if err := rows.Scan(&st, &user, &p.Entered, &p.Left, &p.Done, &p.Overdue, &secs); err != nil {
			rows.Close()
			return nil, err
		}
		if st < 1 || st > int64(pipeline.Last) || (p.Entered == 0 && p.Left == 0) {
			continue
		}
		row := &stages[st-1]
		if user == 0 {
			row.Entered, row.Left, row.Done, row.Overdue = p.Entered, p.Left, p.Done, p.Overdue
			continue
		}
		if p.Left > 0 {
			p.Mean = time.Duration(secs/p.Left) * time.Second
		}
		p.UserID, p.Name = user, users[user]
		row.People = append(row.People, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	wg.Wait()
	if histErr != nil {
		return nil, histErr
	}
	for i := range stages {
		stages[i].Median, stages[i].P90 = Percentile(hist[i], 0.5), Percentile(hist[i], 0.9)
		sort.Slice(stages[i].People, func(a, b int) bool {
			pa, pb := stages[i].People[a], stages[i].People[b]
			if pa.Overdue != pb.Overdue {
				return pa.Overdue > pb.Overdue
			}
			return pa.Name < pb.Name
		})
	}
	return stages, nil
}

// stageTimes reads the time-in-stage histograms of the period, per stage.
func (s *Store) stageTimes(ctx context.Context, keys []PeriodKey) ([]map[int]int64, error) {
	hist := make([]map[int]int64, pipeline.Last)
	with, args := periodWith(keys)
	rows, err := s.reader.QueryContext(ctx, with+`SELECT r.stage, r.bucket, SUM(r.n * p.w) FROM p CROSS JOIN rollup_stage_time r
WHERE r.period = p.period GROUP BY r.stage, r.bucket`, args...)
	if err != nil {
		return nil, fmt.Errorf("report stage times: %w", err)
	}
	for rows.Next() {
		var st int64
		var b int
		var n int64
		if err := rows.Scan(&st, &b, &n); err != nil {
			rows.Close()
			return nil, err
		}
		if st < 1 || st > int64(pipeline.Last) {
			continue
		}
		if hist[st-1] == nil {
			hist[st-1] = map[int]int64{}
		}
		hist[st-1][b] += n
	}
	rows.Close()
	return hist, rows.Err()
}

// Percentile reads the q-th quantile (0..1) of the durations in a time-in-stage
// histogram, interpolating inside its bucket; 0 for an empty histogram.
func Percentile(h map[int]int64, q float64) time.Duration {
	var total int64
	buckets := make([]int, 0, len(h))
	for b, n := range h {
		if n > 0 {
			total += n
			buckets = append(buckets, b)
		}
	}
	if total == 0 {
		return 0
	}
	sort.Ints(buckets)
	rank := q * float64(total)
	var cum float64
	for _, b := range buckets {
		n := float64(h[b])
		if cum+n >= rank {
			lo, hi := BucketBounds(b)
			frac := (rank - cum) / n
			return (lo + time.Duration(frac*float64(hi-lo))).Round(time.Minute)
		}
		cum += n
	}
	_, hi := BucketBounds(buckets[len(buckets)-1])
	return hi.Round(time.Minute)
}

// FirstReportDay is the first day with any figure (the start of «Всё время»); empty
// when there is nothing yet.
func (s *Store) FirstReportDay(ctx context.Context) (string, error) {
	var money, stage *string
	if err := s.reader.QueryRowContext(ctx, `SELECT (SELECT MIN(period) FROM rollup_money WHERE dim = 0),
  (SELECT MIN(period) FROM rollup_stage)`).Scan(&money, &stage); err != nil {
		return "", err
	}
	first := ""
	for _, p := range []*string{money, stage} {
		if p != nil && len(*p) >= 4 && (first == "" || (*p)[:4] < first) {
			first = (*p)[:4]
		}
	}
	if first == "" {
		return "", nil
	}
	return first + "-01-01", nil
}

// ---- the rows behind a figure ----

// ReportRowsFilter picks the rows behind one figure of the report: the period and,
// optionally, one bank, supplier or manager (Dim with Key).
type ReportRowsFilter struct {
	From, To string
	Dim      int
	Key      int64
	Page     int // from 1
}

// ReportRowsPage is how many rows a drill-down page shows.
const ReportRowsPage = 50

// ReportTx is one transaction behind «Общая сумма отработки».
type ReportTx struct {
	ID, CardID              int64
	OccurredOn              string
	Amount, Commission, Net money.Kopecks
	Rate                    money.Rate
	Last4                   string
	Bank, Supplier, Manager string
}

// ReportConfirmed is one card behind «Подтверждённая прибыль».
type ReportConfirmed struct {
	CardID                  int64
	AnsweredOn              string
	Amount                  money.Kopecks
	Last4                   string
	Bank, Supplier, Manager string
}

func (f ReportRowsFilter) where(dateCol string) (string, []any) {
	w := dateCol + " BETWEEN ? AND ?"
	args := []any{f.From, f.To}
	switch f.Dim {
	case DimBank:
		w += " AND c.bank_id = ?"
	case DimSupplier:
		w += " AND c.supplier_id = ?"
	case DimManager:
		w += " AND c.manager_id = ?"
	default:
		return w, args
	}
	return w, append(args, f.Key)
}

func (f ReportRowsFilter) offset() int {
	if f.Page < 1 {
		return 0
	}
	return (f.Page - 1) * ReportRowsPage
}

// ReportSums are the rolled-up figures of one breakdown row (or of everything) for
// a period: the drill-down's totals and its row counts, without counting rows.
func (s *Store) ReportSums(ctx context.Context, from, to string, dim int, key int64) (MoneySums, error) {
	var m MoneySums
	keys, err := PeriodKeys(from, to)
	if err != nil {
		return m, err
	}
	if dim == DimAll {
		key = 0
	}
	with, args := periodWith(keys)
	err = s.reader.QueryRowContext(ctx, with+`SELECT COALESCE(SUM(r.tx_n * p.w), 0), COALESCE(SUM(r.amount * p.w), 0),
  COALESCE(SUM(r.commission * p.w), 0), COALESCE(SUM(r.net * p.w), 0), COALESCE(SUM(r.confirmed_n * p.w), 0), COALESCE(SUM(r.confirmed * p.w), 0)
FROM p CROSS JOIN rollup_money r WHERE r.dim = ? AND r.key = ? AND r.period = p.period`, append(args, dim, key)...).Scan(
		&m.TxN, &m.Amount, &m.Commission, &m.Net, &m.ConfirmedN, &m.Confirmed)
	return m, err
}

// ReportTransactions lists the transactions behind a figure, newest first, a page at a time.
func (s *Store) ReportTransactions(ctx context.Context, f ReportRowsFilter) ([]ReportTx, error) {
	var out []ReportTx
	err := s.reportTransactions(ctx, f, true, func(r ReportTx) error { out = append(out, r); return nil })
	return out, err
}

// ReportTransactionsEach calls each for every transaction behind a figure, in the
// page's order, from one database cursor (the export).
func (s *Store) ReportTransactionsEach(ctx context.Context, f ReportRowsFilter, each func(ReportTx) error) error {
	return s.reportTransactions(ctx, f, false, each)
}

func (s *Store) reportTransactions(ctx context.Context, f ReportRowsFilter, paged bool, each func(ReportTx) error) error {
	w, args := f.where("t.occurred_on")
	q := `SELECT t.id, t.card_id, t.occurred_on, t.amount, t.commission_rate, t.commission, t.net, c.last4,
  b.name, sp.name, u.name
FROM transactions t JOIN cards c ON c.id = t.card_id JOIN banks b ON b.id = c.bank_id
  JOIN contractors sp ON sp.id = c.supplier_id JOIN users u ON u.id = c.manager_id
WHERE ` + w + ` ORDER BY t.occurred_on DESC, t.id DESC`
	if paged {
		q, args = q+" LIMIT ? OFFSET ?", append(args, ReportRowsPage, f.offset())
	}
	rows, err := s.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("report transactions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ReportTx
		if err := rows.Scan(&r.ID, &r.CardID, &r.OccurredOn, &r.Amount, &r.Rate, &r.Commission, &r.Net, &r.Last4, &r.Bank, &r.Supplier, &r.Manager); err != nil {
			return err
		}
		if err := each(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ReportConfirmations lists the cards confirmed in the period behind a figure, newest first.
func (s *Store) ReportConfirmations(ctx context.Context, f ReportRowsFilter) ([]ReportConfirmed, error) {
	var out []ReportConfirmed
	err := s.reportConfirmations(ctx, f, true, func(r ReportConfirmed) error { out = append(out, r); return nil })
	return out, err
}

// ReportConfirmationsEach calls each for every card confirmed behind a figure, in
// the page's order, from one database cursor (the export).
func (s *Store) ReportConfirmationsEach(ctx context.Context, f ReportRowsFilter, each func(ReportConfirmed) error) error {
	return s.reportConfirmations(ctx, f, false, each)
}

func (s *Store) reportConfirmations(ctx context.Context, f ReportRowsFilter, paged bool, each func(ReportConfirmed) error) error {
	w, args := f.where("f.answered_on")
	q := `SELECT f.card_id, f.answered_on, f.amount, c.last4, b.name, sp.name, u.name
FROM card_confirmations f JOIN cards c ON c.id = f.card_id JOIN banks b ON b.id = c.bank_id
  JOIN contractors sp ON sp.id = c.supplier_id JOIN users u ON u.id = c.manager_id
WHERE ` + w + ` ORDER BY f.answered_on DESC, f.card_id DESC`
	if paged {
		q, args = q+" LIMIT ? OFFSET ?", append(args, ReportRowsPage, f.offset())
	}
	rows, err := s.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("report confirmations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ReportConfirmed
		if err := rows.Scan(&r.CardID, &r.AnsweredOn, &r.Amount, &r.Last4, &r.Bank, &r.Supplier, &r.Manager); err != nil {
			return err
		}
		if err := each(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ReportName is the name of a breakdown's bank, supplier or employee.
func (s *Store) ReportName(ctx context.Context, dim int, key int64) (string, error) {
	q, ok := map[int]string{DimBank: "SELECT name FROM banks WHERE id = ?", DimSupplier: "SELECT name FROM contractors WHERE id = ?",
		DimManager: "SELECT name FROM users WHERE id = ?"}[dim]
	if !ok {
		return "", ErrNotFound
	}
	var name string
	err := s.reader.QueryRowContext(ctx, q, key).Scan(&name)
	return name, notFound(err)
}
