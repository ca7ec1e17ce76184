package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// session is one logged-in browser: its cookies and the page's CSRF token.
type session struct {
	u    user
	base string
	hc   *http.Client
	csrf string
	// The mix's page views go through fc with the session's cookies as they
	// were after signing in (nothing the mix reads changes them): fasthttp's
	// client takes about half of net/http's CPU per request, and the tool
	// shares the server's two cores (PERFORMANCE.md, item 18).
	fc     *fasthttp.HostClient
	cookie string
}

var (
	csrfMeta  = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)
	csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
)

func newTransport(conns int) *http.Transport {
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     time.Minute,
	}
}

// login signs a user in like a browser: the login page for its token, then the form.
func login(ctx context.Context, base string, u user, password string, tr *http.Transport) (*session, error) {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Transport: tr, Jar: jar, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	s := &session{u: u, base: base, hc: hc}
	_, body, err := s.get(ctx, "/login")
	if err != nil {
		return nil, err
	}
	m := csrfInput.FindSubmatch(body)
	if m == nil {
		return nil, fmt.Errorf("login page: no form token")
	}
	code, _, err := s.post(ctx, "/login", url.Values{"login": {u.login}, "password": {password}, "_csrf": {string(m[1])}})
	// The login gate refuses while too many hashes run (429): wait and retry, for a minute at most.
	for try := 0; err == nil && code == http.StatusTooManyRequests && try < 30; try++ {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(2 * time.Second):
		}
		code, _, err = s.post(ctx, "/login", url.Values{"login": {u.login}, "password": {password}, "_csrf": {string(m[1])}})
	}
	if err != nil {
		return nil, err
	}
	if code != http.StatusSeeOther {
		return nil, fmt.Errorf("login %s: status %d", u.login, code)
	}
	_, body, err = s.get(ctx, "/profile")
	if err != nil {
		return nil, err
	}
	if m := csrfMeta.FindSubmatch(body); m != nil {
		s.csrf = string(m[1])
	}
	u0, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	var cookies []string
	for _, ck := range jar.Cookies(u0) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	s.cookie = strings.Join(cookies, "; ")
	return s, nil
}

// fastClient gives the sessions of one run one pooled client for the server.
func fastClient(base string, conns int) (*fasthttp.HostClient, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("-base %s: the mix speaks plain http to a server on this computer", base)
	}
	return &fasthttp.HostClient{Addr: u.Host, MaxConns: conns, ReadTimeout: time.Minute, WriteTimeout: time.Minute,
		MaxResponseBodySize: 64 << 20, MaxIdleConnDuration: time.Minute}, nil
}

func (s *session) get(ctx context.Context, path string) (int, []byte, error) {
	var buf bytes.Buffer
	code, _, err := s.getDiscard(ctx, path, &buf)
	return code, buf.Bytes(), err
}

// getDiscard is get reading the answer into buf (emptied first), so that the mix
// reads every answer into one buffer per session; it returns the answer's size.
func (s *session) getDiscard(ctx context.Context, path string, buf *bytes.Buffer) (int, int, error) {
	if s.fc != nil {
		return s.getFast(ctx, path, buf)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+path, nil)
	if err != nil {
		return 0, 0, err
	}
	if fragment(path) {
		req.Header.Set("HX-Request", "true")
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	buf.Reset()
	n, err := buf.ReadFrom(resp.Body)
	return resp.StatusCode, int(n), err
}

// fragment tells the addresses a page asks for through htmx (HX-Request).
func fragment(path string) bool {
	return strings.Contains(path, "part=") || strings.HasPrefix(path, "/nav/")
}

// getFast is getDiscard through the fast client, until ctx's deadline at most.
func (s *session) getFast(ctx context.Context, path string, buf *bytes.Buffer) (int, int, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(s.base + path)
	req.Header.Set("Cookie", s.cookie)
	if fragment(path) {
		req.Header.Set("HX-Request", "true")
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(time.Minute)
	}
	if err := s.fc.DoDeadline(req, resp, deadline); err != nil {
		if !time.Now().Before(deadline) {
			// The run's end (its context's timer may not have fired yet).
			return 0, 0, context.DeadlineExceeded
		}
		return 0, 0, err
	}
	buf.Reset()
	n, err := buf.Write(resp.Body())
	return resp.StatusCode(), n, err
}

func (s *session) post(ctx context.Context, path string, form url.Values) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if s.csrf != "" {
		req.Header.Set("X-CSRF-Token", s.csrf)
	}
	req.Header.Set("HX-Request", "true")
	return s.do(req)
}

func (s *session) do(req *http.Request) (int, []byte, error) {
	resp, err := s.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// ---- statistics

// stats collects latencies per route name.
type stats struct {
	mu     sync.Mutex
	lat    map[string][]time.Duration
	errs   map[string]int
	bytes  map[string]int64
	status map[int]int
}

func newStats() *stats {
	return &stats{lat: map[string][]time.Duration{}, errs: map[string]int{}, bytes: map[string]int64{}, status: map[int]int{}}
}

func (st *stats) add(route string, d time.Duration, code, n int, err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.lat[route] = append(st.lat[route], d)
	st.bytes[route] += int64(n)
	st.status[code]++
	if err != nil || code >= 400 || code == 0 {
		st.errs[route]++
	}
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := int(float64(len(ds)-1) * p)
	return ds[i]
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64)
}

// print writes the per-route table (sorted by total time spent) and the totals.
func (st *stats) print(w io.Writer, elapsed time.Duration) {
	st.mu.Lock()
	defer st.mu.Unlock()
	type line struct {
		route string
		ds    []time.Duration
		sum   time.Duration
	}
	var lines []line
	total, errs := 0, 0
	for r, ds := range st.lat {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		var sum time.Duration
		for _, d := range ds {
			sum += d
		}
		lines = append(lines, line{r, ds, sum})
		total += len(ds)
		errs += st.errs[r]
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i].sum > lines[j].sum })
	fmt.Fprintf(w, "%-28s %8s %8s %8s %8s %8s %7s %9s\n", "route", "n", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "avg KB")
	for _, l := range lines {
		fmt.Fprintf(w, "%-28s %8d %8s %8s %8s %8s %7d %9.1f\n", l.route, len(l.ds), ms(pct(l.ds, .5)), ms(pct(l.ds, .95)),
			ms(pct(l.ds, .99)), ms(l.ds[len(l.ds)-1]), st.errs[l.route], float64(st.bytes[l.route])/float64(len(l.ds))/1024)
	}
	fmt.Fprintf(w, "total %d requests in %s: %.0f per second; errors %d; statuses %v\n", total, elapsed.Round(time.Millisecond),
		float64(total)/elapsed.Seconds(), errs, st.status)
}

// ---- server memory

// memory reads the server's VmRSS and VmHWM (peak) in MB from /proc.
func memory(pid int) (rss, hwm float64, ok bool) {
	if pid <= 0 {
		return 0, 0, false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, false
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			hwm = kb / 1024
		}
	}
	return rss, hwm, true
}

// cpuTime reads the server's user+system CPU time from /proc/PID/stat (clock ticks of 1/100 s).
func cpuTime(pid int) (time.Duration, bool) {
	if pid <= 0 {
		return 0, false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:]) // after the command name
	if len(f) < 13 {
		return 0, false
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond, true
}

// rssWatch samples VmRSS until stop closes and returns the highest sample.
func rssWatch(pid int, stop <-chan struct{}) <-chan float64 {
	out := make(chan float64, 1)
	go func() {
		peak := 0.0
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if r, _, ok := memory(pid); ok && r > peak {
				peak = r
			}
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

func printMemory(w io.Writer, pid int, before, peak float64) {
	if rss, hwm, ok := memory(pid); ok {
		fmt.Fprintf(w, "server memory: VmRSS before %.0f MB, peak sampled %.0f MB, now %.0f MB; VmHWM (peak since start) %.0f MB\n",
			before, peak, rss, hwm)
	}
}

// total is the number of requests recorded.
func (st *stats) total() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	n := 0
	for _, v := range st.status {
		n += v
	}
	return n
}
