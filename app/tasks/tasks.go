// Package tasks holds the rules of standard tasks («Задачи»): statuses, who may
// see and do what, deadlines typed as a date alone, overdue and row colours.
// It is pure: no database, no HTTP, no clock reads (time is passed in).
package tasks

import (
	"strings"
	"time"
	"unicode"
)

// Status is a task's state, stored in the database; do not rename.
type Status string

// The four statuses (SPEC section 5).
const (
	New        Status = "new"
	InProgress Status = "in_progress"
	Done       Status = "done"
	Cancelled  Status = "cancelled"
)

// Statuses in the order lists show and sort them.
var Statuses = []Status{New, InProgress, Done, Cancelled}

// Label is the status as shown on screen.
func (s Status) Label() string {
	switch s {
	case New:
		return "Новая"
	case InProgress:
		return "В работе"
	case Done:
		return "Выполнена"
	case Cancelled:
		return "Отменена"
	}
	return string(s)
}

// Valid tells whether s is one of the four statuses.
func (s Status) Valid() bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// Open tells whether a task with status s still waits for work.
func (s Status) Open() bool { return s == New || s == InProgress }

// Rank is the status's place in a sort by status.
func (s Status) Rank() int {
	for i, x := range Statuses {
		if x == s {
			return i
		}
	}
	return len(Statuses)
}

// Overdue: not done or cancelled and the deadline has passed (computed, never stored).
func Overdue(s Status, deadline, now time.Time) bool { return s.Open() && now.After(deadline) }

// Class is the row colour: overdue red wins over in-progress yellow, done green, cancelled grey.
func Class(s Status, deadline, now time.Time) string {
	switch {
	case Overdue(s, deadline, now):
		return "kt-overdue"
	case s == InProgress:
		return "kt-progress"
	case s == Done:
		return "kt-done"
	case s == Cancelled:
		return "kt-cancelled"
	}
	return ""
}

// Person is who acts: their id and whether they are the owner.
type Person struct {
	ID    int64
	Owner bool
	Admin bool
}

// Task is what the rules need to know of a task.
type Task struct {
	AuthorID, AssigneeID int64
	OnCard               bool
	Status               Status
}

// Action is something done to a task.
type Action string

// Actions on a task: the status moves, editing and commenting.
const (
	Take    Action = "take"    // Новая → В работе (assignee)
	Finish  Action = "done"    // Новая/В работе → Выполнена (assignee)
	Reopen  Action = "reopen"  // Выполнена → В работе (assignee)
	Cancel  Action = "cancel"  // Новая/В работе → Отменена (author)
	Restore Action = "restore" // Отменена → Новая (author)
	Edit    Action = "edit"    // title, description, deadline, assignee (author)
	Comment Action = "comment" // author, assignee, owner
)

// StatusActions are the buttons of a task page, in the order shown.
var StatusActions = []Action{Take, Finish, Reopen, Cancel, Restore}

// Label is the button's text.
func (a Action) Label() string {
	switch a {
	case Take:
		return "Взять в работу"
	case Finish:
		return "Выполнена"
	case Reopen:
		return "Вернуть в работу"
	case Cancel:
		return "Отменить"
	case Restore:
		return "Восстановить"
	case Edit:
		return "Изменить"
	case Comment:
		return "Комментировать"
	}
	return string(a)
}

// Target is the status an action moves the task to ("" for edit and comment).
func (a Action) Target() Status {
	switch a {
	case Take, Reopen:
		return InProgress
	case Finish:
		return Done
	case Cancel:
		return Cancelled
	case Restore:
		return New
	}
	return ""
}

// CanSee: the author, the assignee and the owner; an admin also sees tasks on cards.
func CanSee(p Person, t Task) bool {
	return p.Owner || p.ID == t.AuthorID || p.ID == t.AssigneeID || (p.Admin && t.OnCard)
}

// Allowed tells whether the person may do the action now, given the task's status.
// The assignee (or the owner) moves the work; the author (or the owner) edits,
// cancels and restores; nobody else changes it.
func Allowed(p Person, t Task, a Action) bool {
	assignee := p.Owner || p.ID == t.AssigneeID
	author := p.Owner || p.ID == t.AuthorID
	switch a {
	case Take:
		return assignee && t.Status == New
	case Finish:
		return assignee && t.Status.Open()
	case Reopen:
		return assignee && t.Status == Done
	case Cancel:
		return author && t.Status.Open()
	case Restore:
		return author && t.Status == Cancelled
	case Edit:
		return author && t.Status.Open()
	case Comment:
		return p.Owner || p.ID == t.AuthorID || p.ID == t.AssigneeID
	}
	return false
}

// Limits of the form fields.
const (
	MaxTitle       = 200
	MaxDescription = 10000
	MaxComment     = 4000
)

// ParseDeadline reads the deadline typed as a date ('YYYY-MM-DD' or 'DD.MM.YYYY')
// and an optional time ('HH:MM') in the office zone; a date alone means the end
// of the working day (workdayEndMin minutes after midnight). It returns UTC.
func ParseDeadline(date, clock string, loc *time.Location, workdayEndMin int) (time.Time, string) {
	date, clock = strings.TrimSpace(date), strings.TrimSpace(clock)
	if date == "" {
		return time.Time{}, "Укажите дедлайн"
	}
	// A datetime-local value: "2026-12-02T15:04".
	if d, c, ok := strings.Cut(date, "T"); ok && clock == "" {
		date, clock = d, c
	}
	var day time.Time
	var err error
	for _, layout := range []string{"2006-01-02", "02.01.2006", "2.1.2006"} {
		if day, err = time.ParseInLocation(layout, date, loc); err == nil {
			break
		}
	}
	if err != nil || day.Year() < 2000 || day.Year() > 2100 {
		return time.Time{}, "Дата в формате ДД.ММ.ГГГГ"
	}
	minutes := workdayEndMin
	if clock != "" {
		t, err := time.Parse("15:04", clock)
		if err != nil {
			return time.Time{}, "Время в формате ЧЧ:ММ"
		}
		minutes = t.Hour()*60 + t.Minute()
	}
	return time.Date(day.Year(), day.Month(), day.Day(), 0, minutes, 0, 0, loc).UTC(), ""
}

// CleanText refuses control characters (except line breaks and tabs in
// multi-line text) and bidi overrides; it returns a Russian message or "".
func CleanText(s string, multiline bool) string {
	for _, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\r' || r == '\t'):
		case unicode.IsControl(r):
			return "Недопустимые символы в тексте"
		case r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069', r == '\u200e', r == '\u200f', r == '\u061c':
			return "Недопустимые символы в тексте"
		}
	}
	return ""
}
