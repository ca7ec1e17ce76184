package tasks

import (
	"testing"
	"time"
)

func TestAllowed(t *testing.T) {
	const author, assignee, other, owner, admin = 1, 2, 3, 4, 5
	task := func(s Status) Task { return Task{AuthorID: author, AssigneeID: assignee, Status: s} }
	people := map[string]Person{"author": {ID: author}, "assignee": {ID: assignee}, "other": {ID: other},
		"owner": {ID: owner, Owner: true}, "admin": {ID: admin, Admin: true}}
	// who may press each action from each status
	want := map[Action]map[Status][]string{
		Take:    {New: {"assignee", "owner"}},
		Finish:  {New: {"assignee", "owner"}, InProgress: {"assignee", "owner"}},
		Reopen:  {Done: {"assignee", "owner"}},
		Cancel:  {New: {"author", "owner"}, InProgress: {"author", "owner"}},
		Restore: {Cancelled: {"author", "owner"}},
		Edit:    {New: {"author", "owner"}, InProgress: {"author", "owner"}},
		Comment: {New: {"author", "assignee", "owner"}, InProgress: {"author", "assignee", "owner"}, Done: {"author", "assignee", "owner"}, Cancelled: {"author", "assignee", "owner"}},
	}
	for a, byStatus := range want {
		for _, st := range Statuses {
			for name, p := range people {
				exp := false
				for _, w := range byStatus[st] {
					exp = exp || w == name
				}
				if got := Allowed(p, task(st), a); got != exp {
					t.Errorf("%s %s on a %s task: %v, want %v", name, a, st, got, exp)
				}
			}
		}
	}
	// Author and assignee the same person: both sets of buttons.
	self := Task{AuthorID: 7, AssigneeID: 7, Status: New}
	if !Allowed(Person{ID: 7}, self, Take) || !Allowed(Person{ID: 7}, self, Cancel) {
		t.Error("a task written for oneself: take and cancel both allowed")
	}
}

func TestCanSee(t *testing.T) {
	tk := Task{AuthorID: 1, AssigneeID: 2}
	for _, c := range []struct {
		p    Person
		card bool
		want bool
	}{{Person{ID: 1}, false, true}, {Person{ID: 2}, false, true}, {Person{ID: 3}, false, false}, {Person{ID: 3}, true, false},
		{Person{ID: 9, Owner: true}, false, true}, {Person{ID: 8, Admin: true}, false, false}, {Person{ID: 8, Admin: true}, true, true}} {
		tk.OnCard = c.card
		if got := CanSee(c.p, tk); got != c.want {
			t.Errorf("CanSee(%+v, card=%v) = %v, want %v", c.p, c.card, got, c.want)
		}
	}
}

func TestParseDeadline(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	cases := []struct {
		date, clock string
		want        time.Time
		bad         bool
	}{
		{"2026-12-02", "", time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC), false}, // end of working day 18:00 MSK
		{"02.12.2026", "", time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC), false},
		{"2026-12-02", "09:30", time.Date(2026, 12, 2, 6, 30, 0, 0, time.UTC), false},
		{"2026-12-02T23:59", "", time.Date(2026, 12, 2, 20, 59, 0, 0, time.UTC), false},
		{"", "", time.Time{}, true},
		{"завтра", "", time.Time{}, true},
		{"2026-13-40", "", time.Time{}, true},
		{"2026-12-02", "25:00", time.Time{}, true},
		{"1900-01-01", "", time.Time{}, true},
	}
	for _, c := range cases {
		got, msg := ParseDeadline(c.date, c.clock, msk, 1080)
		if c.bad != (msg != "") || (!c.bad && !got.Equal(c.want)) {
			t.Errorf("ParseDeadline(%q, %q) = %v %q, want %v bad=%v", c.date, c.clock, got, msg, c.want, c.bad)
		}
	}
}

func TestOverdueAndClass(t *testing.T) {
	dl := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	if Overdue(New, dl, dl) || !Overdue(New, dl, dl.Add(time.Second)) || Overdue(Done, dl, dl.Add(time.Hour)) {
		t.Error("overdue: strictly after the deadline and only while open")
	}
	late := dl.Add(time.Minute)
	for _, c := range []struct {
		s    Status
		now  time.Time
		want string
	}{{InProgress, late, "kt-overdue"}, {New, late, "kt-overdue"}, {InProgress, dl, "kt-progress"}, {Done, late, "kt-done"},
		{Cancelled, late, "kt-cancelled"}, {New, dl, ""}} {
		if got := Class(c.s, dl, c.now); got != c.want {
			t.Errorf("Class(%s) = %q, want %q", c.s, got, c.want)
		}
	}
}

func TestCleanText(t *testing.T) {
	for s, bad := range map[string]bool{"обычный текст": false, "a\x00b": true, "a\u202eb": true, "две\nстроки": false} {
		if got := CleanText(s, true) != ""; got != bad {
			t.Errorf("CleanText(%q) bad=%v, want %v", s, got, bad)
		}
	}
	if CleanText("две\nстроки", false) == "" {
		t.Error("a line break in a one-line field is refused")
	}
}
