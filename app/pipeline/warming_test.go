package pipeline

import (
	"testing"
	"time"
)

func TestWarmingDue(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	o := Office{Loc: msk, WorkdayEndMin: 18 * 60}
	entered := time.Date(2025, 3, 10, 15, 0, 0, 0, msk) // Monday
	cases := []struct {
		now        time.Time
		days, step int
		want       string // "" = none due
	}{
		{time.Date(2025, 3, 10, 16, 0, 0, 0, msk), 6, 2, "2025-03-10"},
		{time.Date(2025, 3, 11, 9, 0, 0, 0, msk), 6, 2, "2025-03-10"},
		{time.Date(2025, 3, 12, 0, 5, 0, 0, msk), 6, 2, "2025-03-12"},
		{time.Date(2025, 3, 15, 23, 0, 0, 0, msk), 6, 2, "2025-03-14"},
		{time.Date(2025, 3, 16, 0, 0, 0, 0, msk), 6, 2, ""}, // the period is over
		{time.Date(2025, 3, 9, 12, 0, 0, 0, msk), 6, 2, ""}, // before entry
		{time.Date(2025, 3, 13, 12, 0, 0, 0, msk), 14, 1, "2025-03-13"},
		{time.Date(2025, 3, 13, 12, 0, 0, 0, msk), 14, 0, "2025-03-13"}, // a zero step counts as daily
	}
	for _, c := range cases {
		day, ok := o.WarmingDue(entered, c.now, c.days, c.step)
		got := ""
		if ok {
			got = day.Format(DateLayout)
		}
		if got != c.want {
			t.Errorf("now %v, %d days every %d: due %q, want %q", c.now, c.days, c.step, got, c.want)
		}
	}
}

func TestBankWaitEnteredAfterHours(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	o := Office{Loc: msk, WorkdayEndMin: 18 * 60}
	in := o.Deadline(BankWait, time.Date(2025, 3, 10, 12, 0, 0, 0, msk), 14)
	after := o.Deadline(BankWait, time.Date(2025, 3, 10, 19, 30, 0, 0, msk), 14)
	if got := in.In(msk).Format("02.01 15:04"); got != "10.03 18:00" {
		t.Errorf("entered at noon: due %s", got)
	}
	if got := after.In(msk).Format("02.01 15:04"); got != "11.03 18:00" {
		t.Errorf("entered after hours: due %s, want the next day", got)
	}
}

func TestShowWithoutMoney(t *testing.T) {
	v := map[string]string{"amount": "500000", "done_on": "2025-03-10", "comment": "ok"}
	for _, l := range ShowWithoutMoney(WarmupTopup, v) {
		if l.Label == "Сумма пополнения" {
			t.Fatalf("money shown: %+v", l)
		}
	}
	if n := len(ShowWithoutMoney(WarmupTopup, v)); n != 2 {
		t.Fatalf("%d lines, want date and comment", n)
	}
}

func TestShowTaskWarmingNote(t *testing.T) {
	got := ShowTask("warming", Warming, map[string]string{"note": "Оплата в кафе"}, false)
	if len(got) != 1 || got[0].Label != "Что сделано" || got[0].Value != "Оплата в кафе" {
		t.Fatalf("warming task shows %+v", got)
	}
	if got := ShowTask("stage", WorkTopup, map[string]string{"amount": "100"}, false); len(got) != 0 {
		t.Fatalf("money shown without the right: %+v", got)
	}
}

// TestWarmingOpensAt: read back from the stage-3 deadline, the opening day is the
// one the completion rule uses, for any entry time, period, workday end and across
// the days summer time starts or ends (Europe/Berlin has them; Moscow has none).
func TestWarmingOpensAt(t *testing.T) {
	for _, zone := range []string{"Europe/Moscow", "Europe/Berlin", "Asia/Kamchatka", "America/New_York"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		for _, end := range []int{0, 9 * 60, 18 * 60, 23*60 + 59} {
			o := Office{Loc: loc, WorkdayEndMin: end}
			for h := 0; h < 24*400; h += 7 {
				entered := time.Date(2025, 1, 1, 0, 0, 0, 0, loc).Add(time.Duration(h) * time.Hour).UTC()
				for _, days := range []int{1, 3, 14, 90} {
					dl := o.Deadline(Warming, entered, days)
					if got, want := o.WarmingOpensAt(dl), o.WarmingEnds(entered, days); !got.Equal(want) {
						t.Fatalf("%s, workday end %d, entered %s, %d days: opens %s, the rule says %s", zone, end, entered, days, got, want)
					}
				}
			}
		}
	}
}
