package store

import (
	"context"
	"database/sql"
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
	return scanTracker(rs)
}

// scanTracker reads tracker rows (the columns of TrackerPage's select).
func scanTracker(rs *sql.Rows) ([]db.AutoTaskTrackerRow, error) {
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

// TrackerCardsPage is one page of a stage's cards rather than tasks (stage 3,
// where warming tasks stand beside the stage task): limit cards after offset, in
// the order of their stage tasks (most urgent first), each followed by its open
// warming tasks of the stage (the person's own when who is set), by deadline. The
// page's stage tasks come from the same index as TrackerPage, cut after the page;
// only their cards' tasks are read (auto_tasks_card).
func (s *Store) TrackerCardsPage(ctx context.Context, stage int64, who *int64, limit, offset int) ([]db.AutoTaskTrackerRow, error) {
	index, cond, args := "auto_tasks_open_page", "", []any{stage}
	whoCond, whoArgs := "", []any{}
	if who != nil {
		index, cond, args = "auto_tasks_open_page_assignee", " AND assignee_id = ?", append(args, *who)
		whoCond, whoArgs = " AND t.assignee_id = ?", []any{*who}
	}
	args = append(append(append(args, limit, offset), stage), whoArgs...)
	rs, err := s.reader.QueryContext(ctx, `SELECT t.id, t.card_id, t.stage, t.kind, t.status, t.deadline, t.rolls, t.assignee_id, u.name,
	c.last4, c.version, b.name
FROM (SELECT id, deadline FROM auto_tasks INDEXED BY `+index+`
	WHERE status IN ('new', 'in_progress') AND kind IN ('stage', 'warming') AND kind = 'stage' AND stage = ?`+cond+`
	ORDER BY deadline, id LIMIT ? OFFSET ?) p
JOIN auto_tasks st ON st.id = p.id
JOIN auto_tasks t INDEXED BY auto_tasks_card ON t.card_id = st.card_id
	AND t.status IN ('new', 'in_progress') AND t.kind IN ('stage', 'warming') AND t.stage = ?`+whoCond+`
JOIN cards c ON c.id = t.card_id
JOIN banks b ON b.id = c.bank_id
JOIN users u ON u.id = t.assignee_id
ORDER BY p.deadline, p.id, t.kind <> 'stage', t.deadline, t.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("tracker cards: %w", err)
	}
	return scanTracker(rs)
}

// TrackerCounts are the cards per stage with an open task, for everyone or one
// person, each from its covering index. A card counts once: stage 3's warming
// tasks are listed under their card, not counted beside it. A card in work has
// exactly one open stage task, held by its responsible, who also holds the card's
// warming tasks (they follow the warmer together): so the open stage tasks are
// the cards.
func (s *Store) TrackerCounts(ctx context.Context, who *int64) (map[int64]int64, error) {
	q := `SELECT stage, COUNT(*) FROM auto_tasks INDEXED BY auto_tasks_open_stage
WHERE status IN ('new', 'in_progress') AND kind = 'stage' GROUP BY stage`
	var args []any
	if who != nil {
		q = `SELECT stage, COUNT(*) FROM auto_tasks INDEXED BY auto_tasks_open_assignee
WHERE assignee_id = ? AND status IN ('new', 'in_progress') AND kind = 'stage' GROUP BY stage`
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
