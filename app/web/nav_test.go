package web_test

// Issue 9 item 6, «Navigation that fits the work»: where an action leaves the
// person, and what an address opened by hand shows.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"kartoteka/app/pipeline"
)

// flashText is the message a redirect carries to the next page.
func flashText(r *http.Response) string {
	for _, c := range r.Cookies() {
		if c.Name == "kartoteka_flash" {
			v, _ := url.QueryUnescape(c.Value)
			return v
		}
	}
	return ""
}

// TestStartStaysPut: «Запустить» on a card page leaves the person on that card
// page, now in stage 1; on «Новые карты» it leaves them on that tab with its
// search; a second press (a double click, a stale tab) lands in the same place
// and says the card is already in work, instead of an error page.
func TestStartStaysPut(t *testing.T) {
	f := newCardFixture(t)
	f.signIn()
	s := f.actors["owner"].s
	start := func(id int64, version int64, back string) *http.Response {
		t.Helper()
		form := url.Values{"version": {fmt.Sprint(version)}}
		if back != "" {
			form.Set("back", back)
		}
		r, body := f.ts.doAs(t, s, http.MethodPost, fmt.Sprintf("/cards/%d/start", id), form)
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("start card %d (back %q): %d, want 303\n%s", id, back, r.StatusCode, body)
		}
		return r
	}

	id, _ := f.newCard()
	page := fmt.Sprintf("/cards/%d", id)
	v := f.card(id).Version
	r := start(id, v, page)
	if got := location(r); got != page {
		t.Errorf("«Запустить» on the card page went to %q, want back to %q", got, page)
	}
	if got := flashText(r); !strings.Contains(got, "запущена: этап 1") {
		t.Errorf("flash %q", got)
	}
	if c := f.card(id); c.Lifecycle != "in_work" || stageNo(c) != 1 {
		t.Fatalf("card is %s at stage %d", c.Lifecycle, stageNo(c))
	}
	_, body := f.ts.doAs(t, s, http.MethodGet, page, nil)
	if !strings.Contains(body, `data-stage="1"`) {
		t.Error("the card page does not show stage 1 after the start")
	}
	// The second click of a double click carries the version the page was drawn with.
	r = start(id, v, page)
	if got := location(r); got != page {
		t.Errorf("a second «Запустить» went to %q, want %q", got, page)
	}
	if got := flashText(r); !strings.Contains(got, "уже запущена") {
		t.Errorf("a second «Запустить» says %q, want that the card is already started", got)
	}
	if n := f.ts.count(t, "auto_tasks WHERE card_id = ?", id); n != 1 {
		t.Errorf("card %d has %d tasks after a double start, want 1", id, n)
	}

	// From «Новые карты» (searched): back to that tab and search.
	id2, _ := f.newCard()
	list := "/cards?tab=new&q=" + url.QueryEscape("Клиент")
	if got := location(start(id2, f.card(id2).Version, list)); got != list {
		t.Errorf("«Запустить» on the list went to %q, want %q", got, list)
	}
	// The list's button says where to come back.
	f.newCard()
	_, body = f.ts.doAs(t, s, http.MethodGet, "/cards?tab=new&q=Клиент", nil)
	if want := `name="back" value="/cards?tab=new&q=%D0%9A`; !strings.Contains(body, want) {
		i := strings.Index(body, `name="back"`)
		t.Errorf("the list's «Запустить» form does not carry its address back (%s): %.120s", want, body[max(i, 0):])
	}
	// Anything but a «Карты» address of this site returns to the card.
	for _, back := range []string{"", "//evil.example/cards", "https://evil.example/", "/settings", "/cards\\x"} {
		id3, _ := f.newCard()
		if got, want := location(start(id3, f.card(id3).Version, back)), fmt.Sprintf("/cards/%d", id3); got != want {
			t.Errorf("back %q: went to %q, want %q", back, got, want)
		}
	}
}

// shownStage is the stage a tracker page shows (its heading «N. Label»).
var shownStageRe = regexp.MustCompile(`<h2 class="h5">(\d)\. `)

func shownStage(t *testing.T, body string) string {
	t.Helper()
	m := shownStageRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no stage heading on the tracker page")
	}
	return m[1]
}

// TestTrackerOpensWhereTheWorkIs: /tracker opens on the first stage where the
// person has tasks (owner and admin looking at all cards: the first stage with
// any); a stage in the address wins; with nothing to do anywhere, stage 1.
func TestTrackerOpensWhereTheWorkIs(t *testing.T) {
	f := newCardFixture(t)
	a, _ := f.newCard()
	f.walk(a, pipeline.WarmupTopup) // the accountant's
	b, _ := f.newCard()
	f.walk(b, pipeline.AccessTakeback) // the manager's
	f.signIn()
	for _, c := range []struct {
		who, path, want string
	}{
		{"card-accountant", "/tracker", "2"},
		{"card-manager", "/tracker", "4"},
		{"card-warmer", "/tracker", "1"},          // nothing to do: stage 1 as before
		{"card-manager", "/tracker?stage=1", "1"}, // asked for
		{"card-manager", "/tracker?stage=7", "7"},
		{"card-manager", "/tracker?stage=12", "4"}, // not a stage: as if not asked
		{"owner", "/tracker", "2"},
		{"owner", "/tracker?mine=1", "1"}, // the owner is on no card
		{"admin", "/tracker?stage=4", "4"},
	} {
		r, body := f.ts.doAs(t, f.actors[c.who].s, http.MethodGet, c.path, nil)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d", c.who, c.path, r.StatusCode)
		}
		if got := shownStage(t, body); got != c.want {
			t.Errorf("%s %s shows stage %s, want %s", c.who, c.path, got, c.want)
		}
		// The live refetch keeps the stage shown.
		if want := `hx-get="/tracker?stage=` + c.want; !strings.Contains(body, want) {
			t.Errorf("%s %s: the live region does not refetch stage %s", c.who, c.path, c.want)
		}
	}
}

var stageCountRe = regexp.MustCompile(`data-stage-count="3">(\d+)<`)

// TestTrackerWarmingUnderItsCard: stage 3's badge counts cards, not cards plus
// their warming tasks, and each warming task is listed under its card's row,
// with its own «Выполнить», for the warmer and for the owner.
func TestTrackerWarmingUnderItsCard(t *testing.T) {
	f := newCardFixture(t)
	// The walks below move the clock by hours: begin at the office's next 09:00 so
	// both cards enter stage 3 on the same office day whatever time the test runs
	// (late in the day card b entered stage 3 an office day after card a and got no
	// second warming task).
	now := f.ts.clock.Now().In(f.office.Loc)
	morning := time.Date(now.Year(), now.Month(), now.Day(), 9, 0, 0, 0, f.office.Loc)
	if !morning.After(now) {
		morning = morning.AddDate(0, 0, 1)
	}
	f.ts.clock.Advance(morning.Sub(now))
	a, _ := f.newCard()
	f.walk(a, pipeline.Warming)
	b, _ := f.newCard()
	f.walk(b, pipeline.Warming)
	// Two warming days for card a, one for card b (every 2 days, see stageValues).
	if _, err := f.ts.st.CreateWarmingTasks(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.ts.clock.Advance(48 * time.Hour)
	if _, err := f.ts.st.CreateWarmingTasks(f.ctx); err != nil {
		t.Fatal(err)
	}
	// Card b's older warming task is done: it leaves the list.
	var done int64
	if err := f.ts.st.Reader().QueryRow(`SELECT MIN(id) FROM auto_tasks WHERE card_id = ? AND kind = 'warming'`, b).Scan(&done); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ts.st.CompleteWarmingTask(f.ctx, f.priv, done, "Покупка в магазине"); err != nil {
		t.Fatal(err)
	}
	open := map[int64]int{}
	for _, id := range []int64{a, b} {
		open[id] = f.ts.count(t, "auto_tasks WHERE card_id = ? AND kind = 'warming' AND status = 'new'", id)
	}
	if open[a] != 2 || open[b] != 1 {
		t.Fatalf("open warming tasks %v, want 2 for card %d and 1 for card %d", open, a, b)
	}
	f.signIn()
	for _, who := range []string{"card-warmer", "owner", "admin"} {
		_, body := f.ts.doAs(t, f.actors[who].s, http.MethodGet, "/tracker?stage=3", nil)
		if m := stageCountRe.FindStringSubmatch(body); m == nil || m[1] != "2" {
			t.Errorf("%s: stage 3's badge %v, want 2 cards", who, m)
		}
		for _, id := range []int64{a, b} {
			group := regexp.MustCompile(fmt.Sprintf(`(?s)<tbody class="kt-group[^"]*" data-card-group="%d">(.*?)</tbody>`, id)).FindAllStringSubmatch(body, -1)
			if len(group) != 1 {
				t.Errorf("%s: card %d has %d groups, want 1", who, id, len(group))
				continue
			}
			g := group[0][1]
			// The card's own stage task: «Выполнить» (for the warmer, «Выполнить с …» until the period ends).
			if n := strings.Count(g, `data-modal-url="/cards/`+fmt.Sprint(id)+`/stage"`) + strings.Count(g, `data-opens-on=`); n != 1 {
				t.Errorf("%s: card %d's group has %d stage buttons, want 1", who, id, n)
			}
			if n := strings.Count(g, `data-warming=`); n != open[id] {
				t.Errorf("%s: card %d's group lists %d warming tasks, want %d", who, id, n, open[id])
			}
			if n := strings.Count(g, `data-modal-url="/autotasks/`); n != open[id] {
				t.Errorf("%s: card %d's group has %d warming buttons, want %d", who, id, n, open[id])
			}
		}
		// The part the live refetch asks for is grouped the same way.
		_, part := f.ts.doAs(t, f.actors[who].s, http.MethodGet, "/tracker?stage=3&part=table", nil)
		if n := strings.Count(part, `<tbody class="kt-group`); n != 2 {
			t.Errorf("%s: the refetched table has %d card groups, want 2", who, n)
		}
	}
	// Someone with no stage-3 task: no row.
	_, body := f.ts.doAs(t, f.actors["stranger-warmer"].s, http.MethodGet, "/tracker?stage=3", nil)
	if strings.Contains(body, `kt-group`) {
		t.Error("a warmer of other cards sees stage-3 rows")
	}
}

// TestWarmingTaskAtOnce: when a card enters stage 3 (stage 2 completed) or is
// corrected back into it, the warmer's warming task for today is there at once —
// on their tracker, announced live — not at the scheduler's next run, which then
// adds no second task for the day.
func TestWarmingTaskAtOnce(t *testing.T) {
	f := newCardFixture(t)
	id, _ := f.newCard()
	f.walk(id, pipeline.WarmupTopup)
	f.signIn()
	notices, stop := f.ts.hub.Subscribe()
	defer stop()
	warmingOpen := func() int {
		return f.ts.count(t, "auto_tasks WHERE card_id = ? AND kind = 'warming' AND status = 'new' AND deadline = ?",
			id, f.office.EndOfDay(f.ts.clock.Now(), 0))
	}
	onTracker := func(when string) {
		t.Helper()
		_, body := f.ts.doAs(t, f.actors["card-warmer"].s, http.MethodGet, "/tracker?stage=3", nil)
		if n := strings.Count(body, `data-modal-url="/autotasks/`); n != 1 {
			t.Errorf("%s: the warmer's tracker shows %d warming tasks, want 1", when, n)
		}
	}
	heard := func(when string) {
		t.Helper()
		for {
			select {
			case n := <-notices:
				if strings.Contains(" "+n.Data()+" ", " tracker ") {
					return
				}
			case <-time.After(2 * time.Second):
				t.Errorf("%s: no live notice for the tracker", when)
				return
			}
		}
	}

	// Stage 2 completed by its accountant (the stage page's form).
	c := f.card(id)
	form := url.Values{"version": {fmt.Sprint(c.Version)}, "stage": {"2"}}
	for k, v := range f.stageValues(pipeline.WarmupTopup, 0) {
		form.Set(k, v)
	}
	if r, body := f.ts.doAs(t, f.actors["card-accountant"].s, http.MethodPost, fmt.Sprintf("/cards/%d/stage", id), form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("stage 2: %d\n%s", r.StatusCode, body)
	}
	if n := warmingOpen(); n != 1 {
		t.Fatalf("after entering stage 3: %d warming tasks due today, want 1", n)
	}
	heard("entering stage 3")
	onTracker("entering stage 3")
	for run := 0; run < 2; run++ {
		if _, made, err := f.ts.st.CatchUp(f.ctx); err != nil || made != 0 {
			t.Errorf("the scheduler's run %d made %d warming tasks (%v), want none", run, made, err)
		}
	}

	// Out of stage 3 (jump to 4) and back the same day: today's task again, once.
	for _, step := range []url.Values{{"kind": {"jump"}, "target": {"4"}}, {"kind": {"back"}, "target": {"3"}}} {
		step.Set("reason", "Проверка исправления")
		step.Set("version", fmt.Sprint(f.card(id).Version))
		if r, body := f.ts.doAs(t, f.actors["admin"].s, http.MethodPost, fmt.Sprintf("/cards/%d/correct", id), step); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("correct %v: %d\n%s", step, r.StatusCode, body)
		}
	}
	if st := stageNo(f.card(id)); st != pipeline.Warming {
		t.Fatalf("card at stage %d after the corrections", st)
	}
	if n := warmingOpen(); n != 1 {
		t.Fatalf("corrected back into stage 3: %d open warming tasks due today, want 1", n)
	}
	heard("corrected back into stage 3")
	onTracker("corrected back into stage 3")
	if _, made, err := f.ts.st.CatchUp(f.ctx); err != nil || made != 0 {
		t.Errorf("the scheduler made %d warming tasks after the correction (%v), want none", made, err)
	}
}

// getHX sends a GET as the modal does (HX-Request), or as an address opened directly.
func getHX(t *testing.T, ts *testServer, s *session, path string, hx bool) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(s.Cookie)
	if hx {
		req.Header.Set("HX-Request", "true")
	}
	return ts.send(t, req)
}

// TestStagePageOpenedDirectly: /cards/{id}/stage opened directly (a bookmark, a
// new tab: no HX-Request) is a full page — layout, navigation, the stage form as
// an ordinary POST — whose answers make sense on a page: a mistake re-renders the
// page with the values, success goes back to the card with the message, a second
// send (double click, stale tab) says who closed the stage and keeps the typed
// values. The modal (htmx) still gets its fragment.
func TestStagePageOpenedDirectly(t *testing.T) {
	f := newCardFixture(t)
	id, _ := f.newCard()
	f.walk(id, pipeline.AccessRebind)
	f.signIn()
	mgr := f.actors["card-manager"].s
	path := fmt.Sprintf("/cards/%d/stage", id)

	r, page := getHX(t, f.ts, mgr, path, false)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s directly: %d", path, r.StatusCode)
	}
	for _, want := range []string{`<html`, `<nav class="navbar`, `data-stage-page="1"`,
		fmt.Sprintf(`<form id="stage-form" method="post" action="/cards/%d/stage"`, id), `name="_csrf"`, `Выполнить этап`} {
		if !strings.Contains(page, want) {
			t.Errorf("the stage page lacks %q", want)
		}
	}
	if strings.Contains(page, `hx-post="/cards/`) || strings.Contains(page, `data-bs-dismiss="modal">Отмена`) {
		t.Error("the stage page's form posts through htmx into a modal it does not have")
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("stage page Cache-Control %q", cc)
	}
	_, frag := getHX(t, f.ts, mgr, path, true)
	if strings.Contains(frag, "<html") || !strings.Contains(frag, `hx-post="/cards/`) || !strings.Contains(frag, `data-stage-modal="1"`) {
		t.Errorf("the modal's request no longer gets the fragment: %.200s", frag)
	}
	// Someone else's stage: refused as before.
	if r, _ := getHX(t, f.ts, f.actors["card-accountant"].s, path, false); r.StatusCode != http.StatusForbidden {
		t.Errorf("the accountant opening the manager's stage: %d, want 403", r.StatusCode)
	}

	v := f.card(id).Version
	send := func(s *session, form url.Values) (*http.Response, string) {
		t.Helper()
		form.Set("version", fmt.Sprint(v))
		form.Set("stage", "1")
		return f.ts.doAs(t, s, http.MethodPost, path, form)
	}
	// A mistake: the page again, with the message and what was typed.
	r, body := send(mgr, url.Values{"done_on": {""}, "comment": {"Набрано на странице"}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<nav class="navbar`) ||
		!strings.Contains(body, `data-error-for="done_on"`) || !strings.Contains(body, "Набрано на странице") {
		t.Errorf("an invalid stage page form: %d, page %v", r.StatusCode, strings.Contains(body, "<html"))
	}
	// Done: back to the card, which is now in stage 2, with the message.
	r, _ = send(mgr, url.Values{"done_on": {f.today()}, "comment": {"Набрано на странице"}})
	if r.StatusCode != http.StatusSeeOther || location(r) != fmt.Sprintf("/cards/%d", id) || !strings.Contains(flashText(r), "выполнен") {
		t.Fatalf("completing from the stage page: %d to %q, flash %q", r.StatusCode, location(r), flashText(r))
	}
	if st := stageNo(f.card(id)); st != pipeline.WarmupTopup {
		t.Fatalf("card at stage %d", st)
	}
	// The same form sent again (a double click, a stale tab): a page saying what happened.
	r, body = send(mgr, url.Values{"done_on": {f.today()}, "comment": {"Набрано на странице"}})
	if r.StatusCode != http.StatusConflict || !strings.Contains(body, `<nav class="navbar`) || !strings.Contains(body, "data-stage-moved") ||
		!strings.Contains(body, "readonly data-typed>Набрано на странице<") || strings.Contains(body, "data-open-stage") {
		t.Errorf("a stale stage page form: %d, moved %v", r.StatusCode, strings.Contains(body, "data-stage-moved"))
	}
	// An admin's stale page offers the card's current stage, as a page too.
	r, body = send(f.actors["admin"].s, url.Values{"done_on": {f.today()}})
	if r.StatusCode != http.StatusConflict || !strings.Contains(body, fmt.Sprintf(`<a class="btn btn-primary" href="/cards/%d/stage" data-open-stage>Открыть этап 2`, id)) {
		t.Errorf("an admin's stale stage page: %d, no link to stage 2", r.StatusCode)
	}
	if n := f.ts.count(t, "auto_tasks WHERE card_id = ? AND stage = 1 AND status = 'done'", id); n != 1 {
		t.Errorf("stage 1 done %d times", n)
	}
}

// TestWarmingPageOpenedDirectly: /autotasks/{id} opened directly (a bookmark, a
// new tab) is a full page with the warming form as an ordinary POST: a missing
// note re-renders the page with the message and nothing written, success goes
// back to the card with the message, a second send says the task is closed. The
// modal (htmx) still gets its fragment; another warmer is refused.
func TestWarmingPageOpenedDirectly(t *testing.T) {
	f := newCardFixture(t)
	id, _ := f.newCard()
	f.walk(id, pipeline.Warming)
	f.signIn()
	var task int64
	if err := f.ts.st.Reader().QueryRow(`SELECT id FROM auto_tasks WHERE card_id = ? AND kind = 'warming' AND status = 'new'`, id).Scan(&task); err != nil {
		t.Fatal(err)
	}
	wr := f.actors["card-warmer"].s
	path := fmt.Sprintf("/autotasks/%d", task)
	r, page := getHX(t, f.ts, wr, path, false)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s directly: %d", path, r.StatusCode)
	}
	for _, want := range []string{`<html`, `<nav class="navbar`, fmt.Sprintf(`<form id="warming-form" method="post" action="%s"`, path),
		`name="_csrf"`, "Прогрев карты № " + i64s(id), "Отметить выполненным", fmt.Sprintf(`<a class="btn btn-link" href="/cards/%d">Отмена</a>`, id)} {
		if !strings.Contains(page, want) {
			t.Errorf("the warming page lacks %q", want)
		}
	}
	if strings.Contains(page, `hx-post="/autotasks/`) || strings.Contains(page, `data-bs-dismiss="modal"`) {
		t.Error("the warming page's form posts through htmx into a modal it does not have")
	}
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("warming page Cache-Control %q", cc)
	}
	if _, frag := getHX(t, f.ts, wr, path, true); strings.Contains(frag, "<html") || !strings.Contains(frag, `hx-post="`+path+`"`) {
		t.Errorf("the modal's request no longer gets the fragment: %.200s", frag)
	}
	if r, _ := getHX(t, f.ts, f.actors["stranger-warmer"].s, path, false); r.StatusCode != http.StatusForbidden {
		t.Errorf("another warmer opening the task: %d, want 403", r.StatusCode)
	}
	r, body := f.ts.doAs(t, wr, http.MethodPost, path, url.Values{"note": {"  "}})
	if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<nav class="navbar`) || !strings.Contains(body, `data-error-for="note"`) {
		t.Errorf("an empty note from the page: %d, page %v", r.StatusCode, strings.Contains(body, "<html"))
	}
	if n := f.ts.count(t, "auto_tasks WHERE id = ? AND status = 'new'", task); n != 1 {
		t.Fatal("an empty note closed the task")
	}
	r, _ = f.ts.doAs(t, wr, http.MethodPost, path, url.Values{"note": {"Покупка в магазине"}})
	if r.StatusCode != http.StatusSeeOther || location(r) != fmt.Sprintf("/cards/%d", id) || !strings.Contains(flashText(r), "отмечен") {
		t.Fatalf("completing from the warming page: %d to %q, flash %q", r.StatusCode, location(r), flashText(r))
	}
	r, _ = f.ts.doAs(t, wr, http.MethodPost, path, url.Values{"note": {"Ещё раз"}})
	if r.StatusCode != http.StatusSeeOther || location(r) != fmt.Sprintf("/cards/%d", id) || !strings.Contains(flashText(r), "уже закрыта") {
		t.Errorf("a second send from the page: %d to %q, flash %q", r.StatusCode, location(r), flashText(r))
	}
}

// TestTrackerSaysWhenItChanges: the tracker's table carries the first moment its
// rows read differently (the earliest open deadline; the browser refetches then),
// the same in the fragment a refetch gets.
func TestTrackerSaysWhenItChanges(t *testing.T) {
	f := newCardFixture(t)
	id, _ := f.newCard()
	if err := f.ts.st.StartCard(f.ctx, f.priv, id, f.card(id).Version); err != nil {
		t.Fatal(err)
	}
	f.signIn()
	var deadline time.Time
	if err := f.ts.st.Reader().QueryRow(`SELECT deadline FROM auto_tasks WHERE card_id = ? AND kind = 'stage' AND status = 'new'`, id).Scan(&deadline); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`data-changes-at="%d"`, deadline.UnixMilli())
	for _, path := range []string{"/tracker?stage=1", "/tracker?stage=1&part=table"} {
		if _, body := f.ts.doAs(t, f.actors["owner"].s, http.MethodGet, path, nil); !strings.Contains(body, want) {
			t.Errorf("%s lacks %s", path, want)
		}
	}
	f.ts.clock.Advance(deadline.Sub(f.ts.clock.Now()) + time.Hour) // overdue now: nothing left to change with the clock
	f.signIn()
	if _, body := f.ts.doAs(t, f.actors["owner"].s, http.MethodGet, "/tracker?stage=1", nil); !strings.Contains(body, `id="tracker-region"`) ||
		!strings.Contains(body, "kt-overdue") || strings.Contains(body, "data-changes-at") {
		t.Errorf("past the deadline: the page still says it changes with the clock, or is not the overdue tracker:\n%.300s", body)
	}
}

// TestCardPageSaysWhenItChanges: a card's page carries the office's next midnight
// (the transaction form's date) as the moment it reads differently, for the
// browser to refetch then; the part a refetch gets carries it too.
func TestCardPageSaysWhenItChanges(t *testing.T) {
	f := newCardFixture(t)
	id, _ := f.newCard()
	f.signIn()
	midnight := f.office.Day(f.ts.clock.Now()).AddDate(0, 0, 1)
	want := fmt.Sprintf(`data-changes-at="%d"`, midnight.UnixMilli())
	for _, path := range []string{fmt.Sprintf("/cards/%d", id), fmt.Sprintf("/cards/%d?part=main", id)} {
		if _, body := f.ts.doAs(t, f.actors["owner"].s, http.MethodGet, path, nil); !strings.Contains(body, want) {
			t.Errorf("%s lacks %s", path, want)
		}
	}
}
