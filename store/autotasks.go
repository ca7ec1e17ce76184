package store

import (
	"context"
	"fmt"
	"slices"
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

// Finding a page of «Автозадачи» among millions of rows (SPEC section 10):
//   - the page's ids come first, from auto_tasks alone: joined to cards and users,
//     SQLite starts from the small users table and sorts every task;
//   - with no filter, or filters with an index ordered by id (card, stage,
//     assignee, status), it walks newest first and stops after a page;
//   - a period first walks the newest rows of the other filters (recent periods
//     are found there); failing that, it finds the period's newest task on the
//     deadline index and walks down from it; only failing that too, it sorts the
//     period's rows;
//   - "own cards" (warmers, managers): for someone with many cards, the walk
//     newest first meets theirs often; for someone with few, their cards' tasks
//     are read through auto_tasks_card and sorted.
var (
	autoTaskUserScan = 2000 // cards above which "own cards" walks the history
	autoTaskProbe    = 4000 // rows a period's walk looks at before it gives up
)

// AutoTasks reads one page of the tracker history, newest first; more is true
// when there is a next page.
func (s *Store) AutoTasks(ctx context.Context, f AutoTaskFilter) (rows []AutoTaskRow, more bool, err error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	q, err := s.autoTaskQuery(ctx, f)
	if err != nil {
		return nil, false, err
	}
	ids, err := s.autoTaskIDs(ctx, q, f.Limit+1)
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
WHERE t.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY t.id DESC`, ids...)
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

// AutoTasksEach calls each for every task the filter finds, newest first, from
// one database cursor: the same conditions as the page (autoTaskQuery) with no
// page limit, so an export holds what the pages hold, one row at a time.
// BeforeID and Limit are ignored. The cards table is joined as the inner loop
// (CROSS JOIN keeps SQLite walking the tasks in id order); names come from the
// small users table read once.
func (s *Store) AutoTasksEach(ctx context.Context, f AutoTaskFilter, each func(AutoTaskRow) error) error {
	f.BeforeID = 0
	q, err := s.autoTaskQuery(ctx, f)
	if err != nil {
		return err
	}
	n, err := s.names(ctx)
	if err != nil {
		return err
	}
	w, args := q.where(true, 0, true)
	rs, err := s.reader.QueryContext(ctx, `SELECT t.id, t.card_id, t.stage, t.assignee_id, t.rolls, c.warmer_id, c.manager_id, c.accountant_id,
	t.kind, t.status, t.fields, c.last4, t.done_by, t.deadline, t.created_at, t.done_at
FROM `+q.from+` CROSS JOIN cards c ON c.id = t.card_id WHERE `+w+` ORDER BY t.id DESC`, args...)
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

// autoTaskSQL is the id query of a filter: the table (with an index hint), the
// conditions, and the period's conditions kept apart for the probe.
type autoTaskSQL struct {
	from       string
	conds      []string
	args       []any
	period     []string // on a bare "deadline"
	periodArgs []any
	own        string // "own cards" checked on each row (bare "card_id"), or ""
	ownArgs    []any
	before     int64
}

// where joins the conditions: the period's and "own cards" checked on each row
// or not, below id before (if > 0), the other filters' or not.
func (q autoTaskSQL) where(period bool, before int64, filters bool) (string, []any) {
	conds, args := []string{"1=1"}, []any{}
	if filters {
		conds, args = append(conds, q.conds...), append(args, q.args...)
	}
	if period {
		for _, c := range q.period {
			conds = append(conds, "t."+c)
		}
		args = append(args, q.periodArgs...)
	}
	if period && filters && q.own != "" {
		conds, args = append(conds, strings.ReplaceAll(q.own, "card_id", "t.card_id")), append(args, q.ownArgs...)
	}
	if before > 0 {
		conds, args = append(conds, "t.id < ?"), append(args, before)
	}
	return strings.Join(conds, " AND "), args
}

// autoTaskQuery builds the id query; for "own cards" it first counts (up to the
// threshold) the user's cards to pick the way.
func (s *Store) autoTaskQuery(ctx context.Context, f AutoTaskFilter) (autoTaskSQL, error) {
	q := autoTaskSQL{from: "auto_tasks t", before: f.BeforeID}
	add := func(c string, a ...any) { q.conds = append(q.conds, c); q.args = append(q.args, a...) }
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
		q.period, q.periodArgs = append(q.period, "deadline >= ?"), append(q.periodArgs, *f.From)
	}
	if f.To != nil {
		q.period, q.periodArgs = append(q.period, "deadline < ?"), append(q.periodArgs, *f.To)
	}
	if u := f.OnlyUser; u > 0 {
		var n int
		if err := s.reader.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM cards WHERE warmer_id = ? LIMIT ?))
			+ (SELECT COUNT(*) FROM (SELECT 1 FROM cards WHERE manager_id = ? LIMIT ?))
			+ (SELECT COUNT(*) FROM (SELECT 1 FROM cards WHERE accountant_id = ? LIMIT ?))`,
			u, autoTaskUserScan+1, u, autoTaskUserScan+1, u, autoTaskUserScan+1).Scan(&n); err != nil {
			return q, fmt.Errorf("auto tasks: own cards: %w", err)
		}
		if n > autoTaskUserScan {
			// A scalar subquery, not EXISTS: SQLite turns EXISTS into a join with a Bloom
			// filter built over every card of the user first.
			q.own, q.ownArgs = "(SELECT o.warmer_id = ? OR o.manager_id = ? OR o.accountant_id = ? FROM cards o WHERE o.id = card_id)", []any{u, u, u}
		} else {
			q.from = "auto_tasks t INDEXED BY auto_tasks_card"
			add(`t.card_id IN (SELECT id FROM cards WHERE warmer_id = ? UNION ALL SELECT id FROM cards WHERE manager_id = ?
				UNION ALL SELECT id FROM cards WHERE accountant_id = ?)`, u, u, u)
		}
	}
	return q, nil
}

// autoTaskIDs reads up to n ids, newest first.
func (s *Store) autoTaskIDs(ctx context.Context, q autoTaskSQL, n int) ([]any, error) {
	if len(q.period) > 0 {
		ids, ok, err := s.autoTaskProbe(ctx, q, q.before, n)
		if err != nil || ok {
			return ids, err
		}
		// Not among the newest rows: the period's newest task (whatever the other
		// filters) bounds the page from above, and the rows just below it are
		// mostly in the period. Finding it ranges over the deadline index once,
		// which costs less than sorting the range.
		w, args := q.where(true, q.before, false)
		var top *int64
		if err := s.reader.QueryRowContext(ctx, "SELECT MAX(t.id) FROM auto_tasks t INDEXED BY auto_tasks_deadline WHERE "+w, args...).Scan(&top); err != nil {
			return nil, fmt.Errorf("auto tasks: %w", err)
		}
		if top == nil {
			return nil, nil
		}
		if ids, ok, err = s.autoTaskProbe(ctx, q, *top+1, n); err != nil || ok {
			return ids, err
		}
	}
	var ids []any
	w, args := q.where(true, q.before, true)
	rs, err := s.reader.QueryContext(ctx, "SELECT t.id FROM "+q.from+" WHERE "+w+" ORDER BY t.id DESC LIMIT ?", append(args, n)...)
	if err != nil {
		return nil, fmt.Errorf("auto tasks: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var id int64
		if err := rs.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rs.Err()
}

// autoTaskProbe walks the rows of the indexed filters below id before (0: from
// the newest), at most autoTaskProbe of them, checking the period and "own cards".
// ok is true when that settles the page: it is full, or no row was left unseen.
func (s *Store) autoTaskProbe(ctx context.Context, q autoTaskSQL, before int64, n int) (ids []any, ok bool, err error) {
	w, args := q.where(false, before, true)
	check, cargs := strings.Join(q.period, " AND "), slices.Clip(q.periodArgs)
	if q.own != "" { // CASE: the card is looked up only for rows in the period
		check, cargs = "CASE WHEN "+check+" THEN "+q.own+" ELSE 0 END", append(cargs, q.ownArgs...)
	}
	rs, err := s.reader.QueryContext(ctx, "SELECT id, "+check+" FROM (SELECT t.id, t.deadline, t.card_id FROM "+q.from+
		" WHERE "+w+" ORDER BY t.id DESC LIMIT ?)", append(append(cargs, args...), autoTaskProbe)...)
	if err != nil {
		return nil, false, fmt.Errorf("auto tasks: %w", err)
	}
	defer rs.Close()
	seen := 0
	for len(ids) < n && rs.Next() {
		var id int64
		var in bool
		if err := rs.Scan(&id, &in); err != nil {
			return nil, false, err
		}
		seen++
		if in {
			ids = append(ids, id)
		}
	}
	if err := rs.Err(); err != nil {
		return nil, false, err
	}
	return ids, len(ids) == n || seen < autoTaskProbe, nil
}

// AutoTasksPlan explains the «Автозадачи» id query for a filter (for tests and
// benchmarks); with a period, the probe's plan comes first.
func (s *Store) AutoTasksPlan(ctx context.Context, f AutoTaskFilter) (string, error) {
	q, err := s.autoTaskQuery(ctx, f)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	explain := func(sql string, args ...any) error {
		p, err := s.Explain(ctx, sql, args...)
		b.WriteString(p)
		return err
	}
	if len(q.period) > 0 {
		w, args := q.where(false, q.before, true)
		if err := explain("SELECT t.id, t.deadline FROM "+q.from+" WHERE "+w+" ORDER BY t.id DESC LIMIT 1", args...); err != nil {
			return "", err
		}
		w, args = q.where(true, q.before, false)
		b.WriteString("then\n")
		if err := explain("SELECT MAX(t.id) FROM auto_tasks t INDEXED BY auto_tasks_deadline WHERE "+w, args...); err != nil {
			return "", err
		}
		b.WriteString("then\n")
	}
	w, args := q.where(true, q.before, true)
	err = explain("SELECT t.id FROM "+q.from+" WHERE "+w+" ORDER BY t.id DESC LIMIT 51", args...)
	return b.String(), err
}
