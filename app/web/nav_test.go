package web_test

// Issue 9 item 6, «Navigation that fits the work»: where an action leaves the
// person, and what an address opened by hand shows.

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
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
