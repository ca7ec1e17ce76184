package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

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
