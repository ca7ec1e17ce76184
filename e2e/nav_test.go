package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Issue 9 item 6, «Navigation that fits the work», in the browser.

// navSession signs a demo user in, at 1280 px or (w = phoneW) at 400 px.
func navSession(t *testing.T, app *App, login string, w int) *Browser {
	t.Helper()
	b := newBrowser(t, app, fmt.Sprintf("%s-%d", login, w))
	b.login(login, demoPassword(t, app, login))
	if w != viewportW {
		b.do("viewport", chromedp.EmulateViewport(int64(w), phoneH))
	}
	return b
}

// follow runs an action that loads a page (a link or a form's button) and
// waits for that page; it returns the page's HTTP status.
func follow(b *Browser, what string, a chromedp.Action[chromedp.Void]) int {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, a)
	if err != nil || resp == nil {
		b.fatalf("%s: %v, no page loaded (page %s)", what, err, b.url())
	}
	return b.noteStatus(resp.URL, int(resp.Status))
}

// noSideScroll fails when the open page scrolls sideways.
func noSideScroll(t *testing.T, b *Browser, what string) {
	t.Helper()
	if m := eval[[]int](b, `[document.documentElement.scrollWidth, window.innerWidth]`); m[0] > m[1] {
		t.Errorf("%s: the page is %d px wide in a %d px window", what, m[0], m[1])
	}
}

// TestArchiveTaskLinks: every archive row (DataTables' server-side rows) has the
// «Задачи» link the other card tabs have, to that card's «Автозадачи», for the
// owner and for a manager (their own archived cards), at 1280 and 400 px.
func TestArchiveTaskLinks(t *testing.T) {
	app := startApp(t, "--demo")
	for _, login := range []string{"owner", "manager"} {
		for _, w := range []int{viewportW, phoneW} {
			t.Run(fmt.Sprintf("%s-%d", login, w), func(t *testing.T) {
				b := navSession(t, app, login, w)
				b.open("/cards?tab=archive")
				b.waitJS("archive rows", `document.querySelectorAll('#archive-table tbody tr td a').length > 0`)
				rows := eval[[][]string](b, `[...document.querySelectorAll('#archive-table tbody tr')].map(r =>
					[r.querySelector('td a').textContent, (r.querySelector('a[href^="/tasks"]') || {}).getAttribute?.('href') || '', (r.querySelector('a[href^="/tasks"]') || {}).textContent || ''])`)
				if len(rows) == 0 {
					t.Fatal("no archive rows")
				}
				for _, r := range rows {
					id := strings.TrimPrefix(r[0], "№ ")
					if want := "/tasks?tab=auto&card=" + id; r[1] != want || strings.TrimSpace(r[2]) != "Задачи" {
						t.Errorf("archive row %s: «Задачи» link %q %q, want %q", r[0], r[2], r[1], want)
					}
				}
				noSideScroll(t, b, "archive")
				viewShot(b, fmt.Sprintf("%d-archive", w))
				if t.Failed() {
					return
				}
				id := strings.TrimPrefix(rows[0][0], "№ ")
				follow(b, "«Задачи» of an archive row", chromedp.Click(chromedp.CSS(`#archive-table tbody tr:first-child a[href^="/tasks"]`)))
				if got := b.path(); got != "/tasks?tab=auto&card="+id {
					t.Errorf("«Задачи» opened %s", got)
				}
				b.waitVisible("#auto-tasks")
				if n := b.count("#auto-tasks tbody tr[data-task]"); n == 0 {
					t.Errorf("archived card %s: «Задачи» shows no tasks", id)
				}
				b.checkConsole()
			})
		}
	}
}

// TestStartInBrowser: «Запустить» pressed twice quickly on a card page (a double
// click) starts the card once and stays on the card page, now in stage 1; on
// «Новые карты» it stays on that tab.
func TestStartInBrowser(t *testing.T) {
	app := startApp(t, "--demo")
	for _, w := range []int{viewportW, phoneW} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			b := navSession(t, app, "admin", w)
			b.open("/cards?tab=new")
			ids := eval[[]string](b, `[...document.querySelectorAll('#cards-table tbody tr[data-card]')].map(r => r.dataset.card)`)
			if len(ids) < 2 {
				t.Fatalf("the demo has %d new cards, want 2", len(ids))
			}
			// From the list: back on the list, the card gone from it.
			listID := ids[0]
			follow(b, "«Запустить» on the list", chromedp.Click(chromedp.CSS(`#cards-table tr[data-card="`+listID+`"] form[action$="/start"] button`)))
			if b.exists(`#cards-table tr[data-card="` + listID + `"]`) {
				t.Errorf("card %s is still on «Новые карты» after its start", listID)
			}
			if got := b.path(); got != "/cards?tab=new" {
				t.Errorf("«Запустить» on the list ended on %s", got)
			}
			if fl := b.text(".alert"); !strings.Contains(fl, "№ "+listID+" запущена") {
				t.Errorf("list flash %q", fl)
			}
			noSideScroll(t, b, "new cards after a start")
			viewShot(b, fmt.Sprintf("%d-started-from-list", w))

			// On the card page, a double click.
			id := ids[1]
			b.open("/cards/" + id)
			follow(b, "double click «Запустить»", chromedp.DoubleClick(chromedp.CSS(`form[action$="/start"] button`)))
			b.waitJS("the card in stage 1", `document.querySelector('[data-stage="1"]') !== null`)
			if got := b.path(); got != "/cards/"+id {
				t.Errorf("«Запустить» on the card page ended on %s", got)
			}
			fl := b.text(".alert")
			if !regexp.MustCompile(`№ ` + id + ` запущена: этап 1`).MatchString(fl) {
				t.Errorf("card page flash after a double click: %q", fl)
			}
			noSideScroll(t, b, "card page after a start")
			viewShot(b, fmt.Sprintf("%d-started-card", w))
			b.open("/tasks?tab=auto&card=" + id)
			if n := b.count("#auto-tasks tbody tr[data-task]"); n != 1 {
				t.Errorf("card %s has %d tasks after a double click, want 1", id, n)
			}
			b.checkConsole()
		})
	}
}

// TestTrackerNavigation: for every role at 1280 and 400 px, /tracker opens on
// the first stage whose badge is not zero; stage 3 lists each card once with its
// warming tasks under it, every button on screen, and the badge counts cards.
func TestTrackerNavigation(t *testing.T) {
	app := startApp(t, "--demo")
	for _, login := range []string{"owner", "admin", "buh", "warmer", "manager"} {
		for _, w := range []int{viewportW, phoneW} {
			t.Run(fmt.Sprintf("%s-%d", login, w), func(t *testing.T) {
				b := navSession(t, app, login, w)
				b.open("/tracker")
				counts := eval[[]string](b, `[...document.querySelectorAll("[data-stage-count]")].map(e => e.textContent.trim())`)
				want := "1"
				for i, n := range counts {
					if n != "0" {
						want = fmt.Sprint(i + 1)
						break
					}
				}
				if got := strings.SplitN(b.text("#tracker-region h2"), ".", 2)[0]; got != want {
					t.Errorf("/tracker opens on stage %s, want %s (badges %v)", got, want, counts)
				}
				if w == phoneW {
					if got := b.value("#stage-select"); !strings.Contains(got, "stage="+want) {
						t.Errorf("the phone's stage select shows %q, want stage %s", got, want)
					}
				}
				viewShot(b, fmt.Sprintf("%d-tracker", w))

				b.open("/tracker?stage=3")
				g := eval[struct {
					Groups, Cards, Warming, Badge int
					Off                           []string
				}](b, `(() => {
					const groups = [...document.querySelectorAll("#tracker-table tbody.kt-group")];
					const off = [...document.querySelectorAll("#tracker-table tbody button")].filter(x => { const r = x.getBoundingClientRect(); return r.width > 0 && (r.left < 0 || r.right > innerWidth + 1); }).map(x => x.innerText);
					return {Groups: groups.length, Cards: new Set(groups.map(x => x.dataset.cardGroup)).size,
						Warming: document.querySelectorAll("#tracker-table tr.kt-warming button[data-modal-url^='/autotasks/']").length,
						Badge: +document.querySelector('[data-stage-count="3"]').textContent, Off: off};
				})()`)
				if g.Groups != g.Cards {
					t.Errorf("stage 3: %d rows for %d cards", g.Groups, g.Cards)
				}
				if g.Badge != g.Cards && g.Cards < 200 {
					t.Errorf("stage 3's badge says %d, the list has %d cards", g.Badge, g.Cards)
				}
				if (login == "warmer" || login == "owner" || login == "admin") && g.Warming == 0 {
					t.Errorf("%s sees no warming task under a card", login)
				}
				if len(g.Off) > 0 {
					t.Errorf("stage 3 at %d px: buttons off screen: %q", w, g.Off)
				}
				noSideScroll(t, b, "stage 3")
				viewShot(b, fmt.Sprintf("%d-stage3", w))
				b.checkConsole()
			})
		}
	}
}

// TestStagePage: /cards/{id}/stage opened as an address (a bookmark, a new tab) is
// a whole page — navbar, the stage form — that works: a manager completes stage 1
// from it (a double click sends it once) and lands on the card, now in stage 2;
// an admin's stage-6 page carries the transactions editor, fits a phone, and
// stops a typed-but-not-added transaction before the form leaves.
func TestStagePage(t *testing.T) {
	app := startApp(t, "--demo")
	for _, w := range []int{viewportW, phoneW} {
		t.Run(fmt.Sprintf("manager-%d", w), func(t *testing.T) {
			b := navSession(t, app, "manager", w)
			b.open("/tracker?stage=1")
			urls := eval[[]string](b, `[...document.querySelectorAll('#tracker-table button[data-modal-url$="/stage"]')].map(x => x.dataset.modalUrl)`)
			if len(urls) == 0 {
				t.Fatal("the manager has no stage-1 task in the demo")
			}
			u := urls[0]
			card := strings.TrimSuffix(u, "/stage")
			if st := b.open(u); st != 200 {
				t.Fatalf("opening %s: %d", u, st)
			}
			if !b.exists("nav.navbar") || !b.exists(`#stage-form[method=post]`) || b.exists("#kt-modal.show") {
				t.Fatalf("%s opened directly is not a page with the form", u)
			}
			noSideScroll(t, b, u)
			viewShot(b, fmt.Sprintf("%d-stage-page", w))
			follow(b, "double click «Выполнить этап»", chromedp.DoubleClick(chromedp.CSS(`button[form=stage-form]`)))
			if got := b.path(); got != card {
				t.Errorf("after the stage page's form: at %s, want %s", got, card)
			}
			if fl := b.text(".alert"); !strings.Contains(fl, "выполнен") {
				t.Errorf("flash %q", fl)
			}
			if !b.exists(`[data-stage="2"]`) {
				t.Errorf("the card is not shown in stage 2")
			}
			viewShot(b, fmt.Sprintf("%d-stage-page-done", w))
			b.checkConsole()
		})
	}
	t.Run("admin-stage6-400", func(t *testing.T) {
		b := navSession(t, app, "admin", phoneW)
		b.open("/tracker?stage=6")
		u := eval[string](b, `(document.querySelector('#tracker-table button[data-modal-url$="/stage"]') || {dataset: {}}).dataset.modalUrl || ""`)
		if u == "" {
			t.Fatal("no stage-6 task in the demo")
		}
		b.open(u)
		b.waitVisible(".kt-tx [data-tx-add]")
		noSideScroll(t, b, u)
		b.fill(".kt-tx-new", map[string]string{"amount": "1 000"})
		b.click(`button[form=stage-form]`)
		b.waitVisible("#tx-unsaved")
		if got := b.path(); got != u {
			t.Errorf("a typed-but-not-added transaction let the form leave: at %s", got)
		}
		viewShot(b, "400-stage6-page")
		b.checkConsole()
	})
}

// TestTrackerFollowsTheClock: a moment the page says its content changes at
// (data-changes-at: a deadline, a warming period's end) makes the tracker refetch
// itself a second after it, without a notice; a moment already past (the
// browser's clock ahead of the server's) does not make it refetch in a loop.
func TestTrackerFollowsTheClock(t *testing.T) {
	app := startApp(t, "--demo")
	b := navSession(t, app, "owner", viewportW)
	b.open("/tracker")
	eval[bool](b, `(() => { window.__refetched = 0;
		document.body.addEventListener("htmx:afterSettle", e => { if (e.target.id === "tracker-region") window.__refetched++; });
		const m = document.createElement("span"); m.hidden = true; m.setAttribute("data-changes-at", String(Date.now() + 300));
		document.body.appendChild(m); window.KArmClock(); return true; })()`)
	b.waitJS("the tracker to refetch itself at the moment", `window.__refetched >= 1`)
	time.Sleep(3 * time.Second)
	if n := eval[float64](b, `window.__refetched`); n != 1 {
		t.Errorf("the tracker refetched %v times for one moment, want 1", n)
	}
}
