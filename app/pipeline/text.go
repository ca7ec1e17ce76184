package pipeline

import "kartoteka/app/money"

// MsgControlChars refuses text with invisible control characters.
const MsgControlChars = "Уберите невидимые управляющие символы (например, смену направления текста)"

// CheckText is "" for text fit to store, otherwise the message for its field:
// control characters (NUL and the rest of C0/C1, except tab and line breaks)
// and the bidirectional embeddings, overrides, isolates and marks (U+202E makes
// «Иванов» display as something else) are refused in every text field.
func CheckText(s string) string {
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			return MsgControlChars
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			return MsgControlChars
		case r == 0xfffd:
			return MsgControlChars // invalid UTF-8 (or the replacement character itself)
		}
	}
	return ""
}

// Plural is the form of a Russian noun that goes with n: one for 1, 21, 101
// («1 день»), few for 2–4, 22–24 («2 дня»), many for 0, 5–20, 25–30 and every
// number ending in 11–14 («5 дней», «11 дней», «111 дней»).
func Plural(n int64, one, few, many string) string {
	if n < 0 {
		n = -n
	}
	switch n10, n100 := n%10, n%100; {
	case n100 >= 11 && n100 <= 14:
		return many
	case n10 == 1:
		return one
	case n10 >= 2 && n10 <= 4:
		return few
	}
	return many
}

// Count shows a number with its noun, the number grouped as amounts are and
// joined by a no-break space so the pair never wraps: «3 дня», «12 345 карт».
func Count(n int64, one, few, many string) string {
	return money.Number(n) + "\u00a0" + Plural(n, one, few, many)
}

// Days shows a number of days: «1 день», «3 дня», «14 дней».
func Days(n int64) string { return Count(n, "день", "дня", "дней") }

// WarmingSchedule shows a card's warming period and how often its tasks come:
// «14 дней, ежедневно», «10 дней, каждые 2 дня», «30 дней, каждый 21 день».
func WarmingSchedule(days, every int64) string {
	return Days(days) + ", " + Every(every)
}

// Every shows how often something recurs, in days: «ежедневно», «каждые 2 дня», «каждый 21 день».
func Every(days int64) string {
	if days <= 1 {
		return "ежедневно"
	}
	return Plural(days, "каждый", "каждые", "каждые") + " " + Days(days)
}
