package money

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

const nbsp = "\u00a0"

// bigCommission is an independent reference for Commission.
func bigCommission(amount Kopecks, rate Rate) Kopecks {
	rate = max(0, min(rate, MaxRate))
	p := new(big.Int).Mul(big.NewInt(int64(amount)), big.NewInt(int64(rate)))
	neg := p.Sign() < 0
	p.Abs(p)
	q, m := new(big.Int).QuoRem(p, big.NewInt(10000), new(big.Int))
	if m.Int64()*2 >= 10000 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return Kopecks(q.Int64())
}

func TestCommission(t *testing.T) {
	tests := []struct {
		amount Kopecks
		rate   Rate
		want   Kopecks
	}{
		{100000, 1250, 12500}, // 1 000 ₽ at 12,5 %
		{1, 5000, 1},          // 0,5 kopeck rounds away from zero
		{3, 5000, 2},          // 1,5 → 2
		{5, 5000, 3},          // 2,5 → 3 (not banker's 2)
		{1, 4999, 0},          // 0,4999 → 0
		{1, 10000, 1},         // 100 %
		{12345, 0, 0},         // 0 %
		{0, 10000, 0},         // nothing processed
		{199, 2525, 50},       // 50,2475 → 50
		{198, 2525, 50},       // 49,995 → 50
		{-1, 5000, -1},        // negative symmetric
		{-3, 5000, -2},        // −1,5 → −2
		{-1, 4999, 0},         // −0,4999 → 0
		{-100000, 1250, -12500},
		{1000000000000000, 10000, 1000000000000000},
		{1000000000000000, 9999, 999900000000000},
		{999999999999999, 1, 100000000000},         // 99 999 999 999,9999 → up
		{999999999999995, 1, 100000000000},         // …,9995 → up
		{math.MaxInt64, 10000, math.MaxInt64},      // no overflow
		{math.MaxInt64, 5000, 4611686018427387904}, // …903,5 → …904
		{math.MinInt64, 10000, math.MinInt64},
		{math.MinInt64, 1, -922337203685478}, // −922 337 203 685 477,5808
		{100, -5, 0},                         // clamped to 0 %
		{100, 20000, 100},                    // clamped to 100 %
	}
	for _, tt := range tests {
		if got := Commission(tt.amount, tt.rate); got != tt.want {
			t.Errorf("Commission(%d, %d) = %d, want %d", tt.amount, tt.rate, got, tt.want)
		}
		if ref := bigCommission(tt.amount, tt.rate); ref != tt.want {
			t.Errorf("reference(%d, %d) = %d, want %d (bad test)", tt.amount, tt.rate, ref, tt.want)
		}
	}
}

func TestCommissionRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		a := Kopecks(r.Int64N(2*int64(MaxKopecks)+1) - int64(MaxKopecks))
		if r.IntN(4) == 0 {
			a = Kopecks(r.Int64N(20000) - 10000)
		}
		rt := Rate(r.IntN(int(MaxRate) + 1))
		if got, want := Commission(a, rt), bigCommission(a, rt); got != want {
			t.Fatalf("Commission(%d, %d) = %d, want %d", a, rt, got, want)
		}
		if Commission(-a, rt) != -Commission(a, rt) {
			t.Fatalf("Commission not symmetric for %d, %d", a, rt)
		}
	}
}

func TestLineTotalsAndSum(t *testing.T) {
	if got, want := LineTotals(Line{100000, 1250}), (Totals{100000, 12500, 87500}); got != want {
		t.Errorf("LineTotals = %+v, want %+v", got, want)
	}
	// Rounding happens per row: three half-kopecks make 3, not round(1,5) = 2.
	lines := []Line{{1, 5000}, {1, 5000}, {1, 5000}}
	if got, want := Sum(lines), (Totals{3, 3, 0}); got != want {
		t.Errorf("Sum = %+v, want %+v", got, want)
	}
	if got := Sum(nil); got != (Totals{}) {
		t.Errorf("Sum(nil) = %+v", got)
	}
}

func TestParseKopecks(t *testing.T) {
	ok := []struct {
		in   string
		want Kopecks
	}{
		{"12 345,67", 1234567},
		{"12345.67", 1234567},
		{"12 345", 1234500},
		{"12345", 1234500},
		{"12 345,6", 1234560},
		{"1 000 ₽", 100000},
		{"1000р", 100000},
		{"1000 р.", 100000},
		{"1000 руб", 100000},
		{"1000руб.", 100000},
		{"1000 РУБ.", 100000},
		{"1000 Р", 100000},
		{"12" + nbsp + "345,67" + nbsp + "₽", 1234567},
		{"1\u202f234\u2009567,89", 123456789},
		{"  \t12 345,67\r\n", 1234567},
		{"0", 0},
		{"0,00", 0},
		{"-0", 0},
		{"0,5", 50},
		{"0.05", 5},
		{"007", 700},
		{"-12 345,67", -1234567},
		{"−12 345,67 ₽", -1234567},
		{"1 000 000", 100000000},
		{"123 456 789 012", 12345678901200},
		{"10 000 000 000 000", 1000000000000000},
		{"10000000000000,00", 1000000000000000},
		{"-10000000000000", -1000000000000000},
		{"00000000000000000000000000001", 100},
	}
	for _, tt := range ok {
		got, err := ParseKopecks(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseKopecks(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}

	bad := []struct {
		in   string
		want error
	}{
		{"", ErrEmpty},
		{"   ", ErrEmpty},
		{nbsp + "\t", ErrEmpty},
		{"12,345", ErrAmountPrecision},
		{"0,001", ErrAmountPrecision},
		{"1 000,999 ₽", ErrAmountPrecision},
		{"10000000000000,01", ErrAmountTooLarge},
		{"10 000 000 000 001", ErrAmountTooLarge},
		{"-10000000000000,01", ErrAmountTooLarge},
		{"99999999999999999999999999999999", ErrAmountTooLarge},
		{"abc", ErrAmountFormat},
		{"12a", ErrAmountFormat},
		{"1e5", ErrAmountFormat},
		{"12,34,56", ErrAmountFormat},
		{"12.34.56", ErrAmountFormat},
		{"1.000.000", ErrAmountFormat},
		{"1,234.56", ErrAmountFormat},
		{"12,", ErrAmountFormat},
		{",5", ErrAmountFormat},
		{".5", ErrAmountFormat},
		{"-", ErrAmountFormat},
		{"--5", ErrAmountFormat},
		{"- 5", ErrAmountFormat},
		{"+5", ErrAmountFormat},
		{"5-", ErrAmountFormat},
		{"₽", ErrAmountFormat},
		{"₽ 100", ErrAmountFormat},
		{"100 ₽ ₽", ErrAmountFormat},
		{"100₽.", ErrAmountFormat},
		{"100 рублей", ErrAmountFormat},
		{"100 rub", ErrAmountFormat},
		{"100 $", ErrAmountFormat},
		{"1234 567", ErrAmountFormat},
		{"12 34", ErrAmountFormat},
		{"12 3456", ErrAmountFormat},
		{"12  345", ErrAmountFormat},
		{"12 345, 67", ErrAmountFormat},
		{"12 345 ,67", ErrAmountFormat},
		{"12_345", ErrAmountFormat},
		{"12'345", ErrAmountFormat},
		{"١٢", ErrAmountFormat}, // non-ASCII digits
		{"１２", ErrAmountFormat},
		{"12\x00", ErrAmountFormat},
		{"\xff", ErrAmountFormat},
		{"12,5 %", ErrAmountFormat},
	}
	for _, tt := range bad {
		got, err := ParseKopecks(tt.in)
		if !errors.Is(err, tt.want) || got != 0 {
			t.Errorf("ParseKopecks(%q) = %d, %v; want error %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseRate(t *testing.T) {
	ok := []struct {
		in   string
		want Rate
	}{
		{"12,5", 1250},
		{"12.50", 1250},
		{"12,5 %", 1250},
		{"12,5%", 1250},
		{"12,55" + nbsp + "%", 1255},
		{"0", 0},
		{"0,0", 0},
		{"100", 10000},
		{"100,00 %", 10000},
		{"0,01", 1},
		{"007", 700},
		{" 3 \t", 300},
	}
	for _, tt := range ok {
		got, err := ParseRate(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseRate(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	bad := []struct {
		in   string
		want error
	}{
		{"", ErrEmptyRate},
		{" ", ErrEmptyRate},
		{"%", ErrRate},
		{" % ", ErrRate},
		{"100,01", ErrRate},
		{"101", ErrRate},
		{"1000000000000000000000", ErrRate},
		{"12,555", ErrRate},
		{"12,", ErrRate},
		{",5", ErrRate},
		{"-1", ErrRate},
		{"−0", ErrRate},
		{"+1", ErrRate},
		{"12,5 %%", ErrRate},
		{"% 12", ErrRate},
		{"12 %5", ErrRate},
		{"1 0", ErrRate},
		{"12,5 ₽", ErrRate},
		{"abc", ErrRate},
		{"12.5.0", ErrRate},
	}
	for _, tt := range bad {
		got, err := ParseRate(tt.in)
		if !errors.Is(err, tt.want) || got != 0 {
			t.Errorf("ParseRate(%q) = %d, %v; want error %v", tt.in, got, err, tt.want)
		}
	}
}

func TestKopecksFormat(t *testing.T) {
	tests := []struct {
		k          Kopecks
		str, input string
	}{
		{0, "0,00" + nbsp + "₽", "0,00"},
		{1, "0,01" + nbsp + "₽", "0,01"},
		{50, "0,50" + nbsp + "₽", "0,50"},
		{100, "1,00" + nbsp + "₽", "1,00"},
		{99999, "999,99" + nbsp + "₽", "999,99"},
		{100000, "1" + nbsp + "000,00" + nbsp + "₽", "1000,00"},
		{1234567, "12" + nbsp + "345,67" + nbsp + "₽", "12345,67"},
		{123456789, "1" + nbsp + "234" + nbsp + "567,89" + nbsp + "₽", "1234567,89"},
		{-1234567, "−12" + nbsp + "345,67" + nbsp + "₽", "-12345,67"},
		{-5, "−0,05" + nbsp + "₽", "-0,05"},
		{MaxKopecks, "10" + nbsp + "000" + nbsp + "000" + nbsp + "000" + nbsp + "000,00" + nbsp + "₽", "10000000000000,00"},
		{math.MaxInt64, "92" + nbsp + "233" + nbsp + "720" + nbsp + "368" + nbsp + "547" + nbsp + "758,07" + nbsp + "₽", "92233720368547758,07"},
		{math.MinInt64, "−92" + nbsp + "233" + nbsp + "720" + nbsp + "368" + nbsp + "547" + nbsp + "758,08" + nbsp + "₽", "-92233720368547758,08"},
	}
	for _, tt := range tests {
		if got := tt.k.String(); got != tt.str {
			t.Errorf("Kopecks(%d).String() = %q, want %q", tt.k, got, tt.str)
		}
		if got := tt.k.Input(); got != tt.input {
			t.Errorf("Kopecks(%d).Input() = %q, want %q", tt.k, got, tt.input)
		}
		// InputGrouped is the people's form with plain spaces and no currency.
		want := strings.NewReplacer(nbsp+"₽", "", nbsp, " ", "−", "-").Replace(tt.str)
		if got := tt.k.InputGrouped(); got != want {
			t.Errorf("Kopecks(%d).InputGrouped() = %q, want %q", tt.k, got, want)
		}
	}
}

func TestRateFormat(t *testing.T) {
	tests := []struct {
		r          Rate
		str, input string
	}{
		{0, "0" + nbsp + "%", "0"},
		{1, "0,01" + nbsp + "%", "0,01"},
		{10, "0,1" + nbsp + "%", "0,1"},
		{1250, "12,5" + nbsp + "%", "12,5"},
		{1255, "12,55" + nbsp + "%", "12,55"},
		{1205, "12,05" + nbsp + "%", "12,05"},
		{1200, "12" + nbsp + "%", "12"},
		{10000, "100" + nbsp + "%", "100"},
		{-150, "−1,5" + nbsp + "%", "-1,5"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.str {
			t.Errorf("Rate(%d).String() = %q, want %q", tt.r, got, tt.str)
		}
		if got := tt.r.Input(); got != tt.input {
			t.Errorf("Rate(%d).Input() = %q, want %q", tt.r, got, tt.input)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	check := func(k Kopecks) {
		t.Helper()
		for _, s := range []string{k.Input(), k.String(), k.InputGrouped()} {
			if got, err := ParseKopecks(s); err != nil || got != k {
				t.Fatalf("ParseKopecks(%q) = %d, %v; want %d", s, got, err, k)
			}
		}
	}
	for k := Kopecks(-100000); k <= 100000; k++ {
		check(k)
	}
	for _, k := range []Kopecks{MaxKopecks, -MaxKopecks, MaxKopecks - 1, 999999999999999} {
		check(k)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		check(Kopecks(r.Int64N(2*int64(MaxKopecks)+1) - int64(MaxKopecks)))
	}
	for rt := Rate(0); rt <= MaxRate; rt++ {
		for _, s := range []string{rt.Input(), rt.String()} {
			if got, err := ParseRate(s); err != nil || got != rt {
				t.Fatalf("ParseRate(%q) = %d, %v; want %d", s, got, err, rt)
			}
		}
	}
}

func TestSharedCases(t *testing.T) {
	for _, c := range SharedCases {
		if len(c.Amounts) != len(c.Rates) {
			t.Fatalf("%s: %d amounts but %d rates", c.Name, len(c.Amounts), len(c.Rates))
		}
		lines := make([]Line, len(c.Amounts))
		var ref Totals
		for i := range c.Amounts {
			a, err := ParseKopecks(c.Amounts[i])
			if err != nil {
				t.Fatalf("%s: ParseKopecks(%q): %v", c.Name, c.Amounts[i], err)
			}
			r, err := ParseRate(c.Rates[i])
			if err != nil {
				t.Fatalf("%s: ParseRate(%q): %v", c.Name, c.Rates[i], err)
			}
			lines[i] = Line{a, r}
			ref.Amount += a
			ref.Commission += bigCommission(a, r)
		}
		ref.Net = ref.Amount - ref.Commission
		if got := Sum(lines); got != c.Want {
			t.Errorf("%s: Sum = %+v, want %+v", c.Name, got, c.Want)
		}
		if ref != c.Want {
			t.Errorf("%s: reference = %+v, want %+v (bad case)", c.Name, ref, c.Want)
		}
	}
}

func TestSharedBadInputs(t *testing.T) {
	for _, c := range SharedBadInputs {
		var err error
		if c.IsRate {
			_, err = ParseRate(c.Input)
		} else {
			_, err = ParseKopecks(c.Input)
		}
		if err == nil || err.Error() != c.Err {
			t.Errorf("parse %q (rate=%v) error = %v, want %q", c.Input, c.IsRate, err, c.Err)
		}
	}
}

func FuzzParseKopecks(f *testing.F) {
	for _, s := range []string{"12 345,67", "12345.67", "1 000 ₽", "1000р", "−12 345,67 ₽",
		"-0", "0,5", "10 000 000 000 000", "1e5", "12,345", "руб.", "1\u202f234,5 РУБ"} {
		f.Add(s)
	}
	for _, c := range SharedCases {
		for _, s := range c.Amounts {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKopecks(s)
		if err != nil {
			if k != 0 {
				t.Fatalf("ParseKopecks(%q) = %d with error %v", s, k, err)
			}
			switch err {
			case ErrEmpty, ErrAmountFormat, ErrAmountPrecision, ErrAmountTooLarge:
			default:
				t.Fatalf("ParseKopecks(%q): unexpected error %v", s, err)
			}
			return
		}
		if k > MaxKopecks || k < -MaxKopecks {
			t.Fatalf("ParseKopecks(%q) = %d, out of range", s, k)
		}
		for _, out := range []string{k.Input(), k.String()} {
			if back, err := ParseKopecks(out); err != nil || back != k {
				t.Fatalf("ParseKopecks(%q) = %d, but %q parses to %d, %v", s, k, out, back, err)
			}
		}
	})
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"12,5", "12.50", "12,5 %", "0", "100", "100,01", "%", "-1", "12,555"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if err != nil {
			if r != 0 || (err != ErrEmptyRate && err != ErrRate) {
				t.Fatalf("ParseRate(%q) = %d, %v", s, r, err)
			}
			return
		}
		if r < 0 || r > MaxRate {
			t.Fatalf("ParseRate(%q) = %d, out of range", s, r)
		}
		for _, out := range []string{r.Input(), r.String()} {
			if back, err := ParseRate(out); err != nil || back != r {
				t.Fatalf("ParseRate(%q) = %d, but %q parses to %d, %v", s, r, out, back, err)
			}
		}
	})
}

func FuzzCommission(f *testing.F) {
	f.Add(int64(1), int32(5000))
	f.Add(int64(math.MinInt64), int32(1))
	f.Add(int64(math.MaxInt64), int32(9999))
	f.Fuzz(func(t *testing.T, a int64, r int32) {
		got, want := Commission(Kopecks(a), Rate(r)), bigCommission(Kopecks(a), Rate(r))
		if got != want {
			t.Fatalf("Commission(%d, %d) = %d, want %d", a, r, got, want)
		}
		lt := LineTotals(Line{Kopecks(a), Rate(r)})
		if lt.Amount-lt.Commission != lt.Net {
			t.Fatalf("LineTotals(%d, %d) = %+v", a, r, lt)
		}
	})
}

func TestNumber(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1\u00a0000", 12345: "12\u00a0345",
		-1234567: "−1\u00a0234\u00a0567", math.MinInt64: "−9\u00a0223\u00a0372\u00a0036\u00a0854\u00a0775\u00a0808"} {
		if got := Number(n); got != want {
			t.Errorf("Number(%d) = %q, want %q", n, got, want)
		}
	}
}
