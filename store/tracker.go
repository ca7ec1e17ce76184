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
	index, cond, args := "auto_tasks_open_stage", "", []any{stage}
	if who != nil {
		index, cond, args = "auto_tasks_open_assignee", " AND t.assignee_id = ?", append(args, *who)
	}
	rs, err := s.reader.QueryContext(ctx, `SELECT t.id, t.card_id, t.stage, t.kind, t.status, t.deadline, t.rolls, t.assignee_id, u.name,
	c.last4, c.version, b.name
FROM auto_tasks t INDEXED BY `+index+`
JOIN cards c ON c.id = t.card_id
JOIN banks b ON b.id = c.bank_id
JOIN users u ON u.id = t.assignee_id
WHERE t.status IN ('new', 'in_progress') AND t.kind IN ('stage', 'warming') AND t.stage = ?`+cond+`
ORDER BY t.deadline, t.id`, args...)
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

// TrackerCounts are the cards per stage with an open task, for everyone or one
// person, each from its covering index. A card counts once: stage 3's warming
// tasks are listed under their card, not counted beside it. Everyone's count
// reads the stage tasks alone (a card in work has exactly one open; warming tasks
// live only beside it); one person's counts their distinct cards.
func (s *Store) TrackerCounts(ctx context.Context, who *int64) (map[int64]int64, error) {
	q := `SELECT stage, COUNT(*) FROM auto_tasks INDEXED BY auto_tasks_open_stage
WHERE status IN ('new', 'in_progress') AND kind = 'stage' GROUP BY stage`
	var args []any
	if who != nil {
		q = `SELECT stage, COUNT(DISTINCT card_id) FROM auto_tasks INDEXED BY auto_tasks_open_assignee
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
