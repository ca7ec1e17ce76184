package store

import (
	"strings"
	"testing"
	"time"

	"kartoteka/app/pipeline"
)

func (f *fixture) openTasks(id int64, kind string) int {
	n := 0
	for _, t := range f.tasks(id) {
		if t.Kind == kind && (t.Status == "new" || t.Status == "in_progress") {
			n++
		}
	}
	return n
}

func TestBankRollIsIdempotentAndCatchesUpOnce(t *testing.T) {
	f := newFixture(t)
	id := f.startedCard()
	f.walkTo(id, pipeline.BankWait)
	before := f.openTask(id)
	// Three days later, after the roll time (09:00 Moscow = 06:00 UTC): one roll, not three.
	day := f.office.Day(f.clock()).AddDate(0, 0, 3)
	f.setClock(day.Add(10 * time.Hour))
	rolled, _, err := f.st.CatchUp(f.ctx)
	if err != nil || rolled != 1 {
		t.Fatalf("catch-up rolled %d (%v), want 1", rolled, err)
	}
	after := f.openTask(id)
	if after.ID != before.ID || after.Rolls != before.Rolls+1 {
		t.Fatalf("rolls %d → %d on task %d/%d", before.Rolls, after.Rolls, before.ID, after.ID)
	}
	if want := f.office.EndOfDay(f.clock(), 0); !after.Deadline.Equal(want) {
		t.Errorf("deadline %v, want end of today %v", after.Deadline, want)
	}
	if n, _ := f.st.RollBankWaits(f.ctx); n != 0 {
		t.Errorf("second run the same day rolled %d", n)
	}
	ev := f.events(id)
	if last := ev[len(ev)-1]; last.Kind != "bank_roll" || !strings.Contains(last.Text, "Ответа нет, дедлайн перенесён на "+f.clock().In(f.office.Loc).Format("02.01.2006")) {
		t.Errorf("last event %q %q", last.Kind, last.Text)
	}
	// Before the roll time of the next day nothing rolls, even though the deadline passed.
	f.setClock(day.AddDate(0, 0, 1).Add(5 * time.Hour))
	if r, _, _ := f.st.CatchUp(f.ctx); r != 0 {
		t.Errorf("rolled %d before the roll time", r)
	}
}

func TestWarmingTasksOncePerDueDay(t *testing.T) {
	f := newFixture(t)
	in := f.input()
	in.WarmingDays, in.WarmingEveryDays = 6, 2
	id := f.newCard(in)
	if err := f.st.StartCard(f.ctx, f.privileged(), id, 1); err != nil {
		t.Fatal(err)
	}
	f.walkTo(id, pipeline.Warming)
	c := f.card(id) // stage 2's form set the card's warming period
	// Entering stage 3 opened today's task in the same transaction: the scheduler
	// does not make the day twice, however often it runs.
	task := f.tasks(id)[len(f.tasks(id))-1]
	if task.Kind != "warming" || task.AssigneeID != f.warmer.ID || !task.CreatedAt.Equal(*c.StageEnteredAt) ||
		!task.Deadline.Equal(f.office.EndOfDay(*c.StageEnteredAt, 0)) || task.Status != "new" {
		t.Fatalf("task %+v, want today's warming task from the entry into stage 3", task)
	}
	for run := 1; run <= 2; run++ {
		if n, err := f.st.CreateWarmingTasks(f.ctx); err != nil || n != 0 {
			t.Fatalf("run %d created %d (%v), want 0: the day has its task", run, n, err)
		}
	}
	if n := f.openTasks(id, "warming"); n != 1 {
		t.Fatalf("%d open warming tasks, want 1", n)
	}
	// A warming task needs «Что сделано».
	if _, err := f.st.CompleteWarmingTask(f.ctx, Actor{ID: f.warmer.ID}, task.ID, " "); err == nil {
		t.Fatal("empty note accepted")
	}
	if _, err := f.st.CompleteWarmingTask(f.ctx, Actor{ID: f.manager.ID}, task.ID, "x"); err != ErrForbidden {
		t.Fatalf("someone else's warming task: %v", err)
	}
	if _, err := f.st.CompleteWarmingTask(f.ctx, Actor{ID: f.warmer.ID}, task.ID, "Покупка в магазине"); err != nil {
		t.Fatal(err)
	}
	// Days later: one task for the latest due day only (catching up, not one per missed tick).
	every := int(f.card(id).WarmingEveryDays)
	f.advance(time.Duration(every) * 24 * time.Hour)
	if _, ok := f.office.WarmingDue(*c.StageEnteredAt, f.clock(), int(c.WarmingDays), every); ok {
		if n, _ := f.st.CreateWarmingTasks(f.ctx); n != 1 {
			t.Fatalf("next due day created %d", n)
		}
	}
	// Completing the stage cancels a leftover open warming task.
	f.complete(id)
	if f.openTasks(id, "warming") != 0 {
		t.Error("open warming task left after stage 3")
	}
}
