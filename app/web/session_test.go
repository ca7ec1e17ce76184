package web_test

// Sign-in, sessions, CSRF and first run: the security rules of SPEC section 8.

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"kartoteka/app/auth"
	"kartoteka/store"
)

// TestLastOwner: with two active owners one may be demoted; then the other is the
// last and can be neither demoted nor deactivated.
func TestLastOwner(t *testing.T) {
	ts := newTestServer(t)
	second := vals("name", "Второй Владелец", "login", "owner2", "role", "owner", "password", "long-enough")
	if resp, body := ts.do(t, owner, "POST", "/directory/employees/new", second); resp.StatusCode != 303 {
		t.Fatalf("create second owner: %d %s", resp.StatusCode, formErrors(body))
	}
	u2, err := ts.st.Q.UserGetByLogin(context.Background(), "owner2")
	if err != nil {
		t.Fatal(err)
	}
	id2 := fmt.Sprint(u2.ID)
	if resp, body := ts.do(t, owner, "POST", "/directory/employees/"+id2+"/active", vals("active", "0")); resp.StatusCode != 303 {
		t.Fatalf("deactivate one of two owners: %d %s", resp.StatusCode, formErrors(body))
	}
	// owner2 is inactive: the seeded owner is the last active one.
	resp, body := ts.do(t, owner, "POST", ts.expand("/directory/employees/{owner}/active"), vals("active", "0"))
	if resp.StatusCode != 422 || !has(body, "Нельзя отключить последнего активного владельца") {
		t.Errorf("deactivate the last active owner: %d %s", resp.StatusCode, formErrors(body))
	}
	resp, body = ts.do(t, owner, "POST", ts.expand("/directory/employees/{owner}"), vals("name", "Иванов", "login", "owner", "role", "manager"))
	if resp.StatusCode != 422 || !has(body, "Нельзя сменить роль последнего активного владельца") {
		t.Errorf("demote the last active owner: %d %s", resp.StatusCode, formErrors(body))
	}
	// Back with two active owners, the first may step down.
	if resp, body := ts.do(t, owner, "POST", "/directory/employees/"+id2+"/active", vals("active", "1")); resp.StatusCode != 303 {
		t.Fatalf("reactivate owner2: %d %s", resp.StatusCode, formErrors(body))
	}
	resp, body = ts.do(t, owner, "POST", ts.expand("/directory/employees/{owner}"), vals("name", "Иванов", "login", "owner", "role", "admin"))
	if resp.StatusCode != 303 {
		t.Errorf("demote one of two owners: %d %s", resp.StatusCode, formErrors(body))
	}
	// The role changed: the demoted owner's session ended with it.
	if resp, _ := ts.do(t, owner, "GET", "/settings", nil); resp.StatusCode != 303 || !strings.HasPrefix(location(resp), "/login") {
		t.Errorf("after losing the owner role the old session should be gone: GET /settings → %d %s", resp.StatusCode, location(resp))
	}
}

// TestDeactivationEndsSessions: a deactivated user's very next request is anonymous,
// and they cannot sign in again.
func TestDeactivationEndsSessions(t *testing.T) {
	ts := newTestServer(t)
	mgr := ts.login(t, manager)
	mgr2 := ts.login(t, manager) // a second browser
	if resp, _ := ts.doAs(t, mgr, "GET", "/tracker", nil); resp.StatusCode != 200 {
		t.Fatalf("manager before: %d", resp.StatusCode)
	}
	resp, body := ts.do(t, owner, "POST", ts.expand("/directory/employees/{manager}/active"), vals("active", "0"))
	if resp.StatusCode != 303 {
		t.Fatalf("deactivate: %d %s", resp.StatusCode, formErrors(body))
	}
	for i, s := range []*session{mgr, mgr2} {
		resp, _ := ts.doAs(t, s, "GET", "/tracker", nil)
		if resp.StatusCode != 303 || !strings.HasPrefix(location(resp), "/login") {
			t.Errorf("session %d after deactivation: GET /tracker → %d %q, want 303 to /login", i+1, resp.StatusCode, location(resp))
		}
		resp, _ = ts.doAs(t, s, "POST", "/profile", vals("name", "Взлом"))
		if resp.StatusCode != 403 && resp.StatusCode != 401 {
			t.Errorf("session %d after deactivation: POST /profile → %d, want 401/403", i+1, resp.StatusCode)
		}
	}
	if n := ts.count(t, "sessions WHERE user_id = ?", ts.users[auth.Manager]); n != 0 {
		t.Errorf("sessions left for the deactivated user: %d", n)
	}
	resp, body = ts.doAs(t, ts.login(t, anon), "POST", "/login", vals("login", "manager", "password", testPassword(auth.Manager)))
	if resp.StatusCode != 422 || !has(body, "Неверный логин или пароль") {
		t.Errorf("deactivated user signs in: %d %s", resp.StatusCode, formErrors(body))
	}
	// Reactivated, they may sign in again.
	if resp, _ := ts.do(t, owner, "POST", ts.expand("/directory/employees/{manager}/active"), vals("active", "1")); resp.StatusCode != 303 {
		t.Fatalf("reactivate: %d", resp.StatusCode)
	}
	resp, _ = ts.doAs(t, ts.login(t, anon), "POST", "/login", vals("login", "manager", "password", testPassword(auth.Manager)))
	if resp.StatusCode != 303 {
		t.Errorf("reactivated user signs in: %d", resp.StatusCode)
	}
}

// TestPasswordChangesEndOtherSessions: a reset by the owner ends every session of
// the employee; a change in the profile keeps only the current one.
func TestPasswordChangesEndOtherSessions(t *testing.T) {
	ts := newTestServer(t)
	here, other := ts.login(t, warmer), ts.login(t, warmer)
	resp, body := ts.doAs(t, here, "POST", "/profile/password", vals("current_password", testPassword(auth.Warmer),
		"new_password", "fresh-password", "new_password_confirm", "fresh-password"))
	if resp.StatusCode != 303 {
		t.Fatalf("profile password: %d %s", resp.StatusCode, formErrors(body))
	}
	if resp, _ := ts.doAs(t, here, "GET", "/profile", nil); resp.StatusCode != 200 {
		t.Errorf("the session that changed the password: GET /profile → %d, want 200", resp.StatusCode)
	}
	if resp, _ := ts.doAs(t, other, "GET", "/profile", nil); resp.StatusCode != 303 {
		t.Errorf("another session after a password change: GET /profile → %d, want 303", resp.StatusCode)
	}
	resp, body = ts.do(t, owner, "POST", ts.expand("/directory/employees/{warmer}/password"), vals("new_password", "owner-set-pass"))
	if resp.StatusCode != 303 {
		t.Fatalf("reset: %d %s", resp.StatusCode, formErrors(body))
	}
	if resp, _ := ts.doAs(t, here, "GET", "/profile", nil); resp.StatusCode != 303 {
		t.Errorf("after the owner's reset: GET /profile → %d, want 303", resp.StatusCode)
	}
}

func TestCSRF(t *testing.T) {
	ts := newTestServer(t)
	bank := vals("name", "Без токена")
	s := ts.login(t, owner)
	other := ts.login(t, admin) // signing in is itself audited: do it before the snapshot
	before := ts.snapshot(t)

	resp, body := ts.doRaw(t, s, "/directory/banks/new", bank)
	if resp.StatusCode != 403 || !has(body, "Форма устарела") {
		t.Errorf("POST without _csrf: %d, want 403 «Форма устарела»", resp.StatusCode)
	}
	resp, _ = ts.doRaw(t, s, "/directory/banks/new", with(bank, "_csrf", "forged"))
	if resp.StatusCode != 403 {
		t.Errorf("POST with a wrong _csrf: %d, want 403", resp.StatusCode)
	}
	// Another user's token does not fit this session.
	resp, _ = ts.doRaw(t, s, "/directory/banks/new", with(bank, "_csrf", other.CSRF))
	if resp.StatusCode != 403 {
		t.Errorf("POST with another session's token: %d, want 403", resp.StatusCode)
	}
	if after := ts.snapshot(t); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("a refused POST wrote something: %v → %v", before, after)
	}
	// The header alone is enough (htmx sends it).
	req, _ := http.NewRequest("POST", "/directory/banks/new", strings.NewReader(bank.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", s.CSRF)
	req.AddCookie(s.Cookie)
	if resp, body := ts.send(t, req); resp.StatusCode != 303 {
		t.Errorf("POST with X-CSRF-Token header: %d %s", resp.StatusCode, formErrors(body))
	}
	// Anonymous forms: the double-submit cookie must match the field.
	a := ts.login(t, anon)
	resp, _ = ts.doRaw(t, a, "/login", vals("login", "owner", "password", testPassword(auth.Owner)))
	if resp.StatusCode != 403 {
		t.Errorf("anonymous POST /login without _csrf: %d, want 403", resp.StatusCode)
	}
	resp, _ = ts.doRaw(t, nil, "/login", vals("login", "owner", "password", testPassword(auth.Owner), "_csrf", a.CSRF))
	if resp.StatusCode != 403 {
		t.Errorf("anonymous POST /login with _csrf but no cookie: %d, want 403", resp.StatusCode)
	}
	resp, _ = ts.doAs(t, a, "POST", "/login", vals("login", "owner", "password", testPassword(auth.Owner)))
	if resp.StatusCode != 303 {
		t.Errorf("anonymous POST /login with the cookie and field: %d, want 303", resp.StatusCode)
	}
	// The anonymous page hands out the cookie the form needs.
	resp, body = ts.doAs(t, nil, "GET", "/login", nil)
	var cookie string
	for _, c := range resp.Cookies() {
		if c.Name == "kartoteka_csrf" {
			cookie = c.Value
		}
	}
	if cookie == "" || !strings.Contains(body, `name="_csrf" value="`+cookie+`"`) {
		t.Errorf("GET /login should set kartoteka_csrf and put the same token in the form (cookie %q)", cookie)
	}
}

func TestLoginForm(t *testing.T) {
	ts := newTestServer(t)
	a := ts.login(t, anon)
	resp, body := ts.doAs(t, a, "POST", "/login", vals("login", "admin", "password", "wrong-password"))
	if resp.StatusCode != 422 || !has(body, "Неверный логин или пароль") {
		t.Errorf("wrong password: %d %s", resp.StatusCode, formErrors(body))
	}
	if has(body, "wrong-password") {
		t.Error("the page echoes the typed password")
	}
	resp, body = ts.doAs(t, a, "POST", "/login", vals("login", "nobody", "password", "wrong-password"))
	if resp.StatusCode != 422 || !has(body, "Неверный логин или пароль") {
		t.Errorf("unknown login: %d %s (the message must not tell which was wrong)", resp.StatusCode, formErrors(body))
	}
	resp, body = ts.doAs(t, a, "POST", "/login", vals("login", "", "password", ""))
	if resp.StatusCode != 422 || !has(body, msgRequired) {
		t.Errorf("empty login form: %d %s", resp.StatusCode, formErrors(body))
	}
	resp, _ = ts.doAs(t, a, "POST", "/login", vals("login", "ADMIN", "password", testPassword(auth.Admin), "next", "/directory/banks"))
	if resp.StatusCode != 303 || location(resp) != "/directory/banks" {
		t.Fatalf("right password: %d → %q, want 303 → /directory/banks", resp.StatusCode, location(resp))
	}
	var tok string
	for _, c := range resp.Cookies() {
		if c.Name == "kartoteka_session" {
			tok = c.Value
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie flags: HttpOnly %v, SameSite %v", c.HttpOnly, c.SameSite)
			}
		}
	}
	if tok == "" {
		t.Fatal("no session cookie after sign-in")
	}
	if n := ts.count(t, "sessions WHERE token_hash = ?", tok); n != 0 {
		t.Error("the raw session token is stored")
	}
	if n := ts.count(t, "sessions WHERE token_hash = ?", auth.HashToken(tok)); n != 1 {
		t.Error("the session is not stored by its hash")
	}
	s := &session{Cookie: &http.Cookie{Name: "kartoteka_session", Value: tok}}
	if resp, _ := ts.doAs(t, s, "GET", "/directory/banks", nil); resp.StatusCode != 200 {
		t.Errorf("with the new cookie: GET /directory/banks → %d", resp.StatusCode)
	}
	// An open redirect is refused.
	resp, _ = ts.doAs(t, a, "POST", "/login", vals("login", "admin", "password", testPassword(auth.Admin), "next", "//evil.example/"))
	if resp.StatusCode != 303 || location(resp) != "/" {
		t.Errorf("next=//evil.example/: redirected to %q, want /", location(resp))
	}
	// Logout ends the session.
	s.CSRF = sessionCSRF(t, ts, tok)
	if resp, _ := ts.doAs(t, s, "POST", "/logout", nil); resp.StatusCode != 303 {
		t.Errorf("logout: %d", resp.StatusCode)
	}
	if resp, _ := ts.doAs(t, s, "GET", "/directory/banks", nil); resp.StatusCode != 303 {
		t.Errorf("after logout: GET /directory/banks → %d, want 303", resp.StatusCode)
	}
}

func sessionCSRF(t *testing.T, ts *testServer, tok string) string {
	t.Helper()
	var csrf string
	if err := ts.st.Reader().QueryRow("SELECT csrf FROM sessions WHERE token_hash = ?", auth.HashToken(tok)).Scan(&csrf); err != nil {
		t.Fatal(err)
	}
	return csrf
}

// TestLoginThrottle: ten wrong passwords for one login lock it; the eleventh
// attempt is refused even with the right password, with 429 and «Слишком много».
func TestLoginThrottle(t *testing.T) {
	ts := newTestServer(t)
	a := ts.login(t, anon)
	for i := 1; i <= auth.LockFailures; i++ {
		resp, body := ts.doAs(t, a, "POST", "/login", vals("login", "owner", "password", fmt.Sprintf("guess-%d", i)))
		if resp.StatusCode != 422 || !has(body, "Неверный логин или пароль") {
			t.Fatalf("wrong password %d: %d %s", i, resp.StatusCode, formErrors(body))
		}
		ts.clock.Advance(30 * time.Second) // past the growing pause, well inside the window
	}
	resp, body := ts.doAs(t, a, "POST", "/login", vals("login", "Owner", "password", testPassword(auth.Owner)))
	if resp.StatusCode != http.StatusTooManyRequests || !has(body, "Слишком много") {
		t.Fatalf("attempt %d with the right password: %d %s, want 429 «Слишком много»", auth.LockFailures+1, resp.StatusCode, formErrors(body))
	}
	if n := ts.count(t, "sessions"); n != 0 {
		t.Errorf("a locked login started a session")
	}
	// Another login from the same address is not locked.
	if resp, _ := ts.doAs(t, a, "POST", "/login", vals("login", "admin", "password", testPassword(auth.Admin))); resp.StatusCode != 303 {
		t.Errorf("another login during the lock: %d, want 303", resp.StatusCode)
	}
	// After the lock the right password works again.
	ts.clock.Advance(auth.LockFor + time.Minute)
	if resp, body := ts.doAs(t, a, "POST", "/login", vals("login", "owner", "password", testPassword(auth.Owner))); resp.StatusCode != 303 {
		t.Errorf("after the lock: %d %s", resp.StatusCode, formErrors(body))
	}
}

// TestSetup: an empty database sends every page to /setup; the form creates the
// owner and signs them in; then /setup is gone.
func TestSetup(t *testing.T) {
	ts := newTestServer(t, emptyDB())
	a := ts.login(t, anon)
	for _, rt := range ts.srv.Routes() {
		if rt.Method != http.MethodGet || rt.Path == "/setup" || rt.Path == "/healthz" {
			continue
		}
		path, _ := ts.fillPath(rt.Path)
		resp, _ := ts.doAs(t, a, "GET", path, nil)
		if resp.StatusCode != 303 || location(resp) != "/setup" {
			t.Errorf("empty database: GET %s → %d %q, want 303 /setup", path, resp.StatusCode, location(resp))
		}
	}
	if resp, _ := ts.doAs(t, a, "GET", "/healthz", nil); resp.StatusCode != 200 {
		t.Errorf("empty database: /healthz → %d", resp.StatusCode)
	}
	resp, body := ts.doAs(t, a, "GET", "/setup", nil)
	if resp.StatusCode != 200 || !has(body, "Первый запуск") {
		t.Fatalf("GET /setup: %d", resp.StatusCode)
	}
	form := vals("name", "Главный Владелец", "login", "boss", "password", "very-secret", "password_confirm", "very-secret")
	for _, bad := range []struct {
		name string
		form url.Values
		want string
	}{
		{"short password", with(form, "password", "short", "password_confirm", "short"), msgShortPw},
		{"mismatch", with(form, "password_confirm", "very-secreT"), "Пароли не совпадают"},
		{"no name", with(form, "name", ""), msgRequired},
		{"bad login", with(form, "login", "б"), "Логин: от 3 до 40"},
	} {
		resp, body := ts.doAs(t, a, "POST", "/setup", bad.form)
		if resp.StatusCode != 422 || !has(body, bad.want) {
			t.Errorf("setup %s: %d %s, want 422 %q", bad.name, resp.StatusCode, formErrors(body), bad.want)
		}
		if n := ts.count(t, "users"); n != 0 {
			t.Fatalf("setup %s created a user", bad.name)
		}
	}
	resp, body = ts.doAs(t, a, "POST", "/setup", form)
	if resp.StatusCode != 303 {
		t.Fatalf("POST /setup: %d %s", resp.StatusCode, formErrors(body))
	}
	u, err := ts.st.Q.UserGetByLogin(context.Background(), "boss")
	if err != nil || u.Role != "owner" || u.Active != 1 || !auth.CheckPassword(u.PasswordHash, "very-secret") {
		t.Fatalf("first owner = %+v, %v", u, err)
	}
	var owner *session
	for _, c := range resp.Cookies() {
		if c.Name == "kartoteka_session" {
			owner = &session{Cookie: c}
		}
	}
	if owner == nil {
		t.Fatal("setup did not sign the owner in")
	}
	if resp, _ := ts.doAs(t, owner, "GET", "/settings", nil); resp.StatusCode != 200 {
		t.Errorf("the new owner: GET /settings → %d", resp.StatusCode)
	}
	if resp, _ := ts.doAs(t, a, "GET", "/setup", nil); resp.StatusCode != 404 {
		t.Errorf("GET /setup after setup: %d, want 404", resp.StatusCode)
	}
	resp, _ = ts.doAs(t, a, "POST", "/setup", with(form, "login", "second"))
	if resp.StatusCode != 404 {
		t.Errorf("POST /setup after setup: %d, want 404", resp.StatusCode)
	}
	if n := ts.count(t, "users"); n != 1 {
		t.Errorf("users after a second setup: %d", n)
	}
	if resp, _ := ts.doAs(t, a, "GET", "/tracker", nil); resp.StatusCode != 303 || !strings.HasPrefix(location(resp), "/login") {
		t.Errorf("anonymous after setup: GET /tracker → %d %q, want /login", resp.StatusCode, location(resp))
	}
}

// TestSetupOnSecondServer: a server started on a database that already has users
// never offers /setup, even before its first request.
func TestSetupOnSecondServer(t *testing.T) {
	ts := newTestServer(t)
	resp, _ := ts.doAs(t, ts.login(t, anon), "POST", "/setup",
		vals("name", "Чужой", "login", "intruder", "password", "very-secret", "password_confirm", "very-secret"))
	if resp.StatusCode != 404 {
		t.Errorf("POST /setup on a database with users: %d, want 404", resp.StatusCode)
	}
	if n := ts.count(t, "users WHERE login = 'intruder'"); n != 0 {
		t.Error("setup created a user on a database with users")
	}
}

func TestIdleSessionEnds(t *testing.T) {
	ts := newTestServer(t)
	s := ts.login(t, admin)
	ts.clock.Advance(11 * time.Hour)
	if resp, _ := ts.doAs(t, s, "GET", "/profile", nil); resp.StatusCode != 200 {
		t.Fatalf("after 11 h idle: %d, want 200", resp.StatusCode)
	}
	ts.clock.Advance(11 * time.Hour) // touched above: still inside 12 h
	if resp, _ := ts.doAs(t, s, "GET", "/profile", nil); resp.StatusCode != 200 {
		t.Fatalf("11 h after the last request: %d, want 200", resp.StatusCode)
	}
	ts.clock.Advance(12*time.Hour + time.Minute)
	if resp, _ := ts.doAs(t, s, "GET", "/profile", nil); resp.StatusCode != 303 {
		t.Errorf("after 12 h idle: %d, want 303 to /login", resp.StatusCode)
	}
	if n := ts.count(t, "sessions WHERE user_id = ?", ts.users[auth.Admin]); n != 0 {
		t.Errorf("the idle session is still stored")
	}
}

func TestSecurityHeaders(t *testing.T) {
	ts := newTestServer(t)
	resp, _ := ts.do(t, owner, "GET", "/directory/banks", nil)
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "http") {
		t.Errorf("CSP = %q", csp)
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
}

func TestHealthz(t *testing.T) {
	ts := newTestServer(t)
	resp, body := ts.do(t, anon, "GET", "/healthz", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, fmt.Sprintf(`"schema":%d`, store.SchemaVersion())) {
		t.Errorf("/healthz: %d %s", resp.StatusCode, body)
	}
}

// TestResetPasswordThenLogin: the password the owner sets is the one the employee
// signs in with, spaces around it included (every password field is trimmed alike).
func TestResetPasswordThenLogin(t *testing.T) {
	ts := newTestServer(t)
	for _, pw := range []string{"plain-password", "  spaced-pass  "} {
		resp, body := ts.do(t, owner, "POST", ts.expand("/directory/employees/{manager}/password"), vals("new_password", pw))
		if resp.StatusCode != 303 {
			t.Fatalf("reset to %q: %d %s", pw, resp.StatusCode, formErrors(body))
		}
		resp, body = ts.doAs(t, ts.login(t, anon), "POST", "/login", vals("login", "manager", "password", pw))
		if resp.StatusCode != 303 {
			t.Errorf("sign in with the reset password %q: %d %s", pw, resp.StatusCode, formErrors(body))
		}
	}
}

// TestLoginNextStaysOnSite: the post-login redirect never leaves the site and never
// carries characters that browsers drop (tab, newline) or that split the header.
func TestLoginNextStaysOnSite(t *testing.T) {
	ts := newTestServer(t)
	for next, want := range map[string]string{
		"/directory/banks?x=1":  "/directory/banks?x=1",
		"":                      "/",
		"https://evil.example/": "/",
		"//evil.example/":       "/",
		"/\\evil.example/":      "/",
		"/\t/evil.example/":     "/",
		"/\n/evil.example":      "/",
		"/\r\nSet-Cookie: x=1":  "/",
	} {
		resp, _ := ts.doAs(t, ts.login(t, anon), "POST", "/login",
			vals("login", "admin", "password", testPassword(auth.Admin), "next", next))
		if resp.StatusCode != 303 || location(resp) != want {
			t.Errorf("next=%q: %d → %q, want 303 → %q", next, resp.StatusCode, location(resp), want)
		}
	}
}

// TestLoginRehashesOldParams: a hash made with other argon2 parameters (the old
// 64 MiB ones, here cheap stand-ins) verifies with its own parameters and is
// replaced by one with the current parameters at the sign-in.
func TestLoginRehashesOldParams(t *testing.T) {
	ts := newTestServer(t)
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte(testPassword(auth.Admin)), salt, 2, 128, 2, 32)
	old := "$argon2id$v=19$m=128,t=2,p=2$" + base64.RawStdEncoding.EncodeToString(salt) + "$" + base64.RawStdEncoding.EncodeToString(key)
	if err := ts.st.InTx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Raw.Exec("UPDATE users SET password_hash = ? WHERE login = 'admin'", old)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !auth.NeedsRehash(old) {
		t.Fatal("setup: the stand-in hash does not need a rehash")
	}
	a := ts.login(t, anon)
	if resp, body := ts.doAs(t, a, "POST", "/login", vals("login", "admin", "password", testPassword(auth.Admin))); resp.StatusCode != 303 {
		t.Fatalf("sign-in with an old hash: %d %s", resp.StatusCode, formErrors(body))
	}
	var now string
	if err := ts.st.Reader().QueryRow("SELECT password_hash FROM users WHERE login = 'admin'").Scan(&now); err != nil {
		t.Fatal(err)
	}
	if now == old || auth.NeedsRehash(now) || !auth.CheckPassword(now, testPassword(auth.Admin)) {
		t.Fatalf("hash after sign-in: %q (was %q)", now, old)
	}
}

// TestLoginRefusalSaysWhen: a throttled attempt is 429 with Retry-After.
func TestLoginRefusalSaysWhen(t *testing.T) {
	ts := newTestServer(t)
	a := ts.login(t, anon)
	var resp *http.Response
	for range auth.FreeFailures + 2 {
		resp, _ = ts.doAs(t, a, "POST", "/login", vals("login", "owner", "password", "wrong-password"))
	}
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "2" {
		t.Fatalf("7th wrong password at once: %d, Retry-After %q; want 429, 2", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

// TestLockoutPerAddress (issue 8 item 8): ten wrong passwords for the owner from
// one address lock the owner out of that address only; the owner signs in from
// their own computer, the lock-out is in the change log, and «Разблокировать»
// in «Сотрудники» lifts it.
func TestLockoutPerAddress(t *testing.T) {
	ts := newTestServer(t)
	base := ts.listen(t)
	post := func(c *http.Client, password string) int {
		form := url.Values{"login": {"owner"}, "password": {password}, "_csrf": {"tok"}}
		req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "kartoteka_csrf", Value: "tok"})
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	attacker, office := fromAddr(66, false), fromAddr(5, false)
	for i := range auth.LockFailures {
		if st := post(attacker, fmt.Sprintf("guess-%d", i)); st != 422 {
			t.Fatalf("guess %d: %d", i, st)
		}
		ts.clock.Advance(auth.MaxLoginDelay) // past the growing pause
	}
	if st := post(attacker, testPassword(auth.Owner)); st != http.StatusTooManyRequests {
		t.Fatalf("right password from the attacker's address after the lock: %d, want 429", st)
	}
	if n := ts.count(t, "audit_log WHERE action = 'lockout' AND entity_id = ? AND after LIKE '%127.0.1.68%'", ts.users[owner]); n != 1 {
		t.Fatalf("%d lock-out rows in the change log, want 1", n)
	}
	if st := post(office, testPassword(auth.Owner)); st != http.StatusSeeOther {
		t.Fatalf("the owner from their own computer: %d, want 303", st)
	}

	// The lock is shown in «Сотрудники» and lifted there.
	path := fmt.Sprintf("/directory/employees/%d", ts.users[owner])
	if _, body := ts.do(t, owner, "GET", path, nil); !has(body, "Вход заблокирован") || !has(body, "127.0.1.68") {
		t.Fatal("«Сотрудники» does not show the lock-out")
	}
	if resp, _ := ts.do(t, admin, "POST", path+"/unlock", nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an admin unlocking: %d, want 403", resp.StatusCode)
	}
	if resp, _ := ts.do(t, owner, "POST", path+"/unlock", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("unlock: %d", resp.StatusCode)
	}
	if n := ts.count(t, "audit_log WHERE action = 'unlock' AND entity_id = ?", ts.users[owner]); n != 1 {
		t.Fatalf("%d unlock rows in the change log, want 1", n)
	}
	if st := post(attacker, testPassword(auth.Owner)); st != http.StatusSeeOther {
		t.Fatalf("after «Разблокировать»: %d, want 303", st)
	}
}
