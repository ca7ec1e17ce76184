package store

import (
	"encoding/json"
	"errors"
	"maps"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kartoteka/app/money"
	"kartoteka/app/pipeline"
	"kartoteka/store/db"
)

// TestFullWalk takes one card through all nine stages, each completed by its
// responsible as a plain employee, and checks every step's writes.
func TestFullWalk(t *testing.T) {
	f := newFixture(t)
	id := f.startedCard()
	c := f.card(id)
	if c.Lifecycle != "in_work" || stageOf(c) != 1 || c.Version != 2 || c.StageEnteredAt == nil || !c.StageEnteredAt.Equal(start) {
		t.Fatalf("started card = %+v", c)
	}
	if ev := f.events(id); len(ev) != 2 || ev[0].Kind != "created" || ev[1].Kind != "started" {
		t.Errorf("events after start: %+v", ev)
	}

	// «Взять в работу»: only the responsible (or owner/admin).
	if err := f.st.TakeTask(f.ctx, Actor{ID: f.warmer.ID}, id); !errors.Is(err, ErrForbidden) {
		t.Errorf("TakeTask by someone else: %v, want ErrForbidden", err)
	}
	if err := f.st.TakeTask(f.ctx, Actor{ID: f.manager.ID}, id); err != nil {
		t.Fatal(err)
	}
	if task := f.openTask(id); task.Status != "in_progress" || task.StartedAt == nil {
		t.Errorf("taken task = %+v", task)
	}

	slots := map[pipeline.Slot]int64{pipeline.Manager: f.manager.ID, pipeline.Accountant: f.accountant.ID, pipeline.Warmer: f.warmer.ID}
	for st := pipeline.First; st <= pipeline.Last; st++ {
		c := f.card(id)
		if stageOf(c) != st {
			t.Fatalf("card is in stage %v, want %d", c.Stage, st)
		}
		d, _ := pipeline.Get(st)
		task := f.openTask(id)
		wantDeadline := f.office.Deadline(st, *c.StageEnteredAt, int(c.WarmingDays))
		if task.Stage != int64(st) || task.AssigneeID != slots[d.Slot] || !task.Deadline.Equal(wantDeadline) {
			t.Errorf("stage %d task: stage %d assignee %d deadline %v; want assignee %d deadline %v",
				st, task.Stage, task.AssigneeID, task.Deadline, slots[d.Slot], wantDeadline)
		}
		actor := Actor{ID: slots[d.Slot]}
		in := StageInput{CardID: id, Version: c.Version, Actor: actor}

		switch st {
		case pipeline.Warming:
			// Too early for the warmer: refused on «result», nothing written.
			in.Values = f.values(st, 0)
			before := f.snapshot()
			_, err := f.st.CompleteStage(f.ctx, in)
			if keys := validationKeys(err); keys["result"] == "" {
				t.Fatalf("stage 3 before the warming end: %v, want a ValidationError on result", err)
			}
			f.unchanged("an early stage 3", before)
			// Stage 2 set 3 warming days: the period ends at 00:00 three days after entry.
			ends := f.office.WarmingEnds(*c.StageEnteredAt, 3)
			if got := ends.In(f.office.Loc); got.Format(pipeline.DateLayout) != c.StageEnteredAt.In(f.office.Loc).AddDate(0, 0, 3).Format(pipeline.DateLayout) || got.Hour() != 0 {
				t.Errorf("warming ends %v", got)
			}
			f.setClock(ends.Add(-time.Minute))
			if _, err := f.st.CompleteStage(f.ctx, in); validationKeys(err)["result"] == "" {
				t.Fatalf("stage 3 a minute before the warming end: %v", err)
			}
			f.setClock(ends.Add(time.Hour))
		case pipeline.Processing:
			// No transaction yet: refused on «transactions».
			in.Values = f.values(st, 0)
			if _, err := f.st.CompleteStage(f.ctx, in); validationKeys(err)["transactions"] == "" {
				t.Fatalf("stage 6 without transactions: %v", err)
			}
			f.addTx(id, actor, "100 000", "12,5")
			f.addTx(id, Actor{ID: f.accountant.ID}, "2 345,67", "10")
		}
		in.Values = f.values(st, f.profit(id))
		want, errs := pipeline.Validate(st, in.Values, pipeline.Context{Today: f.today(), WarmingEnded: true, Transactions: 1})
		if errs != nil {
			t.Fatalf("stage %d test form invalid: %v", st, errs)
		}
		now := f.clock()
		out, err := f.st.CompleteStage(f.ctx, in)
		if err != nil {
			t.Fatalf("complete stage %d: %v", st, err)
		}
		next, done := pipeline.Next(st)
		if out.From != st || out.To != next || out.Rolled {
			t.Errorf("stage %d outcome %+v", st, out)
		}
		// The closed task keeps the form as JSON, who and when.
		closed, err := f.st.Q.AutoTaskGet(f.ctx, task.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got pipeline.Values
		if err := json.Unmarshal([]byte(closed.Fields), &got); err != nil || !maps.Equal(got, want) {
			t.Errorf("stage %d fields %s, want %v", st, closed.Fields, want)
		}
		if closed.Status != "done" || closed.DoneBy == nil || *closed.DoneBy != actor.ID || closed.DoneAt == nil || !closed.DoneAt.Equal(now) {
			t.Errorf("stage %d closed task %+v", st, closed)
		}
		c2 := f.card(id)
		if c2.Version != c.Version+1 {
			t.Errorf("stage %d: version %d → %d, want +1", st, c.Version, c2.Version)
		}
		if st == pipeline.WarmupTopup && (c2.WarmingDays != 3 || c2.WarmingEveryDays != 2) {
			t.Errorf("stage 2 did not update the card's warming: %d, %d", c2.WarmingDays, c2.WarmingEveryDays)
		}
		if done {
			if c2.Lifecycle != "worked_out" || c2.Stage != nil {
				t.Errorf("after stage 9 card is %s stage %v", c2.Lifecycle, c2.Stage)
			}
		} else if stageOf(c2) != next || c2.StageEnteredAt == nil || !c2.StageEnteredAt.Equal(now) {
			t.Errorf("after stage %d card is in %v entered %v", st, c2.Stage, c2.StageEnteredAt)
		}
		if st == pipeline.WarmupTopup {
			// The stage 3 deadline uses the warming days just typed.
			if dl := f.openTask(id).Deadline; !dl.Equal(f.office.Deadline(pipeline.Warming, now, 3)) {
				t.Errorf("stage 3 deadline %v, want warming end %v", dl, f.office.Deadline(pipeline.Warming, now, 3))
			}
		}
		f.advance(5 * time.Hour)
	}

	tasks := f.stageTasks(id)
	if len(tasks) != 9 {
		t.Fatalf("%d stage tasks, want 9", len(tasks))
	}
	// Entering stage 3 opened the first warming day's task at once; completing
	// stage 3 (nobody did it in this walk) ended it.
	var warming []db.AutoTaskListCardRow
	for _, task := range f.tasks(id) {
		if task.Kind == "warming" {
			warming = append(warming, task)
		}
	}
	if len(warming) != 1 || warming[0].Status != "cancelled" || !warming[0].CreatedAt.Equal(*tasks[1].DoneAt) ||
		!warming[0].Deadline.Equal(f.office.EndOfDay(*tasks[1].DoneAt, 0)) {
		t.Errorf("warming tasks %+v, want one from the entry into stage 3, due that day, cancelled with the stage", warming)
	}
	for i, task := range tasks {
		if task.Stage != int64(i+1) || task.Status != "done" || task.Fields == "{}" || task.Fields == "" || task.Kind != "stage" {
			t.Errorf("task %d: %+v", i+1, task)
		}
	}
	if n := count(t, f.st, "auto_tasks WHERE card_id = ? AND status IN ('new', 'in_progress')", id); n != 0 {
		t.Errorf("%d open tasks on a worked-out card", n)
	}
	for st := 1; st <= 9; st++ {
		action := "stage " + string(rune('0'+st)) + " done"
		if n := count(t, f.st, "audit_log WHERE entity = 'card' AND entity_id = ? AND action = ?", id, action); n != 1 {
			t.Errorf("audit %q: %d rows, want 1", action, n)
		}
	}
	if n := count(t, f.st, "audit_log WHERE entity = 'transaction'"); n != 2 {
		t.Errorf("transaction audit rows %d, want 2", n)
	}
	ev := f.events(id)
	if last := ev[len(ev)-1]; last.Kind != "worked_out" || last.FromStage == nil || *last.FromStage != 9 {
		t.Errorf("last event %+v", last)
	}
	// Stage 8 confirmed the possible profit.
	var t8 map[string]string
	_ = json.Unmarshal([]byte(tasks[7].Fields), &t8)
	rows, _ := f.st.Q.TransactionList(f.ctx, id)
	if want := Totals(rows).Net; want <= 0 || t8["confirmed_amount"] != strconv.FormatInt(int64(want), 10) {
		t.Errorf("confirmed amount %q, profit %d", t8["confirmed_amount"], want)
	}
	// A worked-out card cannot be completed again.
	c = f.card(id)
	if _, err := f.st.CompleteStage(f.ctx, StageInput{CardID: id, Version: c.Version, Actor: f.privileged(), Values: map[string]string{}}); !errors.Is(err, ErrConflict) {
		t.Errorf("completing a worked-out card: %v, want ErrConflict", err)
	}
}

// TestCompleteAllOrNothing forces a failure after the task is closed: nothing of
// the completion may stay.
func TestCompleteAllOrNothing(t *testing.T) {
	f := newFixture(t)
	for _, st := range []pipeline.Stage{pipeline.AccessRebind, pipeline.WarmupTopup, pipeline.ReturnToSupplier} {
		id := f.startedCard()
		f.walkTo(id, st)
		boom := errors.New("disk on fire")
		steps := []string{}
		failAfterWrite = func(step string) error {
			steps = append(steps, step)
			if step == "task closed" {
				return boom
			}
			return nil
		}
		c := f.card(id)
		task := f.openTask(id)
		tasksBefore := count(t, f.st, "auto_tasks")
		before := f.snapshot()
		_, err := f.st.CompleteStage(f.ctx, StageInput{CardID: id, Version: c.Version, Actor: f.assignee(id), Values: f.values(st, f.profit(id))})
		failAfterWrite = nil
		if !errors.Is(err, boom) {
			t.Fatalf("stage %d: CompleteStage = %v, want the forced error", st, err)
		}
		if len(steps) != 1 {
			t.Errorf("hook called with %v", steps)
		}
		f.unchanged("a failed completion", before)
		c2, task2 := f.card(id), f.openTask(id)
		if stageOf(c2) != st || c2.Version != c.Version || c2.WarmingDays != c.WarmingDays || task2.ID != task.ID || task2.Status != task.Status {
			t.Errorf("stage %d after failure: card %v v%d, task %d %s", st, c2.Stage, c2.Version, task2.ID, task2.Status)
		}
		if n := count(t, f.st, "auto_tasks"); n != tasksBefore {
			t.Errorf("tasks %d → %d", tasksBefore, n)
		}
		// And the same form goes through afterwards.
		if _, err := f.st.CompleteStage(f.ctx, StageInput{CardID: id, Version: c.Version, Actor: f.assignee(id), Values: f.values(st, f.profit(id))}); err != nil {
			t.Errorf("stage %d retry: %v", st, err)
		}
	}
}

// TestConcurrentCompletion: two people submit the same modal at once; exactly one wins.
func TestConcurrentCompletion(t *testing.T) {
	f := newFixture(t)
	for round := 0; round < 10; round++ {
		id := f.startedCard()
		c := f.card(id)
		in := StageInput{CardID: id, Version: c.Version, Actor: Actor{ID: f.manager.ID}, Values: f.values(1, 0)}
		adm := in
		adm.Actor = f.privileged()
		var wg sync.WaitGroup
		errs := make([]error, 2)
		gate := make(chan struct{})
		for i, x := range []StageInput{in, adm} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				_, errs[i] = f.st.CompleteStage(f.ctx, x)
			}()
		}
		close(gate)
		wg.Wait()
		ok, conflict := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, ErrConflict):
				conflict++
			default:
				t.Errorf("round %d: unexpected error %v", round, err)
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("round %d: %d succeeded, %d conflicts (%v)", round, ok, conflict, errs)
		}
		if n := count(t, f.st, "auto_tasks WHERE card_id = ? AND stage = 2", id); n != 1 {
			t.Errorf("round %d: %d stage-2 tasks, want 1", round, n)
		}
		if n := count(t, f.st, "auto_tasks WHERE card_id = ? AND stage = 1 AND status = 'done'", id); n != 1 {
			t.Errorf("round %d: %d done stage-1 tasks", round, n)
		}
		if n := count(t, f.st, "audit_log WHERE entity_id = ? AND action = 'stage 1 done'", id); n != 1 {
			t.Errorf("round %d: %d audit rows", round, n)
		}
		if c2 := f.card(id); c2.Version != c.Version+1 || stageOf(c2) != 2 {
			t.Errorf("round %d: card v%d stage %v", round, c2.Version, c2.Stage)
		}
	}
}

// TestCompleteRefusals: stale form, someone else's task, a bad form: the error says
// which, and nothing is written.
func TestCompleteRefusals(t *testing.T) {
	f := newFixture(t)
	id := f.startedCard()
	c := f.card(id)
	good := StageInput{CardID: id, Version: c.Version, Actor: Actor{ID: f.manager.ID}, Values: f.values(1, 0)}
	before := f.snapshot()

	stale := good
	stale.Version--
	if _, err := f.st.CompleteStage(f.ctx, stale); !errors.Is(err, ErrConflict) {
		t.Errorf("stale version: %v, want ErrConflict", err)
	}
	stale.Version = c.Version + 1
	if _, err := f.st.CompleteStage(f.ctx, stale); !errors.Is(err, ErrConflict) {
		t.Errorf("future version: %v, want ErrConflict", err)
	}
	f.unchanged("a stale completion", before)

	for _, who := range []db.User{f.warmer, f.accountant, f.manager2, f.owner} {
		other := good
		other.Actor = Actor{ID: who.ID} // not privileged: the owner's flag is the caller's business
		if _, err := f.st.CompleteStage(f.ctx, other); !errors.Is(err, ErrForbidden) {
			t.Errorf("completion by %s: %v, want ErrForbidden", who.Login, err)
		}
	}
	f.unchanged("a forbidden completion", before)

	bad := good
	bad.Values = map[string]string{"done_on": "2099-01-01", "comment": strings.Repeat("я", 4001)}
	_, err := f.st.CompleteStage(f.ctx, bad)
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Errors["done_on"] == "" || ve.Errors["comment"] == "" || len(ve.Errors) != 2 {
		t.Errorf("bad form: %v, want a ValidationError on done_on and comment", err)
	}
	if err != nil && !strings.Contains(err.Error(), "invalid form") {
		t.Errorf("ValidationError text %q", err)
	}
	bad.Values = nil
	if keys := validationKeys(func() error { _, err := f.st.CompleteStage(f.ctx, bad); return err }()); keys["done_on"] != "Укажите дату" {
		t.Errorf("empty form: %v", keys)
	}
	f.unchanged("an invalid completion", before)

	if _, err := f.st.CompleteStage(f.ctx, StageInput{CardID: 9999, Version: 1, Actor: f.privileged()}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown card: %v, want ErrNotFound", err)
	}
	// A new (not started) card has no stage to complete.
	nid := f.newCard(f.input())
	if _, err := f.st.CompleteStage(f.ctx, StageInput{CardID: nid, Version: 1, Actor: f.privileged(), Values: f.values(1, 0)}); !errors.Is(err, ErrConflict) {
		t.Errorf("new card: %v, want ErrConflict", err)
	}
	// Owner/admin may complete someone else's task; the form is still checked.
	before = f.snapshot()
	adm := good
	adm.Actor = f.privileged()
	if _, err := f.st.CompleteStage(f.ctx, adm); err != nil {
		t.Fatalf("admin completion: %v", err)
	}
	if f.snapshot() == before {
		t.Error("the admin completion wrote nothing")
	}
	if task := f.tasks(id)[0]; task.DoneBy == nil || *task.DoneBy != f.admin.ID {
		t.Errorf("done_by %v, want the admin", task.DoneBy)
	}
	// StartCard twice or with a stale version.
	if err := f.st.StartCard(f.ctx, f.privileged(), id, f.card(id).Version); !errors.Is(err, ErrConflict) {
		t.Errorf("starting a card in work: %v", err)
	}
	if err := f.st.StartCard(f.ctx, f.privileged(), nid, 7); !errors.Is(err, ErrConflict) {
		t.Errorf("starting with a stale version: %v", err)
	}
	if err := f.st.StartCard(f.ctx, f.privileged(), 9999, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("starting an unknown card: %v", err)
	}
}

// TestEarlyWarmingByOwner: owner/admin may finish stage 3 early, with a comment.
func TestEarlyWarmingByOwner(t *testing.T) {
	f := newFixture(t)
	id := f.startedCard()
	f.walkTo(id, pipeline.Warming)
	c := f.card(id)
	in := StageInput{CardID: id, Version: c.Version, Actor: f.privileged(), Values: map[string]string{"result": "remarks"}}
	if _, err := f.st.CompleteStage(f.ctx, in); validationKeys(err)["comment"] == "" {
		t.Fatalf("early stage 3 by the admin without comment: %v", err)
	}
	in.Values["comment"] = "Клиент торопит"
	if _, err := f.st.CompleteStage(f.ctx, in); err != nil {
		t.Fatalf("early stage 3 with a comment: %v", err)
	}
	if st := stageOf(f.card(id)); st != pipeline.AccessTakeback {
		t.Errorf("card in stage %d", st)
	}
}

func TestBankNoAnswer(t *testing.T) {
	f := newFixture(t)
	id := f.startedCard()
	f.walkTo(id, pipeline.BankWait)
	// 22:30 UTC is already tomorrow in Moscow: the roll goes to the end of the day after.
	f.setClock(time.Date(f.clock().Year(), f.clock().Month(), f.clock().Day(), 22, 30, 0, 0, time.UTC))
	for roll := int64(1); roll <= 2; roll++ {
		c := f.card(id)
		task := f.openTask(id)
		now := f.clock()
		out, err := f.st.CompleteStage(f.ctx, StageInput{CardID: id, Version: c.Version, Actor: Actor{ID: f.manager.ID},
			Values: map[string]string{"answered": "no", "answered_on": "мусор"}})
		if err != nil {
			t.Fatalf("roll %d: %v", roll, err)
		}
		want := f.office.BankNoAnswerDeadline(now)
		if want.Sub(now) < 12*time.Hour || want.In(f.office.Loc).Hour() != 18 {
			t.Fatalf("BankNoAnswerDeadline(%v) = %v", now, want)
		}
		if !out.Rolled || out.To != pipeline.BankWait || out.From != pipeline.BankWait || !out.Deadline.Equal(want) {
			t.Errorf("roll %d outcome %+v", roll, out)
		}
		t2 := f.openTask(id)
		if t2.ID != task.ID || t2.Status != task.Status || t2.Rolls != roll || !t2.Deadline.Equal(want) || t2.Fields != task.Fields {
			t.Errorf("roll %d task %+v, want deadline %v rolls %d", roll, t2, want, roll)
		}
		c2 := f.card(id)
		if stageOf(c2) != pipeline.BankWait || c2.Version != c.Version+1 || !c2.StageEnteredAt.Equal(*c.StageEnteredAt) {
			t.Errorf("roll %d card stage %v version %d→%d", roll, c2.Stage, c.Version, c2.Version)
		}
		ev := f.events(id)
		last := ev[len(ev)-1]
		wantText := "Ответа нет, дедлайн перенесён на " + want.In(f.office.Loc).Format("02.01.2006")
		if last.Kind != "bank_no" || last.Text != wantText || last.UserID == nil || *last.UserID != f.manager.ID {
			t.Errorf("roll %d event %+v, want text %q", roll, last, wantText)
		}
		if n := count(t, f.st, "auto_tasks WHERE card_id = ? AND kind = 'stage'", id); n != 8 {
			t.Errorf("roll %d: %d tasks, want 8", roll, n)
		}
		f.advance(24 * time.Hour)
	}
	// The comment goes into the timeline.
	c := f.card(id)
	if _, err := f.st.CompleteStage(f.ctx, StageInput{CardID: id, Version: c.Version, Actor: Actor{ID: f.manager.ID},
		Values: map[string]string{"answered": "no", "comment": "Банк просит ещё неделю"}}); err != nil {
		t.Fatal(err)
	}
	if ev := f.events(id); !strings.HasSuffix(ev[len(ev)-1].Text, ". Банк просит ещё неделю") {
		t.Errorf("event text %q", ev[len(ev)-1].Text)
	}
	// A stale «Нет» writes nothing.
	before := f.snapshot()
	if _, err := f.st.CompleteStage(f.ctx, StageInput{CardID: id, Version: c.Version, Actor: Actor{ID: f.manager.ID},
		Values: map[string]string{"answered": "no"}}); !errors.Is(err, ErrConflict) {
		t.Errorf("stale «Нет»: %v", err)
	}
	f.unchanged("a stale «Нет»", before)
	// «Да» with a negative decision and an amount is refused, then with 0 moves to stage 9.
	c = f.card(id)
	in := StageInput{CardID: id, Version: c.Version, Actor: Actor{ID: f.manager.ID}, Values: map[string]string{
		"answered": "yes", "answered_on": f.today(), "decision": "negative", "confirmed_amount": "100"}}
	if _, err := f.st.CompleteStage(f.ctx, in); validationKeys(err)["confirmed_amount"] == "" {
		t.Errorf("negative with amount: %v", err)
	}
	in.Values["confirmed_amount"] = "0"
	if out, err := f.st.CompleteStage(f.ctx, in); err != nil || out.To != pipeline.ReturnToSupplier || out.Rolled {
		t.Fatalf("answered: %+v %v", out, err)
	}
	if task := f.stageTasks(id)[7]; task.Rolls != 3 || task.Status != "done" {
		t.Errorf("stage 8 task after 3 rolls: %+v", task)
	}
}

func TestTransactions(t *testing.T) {
	f := newFixture(t)
	id := f.startedCard()
	row := func() pipeline.TxInput {
		return pipeline.TxInput{OccurredOn: f.today(), Amount: 100000, Rate: 1250, Comment: "x"}
	}
	mgr, buh := Actor{ID: f.manager.ID}, Actor{ID: f.accountant.ID}
	// Before stage 6 the block is read-only, for everyone.
	for _, a := range []Actor{mgr, buh, f.privileged()} {
		if _, err := f.st.AddTransaction(f.ctx, a, id, row()); !errors.Is(err, ErrTxClosed) {
			t.Errorf("stage 1 add by %d: %v, want ErrTxClosed", a.ID, err)
		}
	}
	nid := f.newCard(f.input())
	if _, err := f.st.AddTransaction(f.ctx, mgr, nid, row()); !errors.Is(err, ErrTxClosed) {
		t.Errorf("new card add: %v, want ErrTxClosed", err)
	}
	if _, err := f.st.AddTransaction(f.ctx, mgr, 9999, row()); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown card: %v, want ErrNotFound", err)
	}
	f.walkTo(id, pipeline.Processing)

	// Not the card's manager or accountant: refused, even a warmer of the card.
	before := f.snapshot()
	for _, u := range []db.User{f.warmer, f.manager2, f.accountant2, f.warmer2} {
		if _, err := f.st.AddTransaction(f.ctx, Actor{ID: u.ID}, id, row()); !errors.Is(err, ErrForbidden) {
			t.Errorf("add by %s: %v, want ErrForbidden", u.Login, err)
		}
	}
	f.unchanged("a forbidden transaction", before)

	// Every positive shared money case: the stored commission and net are money.LineTotals.
	var ids []int64
	var lines []money.Line
	actors := []Actor{mgr, buh, f.privileged()}
	for _, sc := range money.SharedCases {
		for i, a := range sc.Amounts {
			amt, err1 := money.ParseKopecks(a)
			rate, err2 := money.ParseRate(sc.Rates[i])
			if err1 != nil || err2 != nil || amt <= 0 || amt > money.MaxRowKopecks { // larger rows are refused at the form
				continue
			}
			in := pipeline.TxInput{OccurredOn: f.today(), Amount: amt, Rate: rate, Comment: sc.Name}
			txID, err := f.st.AddTransaction(f.ctx, actors[len(ids)%3], id, in)
			if err != nil {
				t.Fatalf("%s: %v", sc.Name, err)
			}
			ids = append(ids, txID)
			lines = append(lines, money.Line{Amount: amt, Rate: rate})
			got, err := f.st.Q.TransactionGet(f.ctx, txID)
			if err != nil {
				t.Fatal(err)
			}
			want := money.LineTotals(money.Line{Amount: amt, Rate: rate})
			if got.Amount != amt || got.CommissionRate != rate || got.Commission != want.Commission || got.Net != want.Net ||
				got.CardID != id || got.OccurredOn != f.today() || got.Comment != sc.Name {
				t.Errorf("%s: stored %+v, want commission %d net %d", sc.Name, got, want.Commission, want.Net)
			}
		}
	}
	if len(ids) < 40 {
		t.Fatalf("only %d rows added", len(ids))
	}
	rows, _ := f.st.Q.TransactionList(f.ctx, id)
	if got, want := Totals(rows), money.Sum(lines); got != want {
		t.Errorf("Totals = %+v, want %+v", got, want)
	}
	if n := count(t, f.st, "audit_log WHERE entity = 'transaction' AND action = 'create'"); n != len(ids) {
		t.Errorf("%d create audit rows, want %d", n, len(ids))
	}

	// Delete: by the card's people; someone else or a row of another card is refused.
	if err := f.st.DeleteTransaction(f.ctx, Actor{ID: f.warmer.ID}, id, ids[0], ""); !errors.Is(err, ErrForbidden) {
		t.Errorf("delete by the warmer: %v", err)
	}
	if err := f.st.DeleteTransaction(f.ctx, mgr, id, 999999, ""); !errors.Is(err, ErrStale) {
		t.Errorf("delete unknown row: %v", err)
	}
	other := f.startedCard()
	f.walkTo(other, pipeline.Processing)
	otherTx := f.addTx(other, mgr, "500", "1")
	if err := f.st.DeleteTransaction(f.ctx, mgr, id, otherTx, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete a row of another card through this card: %v", err)
	}
	for i, a := range []Actor{mgr, buh} {
		if err := f.st.DeleteTransaction(f.ctx, a, id, ids[i], ""); err != nil {
			t.Fatalf("delete: %v", err)
		}
		if _, err := f.st.Q.TransactionGet(f.ctx, ids[i]); !IsNoRows(err) {
			t.Errorf("deleted row still there: %v", err)
		}
	}
	if n := f.txCount(id); n != len(ids)-2 {
		t.Errorf("%d rows after two deletes, want %d", n, len(ids)-2)
	}
	if n := count(t, f.st, "audit_log WHERE entity = 'transaction' AND action = 'delete'"); n != 2 {
		t.Errorf("%d delete audit rows", n)
	}
	if err := f.st.DeleteTransaction(f.ctx, mgr, id, ids[0], ""); !errors.Is(err, ErrStale) {
		t.Errorf("second delete: %v", err)
	}

	// After stage 6 the rows are frozen.
	f.complete(id)
	before = f.snapshot()
	if _, err := f.st.AddTransaction(f.ctx, mgr, id, row()); !errors.Is(err, ErrTxClosed) {
		t.Errorf("stage 7 add: %v, want ErrTxClosed", err)
	}
	if err := f.st.DeleteTransaction(f.ctx, mgr, id, ids[2], ""); !errors.Is(err, ErrTxClosed) {
		t.Errorf("stage 7 delete: %v, want ErrTxClosed", err)
	}
	if err := f.st.DeleteTransaction(f.ctx, f.privileged(), id, ids[2], ""); !errors.Is(err, ErrTxClosed) {
		t.Errorf("stage 7 delete by admin: %v, want ErrTxClosed", err)
	}
	f.unchanged("a transaction change after stage 6", before)
}

func TestCorrectStage(t *testing.T) {
	f := newFixture(t)
	adm := f.privileged()
	id := f.startedCard()
	f.walkTo(id, pipeline.AccessTakeback)

	type step struct {
		kind   string
		target pipeline.Stage
		want   pipeline.Stage
		slotID int64
	}
	for _, s := range []step{
		{CorrectBack, 0, pipeline.Warming, f.warmer.ID},
		{CorrectBack, 99, pipeline.WarmupTopup, f.accountant.ID}, // target ignored for «back»
		{CorrectJump, pipeline.Processing, pipeline.Processing, f.manager.ID},
		{CorrectJump, pipeline.WorkTopup, pipeline.WorkTopup, f.accountant.ID},
		{CorrectClose, pipeline.BankApplication, pipeline.BankApplication, f.manager.ID},
		{CorrectClose, pipeline.ReturnToSupplier, pipeline.ReturnToSupplier, f.manager.ID},
		{CorrectJump, pipeline.AccessRebind, pipeline.AccessRebind, f.manager.ID},
	} {
		c := f.card(id)
		old := f.openTask(id)
		now := f.clock()
		reason := "  Причина: " + s.kind + "\n" // stored trimmed
		if err := f.st.CorrectStage(f.ctx, adm, id, c.Version, s.kind, s.target, reason); err != nil {
			t.Fatalf("%s to %d: %v", s.kind, s.target, err)
		}
		c2 := f.card(id)
		if stageOf(c2) != s.want || c2.Version != c.Version+1 || c2.Lifecycle != "in_work" || !c2.StageEnteredAt.Equal(now) {
			t.Errorf("%s: card stage %v version %d", s.kind, c2.Stage, c2.Version)
		}
		was, _ := f.st.Q.AutoTaskGet(f.ctx, old.ID)
		if was.Status != "cancelled" || was.DoneBy == nil || *was.DoneBy != f.admin.ID {
			t.Errorf("%s: old task %+v, want cancelled by the admin", s.kind, was)
		}
		nt := f.openTask(id)
		if nt.Stage != int64(s.want) || nt.AssigneeID != s.slotID || nt.Status != "new" ||
			!nt.Deadline.Equal(f.office.Deadline(s.want, now, int(c2.WarmingDays))) {
			t.Errorf("%s: new task %+v, want stage %d for %d", s.kind, nt, s.want, s.slotID)
		}
		// Back into stage 3: today's warming task opens with the stage task.
		wantOpen, warmingToday := 1, 0
		if s.want == pipeline.Warming {
			wantOpen, warmingToday = 2, 1
		}
		if n := count(t, f.st, "auto_tasks WHERE card_id = ? AND status IN ('new', 'in_progress')", id); n != wantOpen {
			t.Errorf("%s: %d open tasks, want %d", s.kind, n, wantOpen)
		}
		if n := count(t, f.st, "auto_tasks WHERE card_id = ? AND kind = 'warming' AND status = 'new' AND assignee_id = ? AND deadline = ?",
			id, f.warmer.ID, f.office.EndOfDay(now, 0)); n != warmingToday {
			t.Errorf("%s: %d open warming tasks due today, want %d", s.kind, n, warmingToday)
		}
		ev := f.events(id)
		last := ev[len(ev)-1]
		if last.Kind != s.kind || last.Text != strings.TrimSpace(reason) || last.FromStage == nil || *last.FromStage != *c.Stage ||
			last.ToStage == nil || *last.ToStage != int64(s.want) {
			t.Errorf("%s: event %+v", s.kind, last)
		}
		if n := count(t, f.st, "audit_log WHERE entity_id = ? AND action = ?", id, "correct "+s.kind); n == 0 {
			t.Errorf("%s: no audit row", s.kind)
		}
		f.advance(time.Hour)
	}

	// Refusals write nothing.
	c := f.card(id) // stage 1
	before := f.snapshot()
	for _, r := range []struct {
		kind   string
		target pipeline.Stage
		reason string
		key    string
	}{
		{CorrectJump, pipeline.Processing, "", "reason"},
		{CorrectJump, pipeline.Processing, "  ", "reason"},
		{CorrectJump, pipeline.Processing, "    ", "reason"},
		{CorrectJump, pipeline.Processing, " \t\n ", "reason"},
		{CorrectJump, pipeline.Processing, "ok", "reason"},
		{CorrectBack, 0, "Причина", "target"}, // already in stage 1
		{CorrectJump, pipeline.AccessRebind, "Причина", "target"},
		{CorrectJump, 0, "Причина", "target"},
		{CorrectJump, 10, "Причина", "target"},
		{CorrectClose, pipeline.Processing, "Причина", "target"},
		{"sideways", pipeline.Processing, "Причина", "target"},
	} {
		err := f.st.CorrectStage(f.ctx, adm, id, c.Version, r.kind, r.target, r.reason)
		if keys := validationKeys(err); keys[r.key] == "" {
			t.Errorf("%s to %d reason %q: %v, want a ValidationError on %s", r.kind, r.target, r.reason, err, r.key)
		}
	}
	for _, u := range []db.User{f.manager, f.owner, f.warmer} {
		if err := f.st.CorrectStage(f.ctx, Actor{ID: u.ID}, id, c.Version, CorrectJump, pipeline.Processing, "Причина"); !errors.Is(err, ErrForbidden) {
			t.Errorf("correction by non-privileged %s: %v", u.Login, err)
		}
	}
	if err := f.st.CorrectStage(f.ctx, adm, id, c.Version-1, CorrectJump, pipeline.Processing, "Причина"); !errors.Is(err, ErrConflict) {
		t.Errorf("stale correction: %v", err)
	}
	if err := f.st.CorrectStage(f.ctx, adm, 9999, 1, CorrectJump, pipeline.Processing, "Причина"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown card: %v", err)
	}
	f.unchanged("a refused correction", before)

	// Close early backwards from stage 9 is refused; from stage 7 to 9 allowed.
	f.walkTo(id, pipeline.ReturnToSupplier)
	c = f.card(id)
	if err := f.st.CorrectStage(f.ctx, adm, id, c.Version, CorrectClose, pipeline.BankApplication, "Причина"); validationKeys(err)["target"] == "" {
		t.Errorf("close early backwards: %v", err)
	}
	// A worked-out card is not corrected.
	f.complete(id)
	c = f.card(id)
	if err := f.st.CorrectStage(f.ctx, adm, id, c.Version, CorrectJump, pipeline.Processing, "Причина"); !errors.Is(err, ErrConflict) {
		t.Errorf("correcting a worked-out card: %v", err)
	}
}

// TestCorrectCancelsWarmingTasks: leftover scheduler tasks of the card end with a correction.
func TestCorrectCancelsWarmingTasks(t *testing.T) {
	f := newFixture(t)
	id := f.startedCard()
	f.walkTo(id, pipeline.Warming) // entering stage 3 opened today's warming task
	if n := f.openTasks(id, "warming"); n != 1 {
		t.Fatalf("%d open warming tasks after entering stage 3, want 1", n)
	}
	// The warming task does not hide the stage task.
	if task := f.openTask(id); task.Kind != "stage" {
		t.Fatalf("open stage task is %+v", task)
	}
	// Reassigning the warmer moves the warming task too.
	c := f.card(id)
	in := f.inputOf(c)
	in.WarmerID = f.warmer2.ID
	if err := f.st.UpdateCard(f.ctx, f.privileged(), id, c.Version, in); err != nil {
		t.Fatal(err)
	}
	if n := count(t, f.st, "auto_tasks WHERE card_id = ? AND status IN ('new', 'in_progress') AND assignee_id = ?", id, f.warmer2.ID); n != 2 {
		t.Errorf("%d open tasks follow the new warmer, want 2", n)
	}
	c = f.card(id)
	if err := f.st.CorrectStage(f.ctx, f.privileged(), id, c.Version, CorrectJump, pipeline.Processing, "Причина"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, f.st, "auto_tasks WHERE card_id = ? AND status IN ('new', 'in_progress')", id); n != 1 {
		t.Errorf("%d open tasks after the jump, want 1", n)
	}
	if n := count(t, f.st, "auto_tasks WHERE card_id = ? AND kind = 'warming' AND status = 'cancelled'", id); n != 1 {
		t.Errorf("warming task not cancelled")
	}
}

// inputOf is the card as its edit form would submit it unchanged.
func (f *fixture) inputOf(c db.Card) CardInput {
	return CardInput{Number: c.Number, ContactName: c.ContactName, ContactPhone: c.ContactPhone, Notes: c.Notes,
		BankID: c.BankID, SupplierID: c.SupplierID, WarmerID: c.WarmerID, ManagerID: c.ManagerID, AccountantID: c.AccountantID,
		Rate: c.CommissionRate, WarmingDays: c.WarmingDays, WarmingEveryDays: c.WarmingEveryDays}
}

func TestCardNumberAndUpdate(t *testing.T) {
	f := newFixture(t)
	in := f.input()
	id := f.newCard(in)
	c := f.card(id)
	if c.Number != in.Number || c.Last4 != in.Number[len(in.Number)-4:] || c.Lifecycle != "new" || c.Version != 1 || c.Stage != nil {
		t.Errorf("created card %+v", c)
	}
	if n := count(t, f.st, "audit_log WHERE entity = 'card' AND entity_id = ? AND action = 'create'", id); n != 1 {
		t.Errorf("create audit rows: %d", n)
	}

	// The same number again, among non-archived cards: a field error, nothing written.
	before := f.snapshot()
	dup := f.input()
	dup.Number = in.Number
	_, err := f.st.CreateCard(f.ctx, f.privileged(), dup)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "number" {
		t.Fatalf("duplicate number: %v, want a FieldError on number", err)
	}
	f.unchanged("a duplicate card", before)

	// Bad people and references are field errors too.
	for _, x := range []struct {
		field string
		edit  func(*CardInput)
	}{
		{"warmer_id", func(c *CardInput) { c.WarmerID = f.manager.ID }},
		{"manager_id", func(c *CardInput) { c.ManagerID = 9999 }},
		{"accountant_id", func(c *CardInput) { c.AccountantID = f.owner.ID }},
		{"bank_id", func(c *CardInput) { c.BankID = 9999 }},
		{"supplier_id", func(c *CardInput) { c.SupplierID = 0 }},
	} {
		bad := f.input()
		x.edit(&bad)
		if _, err := f.st.CreateCard(f.ctx, f.privileged(), bad); !errors.As(err, &fe) || fe.Field != x.field {
			t.Errorf("bad %s: %v", x.field, err)
		}
	}
	f.unchanged("refused cards", before)

	// UpdateCard onto another card's number: refused.
	id2 := f.newCard(f.input())
	c2 := f.card(id2)
	up := f.inputOf(c2)
	up.Number = in.Number
	if err := f.st.UpdateCard(f.ctx, f.privileged(), id2, c2.Version, up); !errors.As(err, &fe) || fe.Field != "number" {
		t.Errorf("update onto a taken number: %v", err)
	}
	// Keeping one's own number is fine.
	up.Number = c2.Number
	up.Notes = "новая заметка"
	if err := f.st.UpdateCard(f.ctx, f.privileged(), id2, c2.Version, up); err != nil {
		t.Fatal(err)
	}
	// Stale version: refused, nothing written.
	before = f.snapshot()
	up.Notes = "ещё одна"
	if err := f.st.UpdateCard(f.ctx, f.privileged(), id2, c2.Version, up); !errors.Is(err, ErrConflict) {
		t.Errorf("stale update: %v, want ErrConflict", err)
	}
	f.unchanged("a stale update", before)
	if err := f.st.UpdateCard(f.ctx, f.privileged(), 9999, 1, up); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown card: %v", err)
	}

	// After the first card is worked out and archived, its number may be used again.
	if err := f.st.StartCard(f.ctx, f.privileged(), id, 1); err != nil {
		t.Fatal(err)
	}
	f.walkTo(id, 10)
	if _, err := f.st.CreateCard(f.ctx, f.privileged(), dup); !errors.As(err, &fe) {
		t.Errorf("a worked-out card still holds its number: %v", err)
	}
	if n, err := f.st.ArchiveCards(f.ctx, f.privileged(), []int64{id}); err != nil || n != 1 {
		t.Fatalf("ArchiveCards = %d, %v", n, err)
	}
	nid, err := f.st.CreateCard(f.ctx, f.privileged(), dup)
	if err != nil {
		t.Fatalf("number of an archived card refused: %v", err)
	}
	// But still only once among the live cards.
	if _, err := f.st.CreateCard(f.ctx, f.privileged(), dup); !errors.As(err, &fe) {
		t.Errorf("third card with the number: %v", err)
	}
	// An archived card cannot be edited.
	ac := f.card(id)
	if err := f.st.UpdateCard(f.ctx, f.privileged(), id, ac.Version, f.inputOf(ac)); !errors.Is(err, ErrConflict) {
		t.Errorf("editing an archived card: %v", err)
	}
	_ = nid
}

// TestUpdateReassignsTasks: changing the manager moves the open manager task; the
// other slots' changes leave it alone.
func TestUpdateReassignsTasks(t *testing.T) {
	f := newFixture(t)
	id := f.startedCard() // stage 1: the manager's task
	c := f.card(id)
	task := f.openTask(id)
	in := f.inputOf(c)
	in.AccountantID, in.WarmerID = f.accountant2.ID, f.warmer2.ID
	if err := f.st.UpdateCard(f.ctx, f.privileged(), id, c.Version, in); err != nil {
		t.Fatal(err)
	}
	if got := f.openTask(id); got.ID != task.ID || got.AssigneeID != f.manager.ID {
		t.Errorf("changing other slots moved the manager task: %+v", got)
	}
	c = f.card(id)
	in = f.inputOf(c)
	in.ManagerID = f.manager2.ID
	if err := f.st.UpdateCard(f.ctx, f.privileged(), id, c.Version, in); err != nil {
		t.Fatal(err)
	}
	if got := f.openTask(id); got.ID != task.ID || got.AssigneeID != f.manager2.ID {
		t.Errorf("manager task after the change: %+v", got)
	}
	c2 := f.card(id)
	if c2.ManagerID != f.manager2.ID || c2.Version != c.Version+1 {
		t.Errorf("card after update: manager %d version %d", c2.ManagerID, c2.Version)
	}
	// The old manager may no longer complete it; the new one may.
	if _, err := f.st.CompleteStage(f.ctx, StageInput{CardID: id, Version: c2.Version, Actor: Actor{ID: f.manager.ID}, Values: f.values(1, 0)}); !errors.Is(err, ErrForbidden) {
		t.Errorf("old manager: %v", err)
	}
	if _, err := f.st.CompleteStage(f.ctx, StageInput{CardID: id, Version: c2.Version, Actor: Actor{ID: f.manager2.ID}, Values: f.values(1, 0)}); err != nil {
		t.Errorf("new manager: %v", err)
	}
	// Stage 2 goes to the new accountant.
	if got := f.openTask(id); got.AssigneeID != f.accountant2.ID {
		t.Errorf("stage 2 assignee %d, want the new accountant", got.AssigneeID)
	}
	// Done tasks keep who they were for.
	if first := f.tasks(id)[0]; first.AssigneeID != f.manager2.ID || first.Status != "done" {
		t.Errorf("done task %+v", first)
	}
	// An inactive employee cannot be put on a card, but may stay where they are.
	if err := f.st.SetUserActive(f.ctx, f.owner.ID, f.manager2.ID, false); err != nil {
		t.Fatal(err)
	}
	c = f.card(id)
	in = f.inputOf(c)
	in.Notes = "правка"
	if err := f.st.UpdateCard(f.ctx, f.privileged(), id, c.Version, in); err != nil {
		t.Errorf("editing a card of an inactive manager: %v", err)
	}
	var fe *FieldError
	other := f.input()
	other.ManagerID = f.manager2.ID
	if _, err := f.st.CreateCard(f.ctx, f.privileged(), other); !errors.As(err, &fe) || fe.Field != "manager_id" {
		t.Errorf("new card with an inactive manager: %v", err)
	}
}

func TestArchiveCards(t *testing.T) {
	f := newFixture(t)
	newID := f.newCard(f.input())
	workID := f.startedCard()
	doneID := f.startedCard()
	f.walkTo(doneID, 10)
	done2 := f.startedCard()
	f.walkTo(done2, 10)
	snap := func(id int64) db.Card { return f.card(id) }
	nb, wb := snap(newID), snap(workID)
	n, err := f.st.ArchiveCards(f.ctx, f.privileged(), []int64{newID, workID, doneID, 9999})
	if err != nil || n != 1 {
		t.Fatalf("ArchiveCards = %d, %v; want 1", n, err)
	}
	if c := f.card(doneID); c.Lifecycle != "archived" || c.ArchivedAt == nil || !c.ArchivedAt.Equal(f.clock()) {
		t.Errorf("archived card %+v", c)
	}
	if c := f.card(newID); c.Lifecycle != "new" || c.Version != nb.Version || !c.UpdatedAt.Equal(nb.UpdatedAt) {
		t.Errorf("new card changed: %+v", c)
	}
	if c := f.card(workID); c.Lifecycle != wb.Lifecycle || c.Version != wb.Version {
		t.Errorf("card in work changed: %+v", c)
	}
	if ev := f.events(doneID); ev[len(ev)-1].Kind != "archived" {
		t.Errorf("no archived event")
	}
	if k := count(t, f.st, "audit_log WHERE entity_id = ? AND action = 'archive'", doneID); k != 1 {
		t.Errorf("archive audit rows %d", k)
	}
	// Archiving twice moves nothing; several at once are all moved.
	if n, err := f.st.ArchiveCards(f.ctx, f.privileged(), []int64{doneID, done2}); err != nil || n != 1 {
		t.Errorf("second ArchiveCards = %d, %v; want 1", n, err)
	}
	if n, err := f.st.ArchiveCards(f.ctx, f.privileged(), nil); err != nil || n != 0 {
		t.Errorf("empty ArchiveCards = %d, %v", n, err)
	}
	// The archive page sees them.
	p, err := f.st.Archive(f.ctx, ArchiveFilter{})
	if err != nil || p.Total != 2 || len(p.Rows) != 2 || p.Rows[0].ID != done2 || p.Rows[0].Bank != "Сбербанк" || p.Rows[0].Manager != f.manager.Name {
		t.Errorf("Archive = %+v, %v", p, err)
	}
}
