package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"kartoteka/app/pipeline"
	"kartoteka/store/db"
)

// Rollups keep the report's sums per period so a report reads a bounded number of
// rows at any data size (SPEC section 10). Every write that changes a figure calls
// one of the roll* methods inside its own transaction; RebuildRollups recomputes
// all of them from the rows and must give the same table contents.

// Money rollup breakdowns (rollup_money.dim); stored in the database, do not renumber.
const (
	DimAll      = 0
	DimBank     = 1
	DimSupplier = 2
	DimManager  = 3
)

// moneyDelta is a change of one day's money for one card's bank, supplier and manager.
type moneyDelta struct {
	day                          string // YYYY-MM-DD
	bank, supplier, manager      int64
	txN, amount, commission, net int64
	confirmedN, confirmed        int64
}

func (d moneyDelta) zero() bool {
	return d.txN == 0 && d.amount == 0 && d.commission == 0 && d.net == 0 && d.confirmedN == 0 && d.confirmed == 0
}

func (d moneyDelta) neg() moneyDelta {
	d.txN, d.amount, d.commission, d.net, d.confirmedN, d.confirmed = -d.txN, -d.amount, -d.commission, -d.net, -d.confirmedN, -d.confirmed
	return d
}

// periodsOf is every rollup period a calendar date adds to: its year, month and
// day, and the running sums that hold it (runningPeriods).
func periodsOf(day string) []string {
	if len(day) < 10 {
		return []string{day} // not a date: its own row only
	}
	return append([]string{day[:4], day[:7], day[:10]}, runningPeriods(day)...)
}

// runningPeriods are the running sums a date adds to: 'YYYY-MM+' is the year from
// month MM on, 'YYYY-MM-DD+' the month from day DD on (from the 2nd: from the 1st
// they are the year and the month themselves). With them a report period of any
// length reads at most four keys a year (PeriodKeys).
func runningPeriods(day string) []string {
	m, _ := strconv.Atoi(day[5:7])
	d, _ := strconv.Atoi(day[8:10])
	out := make([]string, 0, max(m-1, 0)+max(d-1, 0))
	for i := 2; i <= m; i++ {
		out = append(out, fmt.Sprintf("%s-%02d+", day[:4], i))
	}
	for i := 2; i <= d; i++ {
		out = append(out, fmt.Sprintf("%s-%02d+", day[:7], i))
	}
	return out
}

// rollMoney adds d to the rows of all four breakdowns for every period of its day; rows that
// fall back to nothing are deleted (the rebuild never writes empty rows).
func (tx *Tx) rollMoney(ctx context.Context, d moneyDelta) error {
	if d.zero() {
		return nil
	}
	var vals, keys []string
	var args, keyArgs []any
	for _, p := range periodsOf(d.day) {
		for dim, key := range [4]int64{0, d.bank, d.supplier, d.manager} {
			vals = append(vals, "(?,?,?,?,?,?,?,?,?)")
			args = append(args, dim, p, key, d.txN, d.amount, d.commission, d.net, d.confirmedN, d.confirmed)
			keys = append(keys, "(?,?,?)")
			keyArgs = append(keyArgs, dim, p, key)
		}
	}
	if _, err := tx.Raw.ExecContext(ctx, `INSERT INTO rollup_money (dim, period, key, tx_n, amount, commission, net, confirmed_n, confirmed)
VALUES `+strings.Join(vals, ",")+`
ON CONFLICT (dim, period, key) DO UPDATE SET tx_n = tx_n + excluded.tx_n, amount = amount + excluded.amount,
  commission = commission + excluded.commission, net = net + excluded.net,
  confirmed_n = confirmed_n + excluded.confirmed_n, confirmed = confirmed + excluded.confirmed`, args...); err != nil {
		return fmt.Errorf("roll money of %s: %w", d.day, err)
	}
	if d.txN < 0 || d.confirmedN < 0 {
		if _, err := tx.Raw.ExecContext(ctx, `DELETE FROM rollup_money WHERE tx_n = 0 AND confirmed_n = 0
AND (dim, period, key) IN (VALUES `+strings.Join(keys, ",")+`)`, keyArgs...); err != nil {
			return fmt.Errorf("roll money of %s: %w", d.day, err)
		}
	}
	return nil
}

// rollTransaction adds (sign 1) or removes (sign -1) one transaction row of card c.
func (tx *Tx) rollTransaction(ctx context.Context, c db.Card, t db.Transaction, sign int64) error {
	return tx.rollMoney(ctx, moneyDelta{day: t.OccurredOn, bank: c.BankID, supplier: c.SupplierID, manager: c.ManagerID,
		txN: sign, amount: sign * int64(t.Amount), commission: sign * int64(t.Commission), net: sign * int64(t.Net)})
}

// rollCard adds (sign 1) or removes (sign -1) everything card c contributes: its
// transactions day by day and its confirmed profit. A card edit that changes the bank,
// supplier or manager removes the card under the old keys and adds it under the new.
func (tx *Tx) rollCard(ctx context.Context, c db.Card, sign int64) error {
	rows, err := tx.Raw.QueryContext(ctx, `SELECT occurred_on, COUNT(*), SUM(amount), SUM(commission), SUM(net)
FROM transactions WHERE card_id = ? GROUP BY occurred_on`, c.ID)
	if err != nil {
		return err
	}
	var ds []moneyDelta
	for rows.Next() {
		d := moneyDelta{bank: c.BankID, supplier: c.SupplierID, manager: c.ManagerID}
		if err := rows.Scan(&d.day, &d.txN, &d.amount, &d.commission, &d.net); err != nil {
			rows.Close()
			return err
		}
		ds = append(ds, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var day string
	var amount int64
	switch err := tx.Raw.QueryRowContext(ctx, `SELECT answered_on, amount FROM card_confirmations WHERE card_id = ?`, c.ID).Scan(&day, &amount); {
	case err == nil:
		ds = append(ds, moneyDelta{day: day, bank: c.BankID, supplier: c.SupplierID, manager: c.ManagerID, confirmedN: 1, confirmed: amount})
	case !isNoRows(err):
		return err
	}
	for _, d := range ds {
		if sign < 0 {
			d = d.neg()
		}
		if err := tx.rollMoney(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// confirm records card c's stage-8 answer «Да» as its confirmed profit (replacing an
// earlier one, if any) and rolls it into the report.
func (tx *Tx) confirm(ctx context.Context, c db.Card, taskID int64, answeredOn string, amount int64) error {
	if err := tx.unconfirm(ctx, c); err != nil {
		return err
	}
	if _, err := tx.Raw.ExecContext(ctx, `INSERT INTO card_confirmations (card_id, task_id, answered_on, amount) VALUES (?, ?, ?, ?)`,
		c.ID, taskID, answeredOn, amount); err != nil {
		return fmt.Errorf("confirm card %d: %w", c.ID, err)
	}
	return tx.rollMoney(ctx, moneyDelta{day: answeredOn, bank: c.BankID, supplier: c.SupplierID, manager: c.ManagerID,
		confirmedN: 1, confirmed: amount})
}

// unconfirm voids card c's confirmed profit (a correction sent it back to stage 8 or earlier).
func (tx *Tx) unconfirm(ctx context.Context, c db.Card) error {
	var day string
	var amount int64
	err := tx.Raw.QueryRowContext(ctx, `DELETE FROM card_confirmations WHERE card_id = ? RETURNING answered_on, amount`, c.ID).Scan(&day, &amount)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("void confirmation of card %d: %w", c.ID, err)
	}
	return tx.rollMoney(ctx, moneyDelta{day: day, bank: c.BankID, supplier: c.SupplierID, manager: c.ManagerID,
		confirmedN: -1, confirmed: -amount})
}

// ---- stage analytics ----

// stageDelta is a change of one day's figures of one stage for one responsible.
type stageDelta struct {
	day                               string
	stage, user                       int64
	entered, left, done, overdue, sec int64
	bucket                            int // -1: no time sample
	bucketN                           int64
}

// timeBucketRatio is the width of a time-in-stage bucket: the median and the 90th
// percentile are read to within half of it (about 7 %).
const timeBucketRatio = 1.15

// TimeBucket is the histogram bucket of a time spent in a stage: 0 under a minute,
// then geometric from one minute up.
func TimeBucket(d time.Duration) int {
	secs := d.Seconds()
	if secs < 60 {
		return 0
	}
	return 1 + int(math.Floor(math.Log(secs/60)/math.Log(timeBucketRatio)))
}

// BucketBounds is the range of durations a bucket holds.
func BucketBounds(b int) (lo, hi time.Duration) {
	if b <= 0 {
		return 0, time.Minute
	}
	lo = time.Duration(60 * math.Pow(timeBucketRatio, float64(b-1)) * float64(time.Second))
	hi = time.Duration(60 * math.Pow(timeBucketRatio, float64(b)) * float64(time.Second))
	return lo, hi
}

// rollStage adds d to the rows of the stage for every period of its day, for the
// person and for everyone (user 0).
func (tx *Tx) rollStage(ctx context.Context, d stageDelta) error {
	var vals []string
	var args []any
	periods := periodsOf(d.day)
	for _, p := range periods {
		for _, u := range [2]int64{0, d.user} {
			vals = append(vals, "(?,?,?,?,?,?,?,?)")
			args = append(args, p, d.stage, u, d.entered, d.left, d.done, d.overdue, d.sec)
		}
	}
	if _, err := tx.Raw.ExecContext(ctx, `INSERT INTO rollup_stage (period, stage, user_id, entered, left_n, done_n, overdue, secs)
VALUES `+strings.Join(vals, ",")+`
ON CONFLICT (period, stage, user_id) DO UPDATE SET entered = entered + excluded.entered, left_n = left_n + excluded.left_n,
  done_n = done_n + excluded.done_n, overdue = overdue + excluded.overdue, secs = secs + excluded.secs`, args...); err != nil {
		return fmt.Errorf("roll stage %d of %s: %w", d.stage, d.day, err)
	}
	if d.entered < 0 || d.left < 0 {
		if _, err := tx.Raw.ExecContext(ctx, `DELETE FROM rollup_stage WHERE entered = 0 AND left_n = 0
AND period IN (`+inList(len(periods))+`) AND stage = ? AND user_id IN (0, ?)`, append(anys(periods), d.stage, d.user)...); err != nil {
			return err
		}
	}
	if d.bucket < 0 {
		return nil
	}
	vals, args = vals[:0], args[:0]
	for _, p := range periods {
		vals = append(vals, "(?,?,?,?)")
		args = append(args, p, d.stage, d.bucket, d.bucketN)
	}
	_, err := tx.Raw.ExecContext(ctx, `INSERT INTO rollup_stage_time (period, stage, bucket, n) VALUES `+strings.Join(vals, ",")+`
ON CONFLICT (period, stage, bucket) DO UPDATE SET n = n + excluded.n`, args...)
	return err
}

// taskEntered is what a stage task adds when it is created (or, with sign -1, takes
// away from its old responsible when it is reassigned).
func taskEntered(office pipeline.Office, t db.AutoTask, sign int64) stageDelta {
	return stageDelta{day: office.Today(t.CreatedAt), stage: t.Stage, user: t.AssigneeID, entered: sign, bucket: -1}
}

// taskLeft is what a closed stage task adds: it left the stage on the day it was
// closed, after the time since its creation; done after its deadline is overdue.
func taskLeft(office pipeline.Office, t db.AutoTask) stageDelta {
	d := stageDelta{day: office.Today(*t.DoneAt), stage: t.Stage, user: t.AssigneeID, left: 1, bucketN: 1}
	spent := t.DoneAt.Sub(t.CreatedAt)
	if spent < 0 {
		spent = 0
	}
	d.sec, d.bucket = int64(spent/time.Second), TimeBucket(spent)
	if t.Status == "done" {
		d.done = 1
		if t.DoneAt.After(t.Deadline) {
			d.overdue = 1
		}
	}
	return d
}

// rollTaskEntered records a stage task just created.
func (tx *Tx) rollTaskEntered(ctx context.Context, id int64) error {
	return tx.rollTask(ctx, id, false)
}

// rollTaskLeft records a stage task just closed (done or cancelled).
func (tx *Tx) rollTaskLeft(ctx context.Context, id int64) error {
	return tx.rollTask(ctx, id, true)
}

func (tx *Tx) rollTask(ctx context.Context, id int64, left bool) error {
	t, err := tx.AutoTaskGet(ctx, id)
	if err != nil {
		return fmt.Errorf("task %d: %w", id, err)
	}
	if t.Kind != "stage" {
		return nil
	}
	office, err := tx.Office(ctx)
	if err != nil {
		return err
	}
	if !left {
		return tx.rollStage(ctx, taskEntered(office, t, 1))
	}
	if t.DoneAt == nil {
		return fmt.Errorf("task %d is not closed", id)
	}
	return tx.rollStage(ctx, taskLeft(office, t))
}

// cancelOpen cancels the card's open tasks (a correction, or the warming tasks left
// when stage 3 ends) and records the stage task among them as having left its stage.
func (tx *Tx) cancelOpen(ctx context.Context, cardID, by int64) error {
	open, err := tx.AutoTaskListOpenCard(ctx, cardID)
	if err != nil {
		return err
	}
	if err := tx.AutoTaskCancelOpen(ctx, db.AutoTaskCancelOpenParams{Now: &tx.Now, DoneBy: &by, CardID: cardID}); err != nil {
		return err
	}
	for _, t := range open {
		if t.Kind == "stage" {
			if err := tx.rollTaskLeft(ctx, t.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// ---- rebuild ----

// RebuildRollups recomputes every rollup from the rows, in one transaction
// (`kartoteka rollups --rebuild`, and after bulk loads).
func (s *Store) RebuildRollups(ctx context.Context) error {
	return s.InTx(ctx, func(tx *Tx) error { return tx.rebuildRollups(ctx) })
}

type moneyKey struct {
	dim    int
	period string
	key    int64
}

type stageKey struct {
	period      string
	stage, user int64
}

type stageTimeKey struct {
	period        string
	stage, bucket int64
}

func (tx *Tx) rebuildRollups(ctx context.Context) error {
	for _, t := range []string{"rollup_money", "rollup_stage", "rollup_stage_time"} {
		if _, err := tx.Raw.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			return err
		}
	}
	office, err := tx.Office(ctx)
	if err != nil {
		return err
	}
	sums := newRollupSums(office)
	if err := tx.sumMoney(ctx, sums); err != nil {
		return fmt.Errorf("rebuild money rollups: %w", err)
	}
	if err := tx.sumStages(ctx, sums); err != nil {
		return fmt.Errorf("rebuild stage rollups: %w", err)
	}
	return sums.write(ctx, tx)
}

// rollupSums adds up the rollups' rows in memory: the rebuild from the rows, and
// the generator from the rows it writes. Sums are kept per day (tens of millions
// of rows go through them) and become year, month and day rows when written.
type rollupSums struct {
	office pipeline.Office
	money  map[moneyDayKey]moneyDelta
	stages map[stageDayKey]stageDelta
	times  map[stageTimeDayKey]int64
}

type moneyDayKey struct {
	day string
	dim int
	key int64
}

type stageDayKey struct {
	day         string
	stage, user int64
}

type stageTimeDayKey struct {
	day           string
	stage, bucket int64
}

func newRollupSums(office pipeline.Office) *rollupSums {
	return &rollupSums{office: office, money: map[moneyDayKey]moneyDelta{}, stages: map[stageDayKey]stageDelta{},
		times: map[stageTimeDayKey]int64{}}
}

func (r *rollupSums) addMoney(d moneyDelta) {
	for dim, key := range [4]int64{0, d.bank, d.supplier, d.manager} {
		k := moneyDayKey{d.day, dim, key}
		s := r.money[k]
		s.txN += d.txN
		s.amount += d.amount
		s.commission += d.commission
		s.net += d.net
		s.confirmedN += d.confirmedN
		s.confirmed += d.confirmed
		r.money[k] = s
	}
}

func (r *rollupSums) addStage(d stageDelta) {
	for _, u := range [2]int64{0, d.user} {
		k := stageDayKey{d.day, d.stage, u}
		s := r.stages[k]
		s.entered += d.entered
		s.left += d.left
		s.done += d.done
		s.overdue += d.overdue
		s.sec += d.sec
		r.stages[k] = s
	}
	if d.bucket >= 0 {
		r.times[stageTimeDayKey{d.day, d.stage, int64(d.bucket)}] += d.bucketN
	}
}

// addTask adds a stage task: it entered its stage, and left it if it is closed.
func (r *rollupSums) addTask(t db.AutoTask) {
	r.addStage(taskEntered(r.office, t, 1))
	if t.DoneAt != nil && (t.Status == "done" || t.Status == "cancelled") {
		r.addStage(taskLeft(r.office, t))
	}
}

// longerPeriods are the periods a day adds to besides itself, memoized per day
// (a rebuild asks for each day once per breakdown key).
type longerPeriods map[string][]string

func (l longerPeriods) of(day string) []string {
	ps, ok := l[day]
	if !ok {
		ps = slices.Clip(slices.DeleteFunc(periodsOf(day), func(p string) bool { return p == day }))
		l[day] = ps
	}
	return ps
}

// write inserts the sums into the empty rollup tables, in primary-key order: each
// day's row as summed, the longer periods' rows (years, months, running sums)
// added up from the days'.
func (r *rollupSums) write(ctx context.Context, tx *Tx) error {
	longerOf := longerPeriods{}
	type moneyRow struct {
		k moneyKey
		d moneyDelta
	}
	money := make([]moneyRow, 0, len(r.money)+len(r.money)/8)
	longer := map[moneyKey]moneyDelta{}
	for k, d := range r.money {
		money = append(money, moneyRow{moneyKey{k.dim, k.day, k.key}, d})
		for _, p := range longerOf.of(k.day) {
			mk := moneyKey{k.dim, p, k.key}
			s := longer[mk]
			s.txN += d.txN
			s.amount += d.amount
			s.commission += d.commission
			s.net += d.net
			s.confirmedN += d.confirmedN
			s.confirmed += d.confirmed
			longer[mk] = s
		}
	}
	for k, d := range longer {
		money = append(money, moneyRow{k, d})
	}
	slices.SortFunc(money, func(a, b moneyRow) int {
		return cmp.Or(cmp.Compare(a.k.dim, b.k.dim), strings.Compare(a.k.period, b.k.period), cmp.Compare(a.k.key, b.k.key))
	})
	ins := bulkInsert{tx: tx, head: "INSERT INTO rollup_money (dim, period, key, tx_n, amount, commission, net, confirmed_n, confirmed) VALUES ", cols: 9}
	for _, m := range money {
		k, s := m.k, m.d
		if err := ins.add(ctx, k.dim, k.period, k.key, s.txN, s.amount, s.commission, s.net, s.confirmedN, s.confirmed); err != nil {
			return err
		}
	}
	if err := ins.flush(ctx); err != nil {
		return err
	}
	type stageRow struct {
		k stageKey
		d stageDelta
	}
	stages := make([]stageRow, 0, len(r.stages)+len(r.stages)/8)
	longerStages := map[stageKey]stageDelta{}
	for k, d := range r.stages {
		stages = append(stages, stageRow{stageKey{k.day, k.stage, k.user}, d})
		for _, p := range longerOf.of(k.day) {
			sk := stageKey{p, k.stage, k.user}
			s := longerStages[sk]
			s.entered += d.entered
			s.left += d.left
			s.done += d.done
			s.overdue += d.overdue
			s.sec += d.sec
			longerStages[sk] = s
		}
	}
	for k, d := range longerStages {
		stages = append(stages, stageRow{k, d})
	}
	slices.SortFunc(stages, func(a, b stageRow) int {
		return cmp.Or(strings.Compare(a.k.period, b.k.period), cmp.Compare(a.k.stage, b.k.stage), cmp.Compare(a.k.user, b.k.user))
	})
	ins = bulkInsert{tx: tx, head: "INSERT INTO rollup_stage (period, stage, user_id, entered, left_n, done_n, overdue, secs) VALUES ", cols: 8}
	for _, r := range stages {
		k, s := r.k, r.d
		if err := ins.add(ctx, k.period, k.stage, k.user, s.entered, s.left, s.done, s.overdue, s.sec); err != nil {
			return err
		}
	}
	if err := ins.flush(ctx); err != nil {
		return err
	}
	times := map[stageTimeKey]int64{}
	for k, n := range r.times {
		times[stageTimeKey{k.day, k.stage, k.bucket}] += n
		for _, p := range longerOf.of(k.day) {
			times[stageTimeKey{p, k.stage, k.bucket}] += n
		}
	}
	ins = bulkInsert{tx: tx, head: "INSERT INTO rollup_stage_time (period, stage, bucket, n) VALUES ", cols: 4}
	for _, k := range slices.SortedFunc(maps.Keys(times), func(a, b stageTimeKey) int {
		return cmp.Or(strings.Compare(a.period, b.period), cmp.Compare(a.stage, b.stage), cmp.Compare(a.bucket, b.bucket))
	}) {
		if err := ins.add(ctx, k.period, k.stage, k.bucket, times[k]); err != nil {
			return err
		}
	}
	return ins.flush(ctx)
}

// sumMoney adds the transactions and the confirmed profits, by day and card.
func (tx *Tx) sumMoney(ctx context.Context, sums *rollupSums) error {
	for _, q := range []string{
		`SELECT t.occurred_on, c.bank_id, c.supplier_id, c.manager_id, COUNT(*), SUM(t.amount), SUM(t.commission), SUM(t.net), 0, 0
FROM transactions t JOIN cards c ON c.id = t.card_id GROUP BY 1, 2, 3, 4`,
		`SELECT f.answered_on, c.bank_id, c.supplier_id, c.manager_id, 0, 0, 0, 0, COUNT(*), SUM(f.amount)
FROM card_confirmations f JOIN cards c ON c.id = f.card_id GROUP BY 1, 2, 3, 4`,
	} {
		rows, err := tx.Raw.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d moneyDelta
			if err := rows.Scan(&d.day, &d.bank, &d.supplier, &d.manager, &d.txN, &d.amount, &d.commission, &d.net, &d.confirmedN, &d.confirmed); err != nil {
				rows.Close()
				return err
			}
			sums.addMoney(d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// sumStages adds every stage task.
func (tx *Tx) sumStages(ctx context.Context, sums *rollupSums) error {
	rows, err := tx.Raw.QueryContext(ctx, `SELECT id, stage, assignee_id, status, deadline, created_at, done_at FROM auto_tasks WHERE kind = 'stage'`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var t db.AutoTask
		if err := rows.Scan(&t.ID, &t.Stage, &t.AssigneeID, &t.Status, &t.Deadline, &t.CreatedAt, &t.DoneAt); err != nil {
			return err
		}
		sums.addTask(t)
	}
	return rows.Err()
}

// bulkInsert writes rows many to a statement.
type bulkInsert struct {
	tx   *Tx
	head string
	cols int
	args []any
	full *sql.Stmt // the statement of bulkRows rows, prepared once (closed with the transaction)
}

const bulkRows = 100

func (b *bulkInsert) add(ctx context.Context, vals ...any) error {
	b.args = append(b.args, vals...)
	if len(b.args) >= bulkRows*b.cols {
		return b.flush(ctx)
	}
	return nil
}

func (b *bulkInsert) flush(ctx context.Context) error {
	if len(b.args) == 0 {
		return nil
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", b.cols), ",") + ")"
	n := len(b.args) / b.cols
	q := b.head + strings.TrimSuffix(strings.Repeat(row+",", n), ",")
	var err error
	switch {
	case n < bulkRows:
		_, err = b.tx.Raw.ExecContext(ctx, q, b.args...)
	case b.full == nil:
		if b.full, err = b.tx.Raw.PrepareContext(ctx, q); err != nil {
			return err
		}
		fallthrough
	default:
		_, err = b.full.ExecContext(ctx, b.args...)
	}
	b.args = b.args[:0]
	return err
}

// rollupsMissing tells whether the rollups are empty while there are rows to sum (a
// database from before the rollups, or a bulk load): Open rebuilds them then.
func (s *Store) rollupsMissing(ctx context.Context) (bool, error) {
	var missing bool
	err := s.writer.QueryRowContext(ctx, `SELECT (EXISTS (SELECT 1 FROM transactions) OR EXISTS (SELECT 1 FROM card_confirmations))
  AND NOT EXISTS (SELECT 1 FROM rollup_money)
  OR EXISTS (SELECT 1 FROM auto_tasks WHERE kind = 'stage') AND NOT EXISTS (SELECT 1 FROM rollup_stage)`).Scan(&missing)
	return missing, err
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// reassignEntered moves an open stage task's entry from its old responsible to the new
// one, so «by person» counts the task under whoever holds it.
func (tx *Tx) reassignEntered(ctx context.Context, t db.AutoTask, to int64) error {
	if t.Kind != "stage" {
		return nil
	}
	office, err := tx.Office(ctx)
	if err != nil {
		return err
	}
	if err := tx.rollStage(ctx, taskEntered(office, t, -1)); err != nil {
		return err
	}
	t.AssigneeID = to
	return tx.rollStage(ctx, taskEntered(office, t, 1))
}
