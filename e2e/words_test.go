package e2e

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// placeholdersJS lists the visible placeholders that do not fit their field:
// the text's width in the field's font against the room inside its padding.
const placeholdersJS = `(() => {
	const ctx = document.createElement("canvas").getContext("2d"), out = [];
	for (const i of document.querySelectorAll("input[placeholder], textarea[placeholder]")) {
		const r = i.getBoundingClientRect(), cs = getComputedStyle(i);
		if (!i.placeholder || r.width === 0 || r.height === 0 || cs.visibility === "hidden") continue;
		ctx.font = cs.fontStyle + " " + cs.fontWeight + " " + cs.fontSize + " " + cs.fontFamily;
		const need = ctx.measureText(i.placeholder).width, room = i.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
		if (need > room + 0.5) out.push(i.placeholder + " (" + Math.ceil(need) + " of " + Math.floor(room) + " px)");
	}
	return out;
})()`

// TestPlaceholdersFitAt1280: at 1280 px no placeholder of any page is cut off by
// its field (the archive filters, the card search, the money fields). The owner
// reaches every page and form; the manager sees the same templates with fewer
// columns and buttons (the other roles' pages are the same templates again).
func TestPlaceholdersFitAt1280(t *testing.T) {
	app := startApp(t, "--demo")
	for _, login := range []string{"owner", "manager"} {
		editor := login == "owner" || login == "admin"
		var more []string
		check := func(b *Browser, p string) {
			b.waitJS("the page to settle", `document.readyState === "complete"`)
			time.Sleep(150 * time.Millisecond)
			if cut := eval[[]string](b, placeholdersJS); len(cut) > 0 {
				t.Errorf("%s as %s at %d px: placeholders cut off: %q", p, login, viewportW, cut)
			}
		}
		t.Run(login, func(t *testing.T) {
			b := newBrowser(t, app, login)
			b.login(login, demoPassword(t, app, login))
			more = phoneWalk(b, editor, func(p string) { check(b, p) })
		})
		for i := 0; i < len(more); i += 10 {
			chunk := more[i:min(i+10, len(more))]
			t.Run(fmt.Sprintf("%s-%d", login, i/10), func(t *testing.T) {
				b := newBrowser(t, app, login)
				b.login(login, demoPassword(t, app, login))
				for _, p := range chunk {
					b.open(p)
					check(b, p)
				}
			})
		}
	}
}

// TestTablesSpeakRussian: DataTables' lines read as an office worker would say
// them — «Показаны 1–5 из 5», «Ничего не найдено» — with numbers grouped as elsewhere.
func TestTablesSpeakRussian(t *testing.T) {
	app := startApp(t, "--demo")
	b := newBrowser(t, app, "owner")
	b.login("owner", demoPassword(t, app, "owner"))
	b.open("/directory/banks")
	b.waitVisible(".dt-info")
	info := b.text(".dt-info")
	if !regexp.MustCompile(`^Показаны 1–(\d+) из (\d+)$`).MatchString(info) {
		t.Errorf("banks info reads %q, want «Показаны 1–N из N»", info)
	}
	if l := b.text(".dt-length"); !regexp.MustCompile(`^Показывать по`).MatchString(l) {
		t.Errorf("page length control reads %q", l)
	}
	b.do("search", chromedp.Focus(chromedp.CSS(".dt-search input")), insertText("нет-такого-банка"))
	b.waitText(".dt-info", "Ничего не найдено")
	if e := b.text("td.dt-empty"); e != "Ничего не найдено" {
		t.Errorf("empty search result reads %q", e)
	}
	if info := b.text(".dt-info"); !regexp.MustCompile(`^Ничего не найдено \(всего \d+\)$`).MatchString(info) {
		t.Errorf("filtered info reads %q", info)
	}
	b.screenshot("tables-russian")

	// The archive pages on the server: the same words, numbers grouped.
	b.open("/cards?tab=archive")
	b.waitJS("archive rows", `document.querySelectorAll('#archive-table tbody tr td a').length > 0`)
	b.waitJS("archive info", `/^Показаны 1–\d+ из \d+$/.test(document.querySelector(".dt-info").innerText)`)
	b.screenshot("tables-russian")
}

// contrastJS measures each visible element matching the selector: its text colour
// and border against the first opaque background behind it (WCAG relative luminance).
const contrastJS = `((sel) => {
	const rgb = s => (s.match(/[\d.]+/g) || []).map(Number);
	const lum = c => { const v = c.slice(0, 3).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
		return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
	const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
	const bg = el => { for (let e = el.parentElement; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length === 3 || c[3] > 0.9) return c; } return [255, 255, 255]; };
	return [...document.querySelectorAll(sel)].filter(e => e.getBoundingClientRect().width > 0).map(e => {
		const cs = getComputedStyle(e), b = bg(e);
		return {Text: (e.innerText || "").trim(), Color: ratio(rgb(cs.color), b), Border: ratio(rgb(cs.borderTopColor), b)};
	});
})`

// TestOutlineWarningReadable: yellow-outline buttons («Взять в работу» in the
// tracker, on plain, yellow «в работе» and red overdue rows) meet WCAG AA: text 4.5:1, border 3:1.
func TestOutlineWarningReadable(t *testing.T) {
	app := startApp(t, "--demo")
	b := newBrowser(t, app, "owner")
	b.login("owner", demoPassword(t, app, "owner"))
	type measure struct {
		Text          string
		Color, Border float64
	}
	seen := 0
	for st := 1; st <= 9 && seen < 3; st++ {
		b.open(fmt.Sprintf("/tracker?stage=%d", st))
		for _, m := range eval[[]measure](b, contrastJS+`(".btn-outline-warning")`) {
			seen++
			if m.Color < 4.5 || m.Border < 3 {
				t.Errorf("stage %d: «%s» text contrast %.2f:1 (want 4.5), border %.2f:1 (want 3)", st, m.Text, m.Color, m.Border)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no yellow-outline button on the demo tracker to measure")
	}
	b.screenshot("outline-warning")
}

// TestUnsavedRowWarningGoes: the stage-6 warning «В строке транзакции введена
// сумма, но она не добавлена» is shown while it is true and goes once the row is
// cleared or added.
func TestUnsavedRowWarningGoes(t *testing.T) {
	app := startApp(t, "--demo")
	b := newBrowser(t, app, "owner")
	b.login("owner", demoPassword(t, app, "owner"))
	b.open("/tracker?stage=6")
	btn := `#tracker-table button[data-modal-url$="/stage"]`
	b.waitVisible(btn)
	b.click(btn)
	amount, note := "#kt-modal [data-tx-amount]", "#tx-unsaved"
	b.waitVisible("#kt-modal.show [data-tx-amount]")
	time.Sleep(400 * time.Millisecond) // the modal's fade-in
	shown := func() bool { return eval[bool](b, `!document.querySelector("#tx-unsaved").hidden`) }
	typeAmount := func(v string) {
		b.do("typing an amount", chromedp.Focus(chromedp.CSS(amount)), insertText(v))
	}
	submit := func() { b.click(`#kt-modal button[form=stage-form]`) }

	typeAmount("1 500")
	submit()
	b.waitVisible(note)
	// Cleared: the warning goes.
	eval[bool](b, `(() => { const i = document.querySelector("#kt-modal [data-tx-amount]"); i.value = ""; i.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`)
	if shown() {
		t.Error("the warning stays after the amount was cleared")
	}
	// Typed again and added: the warning goes with the new row.
	typeAmount("2 500")
	submit()
	b.waitVisible(note)
	rows := b.count("#kt-modal .kt-tx-row")
	b.click("#kt-modal [data-tx-add]")
	b.waitJS("the row to be added", fmt.Sprintf(`document.querySelectorAll("#kt-modal .kt-tx-row").length === %d`, rows+1))
	b.waitJS("the warning to go", `document.querySelector("#tx-unsaved").hidden`)
	b.screenshot("stage6-row-added")
}
