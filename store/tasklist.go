package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"kartoteka/app/tasks"
	"kartoteka/store/db"
)

// TaskFilter is a «Задачи» tab (all, in, out) with its filters, sort and page.
// Hand-written SQL like the archive: only the filters in use reach SQLite, and the
// open-status term is written exactly as the partial indexes' WHERE so they apply.
type TaskFilter struct {
	Tab        string // "all", "in" (assigned to UserID), "out" (written by UserID)
	UserID     int64
	AuthorID   int64
	AssigneeID int64
	Statuses   []tasks.Status // none: every status
	Overdue    string         // "", "yes", "no"
	From, To   *time.Time     // deadline in [From, To)
	Search     string         // substring of the title, any case
	Sort       string         // TaskSorts
	After      string         // keyset cursor of the last row shown (TaskRow.Cursor)
	Now        time.Time
	Limit      int

	searchRare bool // the search matches few titles: read them from the trigram index
}

// searchRareMax is how many matching titles still count as few.
var searchRareMax = 3000

// checkSearch decides how the title search is read: a word found in few titles
// through the trigram index (a walk would read every row to fill a page); a
// common one by checking each row of the walk (the index would list thousands).
func (s *Store) checkSearch(ctx context.Context, f *TaskFilter) error {
	q := searchText(f.Search)
	if len([]rune(q)) < 3 {
		return nil
	}
	var n int
	err := s.reader.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM tasks_search WHERE tasks_search MATCH ? LIMIT ?)",
		ftsPhrase("title", q), searchRareMax).Scan(&n)
	f.searchRare = n < searchRareMax
	return err
}

// TaskSorts are the list's orders: deadline first, latest deadline first, newest, oldest, by status.
var TaskSorts = []string{"deadline", "-deadline", "-created", "created", "status"}

// TaskRow is one task in a list.
type TaskRow struct {
	ID, AuthorID, AssigneeID int64
	CardID                   *int64
	Title, Status            string
	AuthorName, AssigneeName string
	Deadline, CreatedAt      time.Time
	Comments                 int64
}

// Cursor is the keyset position of the row under a sort, for the next page's After.
func (r TaskRow) Cursor(sort string) string {
	id := strconv.FormatInt(r.ID, 10)
	switch sort {
	case "created", "-created":
		return id
	case "status":
		return strconv.Itoa(tasks.Status(r.Status).Rank()) + "_" + strconv.FormatInt(r.Deadline.Unix(), 10) + "_" + id
	}
	return strconv.FormatInt(r.Deadline.Unix(), 10) + "_" + id
}

// openTerm is the partial indexes' WHERE, word for word.
const openTerm = "t.status IN ('new', 'in_progress')"

// statusSet is the statuses the filter admits, after the overdue choice.
func (f TaskFilter) statusSet() []tasks.Status {
	set := f.Statuses
	if len(set) == 0 {
		set = tasks.Statuses
	}
	var out []tasks.Status
	for _, s := range tasks.Statuses { // canonical order, no repeats, no unknowns
		if slices.Contains(set, s) && (f.Overdue != "yes" || s.Open()) {
			out = append(out, s)
		}
	}
	return out
}

// where builds the conditions; ok is false when no row can match.
func (f TaskFilter) where() (string, []any, bool) {
	var conds []string
	var args []any
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	switch f.Tab {
	case "in":
		add("t.assignee_id = ?", f.UserID)
	case "out":
		add("t.author_id = ?", f.UserID)
	}
	if f.AuthorID > 0 {
		add("t.author_id = ?", f.AuthorID)
	}
	if f.AssigneeID > 0 {
		add("t.assignee_id = ?", f.AssigneeID)
	}
	set := f.statusSet()
	onlyOpen := len(set) > 0 && !slices.ContainsFunc(set, func(s tasks.Status) bool { return !s.Open() })
	switch {
	case len(set) == 0:
		return "", nil, false
	case len(set) == 2 && onlyOpen:
		add(openTerm)
	case len(set) == len(tasks.Statuses):
	default:
		in := make([]any, len(set))
		for i, s := range set {
			in[i] = string(s)
		}
		add("t.status IN (?"+strings.Repeat(", ?", len(set)-1)+")", in...)
	}
	now := f.Now.UTC()
	switch f.Overdue {
	case "yes":
		add("t.deadline < ?", now)
	case "no":
		if onlyOpen {
			add("t.deadline >= ?", now)
		} else {
			add("(t.status IN ('done', 'cancelled') OR t.deadline >= ?)", now)
		}
	}
	if f.From != nil {
		add("t.deadline >= ?", f.From.UTC())
	}
	if f.To != nil {
		add("t.deadline < ?", f.To.UTC())
	}
	if q := searchText(f.Search); f.searchRare {
		add("t.id IN (SELECT rowid FROM tasks_search WHERE tasks_search MATCH ?)", ftsPhrase("title", q))
	} else if q != "" {
		// A common word (or 1–2 characters, which the trigram index cannot serve):
		// checked on each row of the walk, which meets matches soon.
		add("instr(t.title_lc, ?) > 0", strings.ToLower(q))
	}
	if len(conds) == 0 {
		conds = []string{"1=1"}
	}
	return strings.Join(conds, " AND "), args, true
}

// order is the ORDER BY and the keyset condition after the cursor.
func (f TaskFilter) order() (order, after string, args []any) {
	parts := strings.Split(f.After, "_")
	nums := make([]int64, 0, 3)
	for _, p := range parts {
		if n, err := strconv.ParseInt(p, 10, 64); err == nil {
			nums = append(nums, n)
		}
	}
	ts := func(n int64) time.Time { return time.Unix(n, 0).UTC() }
	switch f.Sort {
	case "-deadline":
		order = "t.deadline DESC, t.id DESC"
		if len(nums) == 2 {
			after, args = "(t.deadline, t.id) < (?, ?)", []any{ts(nums[0]), nums[1]}
		}
	case "-created":
		order = "t.id DESC"
		if len(nums) == 1 {
			after, args = "t.id < ?", []any{nums[0]}
		}
	case "created":
		order = "t.id"
		if len(nums) == 1 {
			after, args = "t.id > ?", []any{nums[0]}
		}
	case "status":
		// The codes' reverse alphabetical order is Новая, В работе, Выполнена, Отменена:
		// the status indexes are declared DESC on it.
		order = "t.status DESC, t.deadline, t.id"
		if len(nums) == 3 && nums[0] >= 0 && int(nums[0]) < len(tasks.Statuses) {
			st := string(tasks.Statuses[nums[0]])
			after, args = "(t.status < ? OR (t.status = ? AND (t.deadline, t.id) > (?, ?)))", []any{st, st, ts(nums[1]), nums[2]}
		}
	default:
		order = "t.deadline, t.id"
		if len(nums) == 2 {
			after, args = "(t.deadline, t.id) > (?, ?)", []any{ts(nums[0]), nums[1]}
		}
	}
	return order, after, args
}

// idQuery is the query of a page's ids (the limit is the last argument).
func (f TaskFilter) idQuery() (string, []any, bool) {
	q, args, ok := f.selectRows("t.id")
	return q + " LIMIT ?", args, ok
}

// selectRows is the query of the filter's tasks in order, giving cols (of
// "tasks t"): the page's ids and the export's rows come from the same query.
func (f TaskFilter) selectRows(cols string) (string, []any, bool) {
	w, args, ok := f.where()
	if !ok {
		return "", nil, false
	}
	order, after, aargs := f.order()
	if after != "" {
		w, args = w+" AND "+after, append(args, aargs...)
	}
	return "SELECT " + cols + " FROM tasks t" + f.hint() + " WHERE " + w + " ORDER BY " + order, args, true
}

// hint names the partial index of open tasks when only open tasks are asked for:
// without statistics SQLite takes the full per-person index as just as good and
// then reads every done task of the person too.
func (f TaskFilter) hint() string {
	set := f.statusSet()
	if (f.Sort == "created" || f.Sort == "-created") && f.Tab == "all" && f.AuthorID == 0 && f.AssigneeID == 0 &&
		f.From == nil && f.To == nil && !f.searchRare {
		// Newest (oldest) first over everyone: walk the table in id order and stop
		// after a page, instead of sorting every task of the statuses asked for.
		return " NOT INDEXED"
	}
	if f.Sort == "status" {
		return "" // the status indexes give that order
	}
	if len(set) != 2 || !set[0].Open() || !set[1].Open() {
		return ""
	}
	switch {
	case f.Tab == "in" || f.AssigneeID > 0:
		return " INDEXED BY tasks_open_assignee"
	case f.Tab == "out" || f.AuthorID > 0:
		return " INDEXED BY tasks_open_author"
	}
	return " INDEXED BY tasks_open"
}

// Tasks reads one page of a tab; more is true when there is a next page.
func (s *Store) Tasks(ctx context.Context, f TaskFilter) (rows []TaskRow, more bool, err error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	if !slices.Contains(TaskSorts, f.Sort) {
		f.Sort = "deadline"
	}
	if err := s.checkSearch(ctx, &f); err != nil {
		return nil, false, fmt.Errorf("task search: %w", err)
	}
	q, args, ok := f.idQuery()
	if !ok {
		return nil, false, nil
	}
	rs, err := s.reader.QueryContext(ctx, q, append(args, f.Limit+1)...)
	if err != nil {
		return nil, false, fmt.Errorf("task ids: %w", err)
	}
	var ids []any
	for rs.Next() {
		var id int64
		if err := rs.Scan(&id); err != nil {
			rs.Close()
			return nil, false, err
		}
		ids = append(ids, id)
	}
	rs.Close()
	if err := rs.Err(); err != nil || len(ids) == 0 {
		return nil, false, err
	}
	if len(ids) > f.Limit {
		ids, more = ids[:f.Limit], true
	}
	rs, err = s.reader.QueryContext(ctx, `SELECT t.id, t.author_id, t.assignee_id, t.card_id, t.title, t.status, a.name, u.name,
	t.deadline, t.created_at, (SELECT COUNT(*) FROM task_comments m WHERE m.task_id = t.id)
FROM tasks t JOIN users a ON a.id = t.author_id JOIN users u ON u.id = t.assignee_id
WHERE t.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, ids...)
	if err != nil {
		return nil, false, fmt.Errorf("task rows: %w", err)
	}
	defer rs.Close()
	byID := map[int64]TaskRow{}
	for rs.Next() {
		var r TaskRow
		if err := rs.Scan(&r.ID, &r.AuthorID, &r.AssigneeID, &r.CardID, &r.Title, &r.Status, &r.AuthorName, &r.AssigneeName,
			&r.Deadline, &r.CreatedAt, &r.Comments); err != nil {
			return nil, false, err
		}
		byID[r.ID] = r
	}
	for _, id := range ids {
		rows = append(rows, byID[id.(int64)])
	}
	return rows, more, rs.Err()
}

// TasksEach calls each for every task of the tab and filters, in the page's
// order, from one database cursor (the export): After and Limit are ignored.
func (s *Store) TasksEach(ctx context.Context, f TaskFilter, each func(TaskRow) error) error {
	f.After = ""
	if !slices.Contains(TaskSorts, f.Sort) {
		f.Sort = "deadline"
	}
	q, args, ok := f.selectRows(`t.id, t.author_id, t.assignee_id, t.card_id, t.title, t.status, t.deadline, t.created_at,
	(SELECT COUNT(*) FROM task_comments m WHERE m.task_id = t.id)`)
	if !ok {
		return nil
	}
	n, err := s.names(ctx)
	if err != nil {
		return err
	}
	rs, err := s.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("tasks export: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var r TaskRow
		if err := rs.Scan(&r.ID, &r.AuthorID, &r.AssigneeID, &r.CardID, &r.Title, &r.Status, &r.Deadline, &r.CreatedAt, &r.Comments); err != nil {
			return err
		}
		r.AuthorName, r.AssigneeName = n.users[r.AuthorID], n.users[r.AssigneeID]
		if err := each(r); err != nil {
			return err
		}
	}
	return rs.Err()
}

// searchText is the typed search without control characters (a NUL is an FTS error).
func searchText(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s))
}

// TasksPlan explains a filter's id query (tests check it stays on an index).
func (s *Store) TasksPlan(ctx context.Context, f TaskFilter) (string, error) {
	if !slices.Contains(TaskSorts, f.Sort) {
		f.Sort = "deadline"
	}
	q, args, ok := f.idQuery()
	if !ok {
		return "", nil
	}
	return s.Explain(ctx, q, append(args, 50)...)
}

// TaskCounts are a user's tab badges: open and overdue per tab.
type TaskCounts struct {
	InOpen, InOverdue, OutOpen, OutOverdue, AllOpen, AllOverdue int64
	// Next is the first deadline not yet passed among the counted open tasks
	// (zero: none): until it passes the overdue counts stand.
	Next time.Time
}

// TaskBadges counts the open and overdue tasks of the user's tabs (all only for the owner).
func (s *Store) TaskBadges(ctx context.Context, userID int64, owner bool, now time.Time) (TaskCounts, error) {
	var c TaskCounts
	now = now.UTC()
	in, err := s.Q.TaskOpenAssignee(ctx, db.TaskOpenAssigneeParams{Now: now, UserID: userID})
	if err != nil {
		return c, err
	}
	out, err := s.Q.TaskOpenAuthor(ctx, db.TaskOpenAuthorParams{Now: now, UserID: userID})
	if err != nil {
		return c, err
	}
	c.InOpen, c.InOverdue, c.OutOpen, c.OutOverdue = in.Open, in.Overdue, out.Open, out.Overdue
	if owner {
		all, err := s.Q.TaskOpenAll(ctx, now)
		if err != nil {
			return c, err
		}
		c.AllOpen, c.AllOverdue = all.Open, all.Overdue
	}
	// The next deadline of each counted list: the first entry of its open-task
	// index at or after now.
	const open = " status IN ('new', 'in_progress') AND deadline >= ? ORDER BY deadline LIMIT 1"
	next := []struct {
		q    string
		args []any
	}{
		{"SELECT deadline FROM tasks INDEXED BY tasks_open_assignee WHERE assignee_id = ? AND" + open, []any{userID, now}},
		{"SELECT deadline FROM tasks INDEXED BY tasks_open_author WHERE author_id = ? AND" + open, []any{userID, now}},
	}
	if owner {
		next = append(next, struct {
			q    string
			args []any
		}{"SELECT deadline FROM tasks INDEXED BY tasks_open WHERE" + open, []any{now}})
	}
	for _, n := range next {
		var d time.Time
		err := s.reader.QueryRowContext(ctx, n.q, n.args...).Scan(&d)
		if isNoRows(err) {
			continue
		}
		if err != nil {
			return c, fmt.Errorf("task badges: next deadline: %w", err)
		}
		if c.Next.IsZero() || d.Before(c.Next) {
			c.Next = d
		}
	}
	return c, nil
}
