package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kartoteka/app/tasks"
	"kartoteka/store/db"
)

// TaskInput is a standard task as its author types it, already checked by the
// pure rules (title, description, deadline).
type TaskInput struct {
	Title, Description string
	AssigneeID         int64
	CardID             int64 // 0: no card
	Deadline           time.Time
}

// taskAudit is what the change log keeps of a task, under the form's field names.
func taskAudit(t db.Task) map[string]any {
	m := map[string]any{"title": t.Title, "description": t.Description, "assignee_id": t.AssigneeID,
		"deadline": t.Deadline.UTC().Format(time.RFC3339), "status": t.Status}
	if t.CardID != nil {
		m["card_id"] = *t.CardID
	}
	return m
}

// TaskRule is the task as the pure rules see it.
func TaskRule(t db.Task) tasks.Task {
	return tasks.Task{AuthorID: t.AuthorID, AssigneeID: t.AssigneeID, OnCard: t.CardID != nil, Status: tasks.Status(t.Status)}
}

// checkTaskRefs refuses an assignee who is not an active user (unless already
// assigned) and a card the author may not see.
func (tx *Tx) checkTaskRefs(ctx context.Context, p tasks.Person, in TaskInput, old *db.Task) error {
	u, err := tx.UserGet(ctx, in.AssigneeID)
	if err != nil || (u.Active != 1 && (old == nil || old.AssigneeID != u.ID)) {
		return &FieldError{"assignee_id", "Выберите активного сотрудника из списка"}
	}
	if in.CardID == 0 {
		return nil
	}
	c, err := tx.CardGet(ctx, in.CardID)
	if err != nil || !(p.Owner || p.Admin || Responsible(c, p.ID)) {
		return &FieldError{"card_id", "Нет карты с таким номером среди доступных вам"}
	}
	return nil
}

// CreateTask writes a new task (anyone, for any active user, themselves included).
func (s *Store) CreateTask(ctx context.Context, p tasks.Person, in TaskInput) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx *Tx) error {
		if err := tx.checkTaskRefs(ctx, p, in, nil); err != nil {
			return err
		}
		var card *int64
		if in.CardID > 0 {
			card = &in.CardID
		}
		var err error
		id, err = tx.TaskCreate(ctx, db.TaskCreateParams{Title: in.Title, TitleLc: strings.ToLower(in.Title),
			Description: in.Description, AuthorID: p.ID, AssigneeID: in.AssigneeID, CardID: card,
			Deadline: in.Deadline.UTC().Truncate(time.Second), Now: tx.Now})
		if err != nil {
			return fmt.Errorf("create task: %w", err)
		}
		t, err := tx.TaskGet(ctx, id)
		if err != nil {
			return err
		}
		return tx.Audit(p.ID, "stdtask", id, "create", nil, taskAudit(t))
	})
	return id, err
}

// loadTask reads a task inside a write and checks the person may see it.
func (tx *Tx) loadTask(ctx context.Context, p tasks.Person, id int64) (db.Task, error) {
	t, err := tx.TaskGet(ctx, id)
	if err != nil {
		return t, notFound(err)
	}
	if !tasks.CanSee(p, TaskRule(t)) {
		return t, ErrForbidden
	}
	return t, nil
}

// UpdateTask edits title, description, deadline and assignee (the author or the
// owner) if nobody changed the task since version.
func (s *Store) UpdateTask(ctx context.Context, p tasks.Person, id, version int64, in TaskInput) error {
	return s.InTx(ctx, func(tx *Tx) error {
		old, err := tx.loadTask(ctx, p, id)
		if err != nil {
			return err
		}
		if !mayEver(p, old, tasks.Edit) {
			return ErrForbidden
		}
		if old.Version != version || !tasks.Allowed(p, TaskRule(old), tasks.Edit) {
			return ErrConflict // changed meanwhile, or done/cancelled since
		}
		in.CardID = 0 // the card link is set at creation
		if err := tx.checkTaskRefs(ctx, p, in, &old); err != nil {
			return err
		}
		n, err := tx.TaskUpdate(ctx, db.TaskUpdateParams{Title: in.Title, TitleLc: strings.ToLower(in.Title),
			Description: in.Description, AssigneeID: in.AssigneeID, Deadline: in.Deadline.UTC().Truncate(time.Second), Now: tx.Now,
			ID: id, Version: version})
		if err != nil {
			return fmt.Errorf("update task %d: %w", id, err)
		}
		if n == 0 {
			return ErrConflict
		}
		nt := old
		nt.Title, nt.Description, nt.AssigneeID, nt.Deadline = in.Title, in.Description, in.AssigneeID, in.Deadline.UTC().Truncate(time.Second)
		before, after := changed(taskAudit(old), taskAudit(nt))
		return tx.Audit(p.ID, "stdtask", id, "edit", before, after)
	})
}

// changed keeps only the keys whose values differ.
func changed(before, after map[string]any) (map[string]any, map[string]any) {
	b, a := map[string]any{}, map[string]any{}
	for k, v := range after {
		if fmt.Sprint(before[k]) != fmt.Sprint(v) {
			b[k], a[k] = before[k], v
		}
	}
	return b, a
}

// MoveTask applies a status action (take, done, reopen, cancel, restore) if the
// person may press it now and the task is still at version.
func (s *Store) MoveTask(ctx context.Context, p tasks.Person, id, version int64, a tasks.Action) error {
	to := a.Target()
	if to == "" {
		return fmt.Errorf("move task %d: %q is not a status action", id, a)
	}
	return s.InTx(ctx, func(tx *Tx) error {
		t, err := tx.loadTask(ctx, p, id)
		if err != nil {
			return err
		}
		if !mayEver(p, t, a) {
			return ErrForbidden // someone else's button
		}
		if t.Version != version || !tasks.Allowed(p, TaskRule(t), a) {
			return ErrConflict // changed meanwhile: the button no longer applies
		}
		var done *time.Time
		if to == tasks.Done {
			done = &tx.Now
		}
		n, err := tx.TaskSetStatus(ctx, db.TaskSetStatusParams{Status: string(to), DoneAt: done, Now: tx.Now, ID: id, Version: version})
		if err != nil {
			return fmt.Errorf("move task %d to %s: %w", id, to, err)
		}
		if n == 0 {
			return ErrConflict
		}
		return tx.Audit(p.ID, "stdtask", id, string(a), map[string]any{"status": t.Status}, map[string]any{"status": string(to)})
	})
}

// mayEver tells whether the person may do the action on this task in some
// status: false means someone else's button (403), true with a refusal now
// means the task changed meanwhile (409).
func mayEver(p tasks.Person, t db.Task, a tasks.Action) bool {
	for _, st := range tasks.Statuses {
		r := TaskRule(t)
		r.Status = st
		if tasks.Allowed(p, r, a) {
			return true
		}
	}
	return false
}

// AddTaskComment adds a comment to the task's thread (author, assignee, owner).
func (s *Store) AddTaskComment(ctx context.Context, p tasks.Person, id int64, body string) (int64, error) {
	var cid int64
	err := s.InTx(ctx, func(tx *Tx) error {
		t, err := tx.loadTask(ctx, p, id)
		if err != nil {
			return err
		}
		if !tasks.Allowed(p, TaskRule(t), tasks.Comment) {
			return ErrForbidden
		}
		if cid, err = tx.TaskCommentAdd(ctx, db.TaskCommentAddParams{TaskID: id, UserID: p.ID, At: tx.Now, Body: body}); err != nil {
			return fmt.Errorf("comment on task %d: %w", id, err)
		}
		return tx.Audit(p.ID, "stdtask", id, "comment", nil, map[string]any{"comment_id": cid, "body": body})
	})
	return cid, err
}
