package money

import (
	"errors"
	"strings"
)

// Errors returned by ParseKopecks and ParseRate. Their messages are short
// Russian sentences meant to be shown next to the form field as is; the
// browser mirror (money.js) returns the very same texts. Use errors.Is to
// tell them apart (e.g. to treat an empty optional field as "not set").
var (
	// ErrEmpty means the amount field is blank.
	ErrEmpty = errors.New("Укажите сумму")
	// ErrAmountFormat means the text is not a number in any accepted form.
	ErrAmountFormat = errors.New("Введите сумму числом, например 12\u00a0345,67")
	// ErrAmountPrecision means more than two digits after the decimal separator.
	ErrAmountPrecision = errors.New("Не больше двух знаков после запятой")
	// ErrAmountTooLarge means the magnitude is above MaxKopecks.
	ErrAmountTooLarge = errors.New("Слишком большая сумма")
	// ErrEmptyRate means the commission field is blank.
	ErrEmptyRate = errors.New("Укажите комиссию")
	// ErrRate means the commission is not 0..100 with at most two decimals.
	ErrRate = errors.New("Комиссия — число от 0 до 100, не больше двух знаков после запятой")
)

// isSep reports whether r may separate thousands: a space, a no-break space
// (U+00A0, what Russian Windows and Excel insert), a thin space (U+2009) or a
// narrow no-break space (U+202F, what browsers' Intl formatting produces).
func isSep(r rune) bool {
	return r == ' ' || r == '\u00a0' || r == '\u2009' || r == '\u202f'
}

// isTrim reports whether r is ignored at either end of the input; besides the
// separators this covers tabs and line breaks pasted from spreadsheets.
func isTrim(r rune) bool {
	return isSep(r) || r == '\t' || r == '\n' || r == '\r'
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// trim drops isTrim runes at both ends. An explicit set (not
// strings.TrimSpace) keeps Go and JavaScript in exact agreement.
func trim(rs []rune) []rune {
	i, j := 0, len(rs)
	for i < j && isTrim(rs[i]) {
		i++
	}
	for j > i && isTrim(rs[j-1]) {
		j--
	}
	return rs[i:j]
}

// digitRun returns the index just past the run of ASCII digits starting at i.
func digitRun(rs []rune, i int) int {
	for i < len(rs) && isDigit(rs[i]) {
		i++
	}
	return i
}

// isCurrency reports whether rs is an accepted rouble suffix: "₽", "р", "р.",
// "руб", "руб." in any letter case.
func isCurrency(rs []rune) bool {
	var b strings.Builder
	for _, r := range rs {
		switch r {
		case 'Р':
			r = 'р'
		case 'У':
			r = 'у'
		case 'Б':
			r = 'б'
		}
		b.WriteRune(r)
	}
	switch b.String() {
	case "₽", "р", "р.", "руб", "руб.":
		return true
	}
	return false
}

// ParseKopecks parses an amount the way people type it: "12 345,67",
// "12345.67", "12 345", "12 345,6" (= 12 345,60), "1 000 ₽", "1000р",
// "−12 345,67 ₽". Thousands may be separated by single spaces, no-break or
// thin spaces (then every group after the first has exactly three digits);
// ',' or '.' is the decimal separator with one or two digits after it; an
// optional "₽", "р", "р.", "руб" or "руб." may follow. A leading '-' or '−'
// (U+2212) makes the amount negative; whether that is allowed is the
// caller's business. The output of String and Input parses back unchanged.
//
// Errors, checked in this order: ErrEmpty for blank input, ErrAmountFormat
// for anything that is not such a number, ErrAmountPrecision for three or
// more decimals, ErrAmountTooLarge above MaxKopecks in magnitude.
func ParseKopecks(s string) (Kopecks, error) {
	rs := trim([]rune(s))
	if len(rs) == 0 {
		return 0, ErrEmpty
	}
	i := 0
	neg := false
	if rs[0] == '-' || rs[0] == '−' {
		neg = true
		i++
	}

	// Whole roubles; accumulation saturates so huge inputs cannot overflow.
	const maxWhole = int64(MaxKopecks / 100)
	var whole int64
	over := false
	add := func(from, to int) {
		for _, r := range rs[from:to] {
			if !over {
				whole = whole*10 + int64(r-'0')
				over = whole > maxWhole
			}
		}
	}
	end := digitRun(rs, i)
	if end == i {
		return 0, ErrAmountFormat
	}
	firstLen := end - i
	add(i, end)
	i = end
	for i+1 < len(rs) && isSep(rs[i]) && isDigit(rs[i+1]) {
		end = digitRun(rs, i+1)
		if firstLen > 3 || end-(i+1) != 3 {
			return 0, ErrAmountFormat
		}
		add(i+1, end)
		i = end
	}

	// Fraction.
	var frac []rune
	if i < len(rs) && (rs[i] == ',' || rs[i] == '.') {
		end = digitRun(rs, i+1)
		if end == i+1 {
			return 0, ErrAmountFormat
		}
		frac = rs[i+1 : end]
		i = end
	}

	// Currency suffix, possibly after spaces.
	j := i
	for j < len(rs) && isSep(rs[j]) {
		j++
	}
	if j < len(rs) && !isCurrency(rs[j:]) {
		return 0, ErrAmountFormat
	}

	if len(frac) > 2 {
		return 0, ErrAmountPrecision
	}
	if over {
		return 0, ErrAmountTooLarge
	}
	k := whole * 100
	switch len(frac) {
	case 1:
		k += int64(frac[0]-'0') * 10
	case 2:
		k += int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	}
	if k > int64(MaxKopecks) {
		return 0, ErrAmountTooLarge
	}
	if neg {
		k = -k
	}
	return Kopecks(k), nil
}

// ParseRate parses a commission percentage: "12,5", "12.50", "12,5 %", "0",
// "100" into hundredths of a percent. Accepted: 0..100 with at most two
// decimals (',' or '.'), an optional trailing '%' possibly after spaces.
// Blank input gives ErrEmptyRate, anything else invalid gives ErrRate.
func ParseRate(s string) (Rate, error) {
	rs := trim([]rune(s))
	if len(rs) == 0 {
		return 0, ErrEmptyRate
	}
	if rs[len(rs)-1] == '%' {
		rs = rs[:len(rs)-1]
		for len(rs) > 0 && isSep(rs[len(rs)-1]) {
			rs = rs[:len(rs)-1]
		}
	}
	end := digitRun(rs, 0)
	if end == 0 {
		return 0, ErrRate
	}
	var v int64
	for _, r := range rs[:end] {
		v = v*10 + int64(r-'0')
		if v > int64(MaxRate/100) {
			return 0, ErrRate
		}
	}
	v *= 100
	i := end
	if i < len(rs) && (rs[i] == ',' || rs[i] == '.') {
		end = digitRun(rs, i+1)
		switch end - (i + 1) {
		case 1:
			v += int64(rs[i+1]-'0') * 10
		case 2:
			v += int64(rs[i+1]-'0')*10 + int64(rs[i+2]-'0')
		default:
			return 0, ErrRate
		}
		i = end
	}
	if i != len(rs) || v > int64(MaxRate) {
		return 0, ErrRate
	}
	return Rate(v), nil
}
