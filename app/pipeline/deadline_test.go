package pipeline

import (
	"testing"
	"time"
)

func moscow(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	return loc
}

// office is the default office: Moscow, 18:00, the SPEC's day offsets.
func office(t *testing.T) Office {
	return Office{Loc: moscow(t), WorkdayEndMin: 1080, Days: map[Stage]int{
		AccessRebind: 1, WarmupTopup: 1, AccessTakeback: 1, WorkTopup: 1, Processing: 3, BankApplication: 1, ReturnToSupplier: 2}}
}

func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

func TestDeadlines(t *testing.T) {
	o := office(t)
	msk := o.Loc
	cases := []struct {
		name    string
		st      Stage
		entered time.Time
		warming int
		want    time.Time
	}{
		{"stage 1 in the morning", AccessRebind, time.Date(2025, 3, 10, 10, 0, 0, 0, msk), 14, utc(2025, 3, 11, 15, 0)},
		{"stage 1 after the working day", AccessRebind, time.Date(2025, 3, 10, 20, 0, 0, 0, msk), 14, utc(2025, 3, 11, 15, 0)},
		{"stage 1 just before midnight", AccessRebind, time.Date(2025, 3, 10, 23, 59, 0, 0, msk), 14, utc(2025, 3, 11, 15, 0)},
		// 22:30 UTC on the 10th is 01:30 on the 11th in Moscow: the office day is the 11th.
		{"stage 1 late at night UTC", AccessRebind, utc(2025, 3, 10, 22, 30), 14, utc(2025, 3, 12, 15, 0)},
		{"stage 1 at 20:59 UTC (23:59 Moscow)", AccessRebind, utc(2025, 3, 10, 20, 59), 14, utc(2025, 3, 11, 15, 0)},
		{"stage 2", WarmupTopup, utc(2025, 3, 10, 7, 0), 14, utc(2025, 3, 11, 15, 0)},
		{"stage 4", AccessTakeback, utc(2025, 3, 10, 7, 0), 14, utc(2025, 3, 11, 15, 0)},
		{"stage 5", WorkTopup, utc(2025, 3, 10, 7, 0), 14, utc(2025, 3, 11, 15, 0)},
		{"stage 6 is three days", Processing, utc(2025, 3, 10, 7, 0), 14, utc(2025, 3, 13, 15, 0)},
		{"stage 6 over a month end", Processing, utc(2025, 2, 27, 7, 0), 14, utc(2025, 3, 2, 15, 0)},
		{"stage 7", BankApplication, utc(2025, 3, 10, 7, 0), 14, utc(2025, 3, 11, 15, 0)},
		{"stage 9 is two days", ReturnToSupplier, utc(2025, 12, 31, 7, 0), 14, utc(2026, 1, 2, 15, 0)},
		{"stage 3 uses the warming days", Warming, utc(2025, 3, 10, 7, 0), 14, utc(2025, 3, 24, 15, 0)},
		{"stage 3 one day", Warming, utc(2025, 3, 10, 7, 0), 1, utc(2025, 3, 11, 15, 0)},
		{"stage 3 ninety days", Warming, utc(2025, 3, 10, 7, 0), 90, utc(2025, 6, 8, 15, 0)},
		{"stage 3 entered late at night UTC", Warming, utc(2025, 3, 10, 21, 30), 3, utc(2025, 3, 14, 15, 0)},
		{"stage 8 ends today", BankWait, time.Date(2025, 3, 10, 10, 0, 0, 0, msk), 14, utc(2025, 3, 10, 15, 0)},
		{"stage 8 entered late at night UTC", BankWait, utc(2025, 3, 10, 22, 0), 14, utc(2025, 3, 11, 15, 0)},
	}
	for _, c := range cases {
		got := o.Deadline(c.st, c.entered, c.warming)
		if !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("%s: Deadline = %v, want %v (UTC)", c.name, got, c.want)
		}
		if got.In(msk).Hour() != 18 || got.In(msk).Minute() != 0 {
			t.Errorf("%s: %v is not 18:00 in Moscow", c.name, got.In(msk))
		}
	}
	// The day offsets are settings: a changed offset moves the deadline.
	o.Days[AccessRebind] = 0
	if got := o.Deadline(AccessRebind, utc(2025, 3, 10, 7, 0), 14); !got.Equal(utc(2025, 3, 10, 15, 0)) {
		t.Errorf("offset 0: %v", got)
	}
	o.WorkdayEndMin = 17*60 + 30
	if got := o.Deadline(Processing, utc(2025, 3, 10, 7, 0), 14); !got.Equal(utc(2025, 3, 13, 14, 30)) {
		t.Errorf("workday end 17:30: %v", got)
	}
}

func TestOfficeDays(t *testing.T) {
	o := office(t)
	for _, c := range []struct {
		now  time.Time
		want string
	}{
		{utc(2025, 3, 10, 7, 0), "2025-03-10"},
		{utc(2025, 3, 10, 20, 59), "2025-03-10"},
		{utc(2025, 3, 10, 21, 0), "2025-03-11"},
		{utc(2025, 12, 31, 22, 0), "2026-01-01"},
	} {
		if got := o.Today(c.now); got != c.want {
			t.Errorf("Today(%v) = %s, want %s", c.now, got, c.want)
		}
		if got := o.Day(c.now); got.Format(DateLayout) != c.want || got.Hour() != 0 || got.Location() != o.Loc {
			t.Errorf("Day(%v) = %v", c.now, got)
		}
	}
	if got := o.EndOfDay(utc(2025, 3, 10, 7, 0), 0); !got.Equal(utc(2025, 3, 10, 15, 0)) {
		t.Errorf("EndOfDay(0) = %v", got)
	}
}

func TestWarmingEnds(t *testing.T) {
	o := office(t)
	for _, c := range []struct {
		entered time.Time
		days    int
		want    time.Time
	}{
		// 00:00 Moscow of entry date + days is 21:00 UTC the day before.
		{utc(2025, 3, 10, 7, 0), 14, utc(2025, 3, 23, 21, 0)},
		{utc(2025, 3, 10, 20, 59), 14, utc(2025, 3, 23, 21, 0)},
		{utc(2025, 3, 10, 21, 0), 14, utc(2025, 3, 24, 21, 0)}, // already the 11th in Moscow
		{utc(2025, 3, 10, 7, 0), 1, utc(2025, 3, 10, 21, 0)},
		{utc(2025, 2, 20, 7, 0), 10, utc(2025, 3, 1, 21, 0)},
	} {
		got := o.WarmingEnds(c.entered, c.days)
		if !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("WarmingEnds(%v, %d) = %v, want %v", c.entered, c.days, got, c.want)
		}
		if l := got.In(o.Loc); l.Hour() != 0 || l.Minute() != 0 {
			t.Errorf("WarmingEnds(%v, %d) = %v, not midnight in Moscow", c.entered, c.days, l)
		}
		// The warming period ends before the stage-3 deadline of the same entry.
		if dl := o.Deadline(Warming, c.entered, c.days); !got.Before(dl) {
			t.Errorf("warming ends %v after the stage 3 deadline %v", got, dl)
		}
	}
}

func TestBankNoAnswerDeadline(t *testing.T) {
	o := office(t)
	for _, c := range []struct{ now, want time.Time }{
		{utc(2025, 3, 10, 9, 0), utc(2025, 3, 11, 15, 0)},
		{utc(2025, 3, 10, 16, 0), utc(2025, 3, 11, 15, 0)}, // after the working day: still the next day
		{utc(2025, 3, 10, 22, 0), utc(2025, 3, 12, 15, 0)}, // 01:00 on the 11th in Moscow
		{utc(2025, 2, 28, 9, 0), utc(2025, 3, 1, 15, 0)},
	} {
		if got := o.BankNoAnswerDeadline(c.now); !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("BankNoAnswerDeadline(%v) = %v, want %v", c.now, got, c.want)
		}
	}
}

// TestDeadlineDST: the office time zone is a setting; in a zone with summer time
// the deadline is still 18:00 on the wall clock on the day the clocks change.
func TestDeadlineDST(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	o := Office{Loc: berlin, WorkdayEndMin: 1080, Days: map[Stage]int{AccessRebind: 1}}
	for _, entered := range []time.Time{
		time.Date(2025, 3, 29, 10, 0, 0, 0, berlin),  // the next day is 23 hours long
		time.Date(2025, 10, 25, 10, 0, 0, 0, berlin), // the next day is 25 hours long
	} {
		got := o.Deadline(AccessRebind, entered, 0).In(berlin)
		if got.Day() != entered.Day()+1 || got.Hour() != 18 || got.Minute() != 0 {
			t.Errorf("entered %v: deadline %v, want 18:00 the next day", entered, got)
		}
		if got := o.EndOfDay(entered.AddDate(0, 0, 1), 0).In(berlin); got.Hour() != 18 {
			t.Errorf("end of the day the clocks change: %v", got)
		}
	}
}

func TestOverdue(t *testing.T) {
	dl := utc(2025, 3, 10, 15, 0)
	if Overdue(dl, dl) || Overdue(dl, dl.Add(-time.Second)) || !Overdue(dl, dl.Add(time.Second)) {
		t.Error("Overdue: only strictly after the deadline")
	}
}
