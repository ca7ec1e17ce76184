package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"kartoteka/app/auth"
	"kartoteka/store"
)

// newStdTask has role write a task for the user of role `to` through the form.
func (ts *testServer) newStdTask(t *testing.T, from, to auth.Role, extra url.Values) int64 {
	t.Helper()
	form := url.Values{"title": {"Сверить выписку"}, "assignee_id": {fmt.Sprint(ts.users[to])},
		"deadline": {ts.clock.Now().Add(48 * time.Hour).Format("2006-01-02")}}
	for k, v := range extra {
		form[k] = v
	}
	resp, body := ts.do(t, from, http.MethodPost, "/tasks/new", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create task as %s: %d %s", from, resp.StatusCode, snippet(body))
	}
	var id int64
	if _, err := fmt.Sscanf(location(resp), "/tasks/%d", &id); err != nil {
		t.Fatalf("redirect %q", location(resp))
	}
	return id
}

func (ts *testServer) taskVersion(t *testing.T, id int64) string {
	t.Helper()
	tk, err := ts.st.Q.TaskGet(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(tk.Version)
}

func TestStdTaskTabs(t *testing.T) {
	ts := newTestServer(t)
	ts.endStreams()
	for _, r := range auth.Roles {
		resp, body := ts.do(t, r, http.MethodGet, "/tasks?tab=all", nil)
		want := http.StatusForbidden
		if r == owner {
			want = http.StatusOK
		}
		if resp.StatusCode != want {
			t.Errorf("«Все задачи» as %s: %d, want %d", r, resp.StatusCode, want)
		}
		resp, body = ts.do(t, r, http.MethodGet, "/tasks", nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `class="nav-link active" href="/tasks?tab=in"`) {
			t.Errorf("default tab as %s is not «Входящие»: %d", r, resp.StatusCode)
		}
		if got := strings.Contains(body, `data-tab="all"`); got != (r == owner) {
			t.Errorf("«Все задачи» in the menu of %s: %v", r, got)
		}
	}
	id := ts.newStdTask(t, manager, accountant, nil)
	for _, c := range []struct {
		role auth.Role
		path string
		want bool
	}{{accountant, "/tasks?tab=in", true}, {accountant, "/tasks?tab=out", false}, {manager, "/tasks?tab=out", true},
		{manager, "/tasks?tab=in", false}, {owner, "/tasks?tab=all", true}, {warmer, "/tasks?tab=in", false},
		{accountant, "/tasks?tab=in&status=done", false}, {accountant, "/tasks?tab=in&status=new&overdue=no", true},
		{accountant, "/tasks?tab=in&part=list", true}, {owner, "/tasks?tab=all&q=ВЫПИСК", true}, {owner, "/tasks?tab=all&q=нет-такого", false}} {
		_, body := ts.do(t, c.role, http.MethodGet, c.path, nil)
		if got := strings.Contains(body, fmt.Sprintf(`data-task="%d"`, id)); got != c.want {
			t.Errorf("%s as %s: task listed %v, want %v", c.path, c.role, got, c.want)
		}
	}
	// Badges: the accountant has one open incoming task.
	_, body := ts.do(t, accountant, http.MethodGet, "/tasks?tab=in&part=tabs", nil)
	if !regexp.MustCompile(`Входящие <span[^>]*data-badge="open">1<`).MatchString(body) {
		t.Errorf("badge: %s", snippet(body))
	}
	// Overdue: red once the deadline has passed; the nav counter shows it.
	id = ts.newStdTask(t, manager, accountant, url.Values{"deadline": {ts.clock.Now().Add(-48 * time.Hour).Format("2006-01-02")}})
	_, body = ts.do(t, accountant, http.MethodGet, "/tasks?tab=in", nil)
	if !strings.Contains(body, fmt.Sprintf(`<tr class="kt-overdue" data-task="%d"`, id)) {
		t.Errorf("overdue row not red")
	}
	_, body = ts.do(t, accountant, http.MethodGet, "/nav/counters", nil)
	if !strings.Contains(body, `data-count="std-open">2<`) || !strings.Contains(body, `data-count="std-overdue">1<`) {
		t.Errorf("nav counters: %s", body)
	}
}

// TestStdTaskAccess: other people's tasks by id are refused; each button only for who may press it.
func TestStdTaskAccess(t *testing.T) {
	ts := newTestServer(t)
	ts.endStreams()
	id := ts.newStdTask(t, manager, accountant, nil)
	p := fmt.Sprintf("/tasks/%d", id)
	post := func(role auth.Role, path string, form url.Values) int {
		resp, _ := ts.do(t, role, http.MethodPost, path, form)
		return resp.StatusCode
	}
	get := func(role auth.Role, path string) int {
		resp, _ := ts.do(t, role, http.MethodGet, path, nil)
		return resp.StatusCode
	}
	edit := url.Values{"title": {"Чужая правка"}, "assignee_id": {fmt.Sprint(ts.users[accountant])}, "deadline": {"2030-01-01"}}
	// Neither author nor assignee: warmer, and admin (no card): 403 on everything.
	for _, r := range []auth.Role{warmer, admin} {
		for _, path := range []string{p, p + "/edit", p + "?part=main"} {
			if c := get(r, path); c != http.StatusForbidden {
				t.Errorf("GET %s as %s: %d, want 403", path, r, c)
			}
		}
		edit.Set("version", ts.taskVersion(t, id))
		for path, form := range map[string]url.Values{p + "/edit": edit, p + "/comments": {"body": {"чужой"}},
			p + "/status": {"action": {"take"}, "version": {ts.taskVersion(t, id)}}} {
			if c := post(r, path, form); c != http.StatusForbidden {
				t.Errorf("POST %s as %s: %d, want 403", path, r, c)
			}
		}
	}
	if c := get(warmer, "/tasks/999999"); c != http.StatusNotFound {
		t.Errorf("unknown task: %d, want 404", c)
	}
	// The assignee may not edit the title (nor see the edit form).
	edit.Set("version", ts.taskVersion(t, id))
	if c := post(accountant, p+"/edit", edit); c != http.StatusForbidden {
		t.Errorf("assignee edit: %d, want 403", c)
	}
	if c := get(accountant, p+"/edit"); c != http.StatusForbidden {
		t.Errorf("assignee edit form: %d, want 403", c)
	}
	// The author may not take it nor mark it done on the assignee's behalf.
	for _, a := range []string{"take", "done"} {
		if c := post(manager, p+"/status", url.Values{"action": {a}, "version": {ts.taskVersion(t, id)}}); c != http.StatusForbidden {
			t.Errorf("author %s: %d, want 403", a, c)
		}
	}
	// Buttons shown only to who may press them.
	_, body := ts.do(t, manager, http.MethodGet, p, nil)
	if strings.Contains(body, `data-action="done"`) || !strings.Contains(body, `data-action="cancel"`) || !strings.Contains(body, `id="task-edit"`) {
		t.Errorf("author's buttons wrong")
	}
	_, body = ts.do(t, accountant, http.MethodGet, p, nil)
	if !strings.Contains(body, `data-action="take"`) || strings.Contains(body, `data-action="cancel"`) || strings.Contains(body, `id="task-edit"`) {
		t.Errorf("assignee's buttons wrong")
	}
	// The assignee takes it and comments (escaped); a stale button is 409.
	v := ts.taskVersion(t, id)
	if c := post(accountant, p+"/status", url.Values{"action": {"take"}, "version": {v}}); c != http.StatusSeeOther {
		t.Fatalf("take: %d", c)
	}
	if c := post(accountant, p+"/status", url.Values{"action": {"done"}, "version": {v}}); c != http.StatusConflict {
		t.Errorf("stale done: %d, want 409", c)
	}
	if c := post(accountant, p+"/comments", url.Values{"body": {"<script>alert(1)</script> готово"}}); c != http.StatusSeeOther {
		t.Fatalf("comment: %d", c)
	}
	_, body = ts.do(t, manager, http.MethodGet, p, nil)
	if strings.Contains(body, "<script>alert(1)") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt; готово") {
		t.Errorf("comment not shown escaped")
	}
	if c := post(manager, p+"/comments", url.Values{"body": {""}}); c != http.StatusUnprocessableEntity {
		t.Errorf("empty comment: %d, want 422", c)
	}
	// The owner may complete on the assignee's behalf.
	if c := post(owner, p+"/status", url.Values{"action": {"done"}, "version": {ts.taskVersion(t, id)}}); c != http.StatusSeeOther {
		t.Errorf("owner done: %d", c)
	}
	// A stale edit: 409, the form keeps what was typed, nothing overwritten.
	id2 := ts.newStdTask(t, manager, accountant, nil)
	p2 := fmt.Sprintf("/tasks/%d", id2)
	old := ts.taskVersion(t, id2)
	first := url.Values{"title": {"Первая правка"}, "assignee_id": {fmt.Sprint(ts.users[accountant])}, "deadline": {"2030-01-01"}, "version": {old}}
	if c := post(manager, p2+"/edit", first); c != http.StatusSeeOther {
		t.Fatalf("edit: %d", c)
	}
	second := url.Values{"title": {"Вторая правка"}, "assignee_id": {fmt.Sprint(ts.users[accountant])}, "deadline": {"2030-01-01"}, "version": {old}}
	resp, body := ts.do(t, owner, http.MethodPost, p2+"/edit", second)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Вторая правка") || !strings.Contains(body, "Задача уже изменена") {
		t.Errorf("stale edit: %d", resp.StatusCode)
	}
	if tk, _ := ts.st.Q.TaskGet(t.Context(), id2); tk.Title != "Первая правка" {
		t.Errorf("stale edit overwrote: %q", tk.Title)
	}
	// An admin sees a task on a card (not on others) and may not act on it.
	card := ts.seedCard(t)
	id3 := ts.newStdTask(t, manager, accountant, url.Values{"card_id": {fmt.Sprint(card)}})
	if c := get(admin, fmt.Sprintf("/tasks/%d", id3)); c != http.StatusOK {
		t.Errorf("admin on a card task: %d, want 200", c)
	}
	if c := post(admin, fmt.Sprintf("/tasks/%d/status", id3), url.Values{"action": {"take"}, "version": {"1"}}); c != http.StatusForbidden {
		t.Errorf("admin take: %d, want 403", c)
	}
	// From a card page: «Поставить задачу по карте», pre-linked.
	_, body = ts.do(t, manager, http.MethodGet, fmt.Sprintf("/cards/%d", card), nil)
	if !strings.Contains(body, fmt.Sprintf(`href="/tasks/new?card=%d"`, card)) {
		t.Errorf("card page has no «Поставить задачу по карте»")
	}
	_, body = ts.do(t, manager, http.MethodGet, fmt.Sprintf("/tasks/new?card=%d", card), nil)
	if !strings.Contains(body, fmt.Sprintf(`name="card_id" value="%d"`, card)) {
		t.Errorf("new task form not pre-linked")
	}
	if c := get(warmer, fmt.Sprintf("/tasks/new?card=%d", card+1000)); c != http.StatusNotFound {
		t.Errorf("new task for an unknown card: %d", c)
	}
}

// seedCard registers a card whose people are the seeded warmer, manager and accountant.
func (ts *testServer) seedCard(t *testing.T) int64 {
	t.Helper()
	id, err := ts.st.CreateCard(t.Context(), store.Actor{ID: ts.users[owner], Privileged: true}, store.CardInput{
		Number: "2200700012345678", ContactName: "Клиент", BankID: ts.bankID, SupplierID: ts.contractorID,
		WarmerID: ts.users[warmer], ManagerID: ts.users[manager], AccountantID: ts.users[accountant], WarmingDays: 14, WarmingEveryDays: 1})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestStdTaskBadInput: 422 with a Russian message next to the field, values kept, nothing written.
func TestStdTaskBadInput(t *testing.T) {
	ts := newTestServer(t)
	ts.endStreams()
	card := ts.seedCard(t)
	if err := ts.st.SetUserActive(t.Context(), ts.users[owner], ts.users[warmer], false); err != nil {
		t.Fatal(err)
	}
	good := func() url.Values {
		return url.Values{"title": {"Заголовок задачи"}, "description": {"строка 1\nстрока 2"}, "assignee_id": {fmt.Sprint(ts.users[accountant])},
			"deadline": {"2030-01-01"}, "deadline_time": {"12:30"}}
	}
	cases := []struct {
		name, field, value, errField string
	}{
		{"empty title", "title", "", "title"},
		{"long title", "title", strings.Repeat("я", 201), "title"},
		{"NUL in title", "title", "a\x00b", "title"},
		{"bidi in description", "description", "abc\u202edef", "description"},
		{"1 MB description", "description", strings.Repeat("d", 1<<20), "description"},
		{"deadline not a date", "deadline", "завтра", "deadline"},
		{"empty deadline", "deadline", "", "deadline"},
		{"bad time", "deadline_time", "31:99", "deadline"},
		{"no assignee", "assignee_id", "", "assignee_id"},
		{"unknown assignee", "assignee_id", "987654", "assignee_id"},
		{"inactive assignee", "assignee_id", fmt.Sprint(ts.users[warmer]), "assignee_id"},
		{"card not visible to the author", "card_id", fmt.Sprint(card + 1), "card_id"},
		{"card not a number", "card_id", "abc", "card_id"},
	}
	for _, c := range cases {
		before := ts.count(t, "tasks") + ts.count(t, "audit_log WHERE entity = 'stdtask'")
		f := good()
		f.Set(c.field, c.value)
		f.Set("title", f.Get("title")) // keep
		resp, body := ts.do(t, manager, http.MethodPost, "/tasks/new", f)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422", c.name, resp.StatusCode)
			continue
		}
		if !strings.Contains(body, `data-error-for="`+c.errField+`"`) {
			t.Errorf("%s: no message next to %s", c.name, c.errField)
		}
		if c.field != "title" && !strings.Contains(body, `value="Заголовок задачи"`) {
			t.Errorf("%s: the form lost the typed title", c.name)
		}
		if after := ts.count(t, "tasks") + ts.count(t, "audit_log WHERE entity = 'stdtask'"); after != before {
			t.Errorf("%s: something was written", c.name)
		}
	}
	// A card the warmer is not on: refused for a manager who is on another card? Here the
	// manager is on the card, so linking it works, and a warmer (also on it) may too.
	if id := ts.newStdTask(t, manager, accountant, url.Values{"card_id": {fmt.Sprint(card)}}); id == 0 {
		t.Fatal("no task")
	}
	// Another manager, not on the card, may not link it.
	other, err := ts.st.CreateUser(t.Context(), ts.users[owner], store.UserInput{Login: "m2", Name: "Другой Менеджер", Role: "manager"}, "x")
	if err != nil {
		t.Fatal(err)
	}
	s := ts.loginUser(t, manager, other.ID)
	f := good()
	f.Set("card_id", fmt.Sprint(card))
	resp, body := ts.doAs(t, s, http.MethodPost, "/tasks/new", f)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `data-error-for="card_id"`) {
		t.Errorf("card of others: %d", resp.StatusCode)
	}
	// A time given: the deadline is that minute in the office zone.
	id := ts.newStdTask(t, manager, accountant, url.Values{"deadline": {"2030-01-01"}, "deadline_time": {"09:15"}})
	tk, _ := ts.st.Q.TaskGet(t.Context(), id)
	if want := time.Date(2030, 1, 1, 6, 15, 0, 0, time.UTC); !tk.Deadline.Equal(want) {
		t.Errorf("deadline %v, want %v", tk.Deadline, want)
	}
}
