package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// A view is one kind of page a person opens, with how often (weight) and who can.
type view struct {
	name   string
	weight int
	roles  string // "" = every role; else a list like "owner admin"
	path   func(r *rand.Rand, s *session, w *world) string
}

var (
	digits   = "0123456789"
	surnames = []string{"ов", "ова", "Иван", "Петров", "Смирнова", "ин", "ко", "Кузнецов", "ев", "Сергей"}
	statuses = []string{"", "open", "overdue", "new", "in_progress", "done", "cancelled"}
)

func randDigits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.IntN(10)]
	}
	return string(b)
}

// archivePath is a DataTables request of the archive with a random mix of the
// seven filters and a random page (sometimes a deep one).
func archivePath(r *rand.Rand, _ *session, w *world) string {
	q := url.Values{"draw": {"1"}, "length": {"25"}}
	start := 0
	switch r.IntN(10) {
	case 0:
		start = r.IntN(40000) * 25
	case 1, 2:
		start = r.IntN(20) * 25
	}
	q.Set("start", strconv.Itoa(start))
	if r.IntN(10) == 0 {
		q.Set("order[0][dir]", "asc")
	}
	if r.IntN(4) == 0 {
		q.Set("number", randDigits(r, 2+r.IntN(5)))
	}
	if r.IntN(4) == 0 {
		q.Set("contact", pick(r, surnames))
	}
	for _, f := range []struct {
		name string
		ids  []int64
	}{{"bank", w.banks}, {"supplier", w.suppliers}, {"warmer", w.warmers}, {"manager", w.managers}, {"accountant", w.acc}} {
		if r.IntN(5) == 0 {
			q.Set(f.name, strconv.FormatInt(pick(r, f.ids), 10))
		}
	}
	return "/cards/archive?" + q.Encode()
}

// autoTasksPath is «Автозадачи» with a random mix of its filters.
func autoTasksPath(r *rand.Rand, _ *session, w *world) string {
	q := url.Values{"tab": {"auto"}}
	if r.IntN(6) == 0 {
		q.Set("card", strconv.FormatInt(1+r.Int64N(max(w.maxCard, 1)), 10))
	}
	if r.IntN(3) == 0 {
		q.Set("stage", strconv.Itoa(1+r.IntN(9)))
	}
	if r.IntN(3) == 0 {
		q.Set("assignee", strconv.FormatInt(pick(r, w.users).id, 10))
	}
	if s := pick(r, statuses); s != "" && r.IntN(2) == 0 {
		q.Set("status", s)
	}
	if r.IntN(4) == 0 {
		from := time.Now().AddDate(-r.IntN(10), -r.IntN(12), 0)
		q.Set("from", from.Format("2006-01-02"))
		if r.IntN(2) == 0 {
			q.Set("to", from.AddDate(0, r.IntN(60), 0).Format("2006-01-02"))
		}
	}
	return "/tasks?" + q.Encode()
}

func cardPath(r *rand.Rand, s *session, w *world) string {
	if s.u.role == "owner" || s.u.role == "admin" {
		if r.IntN(2) == 0 && len(w.workCards) > 0 {
			return "/cards/" + strconv.FormatInt(pick(r, w.workCards), 10)
		}
		return "/cards/" + strconv.FormatInt(1+r.Int64N(max(w.maxCard, 1)), 10)
	}
	if len(s.u.cards) == 0 {
		return "/profile"
	}
	return "/cards/" + strconv.FormatInt(pick(r, s.u.cards), 10)
}

func fixed(p string) func(*rand.Rand, *session, *world) string {
	return func(*rand.Rand, *session, *world) string { return p }
}

// views is the realistic mix: the tracker (page and its live fragment) and the
// counters most, then card lists, the archive, «Автозадачи», card pages, tasks.
var views = []view{
	{"tracker page", 10, "", func(r *rand.Rand, _ *session, _ *world) string { return "/tracker?stage=" + strconv.Itoa(1+r.IntN(9)) }},
	{"tracker fragment", 14, "", func(r *rand.Rand, _ *session, _ *world) string {
		return "/tracker?stage=" + strconv.Itoa(1+r.IntN(9)) + "&part=table"
	}},
	{"nav counters", 14, "", fixed("/nav/counters")},
	{"cards new", 4, "", fixed("/cards?tab=new")},
	{"cards work", 4, "", fixed("/cards?tab=work")},
	{"cards done", 3, "", fixed("/cards?tab=done")},
	{"cards archive page", 3, "", fixed("/cards?tab=archive")},
	{"archive data", 12, "", archivePath},
	{"auto tasks", 10, "", autoTasksPath},
	{"card page", 12, "", cardPath},
	{"tasks in", 4, "", fixed("/tasks?tab=in")},
	{"tasks out", 2, "", fixed("/tasks?tab=out")},
	{"tasks all", 2, "owner", fixed("/tasks?tab=all")},
	{"report", 2, "owner", fixed("/report")},
	{"profile", 1, "", fixed("/profile")},
}

func allowed(v view, role string) bool {
	if v.roles == "" {
		return true
	}
	for _, r := range splitFields(v.roles) {
		if r == role {
			return true
		}
	}
	return false
}

// chosen tells whether the -only list (empty: every view) names v.
func chosen(v view, only string) bool {
	return only == "" || slices.Contains(strings.Split(only, ","), v.name)
}

func splitFields(s string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	return out
}

// sessionsOf logs in n sessions spread over every role in turn (each role gets
// at least one session when n allows), reusing logins when a role has few people.
func sessionsOf(ctx context.Context, c config, w *world, n int) ([]*session, error) {
	roles := []string{"owner", "admin", "manager", "warmer", "accountant"}
	if c.mode == "mix" && c.role != "" {
		roles = []string{c.role}
	}
	by := w.byRole()
	tr := newTransport(4 * n)
	var us []user
	for i := 0; len(us) < n; i++ {
		role := roles[i%len(roles)]
		if people := by[role]; len(people) > 0 {
			us = append(us, people[(i/len(roles))%len(people)])
		}
		if i > 10*n {
			return nil, fmt.Errorf("no users to log in")
		}
	}
	out := make([]*session, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 4) // logins are deliberately slow (argon2id): a few at a time
	var wg sync.WaitGroup
	for i, u := range us {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			s, err := login(ctx, c.base, u, c.password, tr)
			if err != nil {
				errs <- err
				return
			}
			out[i] = s
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return out, nil
}

// runMix runs the page-view mix from c.sessions sessions, each requesting one page
// after another as fast as the server answers, until the time or request budget ends.
func runMix(ctx context.Context, c config, w *world) error {
	fmt.Printf("logging in %d sessions...\n", c.sessions)
	ss, err := sessionsOf(ctx, c, w, c.sessions)
	if err != nil {
		return err
	}
	fc, err := fastClient(c.base, 4*c.sessions)
	if err != nil {
		return err
	}
	roles := map[string]int{}
	for _, s := range ss {
		roles[s.u.role]++
		s.fc = fc
	}
	fmt.Printf("sessions by role: %v; mix for %s or %d requests\n", roles, c.duration, c.requests)
	for _, s := range ss {
		if !slices.ContainsFunc(views, func(v view) bool { return allowed(v, s.u.role) && chosen(v, c.only) }) {
			return fmt.Errorf("-only %q: no view for a %s", c.only, s.u.role)
		}
	}
	st := newStats()
	before, _, _ := memory(c.pid)
	cpu0, _ := cpuTime(c.pid)
	own0, _ := cpuTime(os.Getpid())
	stop := make(chan struct{})
	peak := rssWatch(c.pid, stop)
	var left atomic.Int64
	left.Store(int64(c.requests))
	runCtx, cancel := context.WithTimeout(ctx, c.duration)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for i, s := range ss {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(c.seed), uint64(i)))
			var mine []view
			total := 0
			for _, v := range views {
				if allowed(v, s.u.role) && chosen(v, c.only) {
					mine = append(mine, v)
					total += v.weight
				}
			}
			var body bytes.Buffer // each answer is read into it and dropped: only its size is kept
			for runCtx.Err() == nil && left.Add(-1) >= 0 {
				k := r.IntN(total)
				v := mine[0]
				for _, x := range mine {
					if k < x.weight {
						v = x
						break
					}
					k -= x.weight
				}
				t := time.Now()
				code, n, err := s.getDiscard(runCtx, v.path(r, s, w), &body)
				if runCtx.Err() != nil || errors.Is(err, context.DeadlineExceeded) {
					return // cut off by the end of the run: not a result
				}
				st.add(v.name, time.Since(t), code, n, err)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	st.print(os.Stdout, elapsed)
	if cpu1, ok := cpuTime(c.pid); ok && st.total() > 0 {
		// The server's own CPU per view does not depend on what else runs on the
		// computer: 2 cores divided by it is the rate this machine could serve alone.
		per := (cpu1 - cpu0).Seconds() * 1000 / float64(st.total())
		fmt.Printf("server CPU: %.0f ms user+system, %.2f ms per view; %d cores / that = %.0f views/s if the server had them to itself\n",
			(cpu1-cpu0).Seconds()*1000, per, runtime.NumCPU(), float64(runtime.NumCPU())*1000/per)
	}
	if own1, ok := cpuTime(os.Getpid()); ok && st.total() > 0 {
		// What the tool itself took of the same cores (a browser's share is on its own computer).
		fmt.Printf("load tool CPU: %.0f ms, %.2f ms per view\n", (own1-own0).Seconds()*1000, (own1-own0).Seconds()*1000/float64(st.total()))
	}
	printMemory(os.Stdout, c.pid, before, <-peak)
	return nil
}
