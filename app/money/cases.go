package money

// SharedCase is one worked example of a card's totals, written the way a
// person would type the rows. It lives outside _test.go so that the Go tests
// and the browser test of static/js/money.js check the very same data and
// the two implementations cannot silently drift apart.
type SharedCase struct {
	Name    string
	Amounts []string // ParseKopecks input, one per transaction
	Rates   []string // ParseRate input, parallel to Amounts
	Want    Totals
}

// SharedBadInput is an input both parsers must reject with exactly Err
// (the Error() text of the Go sentinel, which money.js returns as well).
type SharedBadInput struct {
	Input  string
	IsRate bool // parse with ParseRate instead of ParseKopecks
	Err    string
}

// repeat returns n copies of s, for cases with many identical rows.
func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// SharedCases are the totals both implementations must reproduce exactly.
var SharedCases = []SharedCase{
	{"12,5 % от 1 000 ₽", []string{"1000"}, []string{"12,5"},
		Totals{100000, 12500, 87500}},
	{"полкопейки округляется от нуля", []string{"0,01"}, []string{"50"},
		Totals{1, 1, 0}},
	{"полторы копейки → 2", []string{"0,03"}, []string{"50"},
		Totals{3, 2, 1}},
	{"чуть меньше половины → 0", []string{"0,01"}, []string{"49,99"},
		Totals{1, 0, 1}},
	{"округление в каждой строке, не в итоге", repeat("0,01", 3), repeat("50", 3),
		Totals{3, 3, 0}},
	{"форматы ввода",
		[]string{"12 345,67", "0,5", "1 000 ₽", "1000р", "12345.6", "1\u00a0234\u202f567,89 руб.", "2\u2009000,1"},
		[]string{"12,5", "0,5", "3 %", "0", "100", "1,25", "15.05"},
		Totals{126325976, 2965193, 123360783}},
	{"возврат: округление симметрично", []string{"-100,05"}, []string{"10"},
		Totals{-10005, -1001, -9004}},
	{"возврат гасит операцию", []string{"−1 000,05 ₽", "1 000,05"}, []string{"12,34", "12,34 %"},
		Totals{0, 0, 0}},
	{"максимальная сумма, 100 %", []string{"10 000 000 000 000"}, []string{"100"},
		Totals{1000000000000000, 1000000000000000, 0}},
	{"почти максимум", []string{"9 999 999 999 999,99"}, []string{"99,99"},
		Totals{999999999999999, 999899999999999, 100000000000}},
	{"много строк", repeat("33,33", 40), repeat("7,77", 40),
		Totals{133320, 10360, 122960}},
	{"0 % и 100 %", []string{"500", "500"}, []string{"0", "100"},
		Totals{100000, 50000, 50000}},
	{"нулевая сумма", []string{"0"}, []string{"0"},
		Totals{}},
	{"пустая карточка", nil, nil,
		Totals{}},
}

// SharedBadInputs are rejections both implementations must agree on,
// including which message the user sees.
var SharedBadInputs = []SharedBadInput{
	{"", false, ErrEmpty.Error()},
	{" \u00a0\t", false, ErrEmpty.Error()},
	{"12 345,678", false, ErrAmountPrecision.Error()},
	{"12,34,56", false, ErrAmountFormat.Error()},
	{"1.234,56", false, ErrAmountFormat.Error()},
	{"1234 567", false, ErrAmountFormat.Error()},
	{"12  345", false, ErrAmountFormat.Error()},
	{"12,", false, ErrAmountFormat.Error()},
	{",5", false, ErrAmountFormat.Error()},
	{"1e5", false, ErrAmountFormat.Error()},
	{"сто", false, ErrAmountFormat.Error()},
	{"$100", false, ErrAmountFormat.Error()},
	{"10 000 000 000 000,01", false, ErrAmountTooLarge.Error()},
	{"", true, ErrEmptyRate.Error()},
	{"100,01", true, ErrRate.Error()},
	{"12,555", true, ErrRate.Error()},
	{"-1", true, ErrRate.Error()},
	{"12,5 %%", true, ErrRate.Error()},
	{"%", true, ErrRate.Error()},
}
