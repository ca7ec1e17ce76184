//go:build !windows

package store

import (
	"context"
	"slices"
	"syscall"
	"testing"
	"time"
)

// BenchmarkReport measures «Отчёт» (SPEC section 10: any period up to all time in
// ≤ 20 ms) on a generated database: a month, a quarter, a year, all time and an
// unaligned period (the most rollup keys: edge days on both sides), reporting the
// median and 95th percentile of ReportFor in milliseconds, plus the first page of
// the transactions behind the all-time figure. Skipped unless KARTOTEKA_BENCH_DB
// names the file (the server must not hold it).
//
//	KARTOTEKA_BENCH_DB=/tmp/office.db go test ./store/ -run XXX -bench Report -benchtime 50x -v
func BenchmarkReport(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	var last string
	if err := s.Reader().QueryRow(`SELECT MAX(period) FROM rollup_money WHERE dim = 0 AND length(period) = 10`).Scan(&last); err != nil {
		b.Fatal(err)
	}
	first, err := s.FirstReportDay(ctx)
	if err != nil {
		b.Fatal(err)
	}
	end, _ := time.Parse("2006-01-02", last)
	month := time.Date(end.Year(), end.Month(), 1, 0, 0, 0, 0, time.UTC)
	day := func(t time.Time) string { return t.Format("2006-01-02") }
	cases := []struct{ name, from, to string }{
		{"month", day(month), day(month.AddDate(0, 1, -1))},
		{"quarter", day(month.AddDate(0, -2, 0)), day(month.AddDate(0, 1, -1))},
		{"year", day(time.Date(end.Year()-1, 1, 1, 0, 0, 0, 0, time.UTC)), day(time.Date(end.Year()-1, 12, 31, 0, 0, 0, 0, time.UTC))},
		{"all_time", first, day(time.Date(end.Year(), 12, 31, 0, 0, 0, 0, time.UTC))},
		{"unaligned", day(end.AddDate(-7, 0, 17)), day(end.AddDate(0, 0, -12))},
		// The most keys for six years: half a month and half a year at both edges.
		{"worst_edges", day(time.Date(end.Year()-7, 6, 16, 0, 0, 0, 0, time.UTC)), day(time.Date(end.Year()-1, 6, 15, 0, 0, 0, 0, time.UTC))},
	}
	var tx int64
	_ = s.Reader().QueryRow(`SELECT COUNT(*) FROM transactions`).Scan(&tx)
	b.Logf("%d transactions, data to %s, all time from %s", tx, last, first)
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			keys, _ := PeriodKeys(c.from, c.to)
			var times []time.Duration
			var r Report
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				if r, err = s.ReportFor(ctx, c.from, c.to); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(t0))
			}
			// CPU time of the whole process per report: what the report costs on an
			// idle machine, whatever else shares this one (wall times here include
			// waiting for a core).
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-p50")
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "ms-p95")
			b.Logf("%s %s..%s: %d rollup keys, %d transactions, %s / %s", c.name, c.from, c.to, len(keys), r.Total.TxN, r.Total.Amount, r.Total.Confirmed)
		})
	}
	b.Run("rows_all_time_page1", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := s.ReportTransactions(ctx, ReportRowsFilter{From: cases[3].from, To: cases[3].to, Page: 1}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
