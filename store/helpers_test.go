package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"kartoteka/app/money"
	"kartoteka/app/pipeline"
	"kartoteka/store/db"
)

// fixture is a store with one employee of each role (two managers, accountants
// and warmers, so "someone else" exists), two banks and two suppliers, on a
// clock the test moves.
type fixture struct {
	t   *testing.T
	st  *Store
	ctx context.Context

	owner, admin                     db.User
	manager, accountant, warmer      db.User
	manager2, accountant2, warmer2   db.User
	bank, bank2, supplier, supplier2 int64
	mu                               sync.Mutex
	now                              time.Time
	office                           pipeline.Office
	numbers                          int
}

// start is Monday 10 March 2025, 10:00 in Moscow.
var start = time.Date(2025, 3, 10, 7, 0, 0, 0, time.UTC)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, st: openTest(t), ctx: context.Background(), now: start}
	f.st.Now = func() time.Time {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.now
	}
	f.owner = addUser(t, f.st, "owner", "owner")
	f.admin = addUser(t, f.st, "admin", "admin")
	f.manager = addUser(t, f.st, "manager", "manager")
	f.accountant = addUser(t, f.st, "buh", "accountant")
	f.warmer = addUser(t, f.st, "warmer", "warmer")
	f.manager2 = addUser(t, f.st, "manager2", "manager")
	f.accountant2 = addUser(t, f.st, "buh2", "accountant")
	f.warmer2 = addUser(t, f.st, "warmer2", "warmer")
	var err error
	if f.bank, err = f.st.SaveBank(f.ctx, f.owner.ID, 0, BankInput{Name: "Сбербанк"}); err != nil {
		t.Fatal(err)
	}
	if f.bank2, err = f.st.SaveBank(f.ctx, f.owner.ID, 0, BankInput{Name: "ВТБ"}); err != nil {
		t.Fatal(err)
	}
	rate := money.Rate(1250)
	if f.supplier, err = f.st.SaveContractor(f.ctx, f.owner.ID, 0, ContractorInput{Name: "ООО «Карт-Сервис»", Rate: &rate}); err != nil {
		t.Fatal(err)
	}
	if f.supplier2, err = f.st.SaveContractor(f.ctx, f.owner.ID, 0, ContractorInput{Name: "ИП Белов"}); err != nil {
		t.Fatal(err)
	}
	set, err := f.st.Q.SettingsGet(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.office = OfficeOf(set)
	return f
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func (f *fixture) setClock(t time.Time) {
	f.mu.Lock()
	f.now = t
	f.mu.Unlock()
}

func (f *fixture) today() string { return f.office.Today(f.clock()) }

func (f *fixture) privileged() Actor { return Actor{ID: f.admin.ID, Privileged: true} }

// input is a valid new card with the fixture's people; each call a new number.
func (f *fixture) input() CardInput {
	f.numbers++
	return CardInput{Number: fmt.Sprintf("4111%012d", f.numbers), BankID: f.bank, SupplierID: f.supplier,
		ContactName: "Иван Петров", ContactPhone: "+79161234567", WarmerID: f.warmer.ID, ManagerID: f.manager.ID,
		AccountantID: f.accountant.ID, Rate: 1250, WarmingDays: 14, WarmingEveryDays: 1}
}

// newCard registers a card and returns its id.
func (f *fixture) newCard(in CardInput) int64 {
	f.t.Helper()
	id, err := f.st.CreateCard(f.ctx, f.privileged(), in)
	if err != nil {
		f.t.Fatalf("CreateCard: %v", err)
	}
	return id
}

// startedCard registers a card and puts it into stage 1.
func (f *fixture) startedCard() int64 {
	f.t.Helper()
	id := f.newCard(f.input())
	if err := f.st.StartCard(f.ctx, f.privileged(), id, 1); err != nil {
		f.t.Fatalf("StartCard: %v", err)
	}
	return id
}

func (f *fixture) card(id int64) db.Card {
	f.t.Helper()
	c, err := f.st.Q.CardGet(f.ctx, id)
	if err != nil {
		f.t.Fatalf("CardGet %d: %v", id, err)
	}
	return c
}

func (f *fixture) openTask(id int64) db.AutoTask {
	f.t.Helper()
	task, err := f.st.Q.AutoTaskOpenStage(f.ctx, id)
	if err != nil {
		f.t.Fatalf("open task of card %d: %v", id, err)
	}
	return task
}

func (f *fixture) tasks(id int64) []db.AutoTaskListCardRow {
	f.t.Helper()
	rows, err := f.st.Q.AutoTaskListCard(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return rows
}

// stageTasks are the card's stage tasks (not its warming tasks), in order.
func (f *fixture) stageTasks(id int64) []db.AutoTaskListCardRow {
	f.t.Helper()
	var out []db.AutoTaskListCardRow
	for _, t := range f.tasks(id) {
		if t.Kind == "stage" {
			out = append(out, t)
		}
	}
	return out
}

func (f *fixture) events(id int64) []db.CardEventListRow {
	f.t.Helper()
	rows, err := f.st.Q.CardEventList(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return rows
}

// stageOf is the card's stage, 0 when it is not in work.
func stageOf(c db.Card) pipeline.Stage {
	if c.Stage == nil {
		return 0
	}
	return pipeline.Stage(*c.Stage)
}

// values is a valid completion form for a stage, as typed, dated today.
func (f *fixture) values(st pipeline.Stage, profit money.Kopecks) map[string]string {
	today := f.today()
	switch st {
	case pipeline.AccessRebind:
		return map[string]string{"done_on": today, "comment": "Доступы перевязаны"}
	case pipeline.WarmupTopup:
		return map[string]string{"amount": "3 000", "done_on": today, "warming_days": "3", "warming_every_days": "2"}
	case pipeline.Warming:
		return map[string]string{"result": "ok"}
	case pipeline.AccessTakeback:
		return map[string]string{"done_on": today, "confirmed": "1"}
	case pipeline.WorkTopup:
		return map[string]string{"amount": "50 000,50", "done_on": today}
	case pipeline.Processing:
		return map[string]string{"done_on": today}
	case pipeline.BankApplication:
		return map[string]string{"done_on": today, "reference": "Заявление № 17"}
	case pipeline.BankWait:
		return map[string]string{"answered": "yes", "answered_on": today, "decision": "positive", "confirmed_amount": profit.Input()}
	case pipeline.ReturnToSupplier:
		return map[string]string{"done_on": today, "comment": "Возвращена курьером"}
	}
	return nil
}

// assignee is the actor who owns the card's open task, as a plain employee.
func (f *fixture) assignee(id int64) Actor { return Actor{ID: f.openTask(id).AssigneeID} }

// complete completes the card's current stage with a valid form by its assignee.
func (f *fixture) complete(id int64) Outcome {
	f.t.Helper()
	c := f.card(id)
	st := stageOf(c)
	if st == pipeline.Warming {
		// The warming period must be over: go to its first day.
		ends := f.office.WarmingEnds(*c.StageEnteredAt, int(c.WarmingDays))
		if f.clock().Before(ends) {
			f.setClock(ends.Add(8 * time.Hour))
		}
	}
	if st == pipeline.Processing && f.txCount(id) == 0 {
		f.addTx(id, Actor{ID: c.ManagerID}, "10 000", "12,5")
	}
	out, err := f.st.CompleteStage(f.ctx, StageInput{CardID: id, Version: c.Version, Actor: f.assignee(id),
		Values: f.values(st, f.profit(id))})
	if err != nil {
		f.t.Fatalf("complete stage %d of card %d: %v", st, id, err)
	}
	f.advance(3 * time.Hour)
	return out
}

// walkTo completes stages until the card is in stage st (10: worked out).
func (f *fixture) walkTo(id int64, st pipeline.Stage) {
	f.t.Helper()
	for {
		c := f.card(id)
		if c.Lifecycle == "worked_out" && st == 10 {
			return
		}
		if c.Lifecycle != "in_work" {
			f.t.Fatalf("card %d is %s, cannot walk to %d", id, c.Lifecycle, st)
		}
		if stageOf(c) == st {
			return
		}
		f.complete(id)
	}
}

func (f *fixture) txCount(id int64) int {
	f.t.Helper()
	n, err := f.st.Q.TransactionCount(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return int(n)
}

func (f *fixture) profit(id int64) money.Kopecks {
	f.t.Helper()
	rows, err := f.st.Q.TransactionList(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return Totals(rows).Net
}

// addTx adds a typed transaction row dated today.
func (f *fixture) addTx(id int64, a Actor, amount, rate string) int64 {
	f.t.Helper()
	in, errs := pipeline.ValidateTransaction(map[string]string{"occurred_on": f.today(), "amount": amount, "commission_rate": rate}, f.today())
	if errs != nil {
		f.t.Fatalf("transaction %s at %s: %v", amount, rate, errs)
	}
	txID, err := f.st.AddTransaction(f.ctx, a, id, in)
	if err != nil {
		f.t.Fatalf("AddTransaction: %v", err)
	}
	return txID
}

// snapshotTables are the tables a card write may touch.
var snapshotTables = []string{"cards", "auto_tasks", "card_events", "audit_log", "transactions", "card_confirmations",
	"rollup_money", "rollup_stage", "rollup_stage_time"}

// snapshot dumps every row of the written tables, to prove a refused write wrote nothing.
func (f *fixture) snapshot() string {
	f.t.Helper()
	var b strings.Builder
	for _, table := range snapshotTables {
		rows, err := f.st.Reader().Query("SELECT * FROM " + table + " ORDER BY 1, 2, 3") // rollups have no rowid
		if err != nil {
			f.t.Fatal(err)
		}
		cols, _ := rows.Columns()
		n := 0
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				f.t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s:", table)
			for i, v := range vals {
				fmt.Fprintf(&b, " %s=%v", cols[i], v)
			}
			b.WriteByte('\n')
			n++
		}
		if err := rows.Err(); err != nil {
			f.t.Fatal(err)
		}
		rows.Close()
		fmt.Fprintf(&b, "%s: %d rows\n", table, n)
	}
	return b.String()
}

// unchanged fails the test if the database differs from the snapshot.
func (f *fixture) unchanged(what, before string) {
	f.t.Helper()
	if after := f.snapshot(); after != before {
		f.t.Errorf("%s wrote to the database:\n--- before\n%s--- after\n%s", what, before, after)
	}
}

func validationKeys(err error) map[string]string {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Errors
	}
	return nil
}

func count(t *testing.T, s *Store, from string, args ...any) int {
	t.Helper()
	return countRows(t, s.Reader(), from, args...)
}
