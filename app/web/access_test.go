package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"kartoteka/app/auth"
	"kartoteka/store"
)

// access is who may use a route.
type access struct {
	public bool        // no sign-in needed (login, setup, health)
	roles  []auth.Role // signed-in roles admitted
}

var (
	owner      = auth.Owner
	admin      = auth.Admin
	accountant = auth.Accountant
	warmer     = auth.Warmer
	manager    = auth.Manager

	anyone    = access{public: true}
	signedIn  = access{roles: []auth.Role{owner, admin, accountant, warmer, manager}}
	ownerOnly = access{roles: []auth.Role{owner}}
	staff     = access{roles: []auth.Role{owner, admin}} // owner and administrator
)

// expectedAccess is SPEC section 1, written out by hand and independently of
// app/auth's matrix: "METHOD pattern" (as registered) → who may use it.
// Every route in the table must be declared here, and nothing else.
var expectedAccess = map[string]access{
	"GET /healthz": anyone,
	"GET /setup":   anyone,
	"POST /setup":  anyone,
	"GET /login":   anyone,
	"POST /login":  anyone,
	"POST /logout": signedIn,

	"GET /":             signedIn,
	"GET /events":       signedIn,
	"GET /nav/counters": signedIn,

	// Таск-трекер, Карты (list/view), Задачи (Входящие/Исходящие/Автозадачи): everyone,
	// filtered by person inside the handler.
	"GET /tracker": signedIn,
	"GET /cards":   signedIn,
	"GET /tasks":   signedIn,
	// Standard tasks: anyone writes one; each task is checked for its author,
	// assignee and the owner inside the handler (TestStdTaskAccess).
	"GET /tasks/new":           signedIn,
	"POST /tasks/new":          signedIn,
	"GET /tasks/:id":           signedIn,
	"GET /tasks/:id/edit":      signedIn,
	"POST /tasks/:id/edit":     signedIn,
	"POST /tasks/:id/status":   signedIn,
	"POST /tasks/:id/comments": signedIn,

	// Карты: everyone lists and views (the cards where responsible); creating,
	// editing, assigning people, starting, correcting and archiving is owner and admin.
	"GET /cards/archive":          signedIn,
	"POST /cards/archive":         staff,
	"GET /cards/new":              staff,
	"POST /cards/new":             staff,
	"GET /cards/:id":              signedIn,
	"GET /cards/:id/edit":         staff,
	"POST /cards/:id/edit":        staff,
	"POST /cards/:id/start":       staff,
	"POST /cards/:id/correct":     staff,
	"GET /cards/:id/stage":        signedIn, // own stage (owner/admin: any), checked per card
	"POST /cards/:id/stage":       signedIn,
	"POST /cards/:id/take":        signedIn,
	"GET /autotasks/:id":          signedIn, // own warming task (owner/admin: any), checked per task
	"POST /autotasks/:id":         signedIn,
	"GET /cards/:id/transactions": signedIn,
	// Транзакции: add / remove — owner, admin, and the accountant or manager responsible; never the warmer.
	"POST /cards/:id/transactions":            {roles: []auth.Role{owner, admin, accountant, manager}},
	"POST /cards/:id/transactions/:tx/delete": {roles: []auth.Role{owner, admin, accountant, manager}},

	// Экспорт: as the list it exports (rows filtered by person inside).
	"GET /export/cards":       signedIn,
	"GET /export/tasks":       signedIn,
	"GET /export/audit":       ownerOnly,
	"GET /export/report":      ownerOnly,
	"GET /export/report/rows": ownerOnly,

	// Отчёт: owner only.
	"GET /report":      ownerOnly,
	"GET /report/rows": ownerOnly,

	// Справочники: Сотрудники and Подрядчики are the owner's, Банки owner and admin.
	"GET /directory/employees":               ownerOnly,
	"GET /directory/employees/new":           ownerOnly,
	"POST /directory/employees/new":          ownerOnly,
	"GET /directory/employees/:id":           ownerOnly,
	"POST /directory/employees/:id":          ownerOnly,
	"POST /directory/employees/:id/password": ownerOnly,
	"POST /directory/employees/:id/active":   ownerOnly,
	"POST /directory/employees/:id/unlock":   ownerOnly,

	"GET /directory/contractors":             ownerOnly,
	"GET /directory/contractors/new":         ownerOnly,
	"POST /directory/contractors/new":        ownerOnly,
	"GET /directory/contractors/:id":         ownerOnly,
	"POST /directory/contractors/:id":        ownerOnly,
	"POST /directory/contractors/:id/active": ownerOnly,

	"GET /directory/banks":             staff,
	"GET /directory/banks/new":         staff,
	"POST /directory/banks/new":        staff,
	"GET /directory/banks/:id":         staff,
	"POST /directory/banks/:id":        staff,
	"POST /directory/banks/:id/active": staff,

	// Профиль: everyone, their own.
	"GET /profile":           signedIn,
	"POST /profile":          signedIn,
	"POST /profile/password": signedIn,

	// Настройки, резервные копии, журнал изменений: owner only.
	"GET /settings":               ownerOnly,
	"POST /settings":              ownerOnly,
	"POST /settings/backup":       ownerOnly,
	"GET /settings/backups/:name": ownerOnly, // download a checked backup
	"POST /settings/backup-copy":  ownerOnly, // the second backup folder
	"GET /audit":                  ownerOnly,
}

// streams are routes that answer with a never-ending body (server-sent events);
// the access test closes the server's Done channel so they return after "hello".
var streams = map[string]bool{"/events": true}

var paramRe = regexp.MustCompile(`:[A-Za-z_]+\??|\*`)

// fillPath puts real ids into a route pattern. known is false when some parameter
// had no seeded row to point at (then 404 counts as "admitted").
func (ts *testServer) fillPath(pattern string) (path string, known bool) {
	seeded := []struct {
		prefix string
		id     int64
	}{
		// The owner: deactivating or demoting the last owner is refused, so an
		// empty POST cannot lock the test out.
		{"/directory/employees/:id", ts.users[auth.Owner]},
		{"/directory/contractors/:id", ts.contractorID},
		{"/directory/banks/:id", ts.bankID},
	}
	for _, s := range seeded {
		if strings.HasPrefix(pattern, s.prefix) {
			pattern = strings.Replace(pattern, ":id", fmt.Sprint(s.id), 1)
			break
		}
	}
	known = !paramRe.MatchString(pattern)
	return paramRe.ReplaceAllString(pattern, "1"), known
}

func roleName(r auth.Role) string {
	if r == anon {
		return "anonymous"
	}
	return string(r)
}

func (a access) admits(r auth.Role) bool {
	if a.public {
		return true
	}
	for _, x := range a.roles {
		if x == r {
			return true
		}
	}
	return false
}

// TestEveryRouteEveryRole walks the registered route table for every role and
// for an anonymous visitor and checks each answer against SPEC section 1.
func TestEveryRouteEveryRole(t *testing.T) {
	ts := newTestServer(t)
	ts.endStreams()
	routes := ts.srv.Routes()
	if len(routes) == 0 {
		t.Fatal("srv.Routes() is empty")
	}

	seen := map[string]bool{}
	everyone := append([]auth.Role{anon}, auth.Roles...)
	for _, rt := range routes {
		key := rt.Method + " " + rt.Path
		if seen[key] {
			t.Errorf("route %s is registered twice", key)
			continue
		}
		seen[key] = true
		want, ok := expectedAccess[key]
		if !ok {
			t.Errorf("route %s has no expected roles in access_test.go: declare who may use it (SPEC section 1) in expectedAccess", key)
			continue
		}
		path, known := ts.fillPath(rt.Path)
		for _, role := range everyone {
			// A fresh session per request: POST /logout ends the one it is sent with.
			resp, body := ts.doAs(t, ts.login(t, role), rt.Method, path, nil)
			if msg := checkAccess(rt.Method, rt.Path, role, want, known, resp, body); msg != "" {
				t.Errorf("%-5s %-40s as %-10s → %d: %s", rt.Method, path, roleName(role), resp.StatusCode, msg)
			}
		}
	}
	var stale []string
	for key := range expectedAccess {
		if !seen[key] {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	for _, key := range stale {
		t.Errorf("expectedAccess in access_test.go declares %s, but no such route is registered: remove or rename it", key)
	}
}

// checkAccess returns "" when the answer fits the expectation, else what is wrong.
func checkAccess(method, pattern string, role auth.Role, want access, known bool, resp *http.Response, body string) string {
	code := resp.StatusCode
	switch {
	case role == anon && !want.public:
		if method == http.MethodGet && !streams[pattern] {
			if code != http.StatusSeeOther || !strings.HasPrefix(location(resp), "/login") {
				return fmt.Sprintf("anonymous GET of a page should redirect 303 to /login, got Location %q", location(resp))
			}
			return ""
		}
		if code != http.StatusUnauthorized {
			return "anonymous POST/stream should get 401"
		}
		return ""
	case !want.admits(role):
		if code != http.StatusForbidden {
			return "forbidden role should get 403"
		}
		if method == http.MethodGet && !strings.Contains(body, "Доступ запрещён") {
			return "403 page should say «Доступ запрещён»"
		}
		return ""
	}
	// Admitted.
	switch {
	case code == http.StatusForbidden:
		return "admitted role got 403"
	case code >= 500:
		return "server error: " + snippet(body)
	case code == http.StatusUnauthorized:
		return "admitted role got 401"
	}
	if method == http.MethodPost {
		switch code {
		case http.StatusUnprocessableEntity, http.StatusSeeOther, http.StatusConflict:
			return ""
		case http.StatusNotFound:
			if !known || pattern == "/setup" {
				return ""
			}
			return "404 for a seeded row"
		}
		return "an empty POST should get 422, 303, 404 or 409"
	}
	if code == http.StatusNotFound && known && pattern != "/setup" {
		return "404 for a seeded row"
	}
	return ""
}

// snippet is the start of a body for a failure message.
func snippet(body string) string {
	body = strings.Join(strings.Fields(body), " ")
	if len(body) > 300 {
		return body[:300] + "…"
	}
	return body
}

// TestAnonymousHTMXGets401 checks that an htmx request without a session is told
// 401 (the page swaps nothing) rather than redirected into a login page fragment.
func TestAnonymousHTMXGets401(t *testing.T) {
	ts := newTestServer(t)
	req, _ := http.NewRequest(http.MethodGet, "/tracker", nil)
	req.Header.Set("HX-Request", "true")
	resp, _ := ts.send(t, req)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous htmx GET /tracker: %d, want 401", resp.StatusCode)
	}
}

// TestNothingRegisteredOutsideTable checks that every GET/POST route fiber knows
// comes from srv.Routes(), and every table entry reached fiber: access is declared
// in one place only.
func TestNothingRegisteredOutsideTable(t *testing.T) {
	ts := newTestServer(t)
	table := map[string]bool{}
	for _, r := range ts.srv.Routes() {
		table[r.Method+" "+r.Path] = true
	}
	registered := map[string]bool{}
	for _, r := range ts.srv.App().GetRoutes(true) {
		if r.Method == http.MethodHead || strings.HasPrefix(r.Path, "/static") {
			continue
		}
		key := r.Method + " " + r.Path
		registered[key] = true
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			t.Errorf("route %s uses method %s: the table only knows GET and POST", key, r.Method)
			continue
		}
		if !table[key] {
			t.Errorf("route %s is registered with fiber but is not in routeTable (routes.go): add it there with its section", key)
		}
	}
	for key := range table {
		if !registered[key] {
			t.Errorf("route %s is in srv.Routes() but fiber does not know it", key)
		}
	}
}

// TestEveryPageRenders GETs every page the owner (who sees everything) and a
// manager (who sees the filtered versions) may open: a template that fails to
// execute answers 500.
func TestEveryPageRenders(t *testing.T) {
	ts := newTestServer(t)
	ts.endStreams()
	for _, role := range []auth.Role{owner, manager} {
		for _, rt := range ts.srv.Routes() {
			if rt.Method != http.MethodGet || !expectedAccess[rt.Method+" "+rt.Path].admits(role) {
				continue
			}
			path, _ := ts.fillPath(rt.Path)
			resp, body := ts.do(t, role, http.MethodGet, path, nil)
			if resp.StatusCode >= 500 {
				t.Errorf("GET %s as %s: %d %s", path, role, resp.StatusCode, snippet(body))
			}
		}
	}
}

// TestCardPagesRender opens the card pages and their tabs and parts with a real
// card in work, as the owner and as the card's warmer: no template may fail.
func TestCardPagesRender(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	a := store.Actor{ID: ts.users[owner], Privileged: true}
	id, err := ts.st.CreateCard(ctx, a, store.CardInput{Number: "2200700012345678", ContactName: "Клиент",
		BankID: ts.bankID, SupplierID: ts.contractorID, WarmerID: ts.users[warmer], ManagerID: ts.users[manager],
		AccountantID: ts.users[accountant], WarmingDays: 14, WarmingEveryDays: 1})
	if err != nil {
		t.Fatalf("seed card: %v", err)
	}
	if err := ts.st.StartCard(ctx, a, id, 1); err != nil {
		t.Fatalf("start card: %v", err)
	}
	card := fmt.Sprint(id)
	paths := []string{"/tracker", "/tracker?mine=1", "/cards", "/cards?tab=work&part=table", "/cards?tab=archive",
		"/cards/archive?draw=1&start=0&length=10", "/cards/" + card, "/cards/" + card + "?part=main",
		"/cards/" + card + "/stage", "/cards/" + card + "/transactions"}
	for _, tab := range []string{"new", "work", "done"} {
		paths = append(paths, "/cards?tab="+tab)
	}
	for st := 1; st <= 9; st++ {
		paths = append(paths, fmt.Sprintf("/tracker?stage=%d", st))
	}
	for _, role := range []auth.Role{owner, warmer} {
		for _, p := range append(paths, "/cards/"+card+"/edit") {
			resp, body := ts.do(t, role, http.MethodGet, p, nil)
			if resp.StatusCode >= 500 || (role == owner && resp.StatusCode != http.StatusOK) {
				t.Errorf("GET %s as %s: %d %s", p, role, resp.StatusCode, snippet(body))
			}
		}
	}
}
