package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kartoteka/store/db"
)

// seedTracker fills a database with n cards in work, each with an open stage task
// and done tasks for the stages before it (the SPEC's "5,000 cards in work").
func seedTracker(tb testing.TB, s *Store, n int) (users []int64) {
	tb.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	err := s.InTx(ctx, func(tx *Tx) error {
		for i, role := range []string{"warmer", "manager", "accountant", "manager", "manager"} {
			r, err := tx.Raw.ExecContext(ctx, `INSERT INTO users (login, name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, 'x', ?, ?)`,
				fmt.Sprintf("u%d", i), fmt.Sprintf("User %d", i), role, now, now)
			if err != nil {
				return err
			}
			id, _ := r.LastInsertId()
			users = append(users, id)
		}
		if _, err := tx.Raw.ExecContext(ctx, `INSERT INTO banks (name, created_at, updated_at) VALUES ('B', ?, ?)`, now, now); err != nil {
			return err
		}
		if _, err := tx.Raw.ExecContext(ctx, `INSERT INTO contractors (name, created_at, updated_at) VALUES ('S', ?, ?)`, now, now); err != nil {
			return err
		}
		card, err := tx.Raw.PrepareContext(ctx, `INSERT INTO cards (number, last4, bank_id, supplier_id, warmer_id, manager_id, accountant_id,
			warming_days, warming_every_days, lifecycle, stage, stage_entered_at, created_at, updated_at)
			VALUES (?, ?, 1, 1, ?, ?, ?, 14, 1, 'in_work', ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		task, err := tx.Raw.PrepareContext(ctx, `INSERT INTO auto_tasks (card_id, stage, kind, assignee_id, status, deadline, created_at)
			VALUES (?, ?, 'stage', ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			stage := i%9 + 1
			mgr := users[1+2*(i%2)]
			num := fmt.Sprintf("4%015d", i)
			r, err := card.ExecContext(ctx, num, num[12:], users[0], mgr, users[2], stage, now, now, now)
			if err != nil {
				return err
			}
			id, _ := r.LastInsertId()
			for st := 1; st <= stage; st++ {
				status := "done"
				if st == stage {
					status = "new"
				}
				if _, err := task.ExecContext(ctx, id, st, mgr, status, now.Add(time.Duration(i%48-24)*time.Hour), now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return users
}

func openTB(tb testing.TB) *Store {
	tb.Helper()
	s, err := Open(context.Background(), filepath.Join(tb.TempDir(), "kartoteka.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func plan(tb testing.TB, s *Store, q string, args ...any) string {
	tb.Helper()
	p, err := s.Explain(context.Background(), q, args...)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// TestTrackerQueriesUseIndexes keeps the tracker's queries off full scans of the task table.
func TestTrackerQueriesUseIndexes(t *testing.T) {
	s := openTest(t)
	seedTracker(t, s, 200)
	for name, q := range map[string]string{
		"tracker stage": `SELECT t.id FROM auto_tasks t JOIN cards c ON c.id = t.card_id
			WHERE t.status IN ('new', 'in_progress') AND t.kind = 'stage' AND t.stage = 3 ORDER BY t.deadline, t.id`,
		"stage counts": `SELECT stage, COUNT(*) FROM auto_tasks WHERE status IN ('new', 'in_progress') AND kind = 'stage' GROUP BY stage`,
		"user counts":  `SELECT COUNT(*) FROM auto_tasks WHERE assignee_id = 2 AND status IN ('new', 'in_progress')`,
		"card tasks":   `SELECT * FROM auto_tasks WHERE card_id = 5 ORDER BY id`,
	} {
		p := plan(t, s, q)
		if strings.Contains(p, "SCAN t\n") || strings.Contains(p, "SCAN auto_tasks\n") {
			t.Errorf("%s: full scan of auto_tasks:\n%s", name, p)
		}
	}
}

// BenchmarkTracker measures the queries behind /tracker with 5,000 cards in work.
func BenchmarkTracker(b *testing.B) {
	s := openTB(b)
	users := seedTracker(b, s, 5000)
	ctx := context.Background()
	mgr := users[1]
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.TrackerCounts(ctx, nil); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Q.AutoTaskTracker(ctx, db.AutoTaskTrackerParams{Stage: int64(i%9 + 1)}); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Q.AutoTaskUserCounts(ctx, db.AutoTaskUserCountsParams{Now: time.Now(), AssigneeID: mgr}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrackerStage3 measures stage 3 as the tracker reads it — a page of
// cards, each with its warming tasks — with 5,000 cards in work, three open
// warming tasks on each stage-3 card, against the page of tasks it replaced.
func BenchmarkTrackerStage3(b *testing.B) {
	s := openTB(b)
	seedTracker(b, s, 5000)
	ctx := context.Background()
	if _, err := s.writer.ExecContext(ctx, `INSERT INTO auto_tasks (card_id, stage, kind, assignee_id, status, deadline, created_at)
		SELECT t.card_id, 3, 'warming', t.assignee_id, 'new', datetime(t.deadline, '-' || d.n || ' days'), t.created_at
		FROM auto_tasks t, (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) d
		WHERE t.stage = 3 AND t.kind = 'stage' AND t.status = 'new'`); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		read func() error
	}{
		{"cards_page", func() error { _, err := s.TrackerCardsPage(ctx, 3, nil, 200, 0); return err }},
		{"cards_page3", func() error { _, err := s.TrackerCardsPage(ctx, 3, nil, 200, 400); return err }},
		{"tasks_page", func() error { _, err := s.TrackerPage(ctx, 3, nil, 200, 0); return err }},
		{"counts", func() error { _, err := s.TrackerCounts(ctx, nil); return err }},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := c.read(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
