package pipeline

import "time"

// Office is what deadlines depend on: the time zone, the end of the working day
// and the per-stage day offsets (settings).
type Office struct {
	Loc           *time.Location
	WorkdayEndMin int
	Days          map[Stage]int // for DaysAfter stages
}

// Day is the calendar date of t in the office.
func (o Office) Day(t time.Time) time.Time {
	t = t.In(o.Loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, o.Loc)
}

// EndOfDay is the end of the working day, days after t's date, as UTC.
func (o Office) EndOfDay(t time.Time, days int) time.Time {
	t = t.In(o.Loc) // wall-clock arithmetic: 18:00 stays 18:00 on the days summer time starts or ends
	return time.Date(t.Year(), t.Month(), t.Day()+days, 0, o.WorkdayEndMin, 0, 0, o.Loc).UTC()
}

// Today is the office's date of now as 'YYYY-MM-DD'.
func (o Office) Today(now time.Time) string { return now.In(o.Loc).Format(DateLayout) }

// Deadline is the deadline of the task created when a card enters stage s at time entered.
func (o Office) Deadline(s Stage, entered time.Time, warmingDays int) time.Time {
	d, _ := Get(s)
	switch d.Deadline {
	case WarmingEnd:
		return o.EndOfDay(entered, warmingDays)
	case EndOfToday:
		if end := o.EndOfDay(entered, 0); entered.Before(end) {
			return end
		}
		return o.EndOfDay(entered, 1) // entered after hours: due at the end of the next working day
	}
	return o.EndOfDay(entered, o.Days[s])
}

// WarmingEnds is the first day (00:00 office time, as UTC) on which stage 3 may be completed.
func (o Office) WarmingEnds(entered time.Time, warmingDays int) time.Time {
	return o.Day(entered).AddDate(0, 0, warmingDays).UTC()
}

// WarmingOpensAt is WarmingEnds read from the stage-3 task's deadline (lists
// that have the task, not the card): the deadline is the end of the working day
// on which the period ends, so the stage opens at the start of that day.
func (o Office) WarmingOpensAt(stage3Deadline time.Time) time.Time {
	return o.Day(stage3Deadline).UTC()
}

// BankNoAnswerDeadline is where «Ответа нет» moves the stage-8 deadline: end of the next day.
func (o Office) BankNoAnswerDeadline(now time.Time) time.Time { return o.EndOfDay(now, 1) }

// Overdue tells whether an open task's deadline has passed (computed, never stored).
func Overdue(deadline, now time.Time) bool { return now.After(deadline) }

// WarmingDue is the day of the latest warming task due by now for a card that
// entered stage 3 at entered: days entered, entered+every, … before the period
// ends. ok is false when none is due (period over or not started).
func (o Office) WarmingDue(entered, now time.Time, warmingDays, every int) (day time.Time, ok bool) {
	if every < 1 {
		every = 1
	}
	start, today := o.Day(entered), o.Day(now)
	end := start.AddDate(0, 0, warmingDays)
	if today.Before(start) || !today.Before(end) {
		return time.Time{}, false
	}
	n := int((today.Sub(start).Hours() + 12) / 24) // calendar days since entry, DST-safe
	return start.AddDate(0, 0, n/every*every), true
}
