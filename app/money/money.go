// Package money holds the office's money rules in one place: amounts are
// roubles kept as integer kopecks, commission rates are integer hundredths of
// a percent, and commission is rounded half away from zero to the kopeck once
// per transaction. No floating point is used anywhere, so a sum shown in the
// browser, stored in SQLite and printed in a report is always the same number.
//
// static/js/money.js mirrors this file with BigInt; both must accept and
// reject the same inputs and format identically. SharedCases (cases.go) is
// the common test data.
package money

import (
	"math/bits"
	"strconv"
	"strings"
)

// Kopecks is an amount of roubles in kopecks. Stored in the database as
// INTEGER, so sums are exact and never drift through float rounding.
type Kopecks int64

// Rate is a percentage in hundredths of a percent (1250 = 12,5 %). Stored as
// INTEGER, so 12,5 % is exact and comparable.
type Rate int32

// MaxRate is 100 %: a commission can never exceed the transaction amount.
// The database enforces CHECK (commission_rate BETWEEN 0 AND MaxRate).
const MaxRate Rate = 10000

// MaxKopecks is the largest magnitude ParseKopecks accepts, 10^13 roubles.
// It is far above any real card turnover yet leaves Sum thousands of
// maximal rows of headroom before int64 would overflow, and keeps every
// amount exactly representable as a JavaScript number (< 2^53).
const MaxKopecks Kopecks = 1_000_000_000_000_000

// MaxRowKopecks is the largest transaction row an office enters, 10^9 roubles;
// a card's rows together stay within MaxKopecks (the store refuses the row that
// would pass it), so no total can overflow and stage 8's profit prefill stays valid.
const MaxRowKopecks Kopecks = 100_000_000_000

// magnitude splits k into sign and absolute value; uint64 makes the minimum
// int64 safe.
func magnitude(k int64) (neg bool, abs uint64) {
	if k < 0 {
		return true, -uint64(k)
	}
	return false, uint64(k)
}

// group writes the decimal digits of n with a no-break space between
// thousands so a number never wraps across lines.
func group(b *strings.Builder, n uint64) {
	d := strconv.FormatUint(n, 10)
	for i := range len(d) {
		if i > 0 && (len(d)-i)%3 == 0 {
			b.WriteRune('\u00a0')
		}
		b.WriteByte(d[i])
	}
}

// Number shows a whole number the way amounts show theirs: «12 345», «−7»,
// thousands separated by a no-break space (counts, sizes, table figures).
func Number(n int64) string {
	neg, a := magnitude(n)
	var b strings.Builder
	if neg {
		b.WriteString("−")
	}
	group(&b, a)
	return b.String()
}

// twoDigits writes n (0..99) with a leading zero.
func twoDigits(b *strings.Builder, n uint64) {
	b.WriteByte(byte('0' + n/10))
	b.WriteByte(byte('0' + n%10))
}

// String formats the amount for people: "12 345,67 ₽", "0,00 ₽",
// "−12 345,67 ₽". Thousands and the space before "₽" are U+00A0 NO-BREAK
// SPACE; the minus is U+2212 MINUS SIGN (typographically correct and as wide
// as a digit). ParseKopecks accepts this output back.
func (k Kopecks) String() string { return k.grouped("−") + "\u00a0₽" }

// grouped is the amount with its thousands grouped by U+00A0 and the given minus.
func (k Kopecks) grouped(minus string) string {
	neg, a := magnitude(int64(k))
	var b strings.Builder
	if neg {
		b.WriteString(minus)
	}
	group(&b, a/100)
	b.WriteByte(',')
	twoDigits(&b, a%100)
	return b.String()
}

// Input formats the amount for prefilling a form field: "12345,67",
// "-12345,67", "0,00" — no separators or currency, so editing stays easy,
// with an ASCII '-' that any keyboard can retype.
func (k Kopecks) Input() string {
	neg, a := magnitude(int64(k))
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(strconv.FormatUint(a/100, 10))
	b.WriteByte(',')
	twoDigits(&b, a%100)
	return b.String()
}

// InputGrouped formats an amount the product fills in for people to read before
// they confirm it: "12 345,67", "0,00", "-1 000,00" — thousands separated by
// plain spaces (ParseKopecks accepts them), no currency.
func (k Kopecks) InputGrouped() string {
	return strings.ReplaceAll(k.grouped("-"), "\u00a0", " ")
}

// write writes r without trailing fraction zeros: "12,5", "12,55", "0".
func (r Rate) write(b *strings.Builder, minus string) {
	neg, a := magnitude(int64(r))
	if neg {
		b.WriteString(minus)
	}
	b.WriteString(strconv.FormatUint(a/100, 10))
	switch f := a % 100; {
	case f == 0:
	case f%10 == 0:
		b.WriteByte(',')
		b.WriteByte(byte('0' + f/10))
	default:
		b.WriteByte(',')
		twoDigits(b, f)
	}
}

// String formats the rate for people: "12,5 %", "12,55 %", "0 %", "100 %";
// the space before '%' is U+00A0 so it never wraps. Out-of-range negative
// rates (never produced by ParseRate) get U+2212 like Kopecks.String.
func (r Rate) String() string {
	var b strings.Builder
	r.write(&b, "−")
	b.WriteString("\u00a0%")
	return b.String()
}

// Input formats the rate for prefilling a form field: "12,5", "12,55", "0".
func (r Rate) Input() string {
	var b strings.Builder
	r.write(&b, "-")
	return b.String()
}

// Commission is the office's commission on one transaction:
// amount × rate / 10000, rounded half away from zero to the kopeck (so a
// refund's commission mirrors the original's exactly). It is exact for every
// int64 amount (128-bit intermediate product, no overflow). A rate outside
// 0..MaxRate cannot come from ParseRate or the database; it is clamped to
// that range so the commission never exceeds the amount or flips its sign.
func Commission(amount Kopecks, rate Rate) Kopecks {
	if rate <= 0 || amount == 0 {
		return 0
	}
	if rate > MaxRate {
		rate = MaxRate
	}
	neg, a := magnitude(int64(amount))
	hi, lo := bits.Mul64(a, uint64(rate)) // hi < 5000: a ≤ 2^63, rate ≤ 10^4
	q, rem := bits.Div64(hi, lo, uint64(MaxRate))
	if rem*2 >= uint64(MaxRate) {
		q++
	}
	if neg {
		return Kopecks(-q) // q ≤ 2^63, so the two's complement fits int64
	}
	return Kopecks(q)
}

// Line is one transaction as far as money is concerned: what was processed
// and at which commission rate.
type Line struct {
	Amount Kopecks
	Rate   Rate
}

// Totals are the card's sums shown in the transactions editor and on the card
// page. Net is always Amount − Commission, row by row and in total.
type Totals struct {
	Amount     Kopecks // «Сумма отработки»
	Commission Kopecks // «Комиссия»
	Net        Kopecks // «Возможная прибыль»
}

// LineTotals computes commission and net for one row, so a row and the card
// total are rounded the same way (once per transaction).
func LineTotals(l Line) Totals {
	c := Commission(l.Amount, l.Rate)
	return Totals{Amount: l.Amount, Commission: c, Net: l.Amount - c}
}

// Sum adds up the rows: each commission is rounded per transaction first,
// then summed, so the card total always equals the sum of the visible rows.
// The sums are exact while they fit int64 (±9,2·10^16 ₽), i.e. for more
// than 9 000 rows of MaxKopecks each.
func Sum(lines []Line) Totals {
	var t Totals
	for _, l := range lines {
		lt := LineTotals(l)
		t.Amount += lt.Amount
		t.Commission += lt.Commission
		t.Net += lt.Net
	}
	return t
}
