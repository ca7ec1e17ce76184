package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var versionInput = regexp.MustCompile(`name="version" value="(\d+)"`)

// arrival is what one browser saw of one completion.
type arrival struct {
	notice, refetched time.Duration
	err               error
}

// runFanout opens c.browsers live streams (sessions of every role, each browser
// on its own connection), then completes stage 8 of a card with "no answer yet"
// (the deadline rolls; the card stays) c.completions times, one at a time. For
// each, it measures until every browser has the notice, and until every browser
// has refetched its tracker fragment, as the page does (without htmx's 150 ms
// debounce, which is the page's choice, not the server's cost).
func runFanout(ctx context.Context, c config, w *world) error {
	if len(w.bankWait) == 0 {
		return errors.New("no card in work at stage 8 to complete")
	}
	nSess := min(c.browsers, 20)
	fmt.Printf("logging in %d sessions for %d browsers...\n", nSess, c.browsers)
	ss, err := sessionsOf(ctx, c, w, nSess)
	if err != nil {
		return err
	}
	owner, err := sessionsOf(ctx, c, w, 1) // the first role is the owner
	if err != nil {
		return err
	}
	actor := owner[0]
	before, _, _ := memory(c.pid)
	stop := make(chan struct{})
	peak := rssWatch(c.pid, stop)

	var current atomic.Pointer[time.Time] // the completion being measured
	results := make(chan arrival, c.browsers)
	streamCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan error, c.browsers)
	for i := 0; i < c.browsers; i++ {
		s := ss[i%len(ss)]
		go browser(streamCtx, s, &current, results, ready)
	}
	for i := 0; i < c.browsers; i++ {
		if err := <-ready; err != nil {
			return fmt.Errorf("open stream: %w", err)
		}
	}
	fmt.Printf("%d streams open; %d completions\n", c.browsers, c.completions)
	var notices, refetches []time.Duration
	errs := 0
	r := rand.New(rand.NewPCG(uint64(c.seed), 7))
	for k := 0; k < c.completions; k++ {
		card := pick(r, w.bankWait)
		code, body, err := actor.get(ctx, fmt.Sprintf("/cards/%d/stage", card))
		m := versionInput.FindSubmatch(body)
		if err != nil || code != http.StatusOK || m == nil {
			return fmt.Errorf("stage form of card %d: status %d %v", card, code, err)
		}
		t0 := time.Now()
		current.Store(&t0)
		code, _, err = actor.post(ctx, fmt.Sprintf("/cards/%d/stage", card), url.Values{"version": {string(m[1])}, "stage": {"8"},
			"answered": {"no"}, "_csrf": {actor.csrf}})
		if err != nil || code != http.StatusOK {
			return fmt.Errorf("complete stage 8 of card %d: status %d %v", card, code, err)
		}
		timeout := time.After(10 * time.Second)
		for got := 0; got < c.browsers; got++ {
			select {
			case a := <-results:
				if a.err != nil {
					errs++
					continue
				}
				notices, refetches = append(notices, a.notice), append(refetches, a.refetched)
			case <-timeout:
				errs += c.browsers - got
				got = c.browsers
			}
		}
		current.Store(nil)
		time.Sleep(200 * time.Millisecond) // let stragglers' refetches end before the next
	}
	close(stop)
	cancel()
	sort.Slice(notices, func(i, j int) bool { return notices[i] < notices[j] })
	sort.Slice(refetches, func(i, j int) bool { return refetches[i] < refetches[j] })
	fmt.Printf("%d browsers x %d completions: %d arrivals, %d missing or failed\n", c.browsers, c.completions, len(notices), errs)
	if len(notices) > 0 {
		fmt.Printf("notice:            p50 %s ms, p95 %s ms, p99 %s ms, max %s ms\n", ms(pct(notices, .5)), ms(pct(notices, .95)), ms(pct(notices, .99)), ms(notices[len(notices)-1]))
		fmt.Printf("notice + refetch:  p50 %s ms, p95 %s ms, p99 %s ms, max %s ms\n", ms(pct(refetches, .5)), ms(pct(refetches, .95)), ms(pct(refetches, .99)), ms(refetches[len(refetches)-1]))
	}
	printMemory(os.Stdout, c.pid, before, <-peak)
	return nil
}

// browser holds one /events stream; on each notice naming the tracker while a
// completion is measured, it refetches the stage-8 tracker fragment.
func browser(ctx context.Context, s *session, current *atomic.Pointer[time.Time], results chan<- arrival, ready chan<- error) {
	tr := newTransport(2)
	hc := &http.Client{Transport: tr, Jar: s.hc.Jar}
	own := &session{u: s.u, base: s.base, hc: hc, csrf: s.csrf}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/events", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := hc.Do(req)
	if err != nil {
		ready <- err
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		ready <- fmt.Errorf("status %d", resp.StatusCode)
		return
	}
	rd := bufio.NewReader(resp.Body)
	hello := false
	var mu sync.Mutex
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			if !hello {
				ready <- err
			}
			return
		}
		if !hello && strings.HasPrefix(line, "event: hello") {
			hello = true
			ready <- nil
			continue
		}
		if !strings.HasPrefix(line, "data: ") || !strings.Contains(line, "tracker") {
			continue
		}
		t0 := current.Load()
		if t0 == nil {
			continue
		}
		notice := time.Since(*t0)
		go func() { // the page refetches while the stream keeps reading
			mu.Lock()
			defer mu.Unlock()
			code, _, err := own.get(ctx, "/tracker?stage=8&part=table")
			if err == nil && code != http.StatusOK {
				err = fmt.Errorf("refetch: status %d", code)
			}
			results <- arrival{notice: notice, refetched: time.Since(*t0), err: err}
		}()
	}
}

// runLogin measures a burst of c.logins parallel logins: each one's time and the
// server's memory growth (SPEC section 10: ≤ 150 MB).
func runLogin(ctx context.Context, c config, w *world) error {
	by := w.byRole()
	var us []user
	for _, role := range []string{"owner", "admin", "manager", "warmer", "accountant"} {
		us = append(us, by[role]...)
	}
	if len(us) == 0 {
		return errors.New("no users")
	}
	before, _, _ := memory(c.pid)
	stop := make(chan struct{})
	peak := rssWatch(c.pid, stop)
	tr := newTransport(c.logins)
	st := newStats()
	var wg sync.WaitGroup
	start := time.Now()
	gate := make(chan struct{})
	for i := 0; i < c.logins; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			t := time.Now()
			_, err := login(ctx, c.base, us[i%len(us)], c.password, tr)
			code := http.StatusSeeOther
			if err != nil {
				code = 0
				fmt.Fprintln(os.Stderr, "login:", err)
			}
			st.add("login (page+post+profile)", time.Since(t), code, 0, err)
		}()
	}
	close(gate)
	wg.Wait()
	elapsed := time.Since(start)
	time.Sleep(300 * time.Millisecond)
	close(stop)
	p := <-peak
	st.print(os.Stdout, elapsed)
	printMemory(os.Stdout, c.pid, before, p)
	if c.pid > 0 {
		fmt.Printf("growth during the burst: %.0f MB (peak sampled − before)\n", p-before)
	}
	return nil
}
