package pipeline

import (
	"strings"
	"unicode"
)

// NormalizePhone turns what people type into +7XXXXXXXXXX for Russian numbers and
// +digits for others; "" stays "". ok is false when it is not a phone number.
func NormalizePhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	plus := strings.HasPrefix(s, "+")
	var d strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			d.WriteRune(r)
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' || r == '\u00a0':
		default:
			return "", false
		}
	}
	digits := d.String()
	switch {
	case len(digits) == 11 && (digits[0] == '7' || (digits[0] == '8' && !plus)):
		return "+7" + digits[1:], true
	case len(digits) == 10 && digits[0] == '9' && !plus:
		return "+7" + digits, true
	case plus && len(digits) >= 8 && len(digits) <= 15:
		return "+" + digits, true
	}
	return "", false
}

// PhoneMessage is shown next to a phone field that is not a phone number.
const PhoneMessage = "Введите телефон, например +7 912 345-67-89"

// NormalizeCardNumber strips spaces and dashes; ok is false unless 13–19 digits remain.
func NormalizeCardNumber(s string) (string, bool) {
	var d strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			d.WriteRune(r)
		case unicode.IsSpace(r) || r == '-':
		default:
			return "", false
		}
	}
	n := d.String()
	return n, len(n) >= 13 && len(n) <= 19
}

// Luhn tells whether a card number passes the Luhn check (a warning only, never a block).
func Luhn(number string) bool {
	sum, double := 0, false
	for i := len(number) - 1; i >= 0; i-- {
		c := number[i]
		if c < '0' || c > '9' {
			return false
		}
		n := int(c - '0')
		if double {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return len(number) > 0 && sum%10 == 0
}
