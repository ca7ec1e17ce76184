package store

import (
	"strings"
	"testing"
	"time"

	"kartoteka/app/money"
	"kartoteka/app/pipeline"
)

func TestPeriodKeys(t *testing.T) {
	for _, c := range []struct {
		from, to string
		want     string
	}{
		{"2025-03-01", "2025-03-31", "+2025-03"},
		{"2025-01-01", "2025-12-31", "+2025"},
		{"2024-12-30", "2026-02-02", "+2024-12-30+ +2025 +2026-01 +2026-02-01 +2026-02-02"},
		{"2025-02-27", "2025-03-01", "+2025-02-27 +2025-02-28 +2025-03-01"},
		{"2024-02-01", "2024-02-29", "+2024-02"},
		{"2025-03-05", "2025-03-04", ""},
		// A month from its 4th day: its running sum from that day.
		{"2025-03-04", "2025-03-31", "+2025-03-04+"},
		// A month less its first day.
		{"2025-03-02", "2025-03-31", "+2025-03-02+"},
		// The year from mid-March less the year from late August.
		{"2025-03-10", "2025-08-20", "+2025-03-10+ +2025-04+ -2025-08-21+ -2025-09+"},
		// Two weeks within a month: more days than running sums.
		{"2025-03-10", "2025-03-23", "+2025-03-10+ -2025-03-24+"},
		{"2025-03-10", "2025-03-11", "+2025-03-10 +2025-03-11"},
		{"2019-12-19", "2026-11-20", "+2019-12-19+ +2020 +2021 +2022 +2023 +2024 +2025 +2026 -2026-11-21+ -2026-12+"},
	} {
		keys, err := PeriodKeys(c.from, c.to)
		var got []string
		for _, k := range keys {
			got = append(got, map[int]string{1: "+", -1: "-"}[k.Sign]+k.Key)
		}
		if err != nil || strings.Join(got, " ") != c.want {
			t.Errorf("%s..%s: %v %v, want %v", c.from, c.to, got, err, c.want)
		}
	}
	if _, err := PeriodKeys("2025-13-01", "2025-12-01"); err == nil {
		t.Error("a bad date is accepted")
	}
}

// TestPeriodKeysCover: for periods starting and ending on every day of three
// years (a leap year among them), the signed keys count each day of the period
// once and no other day, with no more keys than whole years, months and days, and
// at most four a year.
func TestPeriodKeysCover(t *testing.T) {
	start := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	var days []string
	for d := start; d.Year() < 2026; d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(pipeline.DateLayout))
	}
	of := map[string][]int{} // a year's, a month's, a day's or a running sum's days
	for d, day := range days {
		for _, k := range append([]string{day[:4], day[:7], day}, runningKeys(day)...) {
			of[k] = append(of[k], d)
		}
	}
	for i := 0; i < len(days); i += 4 {
		for j := i; j < len(days); j += 9 {
			keys, err := PeriodKeys(days[i], days[j])
			if err != nil {
				t.Fatal(err)
			}
			parts, _ := periodParts(days[i], days[j])
			if years := j/365 - i/365 + 1; len(keys) > len(parts) || len(keys) > 4*years {
				t.Errorf("%s..%s: %d keys, more than %d or four a year", days[i], days[j], len(keys), len(parts))
			}
			n := make([]int, len(days))
			for _, k := range keys {
				for _, d := range of[k.Key] {
					n[d] += k.Sign
				}
			}
			for d, day := range days {
				if want := map[bool]int{true: 1}[d >= i && d <= j]; n[d] != want {
					t.Fatalf("%s..%s: %s counted %d times, want %d (%v)", days[i], days[j], day, n[d], want, keys)
				}
			}
		}
	}
}

func TestPercentile(t *testing.T) {
	h := map[int]int64{}
	for i := 1; i <= 100; i++ {
		h[TimeBucket(time.Duration(i)*time.Hour)]++
	}
	for q, want := range map[float64]time.Duration{0.5: 50 * time.Hour, 0.9: 90 * time.Hour} {
		got := Percentile(h, q)
		if d := got - want; d < -want/10 || d > want/10 {
			t.Errorf("p%.0f = %v, want about %v", q*100, got, want)
		}
	}
	if Percentile(nil, 0.5) != 0 {
		t.Error("empty histogram")
	}
}

// at sets the fixture's clock to a UTC time.
func (f *fixture) at(y int, m time.Month, d, h, min int) {
	f.setClock(time.Date(y, m, d, h, min, 0, 0, time.UTC))
}

func (f *fixture) answer(id int64, on string, amount string) {
	f.t.Helper()
	c := f.card(id)
	if _, err := f.st.CompleteStage(f.ctx, StageInput{CardID: id, Version: c.Version, Actor: f.privileged(),
		Values: map[string]string{"answered": "yes", "answered_on": on, "decision": "positive", "confirmed_amount": amount}}); err != nil {
		f.t.Fatalf("answer card %d: %v", id, err)
	}
}

// TestReportFigures checks the report against figures computed by hand: period
// edges in the office zone (Moscow, UTC+3), a card whose transactions and bank
// answer fall in different months, breakdowns adding up to the headline.
func TestReportFigures(t *testing.T) {
	f := newFixture(t)
	// Card A (bank, supplier, manager): 1 000,00 at 12,5 % on 31 March, 200,00 at
	// 10 % on 1 April; the bank confirms 900,00 on 5 April.
	a := f.startedCard()
	f.walkTo(a, pipeline.Processing)
	f.at(2025, 3, 31, 12, 0)
	f.addTx(a, f.privileged(), "1 000", "12,5")
	f.at(2025, 4, 1, 9, 0)
	f.addTx(a, f.privileged(), "200", "10")
	f.walkTo(a, pipeline.BankWait)
	f.at(2025, 4, 5, 10, 0)
	f.answer(a, "2025-04-05", "900")
	// Card B (bank2, supplier2, manager2): 500,00 at 12,5 % on 30 April at 23:59 in
	// Moscow (20:59 UTC); confirmed 437,50 on 1 May.
	in := f.input()
	in.BankID, in.SupplierID, in.ManagerID = f.bank2, f.supplier2, f.manager2.ID
	b := f.newCard(in)
	if err := f.st.StartCard(f.ctx, f.privileged(), b, 1); err != nil {
		t.Fatal(err)
	}
	f.walkTo(b, pipeline.Processing)
	f.at(2025, 4, 30, 20, 59)
	f.addTx(b, f.privileged(), "500", "12,5")
	f.complete(b) // stage 6 done 30 April 23:59 Moscow; stage 7 entered then
	f.complete(b) // stage 7 done 1 May 02:59 Moscow = 30 April 23:59 UTC
	f.answer(b, "2025-05-01", "437,50")

	rep := func(from, to string) Report {
		t.Helper()
		r, err := f.st.ReportFor(f.ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	k := func(s string) money.Kopecks {
		v, err := money.ParseKopecks(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		from, to                           string
		amount, commission, net, confirmed string
		txN, confN                         int64
	}{
		{"2025-03-01", "2025-03-31", "1000", "125", "875", "0", 1, 0},
		{"2025-03-31", "2025-03-31", "1000", "125", "875", "0", 1, 0},
		{"2025-04-01", "2025-04-30", "700", "82,50", "617,50", "900", 2, 1},
		{"2025-04-30", "2025-04-30", "500", "62,50", "437,50", "0", 1, 0},
		{"2025-05-01", "2025-05-31", "0", "0", "0", "437,50", 0, 1},
		{"2025-04-02", "2025-04-29", "0", "0", "0", "900", 0, 1},
		{"2025-01-01", "2025-12-31", "1700", "207,50", "1492,50", "1337,50", 3, 2},
		{"2024-01-01", "2024-12-31", "0", "0", "0", "0", 0, 0},
	} {
		r := rep(c.from, c.to)
		want := MoneySums{TxN: c.txN, Amount: k(c.amount), Commission: k(c.commission), Net: k(c.net), ConfirmedN: c.confN, Confirmed: k(c.confirmed)}
		if r.Total != want {
			t.Errorf("%s..%s: %+v, want %+v", c.from, c.to, r.Total, want)
		}
		for name, rows := range map[string][]ReportRow{"banks": r.Banks, "suppliers": r.Suppliers, "managers": r.Managers} {
			var sum MoneySums
			for _, row := range rows {
				sum.TxN += row.TxN
				sum.Amount += row.Amount
				sum.Commission += row.Commission
				sum.Net += row.Net
				sum.ConfirmedN += row.ConfirmedN
				sum.Confirmed += row.Confirmed
			}
			if sum != want {
				t.Errorf("%s..%s: %s add up to %+v, want %+v", c.from, c.to, name, sum, want)
			}
		}
	}
	apr := rep("2025-04-01", "2025-04-30")
	if len(apr.Banks) != 2 || apr.Banks[0].Name != "ВТБ" || apr.Banks[0].Amount != k("500") || apr.Banks[1].Confirmed != k("900") {
		t.Errorf("April by bank: %+v", apr.Banks)
	}
	if len(apr.Managers) != 2 || apr.Managers[0].Key != f.manager2.ID {
		t.Errorf("April by manager: %+v", apr.Managers)
	}
	// Stage 7 in April: both cards entered it, only A left (B left on 1 May, Moscow time).
	if s7 := apr.Stages[6]; s7.Entered != 2 || s7.Left != 1 || s7.Done != 1 {
		t.Errorf("April stage 7: %+v", s7)
	}
	if s7 := rep("2025-05-01", "2025-05-01").Stages[6]; s7.Entered != 0 || s7.Left != 1 || len(s7.People) != 1 || s7.People[0].UserID != f.manager2.ID {
		t.Errorf("1 May stage 7: %+v", s7)
	}
	year := rep("2025-01-01", "2025-12-31")
	if len(year.Months) != 3 || year.Months[0].Month != "2025-03" || year.Months[1].Amount != k("700") || year.Months[2].Confirmed != k("437,50") {
		t.Errorf("months: %+v", year.Months)
	}
	if s1 := year.Stages[0]; s1.Entered != 2 || s1.Left != 2 || s1.Median <= 0 {
		t.Errorf("stage 1: %+v", s1)
	}

	// The rows behind a figure.
	txs, err := f.st.ReportTransactions(f.ctx, ReportRowsFilter{From: "2025-04-01", To: "2025-04-30", Dim: DimBank, Key: f.bank2})
	if err != nil || len(txs) != 1 || txs[0].CardID != b || txs[0].Amount != k("500") || txs[0].Bank != "ВТБ" {
		t.Errorf("April transactions of ВТБ: %+v %v", txs, err)
	}
	txs, err = f.st.ReportTransactions(f.ctx, ReportRowsFilter{From: "2025-03-01", To: "2025-04-30"})
	if err != nil || len(txs) != 3 || txs[0].OccurredOn != "2025-04-30" || txs[2].OccurredOn != "2025-03-31" {
		t.Errorf("March–April transactions: %+v %v", txs, err)
	}
	conf, err := f.st.ReportConfirmations(f.ctx, ReportRowsFilter{From: "2025-04-01", To: "2025-04-30"})
	if err != nil || len(conf) != 1 || conf[0].CardID != a || conf[0].Amount != k("900") {
		t.Errorf("April confirmations: %+v %v", conf, err)
	}
	conf, err = f.st.ReportConfirmations(f.ctx, ReportRowsFilter{From: "2025-05-01", To: "2025-05-31", Dim: DimManager, Key: f.manager.ID})
	if err != nil || len(conf) != 0 {
		t.Errorf("May confirmations of the first manager: %+v %v", conf, err)
	}
	sums, err := f.st.ReportSums(f.ctx, "2025-04-01", "2025-04-30", DimSupplier, f.supplier)
	if err != nil || sums.TxN != 1 || sums.Amount != k("200") || sums.Confirmed != k("900") {
		t.Errorf("April sums of the first supplier: %+v %v", sums, err)
	}
	if first, err := f.st.FirstReportDay(f.ctx); err != nil || first != "2025-01-01" {
		t.Errorf("first day %q %v", first, err)
	}
}

// runningKeys are the running sums holding a day, found from what each running
// sum spans: 'YYYY-MM+' the days from the first of month MM to the end of the
// year, 'YYYY-MM-DD+' the days from that day to the end of its month (MM, DD ≥ 2).
func runningKeys(day string) []string {
	at, err := time.Parse(pipeline.DateLayout, day)
	if err != nil {
		panic(err)
	}
	var keys []string
	for d := time.Date(at.Year(), 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == at.Year(); d = d.AddDate(0, 0, 1) {
		if d.Day() == 1 && d.Month() > 1 && !at.Before(d) {
			keys = append(keys, d.Format("2006-01")+"+")
		}
		if end := d.AddDate(0, 1, -d.Day()+1).AddDate(0, 0, -1); d.Day() > 1 && !at.Before(d) && !at.After(end) {
			keys = append(keys, d.Format(pipeline.DateLayout)+"+")
		}
	}
	return keys
}
