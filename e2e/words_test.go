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

// TestPlaceholdersFitAt1280: at 1280 px no placeholder of any page of any role
// is cut off by its field (the archive filters, the card search, the money fields).
func TestPlaceholdersFitAt1280(t *testing.T) {
	app := startApp(t, "--demo")
	for _, login := range []string{"owner", "admin", "buh", "warmer", "manager"} {
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
