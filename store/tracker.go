package store

import (
	"context"
	"fmt"

	"kartoteka/store/db"
)

// TrackerRows are a stage's open tasks, most urgent first, for everyone (who nil)
// or one person. Everyone's come from the open tasks' stage index; one person's
// from their own open tasks' index (a few hundred at most), never from the stage's
// thousands checked one by one (SPEC section 10).
func (s *Store) TrackerRows(ctx context.Context, stage int64, who *int64) ([]db.AutoTaskTrackerRow, error) {
	return s.TrackerPage(ctx, stage, who, -1, 0)
}

// TrackerPage is one page of TrackerRows: limit tasks (-1: all) after offset. The
// page's ids are read in order from an index of the open stage tasks (by stage,
// or by person and stage, then deadline; migration 000008), which stops after the
// page, and only they are joined to their card, bank and person: a page of a
// stage with thousands of open tasks costs the page, not the stage.
func (s *Store) TrackerPage(ctx context.Context, stage int64, who *int64, limit, offset int) ([]db.AutoTaskTrackerRow, error) {
	index, cond, args := "auto_tasks_open_page", "", []any{stage}
	if who != nil {
		index, cond, args = "auto_tasks_open_page_assignee", " AND assignee_id = ?", append(args, *who)
	}
	rs, err := s.reader.QueryContext(ctx, `SELECT t.id, t.card_id, t.stage, t.kind, t.status, t.deadline, t.rolls, t.assignee_id, u.name,
	c.last4, c.version, b.name
FROM (SELECT id, deadline FROM auto_tasks INDEXED BY `+index+`
	WHERE status IN ('new', 'in_progress') AND kind IN ('stage', 'warming') AND stage = ?`+cond+`
	ORDER BY deadline, id LIMIT ? OFFSET ?) p
JOIN auto_tasks t ON t.id = p.id
JOIN cards c ON c.id = t.card_id
JOIN banks b ON b.id = c.bank_id
JOIN users u ON u.id = t.assignee_id
ORDER BY p.deadline, p.id`, append(args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("tracker: %w", err)
	}
	defer rs.Close()
	var out []db.AutoTaskTrackerRow
	for rs.Next() {
		var r db.AutoTaskTrackerRow
		if err := rs.Scan(&r.ID, &r.CardID, &r.Stage, &r.Kind, &r.Status, &r.Deadline, &r.Rolls, &r.AssigneeID, &r.AssigneeName,
			&r.Last4, &r.Version, &r.BankName); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// TrackerCounts are the open tasks per stage, for everyone or one person, each
// from its covering index.
func (s *Store) TrackerCounts(ctx context.Context, who *int64) (map[int64]int64, error) {
	q := `SELECT stage, COUNT(*) FROM auto_tasks INDEXED BY auto_tasks_open_stage
WHERE status IN ('new', 'in_progress') AND kind IN ('stage', 'warming') GROUP BY stage`
	var args []any
	if who != nil {
		q = `SELECT stage, COUNT(*) FROM auto_tasks INDEXED BY auto_tasks_open_assignee
WHERE assignee_id = ? AND status IN ('new', 'in_progress') AND kind IN ('stage', 'warming') GROUP BY stage`
		args = []any{*who}
	}
	rs, err := s.reader.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("tracker counts: %w", err)
	}
	defer rs.Close()
	out := map[int64]int64{}
	for rs.Next() {
		var st, n int64
		if err := rs.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rs.Err()
}
