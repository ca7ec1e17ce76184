package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// demoPassword reads a demo account's password from the console output.
func demoPassword(t *testing.T, a *App, login string) string {
	t.Helper()
	m := regexp.MustCompile(`\s` + login + `\s+(demo-[0-9a-f]+)`).FindStringSubmatch(a.out.String())
	if m == nil {
		t.Fatalf("no demo password for %s in:\n%s", login, a.out.String())
	}
	return m[1]
}

// TestDemoOffice: a newcomer's --demo database has something real on every screen,
// and the archive's server-side filters work in the browser.
func TestDemoOffice(t *testing.T) {
	app := startApp(t, "--demo")
	b := newBrowser(t, app, "owner")
	b.login("owner", demoPassword(t, app, "owner"))

	// Every stage has open tasks.
	b.open("/tracker?stage=1")
	for st := 1; st <= 9; st++ {
		if n := b.textContent(`[data-stage-count="` + strconv.Itoa(st) + `"]`); n == "0" || n == "" {
			t.Errorf("stage %d has %q open tasks in the demo", st, n)
		}
	}

	// The archive: server-side rows, then the number and contact filters.
	b.open("/cards?tab=archive")
	b.waitJS("archive rows", `document.querySelectorAll('#archive-table tbody tr td a').length > 0`)
	total := b.count("#archive-table tbody tr")
	first := b.texts("#archive-table tbody tr:first-child td")
	if total < 2 || len(first) < 4 {
		t.Fatalf("archive shows %d rows, first %v", total, first)
	}
	last4 := strings.TrimSpace(strings.TrimPrefix(first[1], "••••"))
	b.fill("#archive-filters", map[string]string{"number": last4})
	b.waitJS("filtered by last four", `Array.from(document.querySelectorAll('#archive-table tbody tr')).every(r => r.innerText.includes(`+js(last4)+`))`)
	b.fill("#archive-filters", map[string]string{"number": ""})
	// Contact name, typed in lower case (the search ignores case in Cyrillic too).
	name := strings.Fields(first[2])[0]
	b.fill("#archive-filters", map[string]string{"contact": strings.ToLower(name)})
	b.waitJS("filtered by contact", `(() => { const rs = Array.from(document.querySelectorAll('#archive-table tbody tr'));
		return rs.length > 0 && rs.every(r => r.innerText.includes(`+js(name)+`)); })()`)
	b.fill("#archive-filters", map[string]string{"contact": "нет такого контакта"})
	b.waitJS("no rows", `document.querySelector('#archive-table tbody td.dt-empty') !== null`)
	b.screenshot("archive-filtered")

	// «Задачи» of an archived card: its whole history with the values entered.
	b.open("/tasks?tab=auto&card=" + strings.TrimPrefix(first[0], "№ "))
	if n := b.count("#auto-tasks tbody tr[data-task]"); n < 9 {
		t.Errorf("archived card has %d auto-tasks, want its nine stages", n)
	}
	if !strings.Contains(b.textContent("#auto-tasks"), "Подтверждённая сумма") {
		t.Error("stage 8's confirmed amount is not in the history")
	}
	b.checkConsole()

	// The warmer's scheduler task «Прогрев карты № N»: «Что сделано» is required.
	w := newBrowser(t, app, "warmer")
	w.login("warmer", demoPassword(t, app, "warmer"))
	w.allowConsole(`status of 422`) // the refused empty note
	w.open("/tracker?stage=3")
	btn := `#tracker-table button[data-modal-url^="/autotasks/"]`
	w.waitVisible(btn)
	before := w.count(btn)
	eval[bool](w, `(() => { window.e2eModalShown = false;
		document.getElementById("kt-modal").addEventListener("shown.bs.modal", () => { window.e2eModalShown = true; }, {once: true});
		return true; })()`)
	w.click(btn)
	w.waitVisible("#kt-modal.show #warming-form")
	w.waitJS("the modal to finish opening", `window.e2eModalShown === true`)
	w.click(`#kt-modal-content button[form=warming-form]`)
	w.waitText(`#kt-modal-content [data-error-for=note]`, "Опишите, что сделано")
	w.fill("#kt-modal-content #warming-form", map[string]string{"note": "Оплата в кафе, 350 ₽"})
	w.click(`#kt-modal-content button[form=warming-form]`)
	w.waitText("#kt-modal-content [data-stage-done]", "отмечен")
	w.waitJS("the tracker to drop the done task", `document.querySelectorAll(`+js(btn)+`).length === `+strconv.Itoa(before-1))
	w.screenshot("warming-done")
	w.checkConsole()
}
