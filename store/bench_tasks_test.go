package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"kartoteka/app/tasks"
)

// BenchmarkTaskTabs measures the «Задачи» tabs (SPEC section 10: ≤ 50 ms p95 at
// 200,000 standard tasks): for each tab, the page's list and its badges, over
// filter combinations × a busy, a middling and a quiet person, first pages and
// a next page. Reported as p50/p95 milliseconds per tab.
//
// The database is KARTOTEKA_TASKS_BENCH_DB (generated there on the first run,
// with a small rest of the office), else a temporary one.
//
//	go test ./store -run '^$' -bench TaskTabs -benchtime 3x
func BenchmarkTaskTabs(b *testing.B) {
	ctx := context.Background()
	path := os.Getenv("KARTOTEKA_TASKS_BENCH_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "tasks.db")
	}
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	_, statErr := os.Stat(path)
	s, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if statErr != nil {
		start := time.Now()
		if err := s.Generate(ctx, GenerateOptions{Archived: 20_000, InWork: 2_000, Transactions: 50_000, AutoTasks: 100_000,
			StdTasks: 200_000, PasswordHash: "x", Now: now}, nil); err != nil {
			b.Fatal(err)
		}
		if _, err := s.writer.ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
		b.Logf("generated in %s", time.Since(start).Round(time.Second))
	}
	var n int
	_ = s.reader.QueryRow("SELECT COUNT(*) FROM tasks").Scan(&n)
	// People by how many tasks they have: busiest, middling, quietest.
	rows, err := s.reader.Query("SELECT assignee_id FROM tasks GROUP BY assignee_id ORDER BY COUNT(*) DESC")
	if err != nil {
		b.Fatal(err)
	}
	var byLoad []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		byLoad = append(byLoad, id)
	}
	rows.Close()
	people := []int64{byLoad[0], byLoad[len(byLoad)/2], byLoad[len(byLoad)-1]}
	open := []tasks.Status{tasks.New, tasks.InProgress}
	month, lastYear := now.AddDate(0, -1, 0), now.AddDate(-1, 0, 0)
	combos := map[string]func(f *TaskFilter){
		"default (open)":     func(f *TaskFilter) { f.Statuses = open },
		"every status":       func(f *TaskFilter) {},
		"done":               func(f *TaskFilter) { f.Statuses = []tasks.Status{tasks.Done} },
		"cancelled":          func(f *TaskFilter) { f.Statuses = []tasks.Status{tasks.Cancelled} },
		"overdue":            func(f *TaskFilter) { f.Statuses = open; f.Overdue = "yes" },
		"overdue any status": func(f *TaskFilter) { f.Overdue = "yes" },
		"not overdue":        func(f *TaskFilter) { f.Overdue = "no" },
		"period month":       func(f *TaskFilter) { f.From, f.To = &month, &now },
		"period year open":   func(f *TaskFilter) { f.From, f.To, f.Statuses = &lastYear, &now, open },
		"author":             func(f *TaskFilter) { f.AuthorID = people[1] },
		"assignee":           func(f *TaskFilter) { f.AssigneeID = people[0] },
		"author+assignee":    func(f *TaskFilter) { f.AuthorID, f.AssigneeID = people[0], people[1] },
		"search word":        func(f *TaskFilter) { f.Search = "БАНК" },
		"search rare":        func(f *TaskFilter) { f.Search = "нет такого" },
		"search 1 char":      func(f *TaskFilter) { f.Search = "я" },
		"search + open":      func(f *TaskFilter) { f.Search = "карт"; f.Statuses = open },
		"sort -deadline":     func(f *TaskFilter) { f.Sort = "-deadline" },
		"sort created":       func(f *TaskFilter) { f.Sort = "created" },
		"sort -created done": func(f *TaskFilter) { f.Sort = "-created"; f.Statuses = []tasks.Status{tasks.Done} },
		"sort status":        func(f *TaskFilter) { f.Sort = "status" },
		"sort status open":   func(f *TaskFilter) { f.Sort = "status"; f.Statuses = open },
		"everything": func(f *TaskFilter) {
			f.From, f.To, f.AuthorID, f.Search, f.Overdue = &lastYear, &now, people[0], "а", "no"
		},
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range combos {
			if !yield(k) {
				return
			}
		}
	})
	times := map[string][]time.Duration{}
	type slow struct {
		what string
		d    time.Duration
	}
	var slowest []slow
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, tab := range []string{"all", "in", "out"} {
			users := people
			if tab == "all" {
				users = people[:1]
			}
			for _, u := range users {
				for _, name := range names {
					f := TaskFilter{Tab: tab, UserID: u, Now: now, Limit: 50}
					combos[name](&f)
					t0 := time.Now()
					page, more, err := s.Tasks(ctx, f)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := s.TaskBadges(ctx, u, tab == "all", now); err != nil {
						b.Fatal(err)
					}
					d := time.Since(t0)
					times[tab] = append(times[tab], d)
					slowest = append(slowest, slow{fmt.Sprintf("%s/%s/user %d", tab, name, u), d})
					if more { // the next page through the cursor
						f.After = page[len(page)-1].Cursor(f.Sort)
						t0 = time.Now()
						if _, _, err := s.Tasks(ctx, f); err != nil {
							b.Fatal(err)
						}
						times[tab] = append(times[tab], time.Since(t0))
					}
				}
			}
		}
	}
	b.StopTimer()
	for _, tab := range []string{"all", "in", "out"} {
		d := times[tab]
		slices.Sort(d)
		p50, p95 := d[len(d)/2], d[len(d)*95/100]
		b.ReportMetric(float64(p50.Microseconds())/1000, tab+"-p50-ms")
		b.ReportMetric(float64(p95.Microseconds())/1000, tab+"-p95-ms")
	}
	slices.SortFunc(slowest, func(a, b slow) int { return int(b.d - a.d) })
	for _, x := range slowest[:min(8, len(slowest))] {
		b.Logf("slow: %-45s %s", x.what, x.d.Round(10*time.Microsecond))
	}
	b.Logf("%d tasks; people with most/median/fewest tasks: %v", n, people)
}
