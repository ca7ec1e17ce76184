package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"kartoteka/app/auth"
	"kartoteka/app/tasks"
	"kartoteka/store"
)

// keptFixture is a server with the cache on (as it runs) and one card in stage 1
// whose people are the seeded manager, accountant and warmer.
type keptFixture struct {
	ts     *testServer
	ctx    context.Context
	id     int64
	number string
	in     store.CardInput
}

// exec writes behind the hub's back (no notice).
func (f *keptFixture) exec(t *testing.T, q string, args ...any) {
	t.Helper()
	if err := f.ts.st.InTx(f.ctx, func(tx *store.Tx) error { _, err := tx.Raw.ExecContext(f.ctx, q, args...); return err }); err != nil {
		t.Fatal(err)
	}
}

func newKeptFixture(t *testing.T) *keptFixture {
	t.Helper()
	ts := newTestServer(t, withCache())
	f := &keptFixture{ts: ts, ctx: context.Background(), number: luhnNumber("411111222233334")}
	f.in = store.CardInput{Number: f.number, BankID: ts.bankID, SupplierID: ts.contractorID,
		ContactName: "Клиент Первый", WarmerID: ts.users[warmer], ManagerID: ts.users[manager],
		AccountantID: ts.users[accountant], Rate: 1000, WarmingDays: 14, WarmingEveryDays: 1}
	a := store.Actor{ID: ts.users[owner], Privileged: true}
	id, err := ts.st.CreateCard(f.ctx, a, f.in)
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.st.StartCard(f.ctx, a, id, 1); err != nil {
		t.Fatal(err)
	}
	f.id = id
	return f
}

// rename changes the card's contact behind the hub's back (no notice).
func (f *keptFixture) rename(t *testing.T, name string) {
	t.Helper()
	c, err := f.ts.st.Q.CardGet(f.ctx, f.id)
	if err != nil {
		t.Fatal(err)
	}
	f.in.ContactName = name
	if err := f.ts.st.UpdateCard(f.ctx, store.Actor{ID: f.ts.users[owner], Privileged: true}, f.id, c.Version, f.in); err != nil {
		t.Fatal(err)
	}
}

// TestKeptPagesPerSession: a card page and a «Карты» tab are kept once for everyone
// who may see them (per role for owner and admin, per person for the rest), yet each
// session gets its own CSRF token and never another's; someone not on the card is
// refused however warm the cache is, and never sees the number.
func TestKeptPagesPerSession(t *testing.T) {
	f := newKeptFixture(t)
	ts := f.ts
	hash, err := auth.HashPassword("secret-stranger")
	if err != nil {
		t.Fatal(err)
	}
	u, err := ts.st.CreateUser(f.ctx, ts.users[owner], store.UserInput{Login: "stranger", Name: "Чужой Прогревщик", Role: "warmer"}, hash)
	if err != nil {
		t.Fatal(err)
	}
	stranger := u.ID
	ts.hub.Publish("users")
	sessions := map[string]*session{
		"owner-1": ts.loginUser(t, owner, ts.users[owner]), "owner-2": ts.loginUser(t, owner, ts.users[owner]),
		"admin": ts.loginUser(t, admin, ts.users[admin]), "manager": ts.loginUser(t, manager, ts.users[manager]),
		"warmer-1": ts.loginUser(t, warmer, ts.users[warmer]), "warmer-2": ts.loginUser(t, warmer, ts.users[warmer]),
	}
	full := strings.Join([]string{f.number[0:4], f.number[4:8], f.number[8:12], f.number[12:]}, " ")
	for _, path := range []string{"/cards/" + i64(f.id), "/cards/" + i64(f.id) + "?part=main", "/cards?tab=work", "/cards?tab=work&part=table"} {
		for round := range 2 { // the second round is served from the cache
			for who, s := range sessions {
				resp, body := ts.doAs(t, s, "GET", path, nil)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s %s: %d", who, path, resp.StatusCode)
				}
				if strings.HasPrefix(path, "/cards/") && !strings.Contains(body, full) {
					t.Errorf("%s %s (round %d): the card's people see the full number", who, path, round)
				}
				if !strings.Contains(body, `data-card="`+i64(f.id)+`"`) && !strings.Contains(body, "№ "+i64(f.id)) {
					t.Errorf("%s %s (round %d): the card is not on the page", who, path, round)
				}
				if strings.Contains(body, "_csrf") && !strings.Contains(body, s.CSRF) {
					t.Errorf("%s %s (round %d): the page's forms lack the session's own token", who, path, round)
				}
				for other, o := range sessions {
					if other != who && strings.Contains(body, o.CSRF) {
						t.Errorf("%s %s (round %d): the page holds %s's CSRF token", who, path, round, other)
					}
				}
			}
		}
	}
	// The stranger: refused, the number never shown, the work tab without the card.
	ss := ts.loginUser(t, warmer, stranger)
	for _, path := range []string{"/cards/" + i64(f.id), "/cards/" + i64(f.id) + "?part=main"} {
		resp, body := ts.doAs(t, ss, "GET", path, nil)
		if resp.StatusCode != http.StatusForbidden || strings.Contains(body, full) || strings.Contains(body, f.number) {
			t.Errorf("stranger %s: %d (want 403), number shown: %v", path, resp.StatusCode, strings.Contains(body, full))
		}
	}
	if _, body := ts.doAs(t, ss, "GET", "/cards?tab=work", nil); strings.Contains(body, `data-card="`+i64(f.id)+`"`) {
		t.Error("stranger: another person's card on their «В работе» tab")
	}
}

// TestKeptPagesFollowChanges: kept pages outlive the two-second step of the clock
// (a write the hub was not told of stays unseen) and give way to the next notice;
// the tracker's overdue mark flips when the deadline passes, without any notice.
func TestKeptPagesFollowChanges(t *testing.T) {
	f := newKeptFixture(t)
	ts := f.ts
	pages := map[string]string{"/cards/" + i64(f.id): "card", "/cards?tab=work": "cards", "/cards?tab=work&part=table": "cards"}
	for path := range pages {
		if _, body := ts.do(t, owner, "GET", path, nil); !strings.Contains(body, "Клиент Первый") {
			t.Fatalf("%s: no contact", path)
		}
	}
	f.rename(t, "Клиент Второй")
	ts.clock.Advance(10 * time.Second)
	for path := range pages {
		if _, body := ts.do(t, owner, "GET", path, nil); !strings.Contains(body, "Клиент Первый") {
			t.Errorf("%s: a write without a notice is seen after 10 s: the page was not kept", path)
		}
	}
	ts.hub.Publish("cards", "tracker", "card:"+i64(f.id))
	for path := range pages {
		if _, body := ts.do(t, owner, "GET", path, nil); !strings.Contains(body, "Клиент Второй") || strings.Contains(body, "Клиент Первый") {
			t.Errorf("%s: after the notice the page still shows the old contact", path)
		}
	}

	// Stage 1's deadline is the end of today's working day: the mark is «Нет»
	// until then and «Да» a second after, with no notice in between.
	overdue := func() string {
		// A fresh session each time: the clock moves by hours (the idle timeout).
		_, body := ts.doAs(t, ts.loginUser(t, owner, ts.users[owner]), "GET", "/tracker?stage=1&part=table", nil)
		i := strings.Index(body, `data-label="Просрочена?">`)
		if i < 0 {
			t.Fatalf("no overdue cell:\n%.3000s", body)
		}
		rest := body[i+len(`data-label="Просрочена?">`):]
		if strings.HasPrefix(rest, "<span") {
			return "Да"
		}
		return rest[:strings.Index(rest, "<")]
	}
	deadline, err := ts.st.Q.AutoTaskOpenStage(f.ctx, f.id)
	if err != nil {
		t.Fatal(err)
	}
	if got := overdue(); got != "Нет" {
		t.Fatalf("before the deadline: %q", got)
	}
	ts.clock.Advance(deadline.Deadline.Sub(ts.clock.Now()))
	if got := overdue(); got != "Нет" {
		t.Fatalf("at the deadline: %q", got)
	}
	ts.clock.Advance(time.Second)
	if got := overdue(); got != "Да" {
		t.Errorf("a second after the deadline: %q, want «Да» (the kept table froze the clock)", got)
	}
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

// TestKeptTasksTab: «Входящие» as it opens is kept for its person: a task given
// behind the hub's back is not seen, the notice shows it; the row's overdue mark
// and the tab's overdue count appear the second its deadline passes, no notice.
func TestKeptTasksTab(t *testing.T) {
	ts := newTestServer(t, withCache())
	ctx := context.Background()
	boss := tasks.Person{ID: ts.users[owner], Owner: true}
	give := func(title string, in time.Duration) {
		t.Helper()
		if _, err := ts.st.CreateTask(ctx, boss, store.TaskInput{Title: title, AssigneeID: ts.users[manager],
			Deadline: ts.clock.Now().Add(in)}); err != nil {
			t.Fatal(err)
		}
	}
	give("Позвонить в банк", time.Hour)
	page := func() string {
		t.Helper()
		// A fresh session each time: the clock moves by hours (the idle timeout).
		resp, body := ts.doAs(t, ts.loginUser(t, manager, ts.users[manager]), "GET", "/tasks?tab=in", nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/tasks?tab=in: %d", resp.StatusCode)
		}
		return body
	}
	const mark, count = `text-bg-danger">просрочена`, `data-badge="overdue"`
	if body := page(); !strings.Contains(body, "Позвонить в банк") || strings.Contains(body, mark) || strings.Contains(body, count) {
		t.Fatalf("the first task, not overdue, is not on the tab")
	}
	give("Сверить выписку", 2*time.Hour)
	ts.clock.Advance(10 * time.Second)
	if body := page(); strings.Contains(body, "Сверить выписку") {
		t.Error("a task given without a notice is seen after 10 s: the tab was not kept")
	}
	ts.hub.Publish("tasks")
	if body := page(); !strings.Contains(body, "Сверить выписку") {
		t.Error("after the notice the new task is not on the tab")
	}
	ts.clock.Advance(time.Hour - 10*time.Second)
	if body := page(); strings.Contains(body, mark) {
		t.Error("at the deadline the task is already overdue")
	}
	ts.clock.Advance(time.Second)
	body := page()
	if !strings.Contains(body, mark) {
		t.Error("a second after the deadline the row has no overdue mark (the kept tab froze the clock)")
	}
	if !strings.Contains(body, count) {
		t.Error("a second after the deadline the tab shows no overdue count")
	}
}

// TestKeptWholePages: the archive tab and the report are kept per person with each
// session's own CSRF token; a bank added behind the hub's back stays off the
// archive's filter until the notice; someone the report is not for is refused.
func TestKeptWholePages(t *testing.T) {
	ts := newTestServer(t, withCache())
	o1, o2 := ts.loginUser(t, owner, ts.users[owner]), ts.loginUser(t, owner, ts.users[owner])
	for _, path := range []string{"/cards?tab=archive", "/report", "/report?from=2025-01-01&to=2025-12-31"} {
		for range 2 {
			for i, s := range []*session{o1, o2} {
				other := []*session{o2, o1}[i]
				resp, body := ts.doAs(t, s, "GET", path, nil)
				if resp.StatusCode != http.StatusOK || !strings.Contains(body, s.CSRF) || strings.Contains(body, other.CSRF) {
					t.Errorf("%s, owner session %d: %d, own token %v, the other's %v", path, i+1, resp.StatusCode,
						strings.Contains(body, s.CSRF), strings.Contains(body, other.CSRF))
				}
			}
		}
	}
	if resp, _ := ts.do(t, manager, "GET", "/report", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("manager /report: %d, want 403", resp.StatusCode)
	}
	if _, err := ts.st.SaveBank(context.Background(), ts.users[owner], 0, store.BankInput{Name: "Новый Банк"}); err != nil {
		t.Fatal(err)
	}
	ts.clock.Advance(10 * time.Second)
	if _, body := ts.doAs(t, o1, "GET", "/cards?tab=archive", nil); strings.Contains(body, "Новый Банк") {
		t.Error("a bank added without a notice is on the archive's filter after 10 s: the page was not kept")
	}
	ts.hub.Publish("banks")
	if _, body := ts.doAs(t, o1, "GET", "/cards?tab=archive", nil); !strings.Contains(body, "Новый Банк") {
		t.Error("after the notice the new bank is not on the archive's filter")
	}
}

// TestKeptArchiveAnswer: the archive's answer is kept per scope and filter with each
// request's own draw counter; a person who only sees their cards never gets the
// owner's kept answer; a change behind the hub's back stays unseen until the notice.
func TestKeptArchiveAnswer(t *testing.T) {
	f := newKeptFixture(t)
	ts := f.ts
	f.exec(t, `UPDATE cards SET lifecycle = 'archived', stage = NULL, archived_at = ? WHERE id = ?`, ts.clock.Now().UTC(), f.id)
	hash, err := auth.HashPassword("secret-other")
	if err != nil {
		t.Fatal(err)
	}
	other, err := ts.st.CreateUser(f.ctx, ts.users[owner], store.UserInput{Login: "other-manager", Name: "Другой Менеджер", Role: "manager"}, hash)
	if err != nil {
		t.Fatal(err)
	}
	ts.hub.Publish("cards", "users")
	const q = "/cards/archive?start=0&length=25&draw="
	for draw, s := range []*session{ts.login(t, owner), ts.login(t, owner), ts.login(t, manager)} {
		_, body := ts.doAs(t, s, "GET", q+strconv.Itoa(draw+1), nil)
		if !strings.Contains(body, `"draw":`+strconv.Itoa(draw+1)+",") || !strings.Contains(body, "Клиент Первый") {
			t.Errorf("request %d: %s", draw+1, body)
		}
	}
	if _, body := ts.doAs(t, ts.loginUser(t, manager, other.ID), "GET", q+"9", nil); strings.Contains(body, "Клиент Первый") {
		t.Errorf("a manager not on the card got it from the kept answer: %s", body)
	}
	f.exec(t, `UPDATE cards SET contact_name = 'Клиент Второй' WHERE id = ?`, f.id)
	ts.clock.Advance(10 * time.Second)
	if _, body := ts.do(t, owner, "GET", q+"1", nil); !strings.Contains(body, "Клиент Первый") {
		t.Errorf("a change without a notice is seen after 10 s: the answer was not kept")
	}
	ts.hub.Publish("cards")
	if _, body := ts.do(t, owner, "GET", q+"1", nil); !strings.Contains(body, "Клиент Второй") {
		t.Errorf("after the notice the answer still shows the old contact: %s", body)
	}
}

// TestKeptArchiveFound: what a filter finds is counted once and kept for its other
// pages until the next notice (a change behind the hub's back leaves the kept
// count), then counted again.
func TestKeptArchiveFound(t *testing.T) {
	f := newKeptFixture(t)
	ts := f.ts
	f.exec(t, `UPDATE cards SET lifecycle = 'archived', stage = NULL, archived_at = ? WHERE id = ?`, ts.clock.Now().UTC(), f.id)
	ts.hub.Publish("cards")
	page := func(start int) string {
		t.Helper()
		_, body := ts.do(t, owner, "GET", "/cards/archive?draw=1&length=25&contact="+url.QueryEscape("Второй")+"&start="+strconv.Itoa(start), nil)
		return body
	}
	if body := page(0); !strings.Contains(body, `"recordsFiltered":0,`) {
		t.Fatalf("first page: %s", body)
	}
	f.exec(t, `UPDATE cards SET contact_name = 'Клиент Второй' WHERE id = ?`, f.id)
	if body := page(25); !strings.Contains(body, `"recordsFiltered":0,`) {
		t.Errorf("the second page of the filter counted again before a notice: %s", body)
	}
	ts.hub.Publish("cards")
	if body := page(25); !strings.Contains(body, `"recordsFiltered":1,`) {
		t.Errorf("after the notice the count is not read again: %s", body)
	}
	if body := page(0); !strings.Contains(body, `"recordsFiltered":1,`) || !strings.Contains(body, "Клиент Второй") {
		t.Errorf("after the notice the first page: %s", body)
	}
}

// TestTasksTabSaysWhenItChanges: a «Задачи» list carries the first moment a row or
// a badge count reads differently (its earliest open deadline), for the browser to
// refetch then; the list part a refetch gets carries it too.
func TestTasksTabSaysWhenItChanges(t *testing.T) {
	ts := newTestServer(t, withCache())
	ctx := context.Background()
	boss := tasks.Person{ID: ts.users[owner], Owner: true}
	deadline := ts.clock.Now().Add(90 * time.Minute).Truncate(time.Second)
	for _, in := range []time.Duration{0, 2 * time.Hour} {
		if _, err := ts.st.CreateTask(ctx, boss, store.TaskInput{Title: "Позвонить в банк", AssigneeID: ts.users[manager],
			Deadline: deadline.Add(in)}); err != nil {
			t.Fatal(err)
		}
	}
	s := ts.loginUser(t, manager, ts.users[manager])
	want := `data-changes-at="` + i64(deadline.UnixMilli()) + `"`
	for _, path := range []string{"/tasks?tab=in", "/tasks?tab=in&part=list", "/tasks?tab=in&status=new"} {
		if _, body := ts.doAs(t, s, "GET", path, nil); !strings.Contains(body, want) {
			t.Errorf("%s lacks %s", path, want)
		}
	}
}

// TestKeptFrames: the tracker's and «Карты» tabs' page around the kept table is
// drawn once per person and address, not for every view; each session gets its own
// token, the table is in its place, and a notice draws the page again.
func TestKeptFrames(t *testing.T) {
	f := newKeptFixture(t)
	ts := f.ts
	o1, o2 := ts.loginUser(t, owner, ts.users[owner]), ts.loginUser(t, owner, ts.users[owner])
	m := ts.loginUser(t, manager, ts.users[manager])
	paths := []string{"/tracker?stage=1", "/cards?tab=work", "/cards?tab=new"}
	get := func(s *session, path string) string {
		t.Helper()
		resp, body := ts.doAs(t, s, "GET", path, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return body
	}
	for _, s := range []*session{o1, o2, m} { // warm: each person's frames, the scopes' tables
		for _, p := range paths {
			get(s, p)
		}
	}
	drawn := ts.srv.PagesDrawn()
	for round := range 3 {
		for i, s := range []*session{o1, o2, m} {
			for _, p := range paths {
				body := get(s, p)
				for j, o := range []*session{o1, o2, m} {
					if j != i && o.CSRF != s.CSRF && strings.Contains(body, o.CSRF) {
						t.Errorf("%s (round %d): another session's token", p, round)
					}
				}
				if !strings.Contains(body, s.CSRF) || !strings.Contains(body, "Картотека") {
					t.Errorf("%s (round %d): the session's token or the navigation is missing", p, round)
				}
				if p == "/cards?tab=new" {
					continue // an empty tab
				}
				region := strings.Index(body, `-region"`)
				card := strings.Index(body, `data-card="`+i64(f.id)+`"`)
				if region < 0 || card < region || !strings.HasSuffix(strings.TrimSpace(body), "</html>") {
					t.Errorf("%s (round %d): the table is not in its region (region at %d, the card at %d)", p, round, region, card)
				}
			}
		}
	}
	if n := ts.srv.PagesDrawn() - drawn; n != 0 {
		t.Errorf("27 views of kept pages drew %d pages, want 0 (the frames are kept per person)", n)
	}
	ts.hub.Publish("cards", "tracker")
	get(o1, "/tracker?stage=1")
	if n := ts.srv.PagesDrawn() - drawn; n != 1 {
		t.Errorf("after a notice: %d pages drawn, want 1", n)
	}
}
