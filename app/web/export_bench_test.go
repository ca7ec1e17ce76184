package web_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"kartoteka/store"
)

// BenchmarkExportArchive measures what exporting the whole archive costs the
// server: rows per second, bytes, Go heap at its peak while the file streams, the
// process's peak RSS (VmHWM) over its RSS before, and the slowest archive page
// another user got meanwhile. The same export narrowed to one bank (1/40 of the
// rows) is run first: a flat memory profile has the same peak for both.
//
//	KARTOTEKA_EXPORT_ROWS=1000000 go test ./app/web -run '^$' -bench ExportArchive -benchtime 1x -timeout 60m
//
// (default 200,000 archived cards; generating them is most of the run).
func BenchmarkExportArchive(b *testing.B) {
	n := 200_000
	if v, err := strconv.Atoi(os.Getenv("KARTOTEKA_EXPORT_ROWS")); err == nil && v > 0 {
		n = v
	}
	ts := newTestServer(b)
	ctx := context.Background()
	t0 := time.Now()
	banks := fillArchive(b, ts, n)
	b.Logf("filled %d archived cards in %s", n, time.Since(t0).Round(time.Second))
	ownerID, managerID := ts.users["owner"], ts.users["manager"]
	_ = ctx
	owner := ts.loginUser(b, "owner", ownerID)
	other := ts.loginUser(b, "manager", managerID)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = ts.srv.App().Listener(ln) }()
	b.Cleanup(func() { _ = ts.srv.App().Shutdown() })
	base := "http://" + ln.Addr().String()
	get := func(s *session, path string) (int64, error) {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.AddCookie(s.Cookie)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("%s: %d", path, resp.StatusCode)
		}
		return io.Copy(io.Discard, resp.Body)
	}

	run := func(name, path string) {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		rss := procKB(b, "VmRSS")
		_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset VmHWM
		var peak uint64
		var slowest time.Duration
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() { // the heap, sampled
			for {
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapInuse)
				select {
				case <-stop:
					return
				case <-time.After(25 * time.Millisecond):
				}
			}
		})
		wg.Go(func() { // another user reading archive pages meanwhile
			for {
				t := time.Now()
				if _, err := get(other, "/cards/archive?draw=1&start=0&length=25"); err != nil {
					b.Error(err)
				}
				slowest = max(slowest, time.Since(t))
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		})
		t := time.Now()
		size, err := get(owner, path)
		took := time.Since(t)
		close(stop)
		wg.Wait()
		if err != nil {
			b.Fatal(err)
		}
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		hwm := procKB(b, "VmHWM")
		b.Logf("%-28s %9.1f MB in %6.1fs | heap before %5.1f MB, peak %5.1f MB | allocated %7.1f MB | RSS before %5.1f MB, peak %5.1f MB | slowest archive page meanwhile %s",
			name, float64(size)/1e6, took.Seconds(), mb(before.HeapInuse), mb(peak), mb(after.TotalAlloc-before.TotalAlloc),
			float64(rss)/1024, float64(hwm)/1024, slowest.Round(time.Millisecond))
		b.ReportMetric(mb(peak), name+"-peak-heap-MB")
		b.ReportMetric(float64(hwm)/1024, name+"-peak-RSS-MB")
	}
	for range b.N {
		bank := fmt.Sprint(banks[0])
		run("csv-one-bank", "/export/cards?tab=archive&format=csv&bank="+bank)
		run("csv-all", "/export/cards?tab=archive&format=csv")
		run("xlsx-one-bank", "/export/cards?tab=archive&format=xlsx&bank="+bank)
		run("xlsx-all", "/export/cards?tab=archive&format=xlsx")
	}
}

// fillArchive inserts n archived cards spread over 40 banks in a few statements
// (the generator's full decade of tasks is not needed to measure an export).
func fillArchive(b *testing.B, ts *testServer, n int) []int64 {
	ctx := context.Background()
	owner := ts.users["owner"]
	banks := []int64{ts.bankID}
	for i := 2; i <= 40; i++ {
		id, err := ts.st.SaveBank(ctx, owner, 0, store.BankInput{Name: fmt.Sprintf("Банк %d", i)})
		if err != nil {
			b.Fatal(err)
		}
		banks = append(banks, id)
	}
	at := ts.clock.Now().UTC().AddDate(-1, 0, 0)
	for done := 0; done < n; done += 100_000 {
		err := ts.st.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Raw.ExecContext(ctx, `WITH RECURSIVE seq(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
INSERT INTO cards (number, last4, bank_id, supplier_id, contact_name, contact_phone, warmer_id, manager_id, accountant_id,
  commission_rate, warming_days, warming_every_days, lifecycle, created_at, updated_at, archived_at)
SELECT printf('4111%012d', n), printf('%04d', n % 10000), ? + n % 40, ?, 'Клиент ' || n, printf('+7912%07d', n), ?, ?, ?,
  1000, 14, 1, 'archived', ?, ?, ? FROM seq`, done+1, min(done+100_000, n), banks[0], ts.contractorID,
				ts.users["warmer"], ts.users["manager"], ts.users["accountant"], at, at, at)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return banks
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }
