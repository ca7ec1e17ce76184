package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// AutoTaskFilter is the «Автозадачи» tab's filters. Hand-written SQL like the
// archive: only the filters in use reach SQLite, so it picks the fitting index.
type AutoTaskFilter struct {
	CardID     int64
	Stage      int64
	AssigneeID int64
	Status     string // "new", "in_progress", "done", "cancelled", "overdue", "open"
	From, To   *time.Time
	OnlyUser   int64 // warmer/manager: tasks of cards where they are responsible
	Now        time.Time
	BeforeID   int64 // keyset paging: rows with id < BeforeID
	Limit      int
}

// AutoTaskRow is one tracker task in the history.
type AutoTaskRow struct {
	ID, CardID, Stage, AssigneeID, Rolls int64
	WarmerID, ManagerID, AccountantID    int64 // the card's people
	Kind, Status, Fields, Last4          string
	AssigneeName, DoneByName             string
	Deadline, CreatedAt                  time.Time
	DoneAt                               *time.Time
}

// AutoTasks reads one page of the tracker history, newest first; more is true
// when there is a next page.
func (s *Store) AutoTasks(ctx context.Context, f AutoTaskFilter) (rows []AutoTaskRow, more bool, err error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	conds := []string{"1=1"}
	var args []any
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	if f.CardID > 0 {
		add("t.card_id = ?", f.CardID)
	}
	if f.Stage > 0 {
		add("t.stage = ?", f.Stage)
	}
	if f.AssigneeID > 0 {
		add("t.assignee_id = ?", f.AssigneeID)
	}
	switch f.Status {
	case "new", "in_progress", "done", "cancelled":
		add("t.status = ?", f.Status)
	case "open":
		add("t.status IN ('new', 'in_progress')")
	case "overdue":
		add("t.status IN ('new', 'in_progress') AND t.deadline < ?", f.Now)
	}
	if f.From != nil {
		add("t.deadline >= ?", *f.From)
	}
	if f.To != nil {
		add("t.deadline < ?", *f.To)
	}
	if f.OnlyUser > 0 {
		add("t.card_id IN (SELECT id FROM cards WHERE warmer_id = ? OR manager_id = ? OR accountant_id = ?)", f.OnlyUser, f.OnlyUser, f.OnlyUser)
	}
	if f.BeforeID > 0 {
		add("t.id < ?", f.BeforeID)
	}
	q := `SELECT t.id, t.card_id, t.stage, t.assignee_id, t.rolls, c.warmer_id, c.manager_id, c.accountant_id,
	t.kind, t.status, t.fields, c.last4,
	u.name, COALESCE(d.name, ''), t.deadline, t.created_at, t.done_at
FROM auto_tasks t
JOIN cards c ON c.id = t.card_id
JOIN users u ON u.id = t.assignee_id
LEFT JOIN users d ON d.id = t.done_by
WHERE ` + strings.Join(conds, " AND ") + ` ORDER BY t.id DESC LIMIT ?`
	rs, err := s.reader.QueryContext(ctx, q, append(args, f.Limit+1)...)
	if err != nil {
		return nil, false, fmt.Errorf("auto tasks: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var r AutoTaskRow
		if err := rs.Scan(&r.ID, &r.CardID, &r.Stage, &r.AssigneeID, &r.Rolls, &r.WarmerID, &r.ManagerID, &r.AccountantID, &r.Kind, &r.Status, &r.Fields, &r.Last4,
			&r.AssigneeName, &r.DoneByName, &r.Deadline, &r.CreatedAt, &r.DoneAt); err != nil {
			return nil, false, err
		}
		rows = append(rows, r)
	}
	if len(rows) > f.Limit {
		rows, more = rows[:f.Limit], true
	}
	return rows, more, rs.Err()
}
