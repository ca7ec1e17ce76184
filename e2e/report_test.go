package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// follow clicks the link matching sel and waits for the page it opens; it returns its status.
func (b *Browser) follow(sel string) int {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil || resp == nil {
		b.fatalf("following %s: %v (page %s)", sel, err, b.url())
	}
	return b.noteStatus(resp.URL, int(resp.Status))
}

// chartMonths is how many months the report's chart draws (-1: no chart object).
func chartMonths(b *Browser) int {
	return eval[int](b, `window.KReportChart ? window.KReportChart.data.labels.length : -1`)
}

// TestReport: the owner opens «Отчёт» on the demo office (sixteen months of
// history), picks a preset and a custom period and sees the figures and the chart
// change, follows a bank's figure to its transactions; a manager gets 403.
func TestReport(t *testing.T) {
	app := startApp(t, "--demo")
	b := newBrowser(t, app, "owner")
	b.login("owner", demoPassword(t, app, "owner"))

	if st := b.open("/report"); st != 200 {
		t.Fatalf("/report: %d", st)
	}
	if !b.hasClass(`a[data-preset="month"]`, "btn-primary") {
		t.Error("this month is not the default period")
	}
	b.waitJS("the chart", `window.KReportChart !== undefined`)
	b.waitJS("live stream", `document.body.dataset.liveReady === "1"`)
	before := b.text("#r-amount")
	// A stage's people, opened: a live refresh must not close them under the reader.
	opened := b.attr("#r-stages details[data-stage]", "data-stage")
	if opened == "" {
		t.Fatal("this month's stages have no people to open")
	}
	b.click(`#r-stages details[data-stage="` + opened + `"] summary`)

	// Live: a transaction added elsewhere today shows in this month's figures and
	// chart without a reload.
	o2 := newBrowser(t, app, "owner-2")
	o2.login("owner", demoPassword(t, app, "owner"))
	o2.open("/tracker?stage=6")
	card := o2.attr("#tracker-table tr[data-card]", "data-card")
	if st, _ := o2.postForm("/cards/"+card+"/transactions", map[string]string{"occurred_on": time.Now().In(time.FixedZone("MSK", 3*3600)).Format("2006-01-02"),
		"amount": "1234,56", "commission_rate": "10"}); st != 200 {
		t.Fatalf("adding a transaction to card %s: %d", card, st)
	}
	b.waitJS("the report's live figures", `document.querySelector("#r-amount").textContent.trim() !== `+js(before))
	b.waitJS("the chart drawn again", `window.KReportChart !== undefined && window.KReportChart.canvas === document.getElementById("r-chart")`)
	month := b.text("#r-amount")
	if !eval[bool](b, `!!document.querySelector('#r-stages details[data-stage="`+opened+`"][open]')`) {
		t.Errorf("stage %s's people, opened, were closed by the live refresh", opened)
	}
	o2.checkConsole()

	// «Этот год»: a bigger total, a month per bar up to now.
	if st := b.follow(`a[data-preset="year"]`); st != 200 {
		t.Fatalf("this year: %d", st)
	}
	year := time.Now().Year()
	if !strings.Contains(b.url(), "from="+strconv.Itoa(year)+"-01-01") || !b.hasClass(`a[data-preset="year"]`, "btn-primary") {
		t.Errorf("the preset is not in the URL: %s", b.url())
	}
	b.waitJS("the chart", `window.KReportChart !== undefined`)
	if y := b.text("#r-amount"); y == month {
		t.Errorf("this year's total %s is this month's", y)
	}
	yearMonths := chartMonths(b)
	if yearMonths != b.count("#r-months tbody tr[data-month]") || yearMonths < 2 {
		t.Errorf("chart has %d months, the table %d", yearMonths, b.count("#r-months tbody tr[data-month]"))
	}
	b.screenshot("year-1280")

	// «Всё время» reaches back more than a year.
	b.follow(`a[data-preset="all"]`)
	b.waitJS("the chart", `window.KReportChart !== undefined`)
	if n := chartMonths(b); n < 14 {
		t.Errorf("all time shows %d months, want the demo's 14 or more", n)
	}
	all := b.text("#r-amount")

	// A custom period: three months, half a year ago.
	from := time.Now().AddDate(0, -6, 0)
	from = time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(0, 3, -1)
	b.fill("form[data-report-period]", map[string]string{"from": from.Format("2006-01-02"), "to": to.Format("2006-01-02")})
	if st := b.clickButton("form[data-report-period]", "Показать"); st != 200 {
		t.Fatalf("custom period: %d", st)
	}
	b.waitJS("the chart", `window.KReportChart !== undefined`)
	if n := chartMonths(b); n != 3 {
		t.Errorf("a three-month period charts %d months", n)
	}
	custom := b.text("#r-amount")
	if custom == all || custom == "0,00 ₽" {
		t.Errorf("custom period total %s (all time %s)", custom, all)
	}
	if b.count(`#r-stages tbody tr[data-stage]`) != 9 {
		t.Error("stage analytics lacks a stage")
	}
	b.screenshot("custom-1280")

	// A bank's figure → its transactions, adding up to the figure.
	link := `table[data-breakdown="bank"] tbody tr:first-child a[href^="/report/rows?kind=tx"]`
	figure := b.text(link)
	if st := b.follow(link); st != 200 {
		t.Fatalf("bank's rows: %d", st)
	}
	if !strings.Contains(b.text("#rows-total"), figure) || b.count("#report-rows tbody tr[data-tx]") == 0 {
		t.Errorf("the bank's rows total %q, figure %s, %d rows", b.text("#rows-total"), figure, b.count("#report-rows tbody tr[data-tx]"))
	}
	b.screenshot("bank-rows")
	// «Экспорт ▾ XLSX» of these rows: an Excel file arrives.
	got := run(b, "downloading the XLSX", chromedp.Evaluate[string](`fetch(document.querySelector('a[data-export="xlsx"]').href)
		.then(r => r.blob().then(x => r.status + " " + r.headers.get('Content-Type') + " " + x.size))`, chromedp.EvalAwaitPromise))
	if !strings.HasPrefix(got, "200 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet ") || strings.HasSuffix(got, " 0") {
		t.Errorf("XLSX download: %s", got)
	}

	// The phone width.
	b.do("phone width", chromedp.EmulateViewport(400, 860))
	b.open("/report?from=" + from.Format("2006-01-02") + "&to=" + to.Format("2006-01-02"))
	b.waitJS("the chart", `window.KReportChart !== undefined`)
	b.screenshot("custom-400")
	// Every table fits the phone: nothing to scroll sideways for (the breakdowns,
	// the months, the stages and, opened, each stage's people).
	eval[int](b, `document.querySelectorAll('#r-stages details').forEach(d => d.open = true) || 0`)
	if wide := eval[[]string](b, `Array.from(document.querySelectorAll('main table')).filter(t => t.scrollWidth > t.parentElement.clientWidth + 1 || t.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(t => (t.id || t.dataset.breakdown || 'stage people') + ' ' + t.scrollWidth + '/' + t.parentElement.clientWidth)`); len(wide) > 0 {
		t.Errorf("report tables wider than a %d px phone: %q", 400, wide)
	}
	b.screenshot("custom-400-stages")
	// A bank's rows: the transactions as cards, nothing to scroll sideways.
	if st := b.follow(link); st != 200 {
		t.Fatalf("bank's rows at 400 px: %d", st)
	}
	if wide := eval[[]string](b, tablesWideJS); len(wide) > 0 {
		t.Errorf("the bank's rows at 400 px scroll sideways: %q", wide)
	}
	if bare := eval[[]string](b, cellsUnlabeledJS); len(bare) > 0 {
		t.Errorf("the bank's rows at 400 px: cells without their column's name: %q", bare)
	}
	b.screenshot("bank-rows-400")
	b.checkConsole()

	// A manager: 403.
	m := newBrowser(t, app, "manager")
	m.login("manager", demoPassword(t, app, "manager"))
	if st := m.open("/report"); st != 403 {
		t.Errorf("manager on /report: %d", st)
	}
	if !strings.Contains(m.text("body"), "оступ") {
		t.Error("the 403 page says nothing about access")
	}
}
