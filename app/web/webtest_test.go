package web_test

// Test helpers in the manner of goatcounter's gctest: one call gives a server on a
// migrated database in t.TempDir() with one active user of every role, a bank and
// a contractor; requests go through fiber's app.Test with a real session.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"kartoteka/app/auth"
	"kartoteka/app/live"
	"kartoteka/app/web"
	"kartoteka/store"
)

// anon is the "role" of a request without a session.
const anon auth.Role = ""

// testPassword is every seeded user's password.
func testPassword(r auth.Role) string { return "secret-" + string(r) }

// testClock is the store's clock in tests: it stands still unless moved.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// testServer is a Kartoteka server on a fresh database.
type testServer struct {
	srv       *web.Server
	hub       *live.Hub
	st        *store.Store
	clock     *testClock
	backupDir string
	done      chan struct{}
	doneOnce  sync.Once

	users        map[auth.Role]int64 // seeded user id per role
	bankID       int64
	contractorID int64

	mu       sync.Mutex
	sessions map[auth.Role]*session // cached by do
}

// session is a signed-in browser: its cookie and the CSRF token of its pages.
type session struct {
	Role   auth.Role
	UserID int64
	Cookie *http.Cookie // kartoteka_session, or kartoteka_csrf for anonymous
	CSRF   string
}

type tsOptions struct{ empty, cache bool }

// tsOption changes what newTestServer seeds.
type tsOption func(*tsOptions)

// emptyDB leaves the database without users (the first-run state).
func emptyDB() tsOption { return func(o *tsOptions) { o.empty = true } }

// withCache turns the fragment cache on, as the server runs it.
func withCache() tsOption { return func(o *tsOptions) { o.cache = true } }

// newTestServer opens a migrated store in t.TempDir(), seeds one active user per
// role (login = role name, password testPassword(role)), a bank and a contractor,
// and builds the server with the real views and static folders.
func newTestServer(t testing.TB, opts ...tsOption) *testServer {
	t.Helper()
	var o tsOptions
	for _, f := range opts {
		f(&o)
	}
	auth.SetTestParams()
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "kartoteka.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	clock := &testClock{now: testStart(t)}
	st.Now = clock.Now

	ts := &testServer{st: st, clock: clock, hub: live.NewHub(), backupDir: filepath.Join(dir, "backups"),
		done: make(chan struct{}), users: map[auth.Role]int64{}, sessions: map[auth.Role]*session{}}
	t.Cleanup(ts.endStreams)
	if !o.empty {
		ts.seed(t)
	}
	// Quiet logs; KARTOTEKA_TEST_LOG=1 shows them (request lines, 500 errors).
	var logger *slog.Logger
	if os.Getenv("KARTOTEKA_TEST_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	} else {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ts.srv, err = web.New(web.Config{
		Store:     st,
		Hub:       ts.hub,
		Cache:     o.cache,
		Views:     os.DirFS("../../views"),
		Static:    os.DirFS("../../static"),
		Log:       logger,
		Version:   "test",
		BackupDir: ts.backupDir,
		Done:      ts.done,
	})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	return ts
}

func (ts *testServer) seed(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	names := map[auth.Role]string{
		auth.Owner: "Иванов Иван", auth.Admin: "Петрова Анна", auth.Accountant: "Сидорова Мария",
		auth.Warmer: "Кузнецов Олег", auth.Manager: "Смирнов Павел",
	}
	for _, r := range auth.Roles {
		hash, err := auth.HashPassword(testPassword(r))
		if err != nil {
			t.Fatal(err)
		}
		actor := ts.users[auth.Owner] // 0 for the owner itself
		u, err := ts.st.CreateUser(ctx, actor, store.UserInput{Login: string(r), Name: names[r], Role: string(r)}, hash)
		if err != nil {
			t.Fatalf("seed user %s: %v", r, err)
		}
		ts.users[r] = u.ID
	}
	owner := ts.users[auth.Owner]
	var err error
	if ts.bankID, err = ts.st.SaveBank(ctx, owner, 0, store.BankInput{Name: "Тест-Банк"}); err != nil {
		t.Fatalf("seed bank: %v", err)
	}
	if ts.contractorID, err = ts.st.SaveContractor(ctx, owner, 0, store.ContractorInput{Name: "ООО Поставщик"}); err != nil {
		t.Fatalf("seed contractor: %v", err)
	}
}

// endStreams closes the Done channel, so /events answers its hello and ends.
func (ts *testServer) endStreams() { ts.doneOnce.Do(func() { close(ts.done) }) }

// login starts a session for the seeded user of role directly through the store
// (no form, no throttle). For anon it returns the anonymous double-submit CSRF pair.
func (ts *testServer) login(t testing.TB, role auth.Role) *session {
	t.Helper()
	if role == anon {
		tok := auth.NewCSRF()
		return &session{Cookie: &http.Cookie{Name: "kartoteka_csrf", Value: tok}, CSRF: tok}
	}
	id, ok := ts.users[role]
	if !ok {
		t.Fatalf("no seeded user for role %q", role)
	}
	return ts.loginUser(t, role, id)
}

// loginUser starts a session for any user id.
func (ts *testServer) loginUser(t testing.TB, role auth.Role, id int64) *session {
	t.Helper()
	tok, hash, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	csrf := auth.NewCSRF()
	if err := ts.st.StartSession(context.Background(), hash, csrf, id, "192.0.2.1", "go test"); err != nil {
		t.Fatalf("start session: %v", err)
	}
	return &session{Role: role, UserID: id, Cookie: &http.Cookie{Name: "kartoteka_session", Value: tok}, CSRF: csrf}
}

// do sends a request as role (anon: no session), reusing one session per role.
// POSTs carry the CSRF token both as the _csrf field and the X-CSRF-Token header.
func (ts *testServer) do(t testing.TB, role auth.Role, method, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	ts.mu.Lock()
	s := ts.sessions[role]
	if s == nil {
		s = ts.login(t, role)
		ts.sessions[role] = s
	}
	ts.mu.Unlock()
	return ts.doAs(t, s, method, path, form)
}

// doAs sends a request with the given session (nil: no cookies, no CSRF at all).
func (ts *testServer) doAs(t testing.TB, s *session, method, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		if s != nil && f.Get("_csrf") == "" {
			f.Set("_csrf", s.CSRF)
		}
		body = strings.NewReader(f.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if s != nil {
		req.AddCookie(s.Cookie)
	}
	return ts.send(t, req)
}

// doRaw sends a POST exactly as given: no CSRF is added.
func (ts *testServer) doRaw(t testing.TB, s *session, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if s != nil {
		req.AddCookie(s.Cookie)
	}
	return ts.send(t, req)
}

func (ts *testServer) send(t testing.TB, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := ts.srv.App().Test(req, -1)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	return resp, string(b)
}

// count is a COUNT(*) of a table (or any "FROM ... WHERE ..." tail) through the reader pool.
func (ts *testServer) count(t testing.TB, from string, args ...any) int {
	t.Helper()
	var n int
	if err := ts.st.Reader().QueryRow("SELECT COUNT(*) FROM "+from, args...).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", from, err)
	}
	return n
}

// snapshot counts the rows of the tables a directory, profile or settings form may
// write; every store write also adds an audit row, so an unchanged audit_log means
// nothing was written.
func (ts *testServer) snapshot(t testing.TB) map[string]int {
	t.Helper()
	m := map[string]int{}
	for _, tbl := range []string{"users", "banks", "contractors", "audit_log"} {
		m[tbl] = ts.count(t, tbl)
	}
	return m
}

// location is the redirect target of a response, "" when none.
func location(r *http.Response) string { return r.Header.Get("Location") }

// testStart is when a test server's clock starts: now, or the time in
// KARTOTEKA_TEST_NOW (RFC 3339) to run the suite at another time of day or
// year (tests must not depend on when they run).
func testStart(t testing.TB) time.Time {
	if v := os.Getenv("KARTOTEKA_TEST_NOW"); v != "" {
		at, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t.Fatalf("KARTOTEKA_TEST_NOW: %v", err)
		}
		return at.UTC()
	}
	return time.Now().UTC().Truncate(time.Second)
}
