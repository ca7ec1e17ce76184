package store

import (
	"context"
	"testing"
	"time"
)

// TestGenerateStdTasks: the generator's standard tasks look like an office's:
// every status, about 5 % overdue, some on cards, some with comments, skewed
// assignees; and the lists read them correctly (brute force on a sample).
func TestGenerateStdTasks(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	if err := s.Generate(ctx, GenerateOptions{Archived: 30, InWork: 10, Transactions: 50, AutoTasks: 300, StdTasks: 4000,
		PasswordHash: "x", Now: now}, nil); err != nil {
		t.Fatal(err)
	}
	total := count(t, s, "tasks")
	if total != 4000 {
		t.Fatalf("%d tasks", total)
	}
	overdue := count(t, s, "tasks WHERE status IN ('new', 'in_progress') AND deadline < ?", now)
	if overdue < total*2/100 || overdue > total*8/100 {
		t.Errorf("overdue %d of %d, want about 5 %%", overdue, total)
	}
	for _, q := range []string{"tasks WHERE status = 'cancelled'", "tasks WHERE status = 'done'", "tasks WHERE card_id IS NOT NULL",
		"task_comments", "tasks WHERE status IN ('new', 'in_progress') AND deadline >= ?"} {
		if count(t, s, q, now) == 0 {
			t.Errorf("no %s", q)
		}
	}
	var top int
	if err := s.reader.QueryRow("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM tasks GROUP BY assignee_id)").Scan(&top); err != nil {
		t.Fatal(err)
	}
	if top < total/10 {
		t.Errorf("busiest assignee has %d of %d: not skewed", top, total)
	}
}
