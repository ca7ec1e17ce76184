package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const phoneW, phoneH = 400, 860

// pageCheck is what a page looks like at one width: its overflow and its main action.
type pageCheck struct {
	ScrollWidth, InnerWidth int
	Action                  string // the main action's text, "" when the page has none
	ActionLeft, ActionRight int
	OffButtons              []string // tracker task buttons outside the viewport
}

// checkPageJS measures the open page: the document's width against the window's,
// and where its main action button is (the marked one, else the first primary button).
const checkPageJS = `(() => {
	const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden"; };
	const main = document.querySelector("main") || document.body;
	const cands = [...main.querySelectorAll("[data-main-action]"), ...main.querySelectorAll(".btn-primary")].filter(visible);
	const out = {ScrollWidth: document.documentElement.scrollWidth, InnerWidth: window.innerWidth, Action: "", ActionLeft: 0, ActionRight: 0, OffButtons: []};
	if (cands.length) {
		const r = cands[0].getBoundingClientRect();
		out.Action = (cands[0].innerText || cands[0].value || "").trim(); out.ActionLeft = Math.floor(r.left); out.ActionRight = Math.ceil(r.right);
	}
	for (const b of document.querySelectorAll("#tracker-table tbody button")) {
		if (!visible(b)) continue;
		const r = b.getBoundingClientRect();
		if (r.left < 0 || r.right > window.innerWidth + 1) out.OffButtons.push(b.innerText.trim());
	}
	return out;
})()`

// phoneWalk opens, one after another, the pages a role reaches: the navbar's
// links, then the tabs and «add» buttons on those pages, the tracker on the
// first stage with tasks, a stage-6 card (and its edit page for an editor).
// visit is called on each page once it is open; it returns the pages found
// beyond the navbar, for the caller to walk in further sessions.
func phoneWalk(b *Browser, editor bool, visit func(p string)) (more []string) {
	b.t.Helper()
	seen := map[string]bool{}
	links := func(sel string) []string {
		return eval[[]string](b, `[...document.querySelectorAll(`+js(sel)+`)].map(a => a.getAttribute("href"))`)
	}
	fresh := func(hrefs []string) []string {
		var out []string
		for _, h := range hrefs {
			if h == "" || h == "#" || !strings.HasPrefix(h, "/") || strings.HasPrefix(h, "/logout") || seen[h] {
				continue
			}
			seen[h] = true
			out = append(out, h)
		}
		return out
	}
	b.open("/tracker")
	nav := fresh(links(`nav.navbar a[href^="/"]`))
	for _, p := range nav {
		b.open(p)
		visit(p)
		if strings.HasPrefix(p, "/tracker") {
			tabs := eval[[]string](b, `[...document.querySelectorAll("[data-stage-tab]")].filter(a => (a.querySelector("[data-stage-count]")||{}).textContent > 0).map(a => a.getAttribute("href"))`)
			if len(tabs) > 0 {
				more = append(more, fresh(tabs[:1])...)
			}
			continue
		}
		more = append(more, fresh(links(`main .nav-tabs a[href^="/"], main a.btn[href$="/new"]`))...)
	}
	b.open("/tracker?stage=6")
	if cards := links(`#tracker-table a[href^="/cards/"]`); len(cards) > 0 {
		more = append(more, fresh(cards[:1])...)
		if editor {
			more = append(more, fresh([]string{cards[0] + "/edit"})...)
		}
	}
	if editor {
		more = append(more, fresh([]string{"/cards/new"})...)
	}
	return more
}

// checkPhone checks the open page at phone width.
func checkPhone(t *testing.T, b *Browser, p string) {
	t.Helper()
	b.waitJS("the page to settle", `document.readyState === "complete"`)
	time.Sleep(150 * time.Millisecond) // DataTables and htmx draw after load
	c := eval[pageCheck](b, checkPageJS)
	if c.ScrollWidth > c.InnerWidth {
		t.Errorf("%s at %d px: the page is %d px wide", p, phoneW, c.ScrollWidth)
	}
	if c.Action != "" && (c.ActionLeft < 0 || c.ActionRight > c.InnerWidth) {
		t.Errorf("%s at %d px: main action %q spans %d…%d px", p, phoneW, c.Action, c.ActionLeft, c.ActionRight)
	}
	if len(c.OffButtons) > 0 {
		t.Errorf("%s at %d px: task buttons off screen: %q", p, phoneW, c.OffButtons)
	}
	// The tracker's heading carries the stage's count the cut select may hide.
	if h := eval[[]string](b, `(() => { const s = document.querySelector("#stage-select"), h = s && s.parentElement.querySelector("h2");
		return s && h ? [s.selectedOptions[0].text.split(" — ").pop(), h.innerText.trim()] : []; })()`); len(h) == 2 && !strings.HasSuffix(h[1], " "+h[0]) {
		t.Errorf("%s at %d px: the heading %q lacks the stage's count %s", p, phoneW, h[1], h[0])
	}
	if wide := eval[[]string](b, tablesWideJS); len(wide) > 0 {
		t.Errorf("%s at %d px: tables to scroll sideways: %q", p, phoneW, wide)
	}
	if bare := eval[[]string](b, cellsUnlabeledJS); len(bare) > 0 {
		t.Errorf("%s at %d px: list cells shown as cards without their column's name: %q", p, phoneW, bare)
	}
	if cut := eval[[]string](b, selectsCutJS); len(cut) > 0 {
		t.Errorf("%s at %d px: selects whose chosen text is cut off: %q", p, phoneW, cut)
	}
	viewShot(b, fmt.Sprintf("%d%s", phoneW, p))
}

// tablesWideJS lists the visible tables wider than the room they are in (a
// table that scrolls sideways inside its frame while the page does not).
const tablesWideJS = `Array.from(document.querySelectorAll("main table")).filter(t => t.offsetParent !== null &&
	(t.scrollWidth > t.parentElement.clientWidth + 1 || t.getBoundingClientRect().right > document.documentElement.clientWidth + 1))
	.map(t => (t.id || t.className) + " " + t.scrollWidth + "/" + t.parentElement.clientWidth)`

// cellsUnlabeledJS lists the cells of lists shown as cards (kt-stack) whose
// column has a name but the cell does not carry it (data-label, put by app.js).
const cellsUnlabeledJS = `Array.from(document.querySelectorAll(".kt-stack[data-stack-labels] table")).flatMap(t => {
	const heads = Array.from(t.querySelectorAll(":scope > thead > tr:first-child > th")).map(th => th.textContent.trim());
	return Array.from(t.querySelectorAll(":scope > tbody > tr")).flatMap(tr => {
		let col = 0;
		return Array.from(tr.cells).filter(td => { const i = col; col += td.colSpan; return td.colSpan === 1 && heads[i] && !td.hasAttribute("data-label"); })
			.map(td => (t.id || t.className) + ": " + td.textContent.trim().slice(0, 30));
	});
}).slice(0, 5)`

// selectsCutJS lists the visible selects whose chosen option's text does not fit
// («Все поставщи…»): its width in the select's font against the room inside the
// padding (the right padding holds the arrow). The tracker's stage select on
// phones is marked data-long-options: a stage's full name and count are the
// heading under it.
const selectsCutJS = `(() => {
	const ctx = document.createElement("canvas").getContext("2d"), out = [];
	for (const s of document.querySelectorAll("select")) {
		const r = s.getBoundingClientRect(), cs = getComputedStyle(s), o = s.selectedOptions[0];
		if (!o || r.width === 0 || r.height === 0 || cs.visibility === "hidden" || s.multiple || s.hasAttribute("data-long-options")) continue;
		ctx.font = cs.fontStyle + " " + cs.fontWeight + " " + cs.fontSize + " " + cs.fontFamily;
		const need = ctx.measureText(o.text).width, room = s.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
		if (need > room + 0.5) out.push((s.name || s.getAttribute("aria-label") || "?") + ": " + o.text + " (" + Math.ceil(need) + " of " + Math.floor(room) + " px)");
	}
	return out;
})()`

// TestPhoneWidth: on the demo office at 400 px, no page of any role scrolls
// sideways, each page's main action is on screen, and the tracker's task buttons
// are visible without scrolling, no select's chosen text is cut off; the stage-6
// modal's transactions editor fits;
// at 1280 px the navbar and the card edit page's editor fit. With
// KARTOTEKA_E2E_SHOTS set, every page is also saved at 400 and 1280 px.
// (Pages are walked in groups, each in its own browser session: one session
// has testTimeout for everything it does.)
func TestPhoneWidth(t *testing.T) {
	app := startApp(t, "--demo")
	shots := os.Getenv("KARTOTEKA_E2E_SHOTS") != ""
	const group = 10
	for _, login := range []string{"owner", "admin", "buh", "warmer", "manager"} {
		editor := login == "owner" || login == "admin"
		session := func(t *testing.T, w int) *Browser {
			b := newBrowser(t, app, login)
			b.login(login, demoPassword(t, app, login))
			if w != viewportW {
				b.do("viewport", chromedp.EmulateViewport(int64(w), phoneH))
			}
			return b
		}
		var nav, more []string
		t.Run(login+"-400", func(t *testing.T) {
			b := session(t, phoneW)
			more = phoneWalk(b, editor, func(p string) { nav = append(nav, p); checkPhone(t, b, p) })
		})
		for i := 0; i < len(more); i += group {
			chunk := more[i:min(i+group, len(more))]
			t.Run(fmt.Sprintf("%s-400-%d", login, i/group), func(t *testing.T) {
				b := session(t, phoneW)
				for _, p := range chunk {
					b.open(p)
					checkPhone(t, b, p)
				}
			})
		}
		if editor {
			t.Run(login+"-400-stage6", func(t *testing.T) {
				b := session(t, phoneW)
				b.open("/tracker?stage=6")
				btn := `#tracker-table button[data-modal-url$="/stage"]`
				if b.count(btn) == 0 {
					t.Fatalf("no stage-6 task to open")
				}
				b.click(btn)
				b.waitVisible("#kt-modal.show [data-tx-add]")
				time.Sleep(300 * time.Millisecond)
				m := eval[map[string]float64](b, `(() => { const c = document.querySelector("#kt-modal .modal-content"), a = document.querySelector("#kt-modal [data-tx-add]").getBoundingClientRect(), i = document.querySelector("#kt-modal [data-tx-amount]").getBoundingClientRect();
					return {scroll: c.scrollWidth, client: c.clientWidth, addRight: a.right, amountWidth: i.width, inner: window.innerWidth}; })()`)
				if m["scroll"] > m["client"] || m["addRight"] > m["inner"] || m["amountWidth"] < 110 {
					t.Errorf("stage-6 modal at %d px: content %v×%v, «Добавить» ends at %v, amount field %v px wide", phoneW, m["scroll"], m["client"], m["addRight"], m["amountWidth"])
				}
				viewShot(b, fmt.Sprintf("%d-stage6-modal", phoneW))
			})
		}
		all := append(append([]string(nil), nav...), more...)
		t.Run(login+"-1280", func(t *testing.T) {
			b := session(t, viewportW)
			b.open("/tracker")
			if r := eval[float64](b, `document.querySelector('nav form[action="/logout"] button').getBoundingClientRect().right`); r > viewportW {
				t.Errorf("at %d px «Выйти» ends at %.0f px, off screen", viewportW, r)
			}
			for _, p := range all {
				if !strings.HasSuffix(p, "/edit") {
					continue
				}
				b.open(p)
				m := eval[map[string]float64](b, `(() => { const ed = document.querySelector(".kt-tx").getBoundingClientRect(), a = document.querySelector("[data-tx-add]").getBoundingClientRect(), i = document.querySelector("[data-tx-amount]").getBoundingClientRect();
					return {edRight: ed.right, addRight: a.right, amountWidth: i.width}; })()`)
				if m["addRight"] > m["edRight"] || m["amountWidth"] < 110 {
					t.Errorf("%s at %d px: «Добавить» ends at %v of %v, amount field %v px wide", p, viewportW, m["addRight"], m["edRight"], m["amountWidth"])
				}
			}
		})
		for i := 0; shots && i < len(all); i += group {
			chunk := all[i:min(i+group, len(all))]
			t.Run(fmt.Sprintf("%s-1280-shots-%d", login, i/group), func(t *testing.T) {
				b := session(t, viewportW)
				for _, p := range chunk {
					b.open(p)
					time.Sleep(150 * time.Millisecond)
					viewShot(b, fmt.Sprintf("%d%s", viewportW, p))
				}
			})
		}
	}
}

// viewShot saves what the window shows (not the whole page) when KARTOTEKA_E2E_SHOTS is set.
func viewShot(b *Browser, name string) {
	dir := os.Getenv("KARTOTEKA_E2E_SHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	_ = os.MkdirAll(dir, 0o755)
	_ = os.WriteFile(filepath.Join(dir, b.name+"-"+safeName(name)+".png"), png, 0o644)
}

// TestArchiveSelectionOnPhone: on a phone the «Отработаны» list is cards, its
// heading with «select all» hidden; the owner still selects every card with
// «Выбрать все» above the list and sends them to the archive.
func TestArchiveSelectionOnPhone(t *testing.T) {
	app := startApp(t, "--demo")
	b := newBrowser(t, app, "owner")
	b.login("owner", demoPassword(t, app, "owner"))
	b.do("phone width", chromedp.EmulateViewport(phoneW, phoneH))
	b.open("/cards?tab=done")
	n := b.count(`input[data-check="archive"]`)
	if n == 0 {
		t.Fatal("the demo office has no finished cards")
	}
	if b.exists(`#cards-table thead input[data-check-all]`) && eval[bool](b, `document.querySelector("#cards-table thead").offsetParent !== null`) {
		t.Error("the list's heading is shown on a phone")
	}
	b.click("#check-all-phone")
	if got := b.count(`input[data-check="archive"]:checked`); got != n {
		t.Fatalf("«Выбрать все» checked %d of %d cards", got, n)
	}
	eval[bool](b, `(window.confirm = () => true, true)`)
	b.clickButton("main", "В архив")
	b.waitText(".alert-success", "Отправлено в архив")
	if left := b.count(`input[data-check="archive"]`); left != 0 {
		t.Errorf("%d cards left in «Отработаны»", left)
	}
}
