package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// AutoTaskFilter is the «Автозадачи» tab's filters. Hand-written SQL like the
// archive: only the filters in use reach SQLite, on the index picked for them.
type AutoTaskFilter struct {
	CardID     int64
	Stage      int64
	AssigneeID int64
	Status     string // "new", "in_progress", "done", "cancelled", "overdue", "open"
	From, To   *time.Time
	OnlyUser   int64 // warmer/manager: tasks of cards where they are responsible
	Now        time.Time
	BeforeID   int64 // keyset paging: the rows after this task (by deadline, then id)
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

// Finding a page of «Автозадачи» among millions of rows (SPEC section 10): the
// history is ordered by deadline, latest first (then id), and every combination of
// stage, person and status has an index ending in the deadline (migration 3), so
// a page — with or without a period, which is a range of that last column — is a
// walk of one index that stops after the page:
//   - a card: its few tasks (auto_tasks_card), sorted;
//   - a status other than "done" (new, in progress, open, overdue, cancelled) is a
//     small part of the history: its index with the person or the stage, the few
//     rows sorted or walked in order;
//   - person and stage, person, stage, "done", nothing: the index of those in order;
//   - "own cards" (warmers, managers): for someone with many cards, the walk checks
//     each row's card; for someone with few, their cards' tasks are read through
//     auto_tasks_card and sorted.
//   - "own cards" and another person as the assignee: that person's tasks on the
//     user's cards are on the cards the two share (or the person has left, see
//     migration 12); when those are few their tasks are read and sorted, else the
//     person's history is walked (their tasks are then a fair part of it).
var (
	autoTaskUserScan = 2000 // cards above which "own cards" walks the history
	autoTaskShared   = 500  // shared cards above which "own cards" + assignee walks the assignee's history
)

// ownCards returns the query of the cards whose tasks "own cards" of user u
// (with another person as the assignee, if given) reads through auto_tasks_card,
// or "" when there are too many and the history is walked instead.
func (s *Store) ownCards(ctx context.Context, u, assignee int64) (string, []any, error) {
	if assignee > 0 && assignee != u {
		// One person per slot: the cards both are on are three pair indexes, each
		// read both ways; a card the assignee has left is in card_people_past.
		q := `SELECT id FROM cards WHERE warmer_id = ? AND manager_id = ?
			UNION ALL SELECT id FROM cards WHERE manager_id = ? AND warmer_id = ?
			UNION ALL SELECT id FROM cards WHERE warmer_id = ? AND accountant_id = ?
			UNION ALL SELECT id FROM cards WHERE accountant_id = ? AND warmer_id = ?
			UNION ALL SELECT id FROM cards WHERE manager_id = ? AND accountant_id = ?
			UNION ALL SELECT id FROM cards WHERE accountant_id = ? AND manager_id = ?
			UNION ALL SELECT p.card_id FROM card_people_past p JOIN cards c ON c.id = p.card_id
				WHERE p.user_id = ? AND (c.warmer_id = ? OR c.manager_id = ? OR c.accountant_id = ?)`
		args := []any{u, assignee, u, assignee, u, assignee, u, assignee, u, assignee, u, assignee, assignee, u, u, u}
		if n, err := s.countUpTo(ctx, q, args, autoTaskShared); err != nil || n <= autoTaskShared {
			return q, args, err
		}
	}
	q := `SELECT id FROM cards WHERE warmer_id = ? UNION ALL SELECT id FROM cards WHERE manager_id = ?
		UNION ALL SELECT id FROM cards WHERE accountant_id = ?`
	args := []any{u, u, u}
	n, err := s.countUpTo(ctx, q, args, autoTaskUserScan)
	if err != nil || n > autoTaskUserScan {
		return "", nil, err
	}
	return q, args, nil
}

// countUpTo counts the rows of q, stopping past limit.
func (s *Store) countUpTo(ctx context.Context, q string, args []any, limit int) (int, error) {
	var n int
	if err := s.reader.QueryRowContext(ctx, "SELECT COUNT(*) FROM ("+q+" LIMIT ?)", append(args[:len(args):len(args)], limit+1)...).Scan(&n); err != nil {
		return 0, fmt.Errorf("auto tasks: own cards: %w", err)
	}
	return n, nil
}

// smallStatus tells the statuses that are a small part of a decade's history.
func smallStatus(s string) bool {
	switch s {
	case "new", "in_progress", "open", "overdue", "cancelled":
		return true
	}
	return false
}

// AutoTasks reads one page of the tracker history, latest deadline first; more is
// true when there is a next page.
func (s *Store) AutoTasks(ctx context.Context, f AutoTaskFilter) (rows []AutoTaskRow, more bool, err error) {
	ctx, cancel := Budget(ctx)
	defer cancel()
	defer func() { err = tooBroad(ctx, err) }()
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	q, args, err := s.autoTaskQuery(ctx, f, f.Limit+1)
	if err != nil {
		return nil, false, err
	}
	ids, err := s.ids(ctx, q, args)
	if err != nil || len(ids) == 0 {
		return nil, false, err
	}
	if len(ids) > f.Limit {
		ids, more = ids[:f.Limit], true
	}
	rs, err := s.reader.QueryContext(ctx, `SELECT t.id, t.card_id, t.stage, t.assignee_id, t.rolls, c.warmer_id, c.manager_id, c.accountant_id,
	t.kind, t.status, t.fields, c.last4,
	u.name, COALESCE(d.name, ''), t.deadline, t.created_at, t.done_at
FROM auto_tasks t
JOIN cards c ON c.id = t.card_id
JOIN users u ON u.id = t.assignee_id
LEFT JOIN users d ON d.id = t.done_by
WHERE t.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY t.deadline DESC, t.id DESC`, ids...)
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
	return rows, more, rs.Err()
}

// AutoTasksEach calls each for every task the filter finds, in the pages' order,
// from one database cursor: the page's query (autoTaskSelect) without the page
// limit, so an export holds what the pages hold, one row at a time. BeforeID and
// Limit are ignored. The card is joined as the inner loop (CROSS JOIN keeps
// SQLite on the page's index); names come from the small users table read once.
func (s *Store) AutoTasksEach(ctx context.Context, f AutoTaskFilter, each func(AutoTaskRow) error) error {
	f.BeforeID = 0
	n, err := s.names(ctx)
	if err != nil {
		return err
	}
	q, args, err := s.autoTaskSelect(ctx, f, `t.id, t.card_id, t.stage, t.assignee_id, t.rolls, c.warmer_id, c.manager_id,
	c.accountant_id, t.kind, t.status, t.fields, c.last4, t.done_by, t.deadline, t.created_at, t.done_at`,
		" CROSS JOIN cards c ON c.id = t.card_id", -1)
	if err != nil {
		return err
	}
	rs, err := s.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("auto tasks export: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var r AutoTaskRow
		var doneBy *int64
		if err := rs.Scan(&r.ID, &r.CardID, &r.Stage, &r.AssigneeID, &r.Rolls, &r.WarmerID, &r.ManagerID, &r.AccountantID, &r.Kind, &r.Status, &r.Fields, &r.Last4,
			&doneBy, &r.Deadline, &r.CreatedAt, &r.DoneAt); err != nil {
			return err
		}
		r.AssigneeName = n.users[r.AssigneeID]
		if doneBy != nil {
			r.DoneByName = n.users[*doneBy]
		}
		if err := each(r); err != nil {
			return err
		}
	}
	return rs.Err()
}

// ids runs an id query.
func (s *Store) ids(ctx context.Context, q string, args []any) ([]any, error) {
	rs, err := s.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("auto tasks: %w", err)
	}
	defer rs.Close()
	var ids []any
	for rs.Next() {
		var id int64
		if err := rs.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rs.Err()
}

// autoTaskIndex picks the index a filter's page is read from (see AutoTasks).
func autoTaskIndex(f AutoTaskFilter) string {
	small := smallStatus(f.Status)
	switch {
	case f.CardID > 0:
		return "auto_tasks_card"
	case small && f.AssigneeID > 0:
		return "auto_tasks_status_assignee_dl"
	case small || f.Status == "done" && f.Stage > 0 && f.AssigneeID == 0:
		if f.Stage > 0 {
			return "auto_tasks_status_stage_dl"
		}
		return "auto_tasks_status_dl"
	case f.AssigneeID > 0 && f.Stage > 0:
		return "auto_tasks_assignee_stage_dl"
	case f.AssigneeID > 0:
		return "auto_tasks_assignee_dl"
	case f.Stage > 0:
		return "auto_tasks_stage_dl"
	case f.Status == "done":
		return "auto_tasks_status_dl"
	}
	return "auto_tasks_deadline"
}

// autoTaskQuery builds the id query of a page of n rows; for "own cards" it first
// counts (up to the threshold) the user's cards to pick the way.
func (s *Store) autoTaskQuery(ctx context.Context, f AutoTaskFilter, n int) (string, []any, error) {
	return s.autoTaskSelect(ctx, f, "t.id", "", n)
}

// autoTaskSelect is autoTaskQuery selecting cols, with join after the tasks
// table (the export reads its rows through the very same conditions and index).
func (s *Store) autoTaskSelect(ctx context.Context, f AutoTaskFilter, cols, join string, n int) (string, []any, error) {
	index := autoTaskIndex(f)
	var conds []string
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
		add("t.status IN ('new', 'in_progress') AND t.deadline < ?", f.Now.UTC())
	}
	if f.From != nil {
		add("t.deadline >= ?", f.From.UTC())
	}
	if f.To != nil {
		add("t.deadline < ?", f.To.UTC())
	}
	if f.BeforeID > 0 {
		// The page after a task: below its deadline, or at it below its id.
		var dl string
		err := s.reader.QueryRowContext(ctx, "SELECT CAST(deadline AS TEXT) FROM auto_tasks WHERE id = ?", f.BeforeID).Scan(&dl)
		switch {
		case isNoRows(err):
			add("0") // the page after a task that does not exist (a typed address): nothing
		case err != nil:
			return "", nil, fmt.Errorf("auto tasks: page after %d: %w", f.BeforeID, err)
		default:
			add("(t.deadline, t.id) < (?, ?)", dl, f.BeforeID)
		}
	}
	if u := f.OnlyUser; u > 0 {
		var list string
		var largs []any
		if f.CardID == 0 { // a card's few tasks are read whole and checked
			var err error
			if list, largs, err = s.ownCards(ctx, u, f.AssigneeID); err != nil {
				return "", nil, err
			}
		}
		if list == "" {
			// A scalar subquery, not EXISTS: SQLite turns EXISTS into a join with a Bloom
			// filter built over every card of the user first. The card's people are read
			// from their narrow index (migration 16), not the wide cards rows.
			add("(SELECT o.warmer_id = ? OR o.manager_id = ? OR o.accountant_id = ? FROM cards o INDEXED BY cards_people WHERE o.id = t.card_id)", u, u, u)
		} else {
			index = "auto_tasks_card"
			add("t.card_id IN ("+list+")", largs...)
		}
	}
	w := "1=1"
	if len(conds) > 0 {
		w = strings.Join(conds, " AND ")
	}
	return "SELECT " + cols + " FROM auto_tasks t INDEXED BY " + index + join + " WHERE " + w +
		" ORDER BY t.deadline DESC, t.id DESC LIMIT ?", append(args, n), nil
}

// AutoTasksPlan explains the «Автозадачи» id query for a filter (for tests and benchmarks).
func (s *Store) AutoTasksPlan(ctx context.Context, f AutoTaskFilter) (string, error) {
	q, args, err := s.autoTaskQuery(ctx, f, 51)
	if err != nil {
		return "", err
	}
	return s.Explain(ctx, q, args...)
}
