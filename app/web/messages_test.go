package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"kartoteka/app/pipeline"
)

// follow opens the page a redirect points to, carrying its one-time message.
func (ts *testServer) follow(t *testing.T, s *session, resp *http.Response) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, location(resp), nil)
	req.AddCookie(s.Cookie)
	for _, c := range resp.Cookies() {
		if c.Name == "kartoteka_flash" {
			req.AddCookie(c)
		}
	}
	_, body := ts.send(t, req)
	return body
}

// alertsRe is each message box at the top of a page: its colour and text.
var alertsRe = regexp.MustCompile(`(?s)<div class="alert alert-(\w+)[^"]*"[^>]*data-flash[^>]*>(.*?)<button`)

// alerts lists a page's one-time messages as "colour: text".
func alerts(body string) []string {
	var out []string
	for _, m := range alertsRe.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1]+": "+strings.TrimSpace(m[2]))
	}
	return out
}

// TestNoticesMatchTheirMeaning: a message is green only when what was asked is
// done; «nothing was sent» and «check the number» are warnings, in their own box.
func TestNoticesMatchTheirMeaning(t *testing.T) {
	f := newCardFixture(t)
	f.signIn()
	o := f.actors["owner"].s

	// «В архив» with nothing ticked did nothing: a warning, not a success.
	resp, _ := f.ts.doAs(t, o, http.MethodPost, "/cards/archive", nil)
	got := alerts(f.ts.follow(t, o, resp))
	if len(got) != 1 || !strings.HasPrefix(got[0], "warning: ") || !strings.Contains(got[0], "отметьте карты") {
		t.Errorf("archive with nothing ticked shows %q, want one warning", got)
	}

	// A number that fails the Luhn check is saved, and the warning about it is a warning of its own.
	id, _ := f.newCard()
	form := editForm(f.card(id), "")
	form.Set("number", "4111 1111 1111 1112")
	form.Del("version")
	resp, body := f.ts.doAs(t, o, http.MethodPost, "/cards/new", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create card: %d %s", resp.StatusCode, formErrors(body))
	}
	got = alerts(f.ts.follow(t, o, resp))
	if len(got) != 2 || !regexp.MustCompile(`^success: Карта № \d+ зарегистрирована$`).MatchString(got[0]) ||
		!strings.HasPrefix(got[1], "warning: ") || !strings.Contains(got[1], "Луна") {
		t.Errorf("a card saved with a non-Luhn number shows %q, want a success and a warning", got)
	}
	// A good number: only the success.
	edit := editForm(f.card(id), "заметка")
	edit.Set("number", "4111 1111 1111 1111")
	resp, _ = f.ts.doAs(t, o, http.MethodPost, "/cards/"+fmt.Sprint(id)+"/edit", edit)
	if got = alerts(f.ts.follow(t, o, resp)); len(got) != 1 || got[0] != "success: Изменения сохранены" {
		t.Errorf("a saved card shows %q", got)
	}
}

// TestWrongLoginMarksBothFields: a wrong login or password marks both fields
// (the message never says which was wrong), keeps the typed login, and says so under them.
func TestWrongLoginMarksBothFields(t *testing.T) {
	ts := newTestServer(t)
	for _, c := range []struct{ login, password string }{{"owner", "not-the-password"}, {"nobody", "whatever-123"}} {
		resp, body := ts.doAs(t, ts.login(t, anon), http.MethodPost, "/login", vals("login", c.login, "password", c.password))
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong login %q: %d", c.login, resp.StatusCode)
		}
		login := regexp.MustCompile(`<input[^>]*name="login"[^>]*>`).FindString(body)
		pass := regexp.MustCompile(`<input[^>]*name="password"[^>]*>`).FindString(body)
		if !strings.Contains(login, "is-invalid") || !strings.Contains(pass, "is-invalid") {
			t.Errorf("%s: fields not both marked:\n%s\n%s", c.login, login, pass)
		}
		if !strings.Contains(login, `value="`+c.login+`"`) || strings.Contains(pass, c.password) {
			t.Errorf("%s: the login is not kept, or the password is sent back: %s %s", c.login, login, pass)
		}
		msg := regexp.MustCompile(`(?s)<input[^>]*name="password".*?<div class="invalid-feedback"[^>]*data-error-for="password">([^<]*)<`).FindStringSubmatch(body)
		if msg == nil || msg[1] != "Неверный логин или пароль" {
			t.Errorf("%s: the message under the fields is %q", c.login, msg)
		}
		// The browser may fill in the saved login and password (not offer a new password).
		if !strings.Contains(login, `autocomplete="username"`) || !strings.Contains(pass, `autocomplete="current-password"`) {
			t.Errorf("%s: login form fields tell the browser %s / %s", c.login, login, pass)
		}
		if n := strings.Count(body, "Неверный логин или пароль"); n != 1 {
			t.Errorf("%s: the message is shown %d times", c.login, n)
		}
	}
}

// TestTransactionsLockedSaysWhy: the card's warmer is told transactions are not
// theirs to change (their role), not that the stage is wrong — on stage 6, where
// the manager may change them; on another stage the stage is the reason.
func TestTransactionsLockedSaysWhy(t *testing.T) {
	f := newCardFixture(t)
	id, _ := f.newCard()
	f.walk(id, pipeline.Processing)
	f.signIn()
	locked := regexp.MustCompile(`data-tx-locked>([^<]*)<`)
	page := func(who string) string {
		t.Helper()
		resp, body := f.ts.doAs(t, f.actors[who].s, http.MethodGet, fmt.Sprintf("/cards/%d", id), nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("card page as %s: %d", who, resp.StatusCode)
		}
		return body
	}
	m := locked.FindStringSubmatch(page("card-warmer"))
	if m == nil || !strings.Contains(m[1], "только для просмотра") || strings.Contains(m[1], "этапе") {
		t.Errorf("stage 6, the card's warmer is told %q", m)
	}
	for _, who := range []string{"card-manager", "card-accountant", "owner"} {
		if m := locked.FindStringSubmatch(page(who)); m != nil {
			t.Errorf("stage 6, %s may change transactions but is told %q", who, m[1])
		}
	}
	f.completeStage(id) // to stage 7
	f.signIn()
	if m := locked.FindStringSubmatch(page("card-manager")); m == nil || !strings.Contains(m[1], "только на этапе «Отработка карты»") {
		t.Errorf("stage 7, the manager is told %q", m)
	}
}

// TestWarmingCompleteShutUntilItOpens: before the warming period ends the warmer's
// «Выполнить» (card page, tracker) is disabled and names the day it opens — the
// day the completion rule opens it; owner and admin keep theirs (they may finish
// early with a reason); after that day the warmer's opens too.
func TestWarmingCompleteShutUntilItOpens(t *testing.T) {
	f := newCardFixture(t)
	id, _ := f.newCard()
	f.walk(id, pipeline.Warming)
	f.signIn()
	c := f.card(id)
	opens := f.office.WarmingEnds(*c.StageEnteredAt, int(c.WarmingDays)).In(f.office.Loc).Format("02.01.2006")
	get := func(who, path string) string {
		t.Helper()
		_, body := f.ts.doAs(t, f.actors[who].s, http.MethodGet, path, nil)
		return body
	}
	card, tracker := fmt.Sprintf("/cards/%d", id), "/tracker?stage=3"
	shut := `disabled data-opens-on="` + opens + `"`
	if b := get("card-warmer", card); !strings.Contains(b, shut) || !textHas(b, "Выполнить этап с "+opens) {
		t.Errorf("warmer's card page: no disabled «Выполнить этап с %s»", opens)
	}
	if b := get("card-warmer", tracker); !strings.Contains(b, shut) || !textHas(b, "Выполнить с "+opens) ||
		strings.Contains(b, fmt.Sprintf(`data-modal-url="/cards/%d/stage"`, id)) {
		t.Errorf("warmer's tracker: no disabled «Выполнить с %s», or a live one beside it", opens)
	}
	if b := get("card-warmer", card+"/stage"); !strings.Contains(b, "data-warming-locked") || !regexp.MustCompile(`form="stage-form" disabled`).MatchString(b) {
		t.Errorf("warmer's stage-3 modal is not shut")
	}
	for _, who := range []string{"owner", "admin"} {
		if b := get(who, tracker); strings.Contains(b, "data-opens-on") || !strings.Contains(b, fmt.Sprintf(`data-modal-url="/cards/%d/stage"`, id)) {
			t.Errorf("%s's tracker: «Выполнить» is shut for someone who may finish early", who)
		}
		if b := get(who, card+"/stage"); strings.Contains(b, "data-warming-locked") || !strings.Contains(b, "data-warming-early") {
			t.Errorf("%s's stage-3 modal: not the early-finish note", who)
		}
	}
	// The server's check stays: a form sent anyway is refused.
	resp, _ := f.ts.doAs(t, f.actors["card-warmer"].s, http.MethodPost, card+"/stage",
		url.Values{"version": {fmt.Sprint(c.Version)}, "stage": {"3"}, "result": {"ok"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("stage 3 posted by the warmer before it opens: %d", resp.StatusCode)
	}
	// From the day it opens, the warmer's button is live.
	ends := f.office.WarmingEnds(*c.StageEnteredAt, int(c.WarmingDays))
	f.ts.clock.Advance(ends.Sub(f.ts.clock.Now()) + time.Minute)
	f.signIn()
	if b := get("card-warmer", tracker); strings.Contains(b, "data-opens-on") || !strings.Contains(b, fmt.Sprintf(`data-modal-url="/cards/%d/stage"`, id)) {
		t.Errorf("warmer's tracker after the period: «Выполнить» still shut")
	}
}
