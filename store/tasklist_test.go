package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"kartoteka/app/tasks"
	"kartoteka/store/db"
)

// seedTask is one seeded task as the brute-force filter sees it.
type seedTask struct {
	id, author, assignee int64
	title                string
	status               tasks.Status
	deadline             time.Time
}

var taskTitles = []string{"Позвонить в Банк", "проверить карту клиента", "Отчёт за МАРТ", "Забрать доступ", "Сверка выписки",
	"Call the BANK", "ёлка и Ёж", "о", "Подготовить документы по карте № 12"}

// seedTasks writes n tasks between the people with deadlines in minutes around
// now, a few exactly on boundaries.
func seedTasks(t *testing.T, s *Store, people []int64, now time.Time, n int, r *rand.Rand) []seedTask {
	t.Helper()
	ctx := context.Background()
	var out []seedTask
	err := s.InTx(ctx, func(tx *Tx) error {
		for i := 0; i < n; i++ {
			st := tasks.Statuses[r.IntN(4)]
			dl := now.Truncate(time.Minute).Add(time.Duration(r.IntN(6000)-3000) * time.Minute)
			if i%25 == 0 {
				dl = now.Truncate(time.Minute) // the boundary minute
			}
			x := seedTask{author: people[r.IntN(len(people))], assignee: people[r.IntN(len(people))],
				title: taskTitles[r.IntN(len(taskTitles))], status: st, deadline: dl}
			id, err := tx.TaskCreate(ctx, db.TaskCreateParams{Title: x.title, TitleLc: strings.ToLower(x.title),
				AuthorID: x.author, AssigneeID: x.assignee, Deadline: dl, Now: now.Add(time.Duration(i) * time.Second)})
			if err != nil {
				return err
			}
			if st != tasks.New {
				if _, err := tx.TaskSetStatus(ctx, db.TaskSetStatusParams{Status: string(st), Now: now, ID: id, Version: 1}); err != nil {
					return err
				}
			}
			x.id = id
			out = append(out, x)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// bruteTasks is the filter and sort written the obvious way over all rows.
func bruteTasks(all []seedTask, f TaskFilter) []int64 {
	var rows []seedTask
	for _, x := range all {
		switch {
		case f.Tab == "in" && x.assignee != f.UserID, f.Tab == "out" && x.author != f.UserID,
			f.AuthorID > 0 && x.author != f.AuthorID, f.AssigneeID > 0 && x.assignee != f.AssigneeID,
			len(f.Statuses) > 0 && !slices.Contains(f.Statuses, x.status),
			f.Overdue == "yes" && !tasks.Overdue(x.status, x.deadline, f.Now),
			f.Overdue == "no" && tasks.Overdue(x.status, x.deadline, f.Now),
			f.From != nil && x.deadline.Before(*f.From), f.To != nil && !x.deadline.Before(*f.To),
			f.Search != "" && !strings.Contains(strings.ToLower(x.title), strings.ToLower(searchText(f.Search))):
			continue
		}
		rows = append(rows, x)
	}
	slices.SortFunc(rows, func(a, b seedTask) int {
		byDeadline := func() int {
			if c := a.deadline.Compare(b.deadline); c != 0 {
				return c
			}
			return int(a.id - b.id)
		}
		switch f.Sort {
		case "-deadline":
			return -byDeadline()
		case "-created":
			return int(b.id - a.id)
		case "created":
			return int(a.id - b.id)
		case "status":
			if c := a.status.Rank() - b.status.Rank(); c != 0 {
				return c
			}
		}
		return byDeadline()
	})
	ids := make([]int64, len(rows))
	for i, x := range rows {
		ids[i] = x.id
	}
	return ids
}

// pageAll reads every page of a filter through the keyset cursor.
func pageAll(t *testing.T, s *Store, f TaskFilter) []int64 {
	t.Helper()
	var ids []int64
	for pages := 0; ; pages++ {
		rows, more, err := s.Tasks(context.Background(), f)
		if err != nil {
			t.Fatalf("Tasks(%+v): %v", f, err)
		}
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		if !more {
			return ids
		}
		if len(rows) == 0 || pages > 1000 {
			t.Fatalf("Tasks(%+v): more without rows", f)
		}
		f.After = rows[len(rows)-1].Cursor(f.Sort)
	}
}

func TestTaskFiltersAgainstBruteForce(t *testing.T) {
	s := openTest(t)
	var people []int64
	for i, role := range []string{"owner", "admin", "manager", "accountant", "warmer", "manager"} {
		people = append(people, addUser(t, s, fmt.Sprintf("u%d", i), role).ID)
	}
	now := time.Date(2025, 3, 10, 15, 0, 0, 0, time.UTC) // 18:00 in Moscow
	r := rand.New(rand.NewPCG(6, 6))
	all := seedTasks(t, s, people, now, 600, r)

	check := func(name string, f TaskFilter) {
		t.Helper()
		want := bruteTasks(all, f)
		got := pageAll(t, s, f)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %+v\n got %d rows %v\nwant %d rows %v", name, f, len(got), firstIDs(got), len(want), firstIDs(want))
		}
	}
	open := []tasks.Status{tasks.New, tasks.InProgress}
	from, to := now.Add(-20*time.Hour), now.Add(10*time.Hour)
	// Each filter alone.
	base := TaskFilter{Tab: "all", Now: now, Limit: 37}
	alone := map[string]func(*TaskFilter){
		"none":         func(f *TaskFilter) {},
		"in":           func(f *TaskFilter) { f.Tab, f.UserID = "in", people[2] },
		"out":          func(f *TaskFilter) { f.Tab, f.UserID = "out", people[3] },
		"author":       func(f *TaskFilter) { f.AuthorID = people[1] },
		"assignee":     func(f *TaskFilter) { f.AssigneeID = people[4] },
		"open":         func(f *TaskFilter) { f.Statuses = open },
		"done":         func(f *TaskFilter) { f.Statuses = []tasks.Status{tasks.Done} },
		"new+done":     func(f *TaskFilter) { f.Statuses = []tasks.Status{tasks.New, tasks.Done} },
		"overdue":      func(f *TaskFilter) { f.Overdue = "yes" },
		"not overdue":  func(f *TaskFilter) { f.Overdue = "no" },
		"period":       func(f *TaskFilter) { f.From, f.To = &from, &to },
		"from":         func(f *TaskFilter) { f.From = &from },
		"search":       func(f *TaskFilter) { f.Search = "БАНК" },
		"search ё":     func(f *TaskFilter) { f.Search = "ЁЖ" },
		"search 1":     func(f *TaskFilter) { f.Search = "о" },
		"search none":  func(f *TaskFilter) { f.Search = "%" },
		"search NUL":   func(f *TaskFilter) { f.Search = "ба\x00нк" },
		"search quote": func(f *TaskFilter) { f.Search = `"банк` },
		"search 2":     func(f *TaskFilter) { f.Search = "ЁЛ" },
	}
	for _, rare := range []int{3000, 1} { // searches read from the trigram index, then walked
		searchRareMax = rare
		for name, set := range alone {
			for _, sort := range TaskSorts {
				f := base
				f.Sort = sort
				set(&f)
				check(fmt.Sprintf("%s %s (rare below %d)", name, sort, rare), f)
			}
		}
	}
	searchRareMax = 3000
	// The overdue boundary: at the deadline minute a task is not yet overdue; a
	// second later it is (in the office zone 18:00 is 15:00 UTC).
	for _, n := range []time.Time{now.Add(-time.Second), now, now.Add(time.Second), now.Add(time.Minute), now.Add(1500 * time.Millisecond)} {
		for _, od := range []string{"yes", "no"} {
			check("boundary "+n.Format(time.RFC3339Nano)+" "+od, TaskFilter{Tab: "all", Now: n, Overdue: od, Limit: 50})
			check("boundary open "+od, TaskFilter{Tab: "in", UserID: people[2], Statuses: open, Now: n, Overdue: od, Limit: 50})
		}
	}
	// Tab badges: open and overdue per tab.
	for _, u := range people[:3] {
		var want TaskCounts
		for _, x := range all {
			if !x.status.Open() {
				continue
			}
			od := int64(0)
			if tasks.Overdue(x.status, x.deadline, now) {
				od = 1
			} else if want.Next.IsZero() || x.deadline.Before(want.Next) { // every open task counts in «Все задачи»
				want.Next = x.deadline
			}
			want.AllOpen, want.AllOverdue = want.AllOpen+1, want.AllOverdue+od
			if x.assignee == u {
				want.InOpen, want.InOverdue = want.InOpen+1, want.InOverdue+od
			}
			if x.author == u {
				want.OutOpen, want.OutOverdue = want.OutOpen+1, want.OutOverdue+od
			}
		}
		got, err := s.TaskBadges(context.Background(), u, true, now)
		got.Next, want.Next = got.Next.UTC(), want.Next.UTC()
		if err != nil || got != want {
			t.Errorf("badges of %d: %+v %v, want %+v", u, got, err, want)
		}
	}
	// Random combinations.
	searches := []string{"", "", "", "карт", "БАНК", "о", "zzz"}
	statusSets := [][]tasks.Status{nil, nil, open, open, {tasks.Done}, {tasks.Cancelled, tasks.InProgress}, {tasks.Done, tasks.Cancelled}}
	for i := 0; i < 300; i++ {
		f := TaskFilter{Tab: []string{"all", "in", "out"}[r.IntN(3)], UserID: people[r.IntN(len(people))], Now: now,
			Statuses: statusSets[r.IntN(len(statusSets))], Overdue: []string{"", "", "yes", "no"}[r.IntN(4)],
			Search: searches[r.IntN(len(searches))], Sort: TaskSorts[r.IntN(len(TaskSorts))], Limit: 1 + r.IntN(40)}
		if r.IntN(3) == 0 {
			f.AuthorID = people[r.IntN(len(people))]
		}
		if r.IntN(3) == 0 {
			f.AssigneeID = people[r.IntN(len(people))]
		}
		if r.IntN(3) == 0 {
			a, b := now.Add(time.Duration(r.IntN(100)-60)*time.Hour), now.Add(time.Duration(r.IntN(100))*time.Hour)
			f.From, f.To = &a, &b
		}
		if r.IntN(4) == 0 {
			f.Now = now.Add(time.Duration(r.IntN(7200)-3600) * time.Second)
		}
		check(fmt.Sprintf("combo %d", i), f)
	}
}

func firstIDs(ids []int64) []int64 {
	if len(ids) > 12 {
		return ids[:12]
	}
	return ids
}

// TestTaskPlans checks the tabs' default lists and badges stay on their indexes
// (a dropped index fails here, not at 200,000 tasks).
func TestTaskPlans(t *testing.T) {
	s := openTest(t)
	u := addUser(t, s, "m", "manager").ID
	now := time.Now()
	open := []tasks.Status{tasks.New, tasks.InProgress}
	for _, c := range []struct {
		f    TaskFilter
		want string
	}{
		{TaskFilter{Tab: "in", UserID: u, Statuses: open, Now: now}, "tasks_open_assignee"},
		{TaskFilter{Tab: "out", UserID: u, Statuses: open, Now: now}, "tasks_open_author"},
		{TaskFilter{Tab: "all", Statuses: open, Now: now}, "tasks_open"},
		{TaskFilter{Tab: "in", UserID: u, Now: now}, "tasks_assignee"},
		{TaskFilter{Tab: "out", UserID: u, Now: now, Sort: "-deadline"}, "tasks_author"},
		{TaskFilter{Tab: "all", Now: now}, "tasks_deadline"},
		{TaskFilter{Tab: "all", Statuses: open, Overdue: "yes", Now: now}, "tasks_open"},
		{TaskFilter{Tab: "all", Sort: "status", Now: now}, "tasks_status"},
		{TaskFilter{Tab: "in", UserID: u, Sort: "status", Now: now}, "tasks_assignee_status"},
		{TaskFilter{Tab: "all", Sort: "-created", Statuses: []tasks.Status{tasks.Done}, Now: now}, "SCAN t"},
		{TaskFilter{Tab: "in", UserID: u, Sort: "-created", Statuses: []tasks.Status{tasks.Done}, Now: now}, "tasks_assignee_st_id"},
	} {
		plan, err := s.TasksPlan(context.Background(), c.f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, c.want) || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%+v: plan\n%s\nwant %s without a sort", c.f, plan, c.want)
		}
	}
	// The badge counts name their partial indexes (INDEXED BY): a dropped index is an error.
	if _, err := s.TaskBadges(context.Background(), u, true, now); err != nil {
		t.Errorf("badges: %v", err)
	}
}
