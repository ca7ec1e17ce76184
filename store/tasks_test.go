package store

import (
	"errors"
	"strings"
	"testing"
	"time"

	"kartoteka/app/tasks"
)

func actorT(id int64, role string) tasks.Person {
	return tasks.Person{ID: id, Owner: role == "owner", Admin: role == "admin"}
}

func (f *fixture) newTask(author tasks.Person, assignee int64, card int64) int64 {
	f.t.Helper()
	id, err := f.st.CreateTask(f.ctx, author, TaskInput{Title: "Позвонить в банк", Description: "Уточнить лимиты",
		AssigneeID: assignee, CardID: card, Deadline: f.clock().Add(24 * time.Hour)})
	if err != nil {
		f.t.Fatalf("CreateTask: %v", err)
	}
	return id
}

func TestTaskLifecycle(t *testing.T) {
	f := newFixture(t)
	mgr, buh := actorT(f.manager.ID, "manager"), actorT(f.accountant.ID, "accountant")
	id := f.newTask(mgr, buh.ID, 0)
	tk, _ := f.st.Q.TaskGet(f.ctx, id)
	if tk.Status != "new" || tk.Version != 1 || tk.AuthorID != mgr.ID || tk.TitleLc != "позвонить в банк" {
		t.Fatalf("new task: %+v", tk)
	}
	// The author cannot take or complete it on the assignee's behalf.
	for _, a := range []tasks.Action{tasks.Take, tasks.Finish} {
		if err := f.st.MoveTask(f.ctx, mgr, id, 1, a); !errors.Is(err, ErrForbidden) {
			t.Errorf("author %s: %v, want forbidden", a, err)
		}
	}
	// The assignee cannot edit or cancel.
	in := TaskInput{Title: "Другое", AssigneeID: buh.ID, Deadline: f.clock().Add(time.Hour)}
	if err := f.st.UpdateTask(f.ctx, buh, id, 1, in); !errors.Is(err, ErrForbidden) {
		t.Errorf("assignee edit: %v, want forbidden", err)
	}
	if err := f.st.MoveTask(f.ctx, buh, id, 1, tasks.Cancel); !errors.Is(err, ErrForbidden) {
		t.Errorf("assignee cancel: %v, want forbidden", err)
	}
	// Someone else sees nothing.
	if err := f.st.MoveTask(f.ctx, actorT(f.manager2.ID, "manager"), id, 1, tasks.Take); !errors.Is(err, ErrForbidden) {
		t.Errorf("stranger take: %v, want forbidden", err)
	}
	if _, err := f.st.AddTaskComment(f.ctx, actorT(f.admin.ID, "admin"), id, "чужой"); !errors.Is(err, ErrForbidden) {
		t.Errorf("admin comment on a task without a card: %v, want forbidden", err)
	}
	if err := f.st.MoveTask(f.ctx, buh, id, 1, tasks.Take); err != nil {
		t.Fatalf("take: %v", err)
	}
	// A stale button: version 1 is gone.
	if err := f.st.MoveTask(f.ctx, buh, id, 1, tasks.Finish); !errors.Is(err, ErrConflict) {
		t.Errorf("stale done: %v, want conflict", err)
	}
	if err := f.st.MoveTask(f.ctx, buh, id, 2, tasks.Take); !errors.Is(err, ErrConflict) {
		t.Errorf("take twice: %v, want conflict", err)
	}
	if _, err := f.st.AddTaskComment(f.ctx, buh, id, "Взяла, сделаю сегодня"); err != nil {
		t.Fatalf("comment: %v", err)
	}
	if err := f.st.MoveTask(f.ctx, buh, id, 2, tasks.Finish); err != nil {
		t.Fatalf("done: %v", err)
	}
	tk, _ = f.st.Q.TaskGet(f.ctx, id)
	if tk.Status != "done" || tk.DoneAt == nil || tk.Version != 3 {
		t.Fatalf("after done: %+v", tk)
	}
	if err := f.st.UpdateTask(f.ctx, mgr, id, 3, in); !errors.Is(err, ErrConflict) {
		t.Errorf("edit a done task: %v, want conflict", err)
	}
	if err := f.st.MoveTask(f.ctx, buh, id, 3, tasks.Reopen); err != nil {
		t.Fatalf("reopen: %v", err)
	}
	// The owner may complete on the assignee's behalf.
	if err := f.st.MoveTask(f.ctx, actorT(f.owner.ID, "owner"), id, 4, tasks.Finish); err != nil {
		t.Fatalf("owner done: %v", err)
	}
	h, err := f.st.Q.TaskHistory(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, x := range h {
		actions = append(actions, x.Action)
	}
	if got := strings.Join(actions, " "); got != "create take comment done reopen done" {
		t.Errorf("history %q", got)
	}
	cs, _ := f.st.Q.TaskCommentList(f.ctx, id)
	if len(cs) != 1 || cs[0].Body != "Взяла, сделаю сегодня" || cs[0].UserID != buh.ID {
		t.Errorf("comments %+v", cs)
	}
}

func TestTaskEditAndCancel(t *testing.T) {
	f := newFixture(t)
	mgr := actorT(f.manager.ID, "manager")
	id := f.newTask(mgr, f.accountant.ID, 0)
	dl := f.clock().Add(48 * time.Hour)
	in := TaskInput{Title: "Новый заголовок", Description: "", AssigneeID: f.warmer.ID, Deadline: dl}
	if err := f.st.UpdateTask(f.ctx, mgr, id, 1, in); err != nil {
		t.Fatalf("edit: %v", err)
	}
	// A second edit from the same old form: 409, nothing overwritten.
	in2 := in
	in2.Title = "Перезапись"
	if err := f.st.UpdateTask(f.ctx, mgr, id, 1, in2); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale edit: %v, want conflict", err)
	}
	tk, _ := f.st.Q.TaskGet(f.ctx, id)
	if tk.Title != "Новый заголовок" || tk.AssigneeID != f.warmer.ID || !tk.Deadline.Equal(dl) || tk.Version != 2 {
		t.Fatalf("after edit: %+v", tk)
	}
	h, _ := f.st.Q.TaskHistory(f.ctx, id)
	last := h[len(h)-1]
	if last.Action != "edit" || strings.Contains(last.After, "status") || !strings.Contains(last.After, "Новый заголовок") {
		t.Errorf("edit audit keeps only what changed: %s → %s", last.Before, last.After)
	}
	// An inactive assignee is refused; the current one (now inactive) may stay.
	if err := f.st.SetUserActive(f.ctx, f.owner.ID, f.warmer2.ID, false); err != nil {
		t.Fatal(err)
	}
	in.AssigneeID = f.warmer2.ID
	var fe *FieldError
	if err := f.st.UpdateTask(f.ctx, mgr, id, 2, in); !errors.As(err, &fe) || fe.Field != "assignee_id" {
		t.Fatalf("inactive assignee: %v", err)
	}
	if _, err := f.st.CreateTask(f.ctx, mgr, TaskInput{Title: "x", AssigneeID: f.warmer2.ID, Deadline: dl}); !errors.As(err, &fe) {
		t.Fatalf("create for inactive: %v", err)
	}
	if _, err := f.st.CreateTask(f.ctx, mgr, TaskInput{Title: "x", AssigneeID: 9999, Deadline: dl}); !errors.As(err, &fe) {
		t.Fatalf("create for unknown: %v", err)
	}
	if err := f.st.MoveTask(f.ctx, mgr, id, 2, tasks.Cancel); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if err := f.st.MoveTask(f.ctx, actorT(f.warmer.ID, "warmer"), id, 3, tasks.Restore); !errors.Is(err, ErrForbidden) {
		t.Errorf("assignee restore: %v, want forbidden", err)
	}
	if err := f.st.MoveTask(f.ctx, mgr, id, 3, tasks.Restore); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if tk, _ = f.st.Q.TaskGet(f.ctx, id); tk.Status != "new" {
		t.Fatalf("restored: %s", tk.Status)
	}
}

func TestTaskOnCard(t *testing.T) {
	f := newFixture(t)
	card := f.newCard(f.input()) // manager, accountant, warmer are responsible
	// A manager not on the card may not link it.
	var fe *FieldError
	_, err := f.st.CreateTask(f.ctx, actorT(f.manager2.ID, "manager"), TaskInput{Title: "x", AssigneeID: f.accountant.ID, CardID: card, Deadline: f.clock()})
	if !errors.As(err, &fe) || fe.Field != "card_id" {
		t.Fatalf("card not visible: %v", err)
	}
	if _, err := f.st.CreateTask(f.ctx, actorT(f.manager.ID, "manager"), TaskInput{Title: "x", AssigneeID: f.accountant.ID, CardID: 424242, Deadline: f.clock()}); !errors.As(err, &fe) {
		t.Fatalf("unknown card: %v", err)
	}
	id := f.newTask(actorT(f.manager.ID, "manager"), f.accountant.ID, card)
	// The admin sees and may not act on it.
	adm := actorT(f.admin.ID, "admin")
	if err := f.st.MoveTask(f.ctx, adm, id, 1, tasks.Take); !errors.Is(err, ErrForbidden) {
		t.Errorf("admin take: %v, want forbidden", err)
	}
	if n := count(t, f.st, "audit_log WHERE entity = 'stdtask' AND entity_id = ?", id); n != 1 {
		t.Errorf("audit rows %d", n)
	}
	l, _ := f.st.Q.TaskListCard(f.ctx, &card)
	if len(l) != 1 || l[0].ID != id {
		t.Errorf("card's tasks %+v", l)
	}
}

func TestDemoTasks(t *testing.T) {
	s := openTest(t)
	if _, err := s.Demo(t.Context(), func(p string) (string, error) { return "hash", nil }); err != nil {
		t.Fatalf("Demo: %v", err)
	}
	for _, q := range []string{"tasks WHERE status = 'new'", "tasks WHERE status = 'in_progress'", "tasks WHERE status = 'done'",
		"tasks WHERE status = 'cancelled'", "tasks WHERE card_id IS NOT NULL", "task_comments",
		"tasks WHERE status IN ('new', 'in_progress') AND deadline < CURRENT_TIMESTAMP", "(SELECT DISTINCT author_id FROM tasks)"} {
		if n := count(t, s, q); n == 0 {
			t.Errorf("demo has no %s", q)
		}
	}
}
