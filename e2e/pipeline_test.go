package e2e

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kartoteka/app/money"
)

// ------------------------------------------------------------- fixtures

// person is an employee the owner creates (/directory/employees/new).
type person struct{ name, login, role, password string }

var (
	ownerP   = person{"Ольга Владелец", "owner", "owner", "owner-pass-1"}
	adminP   = person{"Анна Админ", "admin1", "admin", "admin-pass-1"}
	managerP = person{"Мария Менеджер", "manager1", "manager", "manager-pass-1"}
	accP     = person{"Борис Бухгалтер", "acc1", "accountant", "acc-pass-1"}
	acc2P    = person{"Галина Бухгалтер", "acc2", "accountant", "acc-pass-2"}
	warmerP  = person{"Виктор Прогревщик", "warmer1", "warmer", "warmer-pass-1"}
)

const (
	bankName     = "Сбербанк"
	supplierName = "ООО Ромашка"
	supplierRate = "12,5"
)

// office is a running app with its owner signed in, one bank, one supplier
// (12,5 %) and the employees a card needs.
type office struct {
	app   *App
	owner *Browser
}

// newOffice sets up the app through the owner's browser session: bank,
// supplier and the manager, accountant and warmer (plus extra people).
func newOffice(t *testing.T, extra ...person) *office {
	t.Helper()
	app := startApp(t)
	owner := newBrowser(t, app, "owner")
	owner.setupOwner(ownerP.name, ownerP.login, ownerP.password)
	allowStageRefusals(owner)
	o := &office{app: app, owner: owner}
	o.save("/directory/banks", map[string]string{"name": bankName})
	o.save("/directory/contractors", map[string]string{"name": supplierName, "contact_name": "Иван Петров", "commission_rate": supplierRate})
	for _, p := range append([]person{managerP, accP, warmerP}, extra...) {
		o.save("/directory/employees", map[string]string{"name": p.name, "login": p.login, "role": p.role, "password": p.password})
	}
	return o
}

// save posts a directory form (the forms themselves are covered by
// TestFoundationFlow) and expects to land on its list.
func (o *office) save(list string, fields map[string]string) {
	o.owner.t.Helper()
	if st, path := o.owner.postForm(list+"/new", fields); st != http.StatusOK || path != list {
		o.owner.fatalf("saving %s %v: status %d at %s", list, fields, st, path)
	}
}

// signIn opens a new browser session for p.
func (o *office) signIn(t *testing.T, p person) *Browser {
	t.Helper()
	b := newBrowser(t, o.app, p.login)
	b.login(p.login, p.password)
	allowStageRefusals(b)
	return b
}

// allowStageRefusals: a stage form refused with 422 (invalid) or 409 (stale)
// is rendered in the modal and checked by the test through submitStage;
// Chromium still logs the XHR status as a network error.
func allowStageRefusals(b *Browser) {
	b.allowConsole(`status of (422|409) .*\(https?://[^/]+/cards/\d+/stage\)$`)
}

// cardSpec is a card to register; people are given by name.
type cardSpec struct {
	number                      string
	manager, accountant, warmer string
}

// createCard registers a card through /cards/new and returns its id. The
// commission is left to the supplier's default, which the form fills in.
func (o *office) createCard(c cardSpec) int64 {
	b := o.owner
	b.t.Helper()
	b.open("/cards/new")
	form := "#card-form"
	b.fill(form, map[string]string{
		"number":        c.number,
		"bank_id":       optionByText(b, form+" [name=bank_id]", bankName),
		"supplier_id":   optionByText(b, form+" [name=supplier_id]", supplierName),
		"manager_id":    optionByText(b, form+" [name=manager_id]", c.manager),
		"accountant_id": optionByText(b, form+" [name=accountant_id]", c.accountant),
		"warmer_id":     optionByText(b, form+" [name=warmer_id]", c.warmer),
		"contact_name":  "Пётр Держатель",
		"contact_phone": "8 912 345-67-89",
	})
	if got := b.value(form + " [name=commission_rate]"); got != supplierRate {
		b.t.Errorf("card form: choosing the supplier should fill its commission %q, got %q", supplierRate, got)
	}
	if st := b.clickButton(form, "Сохранить"); st != http.StatusOK {
		b.fatalf("saving the card: status %d, errors %v", st, b.texts(".invalid-feedback"))
	}
	m := regexp.MustCompile(`^/cards/(\d+)$`).FindStringSubmatch(b.path())
	if m == nil {
		b.fatalf("after saving a card expected /cards/{id}, got %s; errors %v", b.path(), b.texts(".invalid-feedback"))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// startCard presses «Запустить» on the card's row of «Новые карты».
func (o *office) startCard(id int64) {
	b := o.owner
	b.t.Helper()
	b.open("/cards?tab=new")
	row := fmt.Sprintf(`#cards-table tr[data-card="%d"]`, id)
	if st := b.clickButton(row, "Запустить"); st != http.StatusOK {
		b.fatalf("starting card %d: status %d", id, st)
	}
	if p := b.path(); p != "/cards?tab=new" {
		b.t.Errorf("starting card %d on «Новые карты» ended on %s, want that tab again", id, p)
	}
	if flash := strings.Join(b.texts(".alert-success"), " "); !strings.Contains(flash, "запущена") {
		b.t.Errorf("starting card %d: flash %q lacks «запущена»", id, flash)
	}
}

// optionByText is the value of the select's option whose label is text.
func optionByText(b *Browser, sel, text string) string {
	b.t.Helper()
	v := eval[string](b, fmt.Sprintf(`(() => {
		for (const o of document.querySelectorAll(%s + " option")) if (o.textContent.trim() === %s) return o.value;
		return "";
	})()`, js(sel), js(text)))
	if v == "" {
		b.fatalf("%s has no option «%s»", sel, text)
	}
	return v
}

// --------------------------------------------------------- the stage modal

const (
	modalForm   = "#kt-modal-content #stage-form"
	modalSubmit = "#kt-modal-content button[form=stage-form]"
)

// openStageModal opens the card page and its «Выполнить этап» modal, and
// checks the modal is for the stage expected.
func openStageModal(b *Browser, cardID int64, stage int) {
	b.t.Helper()
	b.open(fmt.Sprintf("/cards/%d", cardID))
	b.waitVisible(fmt.Sprintf(`button[data-modal-url="/cards/%d/stage"]`, cardID))
	// Bootstrap focuses the modal itself once its fade-in ends: typing before
	// that would lose the keys typed after it, so wait for shown.bs.modal.
	eval[bool](b, `(() => {
		window.e2eModalShown = false;
		document.getElementById("kt-modal").addEventListener("shown.bs.modal", () => { window.e2eModalShown = true; }, {once: true});
		return true;
	})()`)
	b.click(fmt.Sprintf(`button[data-modal-url="/cards/%d/stage"]`, cardID))
	b.waitVisible(fmt.Sprintf(`#kt-modal.show [data-stage-modal="%d"] #stage-form`, stage))
	b.waitJS("the modal to finish opening", `window.e2eModalShown === true`)
}

// outcome is what a stage form submission showed in the modal.
type outcome struct {
	kind    string // "done", "invalid", "conflict"
	message string // the done or conflict alert
}

// submitStage presses the modal's submit button (text label) and waits for
// the answer to replace the modal content.
func submitStage(b *Browser, label string) outcome {
	b.t.Helper()
	if got := b.text(modalSubmit); got != label {
		b.t.Errorf("[%s] modal submit button says «%s», want «%s»", b.name, got, label)
	}
	eval[bool](b, `(document.getElementById("stage-form").dataset.e2eOld = "1", true)`)
	b.click(modalSubmit)
	b.waitJS("the stage form answer", `!document.querySelector("#stage-form[data-e2e-old]") && !document.querySelector("#kt-modal-content .htmx-request") && !!document.querySelector("#kt-modal-content .modal-body")`)
	switch {
	case b.exists("#kt-modal-content [data-stage-done]"):
		return outcome{"done", b.textContent("#kt-modal-content [data-stage-done]")}
	case b.exists("#kt-modal-content [data-conflict]"):
		return outcome{"conflict", b.textContent("#kt-modal-content [data-conflict]")}
	case b.exists("#kt-modal-content .is-invalid, #kt-modal-content [data-error-for]"):
		return outcome{"invalid", ""}
	}
	b.fatalf("the modal shows neither success, conflict nor errors: %q", b.textContent("#kt-modal-content"))
	return outcome{}
}

// completeStage opens the modal, fills it and expects success.
func completeStage(b *Browser, cardID int64, stage int, fields map[string]string) string {
	b.t.Helper()
	openStageModal(b, cardID, stage)
	if len(fields) > 0 {
		b.fill(modalForm, fields)
	}
	out := submitStage(b, "Выполнить этап")
	if out.kind != "done" {
		b.fatalf("stage %d of card %d: %s; errors %v", stage, cardID, out.kind, modalErrors(b))
	}
	return out.message
}

// modalErrors lists the field messages in the modal as field: message.
func modalErrors(b *Browser) map[string]string {
	b.t.Helper()
	return eval[map[string]string](b, `Object.fromEntries(Array.from(document.querySelectorAll("#kt-modal-content [data-error-for]"), e => [e.dataset.errorFor, e.textContent.trim()]))`)
}

// closeModal presses «Отмена» / the close button and waits for the modal to hide.
func closeModal(b *Browser) {
	b.t.Helper()
	b.click("#kt-modal-content [data-bs-dismiss=modal]")
	b.waitJS("the modal to close", `!document.querySelector("#kt-modal.show") && !document.querySelector(".modal-backdrop")`)
}

// officeDay is the office date (Europe/Moscow, the default) days from today.
func officeDay(days int) time.Time {
	loc, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		loc = time.FixedZone("MSK", 3*3600)
	}
	return time.Now().In(loc).AddDate(0, 0, days)
}

// ------------------------------------------------------------- the tracker

// stageCountsJS reads the nine tracker badges as {stage: count}.
const stageCountsJS = `Object.fromEntries(Array.from(document.querySelectorAll("#tracker-region [data-stage-count]"), e => [e.dataset.stageCount, e.textContent.trim()]))`

// waitStageCounts waits until the tracker badges show want (stages not
// listed: 0), without reloading the page.
func waitStageCounts(b *Browser, want map[int]int) {
	b.t.Helper()
	exp := map[string]string{}
	for s := 1; s <= 9; s++ {
		exp[strconv.Itoa(s)] = strconv.Itoa(want[s])
	}
	expr := fmt.Sprintf(`(() => { const got = %s, want = %s; return Object.keys(want).every(k => got[k] === want[k]); })()`, stageCountsJS, js(exp))
	if !pollTrue(b, expr) {
		b.fatalf("tracker badges: want %v, have %v", exp, eval[map[string]string](b, stageCountsJS))
	}
}

// pollTrue polls a JavaScript expression for up to the step timeout.
func pollTrue(b *Browser, expr string) bool {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for time.Now().Before(deadline) {
		if eval[bool](b, expr) {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return false
}

// ------------------------------------------------------------------ tests

// TestCardThroughNineStages drives one card from registration to «Отработана»,
// each stage completed by its responsible in their own browser through the
// modal, while an admin's tracker follows along live.
//
// Stage 3: the card keeps the default 14-day warming period, so the warmer is
// refused («ещё не закончился») and the owner finishes it early with a reason.
func TestCardThroughNineStages(t *testing.T) {
	o := newOffice(t, adminP)
	owner := o.owner

	id := o.createCard(cardSpec{"4111 1111 1111 1111", managerP.name, accP.name, warmerP.name})
	owner.screenshot("card-registered")

	// The admin watches the tracker; the page must never reload.
	admin := o.signIn(t, adminP)
	admin.open("/tracker?stage=1")
	admin.waitJS("the live stream", `document.body.dataset.liveReady === "1"`)
	eval[bool](admin, `(window.e2eMarker = "kept", true)`)
	waitStageCounts(admin, nil)

	o.startCard(id)
	// «Запустить» leaves the owner on the list it was pressed on; they open «В работе» to watch it live.
	owner.open("/cards?tab=work")
	owner.waitJS("the live stream", `document.body.dataset.liveReady === "1"`)
	waitStageCounts(admin, map[int]int{1: 1})
	admin.waitVisible(fmt.Sprintf(`#tracker-table tr[data-card="%d"]`, id))
	admin.screenshot("tracker-stage1")

	mgr := o.signIn(t, managerP)
	acc := o.signIn(t, accP)
	warmer := o.signIn(t, warmerP)

	// 1. Manager: access rebind, dated yesterday.
	yesterday := officeDay(-1).Format("2006-01-02")
	openStageModal(mgr, id, 1)
	if v := mgr.value(modalForm + " [name=done_on]"); v != officeDay(0).Format("2006-01-02") {
		t.Errorf("stage 1: done_on should be prefilled with today, got %q", v)
	}
	mgr.fill(modalForm, map[string]string{"done_on": yesterday, "comment": "Доступы перевязаны"})
	mgr.screenshot("stage1-modal")
	if out := submitStage(mgr, "Выполнить этап"); out.kind != "done" || !strings.Contains(out.message, "Следующий этап: «Пополнение на прогревочную сумму»") {
		t.Fatalf("stage 1: %+v %v", out, modalErrors(mgr))
	}
	mgr.screenshot("stage1-done")
	waitStageCounts(admin, map[int]int{2: 1})
	// The owner still has «В работе» open: its row follows live too.
	if p := owner.path(); p != "/cards?tab=work" {
		t.Fatalf("owner expected on /cards?tab=work, at %s", p)
	}
	owner.waitText(fmt.Sprintf(`#cards-table tr[data-card="%d"]`, id), "Пополнение на прогревочную сумму")

	// 2. Accountant: warm-up top-up.
	completeStage(acc, id, 2, map[string]string{"amount": "5 000", "comment": "Пополнено"})
	waitStageCounts(admin, map[int]int{3: 1})

	// 3. The warmer may not finish before the period ends: «Выполнить» is shut and says
	// the day it opens (card page and tracker); a form sent anyway is refused by the server.
	// The owner may finish early, with a reason.
	checkWarmingLocked(t, warmer, id)
	openStageModal(owner, id, 3)
	owner.fill(modalForm, map[string]string{"result": "ok"})
	if out := submitStage(owner, "Выполнить этап"); out.kind != "invalid" || !strings.Contains(modalErrors(owner)["comment"], "укажите причину") {
		t.Fatalf("stage 3 early by the owner without a reason: %+v %v, want a message on comment", out, modalErrors(owner))
	}
	if v := owner.value(modalForm + " [name=result]"); v != "ok" {
		t.Errorf("stage 3: the chosen result was lost after the error: %q", v)
	}
	owner.fill(modalForm, map[string]string{"comment": "Прогрев завершён досрочно: тест"})
	if out := submitStage(owner, "Выполнить этап"); out.kind != "done" {
		t.Fatalf("stage 3 early by the owner with a reason: %+v %v", out, modalErrors(owner))
	}
	waitStageCounts(admin, map[int]int{4: 1})

	// 4. Manager: the checkbox must be ticked.
	openStageModal(mgr, id, 4)
	if out := submitStage(mgr, "Выполнить этап"); out.kind != "invalid" || modalErrors(mgr)["confirmed"] != "Отметьте: «Доступ получен»" {
		t.Errorf("stage 4 without the checkbox: %+v %v", out, modalErrors(mgr))
	}
	mgr.fill(modalForm, map[string]string{"confirmed": "1"})
	if out := submitStage(mgr, "Выполнить этап"); out.kind != "done" {
		t.Fatalf("stage 4: %+v %v", out, modalErrors(mgr))
	}
	waitStageCounts(admin, map[int]int{5: 1})

	// 5. Accountant: work top-up.
	completeStage(acc, id, 5, map[string]string{"amount": "150 000"})
	waitStageCounts(admin, map[int]int{6: 1})

	// 6. Manager: two transactions in the modal editor, live totals.
	profit := processTransactions(t, mgr, id)
	waitStageCounts(admin, map[int]int{7: 1})

	// 7. Manager: bank application.
	completeStage(mgr, id, 7, map[string]string{"reference": "Заявление № 42"})
	waitStageCounts(admin, map[int]int{8: 1})

	// 8. Manager: first «Нет» (deadline moves to tomorrow, card stays), then «Да».
	bankAnswers(t, mgr, id, profit)
	waitStageCounts(admin, map[int]int{9: 1})

	// 9. Manager: return to the supplier; the card is worked out.
	if msg := completeStage(mgr, id, 9, nil); !strings.Contains(msg, fmt.Sprintf("Карта № %d отработана", id)) {
		t.Errorf("stage 9: message %q", msg)
	}
	mgr.screenshot("stage9-done")
	waitStageCounts(admin, nil)
	if m := eval[string](admin, `String(window.e2eMarker)`); m != "kept" {
		t.Errorf("the admin's tracker page reloaded (marker %q): updates must come without a reload", m)
	}
	admin.screenshot("tracker-after")

	mgr.open(fmt.Sprintf("/cards/%d", id))
	if badges := mgr.texts("main .badge"); !slices.Contains(badges, "Отработана") {
		t.Errorf("card page after stage 9: badges %q lack «Отработана»", badges)
	}
	if mgr.exists(`button[data-modal-url]`) {
		t.Errorf("a worked-out card still offers «Выполнить этап»")
	}
	checkTimeline(t, mgr, id, profit)
	mgr.screenshot("card-worked-out")
	owner.open("/cards?tab=done")
	if !owner.exists(fmt.Sprintf(`#cards-table tr[data-card="%d"]`, id)) {
		t.Errorf("/cards?tab=done does not list card %d", id)
	}
	owner.open("/cards?tab=work")
	if owner.exists(fmt.Sprintf(`#cards-table tr[data-card="%d"]`, id)) {
		t.Errorf("/cards?tab=work still lists the worked-out card %d", id)
	}
}

// processTransactions does stage 6 as the manager and returns the possible
// profit (Σ net) the server computed.
func processTransactions(t *testing.T, mgr *Browser, id int64) money.Kopecks {
	t.Helper()
	openStageModal(mgr, id, 6)
	ed := fmt.Sprintf("#kt-modal-content #tx-editor-modal-%d", id)
	newRow := ed + " .kt-tx-new"
	mgr.waitVisible(newRow)

	// No transactions yet: the stage cannot be completed.
	if out := submitStage(mgr, "Выполнить этап"); out.kind != "invalid" || modalErrors(mgr)["transactions"] != "Добавьте хотя бы одну транзакцию" {
		t.Errorf("stage 6 without transactions: %+v %v", out, modalErrors(mgr))
	}
	if v := mgr.value(newRow + " [data-tx-rate]"); v != supplierRate {
		t.Errorf("the new transaction's commission should be prefilled with the card's %q, got %q", supplierRate, v)
	}

	var lines []money.Line
	add := func(amount, rate string) {
		t.Helper()
		a, err := money.ParseKopecks(amount)
		if err != nil {
			t.Fatal(err)
		}
		r, err := money.ParseRate(rate)
		if err != nil {
			t.Fatal(err)
		}
		mgr.fill(newRow, map[string]string{"amount": amount, "commission_rate": rate, "comment": "операция " + amount})
		// While typing, the totals already include the unsaved row.
		checkEditorTotals(t, mgr, ed, money.Sum(append(lines[:len(lines):len(lines)], money.Line{Amount: a, Rate: r})), "typing "+amount)
		if eval[bool](mgr, `document.querySelector(`+js(ed+" [data-tx-pending]")+`).hidden`) {
			t.Errorf("typing %s: the «ещё не сохранена» note is hidden", amount)
		}
		seen := eval[int](mgr, `window.KLiveSeen || 0`)
		mgr.click(ed + " [data-tx-add]")
		lines = append(lines, money.Line{Amount: a, Rate: r})
		mgr.waitJS(fmt.Sprintf("%d saved transactions", len(lines)), fmt.Sprintf(`document.querySelectorAll(%s).length === %d`, js(ed+" .kt-tx-row"), len(lines)))
		// The save is announced on the live stream and the editor refetches
		// itself; let that settle before typing the next row.
		waitLiveSettled(mgr, seen)
		server := serverTotals(t, mgr, ed)
		if want := money.Sum(lines); server != want {
			t.Errorf("after saving %s at %s: server totals %+v, want %+v", amount, rate, server, want)
		}
		checkEditorTotals(t, mgr, ed, server, "after saving "+amount)
	}
	add("12 345,67", supplierRate)
	add("1000", "0,5")
	mgr.screenshot("stage6-two-transactions")

	// A third amount being typed counts in the live totals, and stops counting when cleared.
	saved := serverTotals(t, mgr, ed)
	mgr.fill(newRow, map[string]string{"amount": "500"})
	checkEditorTotals(t, mgr, ed, money.Sum(append(lines, money.Line{Amount: 50000, Rate: 1250})), "typing a third amount")
	mgr.screenshot("stage6-typing-third")
	eval[bool](mgr, `(() => { const a = document.querySelector(`+js(newRow+" [data-tx-amount]")+`); a.value = ""; a.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`)
	checkEditorTotals(t, mgr, ed, saved, "after clearing the third amount")

	if out := submitStage(mgr, "Выполнить этап"); out.kind != "done" {
		t.Fatalf("stage 6: %+v %v", out, modalErrors(mgr))
	}
	return saved.Net
}

// waitLiveSettled waits for a live notice after seen, then for the refetches
// it triggers (hx-trigger delay 150ms) to finish.
func waitLiveSettled(b *Browser, seen int) {
	b.t.Helper()
	b.waitJS("a live notice", fmt.Sprintf(`(window.KLiveSeen || 0) > %d`, seen))
	time.Sleep(250 * time.Millisecond)
	b.waitJS("live refetches to finish", `!document.querySelector(".htmx-request")`)
}

// serverTotals reads the totals the server rendered into the editor (kopecks).
func serverTotals(t *testing.T, b *Browser, ed string) money.Totals {
	t.Helper()
	got := eval[map[string]string](b, `(() => { const d = document.querySelector(`+js(ed+" .kt-tx-totals")+`).dataset; return {a: d.serverAmount, c: d.serverCommission, n: d.serverNet}; })()`)
	k := func(s string) money.Kopecks {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("editor server totals %v: %v", got, err)
		}
		return money.Kopecks(n)
	}
	return money.Totals{Amount: k(got["a"]), Commission: k(got["c"]), Net: k(got["n"])}
}

// checkEditorTotals compares the live totals the editor shows with want.
func checkEditorTotals(t *testing.T, b *Browser, ed string, want money.Totals, when string) {
	t.Helper()
	got := eval[map[string]string](b, `Object.fromEntries(Array.from(document.querySelectorAll(`+js(ed+" [data-total]")+`), e => [e.dataset.total, e.textContent.trim()]))`)
	exp := map[string]string{"amount": want.Amount.String(), "commission": want.Commission.String(), "net": want.Net.String()}
	for k, v := range exp {
		if got[k] != v {
			t.Errorf("%s: editor total %s shows %q, want %q", when, k, got[k], v)
		}
	}
}

// bankAnswers does stage 8: «Нет» first, then «Да» with a positive decision.
func bankAnswers(t *testing.T, mgr *Browser, id int64, profit money.Kopecks) {
	t.Helper()
	openStageModal(mgr, id, 8)
	mgr.fill(modalForm, map[string]string{"answered": "no"})
	if shown := answerFields(mgr, true); len(shown) != 0 {
		t.Errorf("stage 8 «Нет»: the fields for «Да» are still shown: %v", shown)
	}
	tomorrow := officeDay(1).Format("02.01.2006")
	out := submitStage(mgr, "Сохранить ответ")
	if out.kind != "done" || !strings.Contains(out.message, "Ответа нет: дедлайн перенесён на "+tomorrow) {
		t.Fatalf("stage 8 «Нет»: %+v %v, want «Ответа нет: дедлайн перенесён на %s»", out, modalErrors(mgr), tomorrow)
	}
	mgr.screenshot("stage8-no")
	closeModal(mgr)

	mgr.open(fmt.Sprintf("/cards/%d", id))
	if st := mgr.attr("main [data-stage]", "data-stage"); st != "8" {
		t.Errorf("after «Нет» the card should stay at stage 8, it shows stage %q", st)
	}
	tl := mgr.textContent(".kt-timeline")
	if !strings.Contains(tl, "Ответа нет, дедлайн перенесён на "+tomorrow) {
		t.Errorf("timeline lacks the «Нет» answer: %q", tl)
	}
	if open := mgr.textContent(".kt-timeline li.kt-open"); !strings.Contains(open, "Дедлайн: "+tomorrow) || !strings.Contains(open, "переносов: 1") {
		t.Errorf("stage 8 open task after «Нет»: %q, want deadline %s and one roll", open, tomorrow)
	}

	openStageModal(mgr, id, 8)
	mgr.fill(modalForm, map[string]string{"answered": "yes"})
	if hidden := answerFields(mgr, false); len(hidden) != 0 {
		t.Errorf("stage 8 «Да»: the answer fields %v stay hidden", hidden)
	}
	if v := mgr.value(modalForm + " [name=confirmed_amount]"); v != profit.InputGrouped() {
		t.Errorf("stage 8: confirmed_amount prefilled with %q, want the possible profit %q", v, profit.InputGrouped())
	}
	// «Отрицательное» confirms nothing: the amount becomes 0; «Положительное» brings the profit back.
	mgr.fill(modalForm, map[string]string{"decision": "negative"})
	if v := mgr.value(modalForm + " [name=confirmed_amount]"); v != "0" {
		t.Errorf("stage 8 «Отрицательное»: confirmed_amount is %q, want 0", v)
	}
	mgr.fill(modalForm, map[string]string{"decision": "positive"})
	if v := mgr.value(modalForm + " [name=confirmed_amount]"); v != profit.InputGrouped() {
		t.Errorf("stage 8 back to «Положительное»: confirmed_amount is %q, want %q", v, profit.InputGrouped())
	}
	mgr.screenshot("stage8-yes")
	if out := submitStage(mgr, "Сохранить ответ"); out.kind != "done" || !strings.Contains(out.message, "Следующий этап: «Возврат поставщику»") {
		t.Fatalf("stage 8 «Да»: %+v %v", out, modalErrors(mgr))
	}
}

// answerFields lists the stage-8 fields that only apply to «Да» and are
// now shown (visible true) or hidden (visible false).
func answerFields(b *Browser, visible bool) []string {
	b.t.Helper()
	return eval[[]string](b, fmt.Sprintf(`["answered_on", "decision", "confirmed_amount"].filter(n => {
		const el = document.querySelector(%s + " [name=" + n + "]");
		return !!el && (el.offsetParent !== null) === %v;
	})`, js(modalForm), visible))
}

// checkTimeline: every stage appears once as done, with its values.
func checkTimeline(t *testing.T, b *Browser, id int64, profit money.Kopecks) {
	t.Helper()
	titles := eval[[]string](b, `Array.from(document.querySelectorAll(".kt-timeline li strong"), e => e.textContent.trim())`)
	for s := 1; s <= 9; s++ {
		if n := countPrefix(titles, fmt.Sprintf("Этап %d. ", s)); n != 1 {
			t.Errorf("timeline of card %d: stage %d appears %d times (titles %q)", id, s, n, titles)
		}
	}
	tl := b.textContent(".kt-timeline")
	for _, want := range []string{"Доступы перевязаны", "Прогрев завершён досрочно: тест", "Заявление № 42", "Решение банка", "положительное",
		money.Kopecks(500000).String(), money.Kopecks(15000000).String(), profit.String()} {
		if want = strings.Join(strings.Fields(want), " "); !strings.Contains(tl, want) { // textContent folds no-break spaces
			t.Errorf("timeline of card %d lacks %q: %q", id, want, tl)
		}
	}
}

// TestStageModalValidation: bad input is refused in the modal with the typed
// values kept and nothing written; a stale modal is refused with the
// concurrency message and nothing is written twice.
func TestStageModalValidation(t *testing.T) {
	o := newOffice(t)
	owner := o.owner
	id := o.createCard(cardSpec{"5500 0000 0000 0004", managerP.name, accP.name, warmerP.name})
	o.startCard(id)
	mgr := o.signIn(t, managerP)

	// Stale modal: both the owner and the manager open stage 1.
	openStageModal(owner, id, 1)
	openStageModal(mgr, id, 1)
	owner.fill(modalForm, map[string]string{"comment": "От владельца"})
	mgr.fill(modalForm, map[string]string{"comment": "От менеджера"})
	if out := submitStage(mgr, "Выполнить этап"); out.kind != "done" {
		t.Fatalf("stage 1 by the manager: %+v %v", out, modalErrors(mgr))
	}
	out := submitStage(owner, "Выполнить этап")
	want := "Этап 1 «Перевязка доступов» уже выполнил(а) " + managerP.name
	if out.kind != "conflict" || !strings.Contains(out.message, want) || !strings.Contains(out.message, "карта теперь на этапе 2") {
		t.Errorf("stale stage-1 form: %+v, want «%s …; карта теперь на этапе 2 …»", out, want)
	}
	if typed := eval[[]string](owner, `[...document.querySelectorAll("#kt-modal-content [data-typed]")].map(e => e.value)`); !slices.Contains(typed, "От владельца") {
		t.Errorf("the typed comment is not kept to copy: %q", typed)
	}
	owner.screenshot("stale-modal")
	// «Открыть этап 2» loads the stage the card is in now.
	owner.click("#kt-modal-content [data-open-stage]")
	owner.waitVisible(`#kt-modal-content [data-stage-modal="2"]`)
	// Whatever the refreshed modal offers, it must not be able to complete stage 1 again.
	if owner.exists(`#kt-modal-content [data-stage-modal="1"]`) {
		t.Errorf("after the conflict the modal still offers stage 1")
	}
	// If it offers the card's current stage instead, that form must be the
	// stage-2 form as anyone would get it, not the stage-1 answers poured
	// into same-named stage-2 fields.
	if owner.exists(`#kt-modal-content [data-stage-modal="2"]`) {
		if v := owner.value(modalForm + " [name=comment]"); v != "" {
			t.Errorf("after the conflict the stage-2 form carries the stage-1 comment %q", v)
		}
		for field, want := range map[string]string{"warming_days": "14", "warming_every_days": "1"} {
			if v := owner.value(modalForm + " [name=" + field + "]"); v != want {
				t.Errorf("after the conflict the stage-2 form has %s = %q, want the card's %s prefilled", field, v, want)
			}
		}
	}
	closeModal(owner)
	owner.open(fmt.Sprintf("/cards/%d", id))
	if st := owner.attr("main [data-stage]", "data-stage"); st != "2" {
		t.Errorf("after one completion of stage 1 the card should be at stage 2, it shows %q", st)
	}
	titles := owner.texts(".kt-timeline li strong")
	if n := countPrefix(titles, "Этап 1. "); n != 1 {
		t.Errorf("stage 1 appears %d times in the timeline: %q", n, titles)
	}
	tl := owner.textContent(".kt-timeline")
	if !strings.Contains(tl, "От менеджера") || strings.Contains(tl, "От владельца") {
		t.Errorf("timeline should hold the manager's comment only: %q", tl)
	}

	// Stage 2, wrong amounts: the message sits next to the field, the typed values stay.
	acc := o.signIn(t, accP)
	openStageModal(acc, id, 2)
	tomorrow := officeDay(1).Format("2006-01-02")
	for _, tc := range []struct{ amount, msg string }{
		{"12,345", money.ErrAmountPrecision.Error()},
		{"abc", money.ErrAmountFormat.Error()},
	} {
		acc.fill(modalForm, map[string]string{"amount": tc.amount, "done_on": tomorrow, "warming_days": "7", "comment": "Проверка " + tc.amount})
		if out := submitStage(acc, "Выполнить этап"); out.kind != "invalid" {
			t.Fatalf("stage 2 with amount %q: %+v, want refused", tc.amount, out)
		}
		errs := modalErrors(acc)
		if errs["amount"] != tc.msg {
			t.Errorf("stage 2 amount %q: message %q, want %q", tc.amount, errs["amount"], tc.msg)
		}
		if errs["done_on"] != "Дата не может быть позже сегодняшней" {
			t.Errorf("stage 2 done_on tomorrow: message %q", errs["done_on"])
		}
		expectFieldError(t, acc, modalForm, "amount")
		expectFieldError(t, acc, modalForm, "done_on")
		if acc.exists(modalForm + " [data-error-for=warming_days]") {
			t.Errorf("warming_days 7 is valid but got a message %q", errs["warming_days"])
		}
		for field, want := range map[string]string{"amount": tc.amount, "done_on": tomorrow, "warming_days": "7", "warming_every_days": "1", "comment": "Проверка " + tc.amount} {
			if got := acc.value(modalForm + " [name=" + field + "]"); got != want {
				t.Errorf("stage 2 after the error: %s = %q, want %q", field, got, want)
			}
		}
		acc.screenshot("stage2-invalid-" + tc.amount)
	}
	closeModal(acc)
	acc.open(fmt.Sprintf("/cards/%d", id))
	if st := acc.attr("main [data-stage]", "data-stage"); st != "2" {
		t.Errorf("after refused submits the card should stay at stage 2, it shows %q", st)
	}
	if n := countPrefix(acc.texts(".kt-timeline li strong"), "Этап 2. "); n != 1 || !acc.exists(".kt-timeline li.kt-open") {
		t.Errorf("stage 2 should appear once, still open, in the timeline (%d times)", n)
	}
	if tl := acc.textContent(".kt-timeline"); strings.Contains(tl, "Проверка") {
		t.Errorf("a refused stage-2 form was written to the timeline: %q", tl)
	}
	// The prefilled warming period was not changed by the refused forms.
	if dd := acc.textContent("main dl"); !strings.Contains(dd, "14 дней") {
		t.Errorf("card warming period changed by a refused form: %q", dd)
	}
}

// countPrefix counts the strings of list that start with prefix.
func countPrefix(list []string, prefix string) int {
	n := 0
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

// TestForbiddenStageActions: a responsible may not complete someone else's
// stage, and the tracker of a non-privileged user holds only their tasks.
func TestForbiddenStageActions(t *testing.T) {
	o := newOffice(t, acc2P)
	owner := o.owner
	mine := o.createCard(cardSpec{"4111 1111 1111 1111", managerP.name, accP.name, warmerP.name})
	theirs := o.createCard(cardSpec{"5500 0000 0000 0004", managerP.name, acc2P.name, warmerP.name})
	atOne := o.createCard(cardSpec{"4000 0000 0000 0002", managerP.name, accP.name, warmerP.name})
	for _, id := range []int64{mine, theirs, atOne} {
		o.startCard(id)
	}
	for _, id := range []int64{mine, theirs} {
		completeStage(owner, id, 1, nil) // owner may act on any stage
	}

	// The warmer is a responsible of the card but not of its stage-1 task.
	warmer := o.signIn(t, warmerP)
	if st := warmer.open(fmt.Sprintf("/cards/%d/stage", atOne)); st != http.StatusForbidden {
		t.Errorf("warmer GET /cards/%d/stage at stage 1: status %d, want 403", atOne, st)
	}
	if h := warmer.text("h1"); h != "Доступ запрещён" {
		t.Errorf("warmer forbidden page h1 = %q", h)
	}
	warmer.screenshot("stage-forbidden")
	warmer.open(fmt.Sprintf("/cards/%d", atOne))
	if warmer.exists(`button[data-modal-url]`) {
		t.Errorf("the warmer sees «Выполнить этап» on a stage-1 card")
	}
	// Posting the form directly (with the card's current version, read from
	// the owner's page) is refused too, and writes nothing.
	owner.open(fmt.Sprintf("/cards/%d", atOne))
	version := owner.value("form[action$='/correct'] [name=version]")
	warmer.allowConsole(`status of 40[39] .*\(https?://[^/]+/cards/\d+/stage\)$`)
	for _, v := range []string{version, "999"} {
		st, _ := warmer.postForm(fmt.Sprintf("/cards/%d/stage", atOne), map[string]string{"version": v, "done_on": officeDay(0).Format("2006-01-02"), "comment": "не мой этап"})
		switch {
		case st == http.StatusForbidden:
		case v != version && st == http.StatusConflict:
			// Not a leak, but the refusal should not depend on the version.
			t.Logf("APP: the warmer's POST with a stale version (%s) answers 409 «уже изменена», not 403", v)
		default:
			t.Errorf("warmer POST /cards/%d/stage (version %s): status %d, want 403", atOne, v, st)
		}
	}
	owner.open(fmt.Sprintf("/cards/%d", atOne))
	if st := owner.attr("main [data-stage]", "data-stage"); st != "1" {
		t.Errorf("card %d moved to stage %q after the warmer's refused POST", atOne, st)
	}
	if strings.Contains(owner.textContent(".kt-timeline"), "не мой этап") {
		t.Errorf("the warmer's refused POST was written to the timeline")
	}

	// The accountant's tracker: their stage-2 card only, no «Только мои» toggle.
	acc := o.signIn(t, accP)
	acc.open("/tracker?stage=2")
	counts := eval[map[string]string](acc, stageCountsJS)
	for s := 1; s <= 9; s++ {
		want := "0"
		if s == 2 {
			want = "1"
		}
		if counts[strconv.Itoa(s)] != want {
			t.Errorf("accountant's tracker badge for stage %d = %q, want %s (all: %v)", s, counts[strconv.Itoa(s)], want, counts)
		}
	}
	rows := eval[[]string](acc, `Array.from(document.querySelectorAll("#tracker-table tr[data-card]"), r => r.dataset.card)`)
	if len(rows) != 1 || rows[0] != strconv.FormatInt(mine, 10) {
		t.Errorf("accountant's stage-2 tracker rows = %v, want only card %d", rows, mine)
	}
	if acc.exists("#only-mine") {
		t.Errorf("the accountant's tracker offers «Только мои»")
	}
	acc.screenshot("tracker-own")
	acc.open("/tracker?stage=1")
	if n := acc.count("#tracker-table tr[data-card]"); n != 0 {
		t.Errorf("accountant's stage-1 tracker shows %d rows (the manager's tasks)", n)
	}
	acc.open("/tracker?stage=2&mine=0")
	if n := acc.count("#tracker-table tr[data-card]"); n != 1 {
		t.Errorf("?mine=0 widened the accountant's tracker to %d rows", n)
	}
	if st := acc.open(fmt.Sprintf("/cards/%d/stage", theirs)); st != http.StatusForbidden {
		t.Errorf("accountant GET the stage of another accountant's card: status %d, want 403", st)
	}
}

// checkWarmingLocked: before the warming period ends the warmer's «Выполнить» on
// the card page and in the tracker is disabled and names the day it opens; the
// modal, fetched anyway, says so with its submit shut; a form posted anyway is refused.
func checkWarmingLocked(t *testing.T, warmer *Browser, id int64) {
	t.Helper()
	warmer.open(fmt.Sprintf("/cards/%d", id))
	btn := "main button[data-opens-on]"
	warmer.waitVisible(btn)
	opens := warmer.attr(btn, "data-opens-on")
	if !regexp.MustCompile(`^\d\d\.\d\d\.\d{4}$`).MatchString(opens) || warmer.text(btn) != "Выполнить этап с "+opens ||
		!eval[bool](warmer, `document.querySelector(`+js(btn)+`).disabled`) {
		t.Errorf("stage 3 on the warmer's card page: button %q (opens %q), want a disabled «Выполнить этап с DD.MM.YYYY»", warmer.text(btn), opens)
	}
	warmer.open("/tracker?stage=3")
	row := fmt.Sprintf(`#tracker-table tr[data-card="%d"] button[data-opens-on]`, id)
	warmer.waitVisible(row)
	if warmer.text(row) != "Выполнить с "+opens || !eval[bool](warmer, `document.querySelector(`+js(row)+`).disabled`) {
		t.Errorf("stage 3 in the warmer's tracker: %q, want a disabled «Выполнить с %s»", warmer.text(row), opens)
	}
	warmer.screenshot("stage3-warmer-locked")
	modal := run(warmer, "fetching the stage-3 modal", chromedp.Evaluate[map[string]string](fmt.Sprintf(`fetch("/cards/%d/stage", {headers: {"HX-Request": "true"}}).then(r => r.text()).then(h => {
		const d = new DOMParser().parseFromString(h, "text/html");
		return {version: d.querySelector("[name=version]").value, text: (d.querySelector("[data-warming-locked]") || {}).textContent || "",
			shut: String(d.querySelector("button[form=stage-form]").disabled)}; })`, id), chromedp.EvalAwaitPromise))
	if !strings.Contains(modal["text"], "этап можно выполнить с "+opens) || modal["shut"] != "true" {
		t.Errorf("stage 3 modal for the warmer: %q, submit disabled %s", modal["text"], modal["shut"])
	}
	if code, _ := warmer.postForm(fmt.Sprintf("/cards/%d/stage", id), map[string]string{"version": modal["version"], "stage": "3", "result": "ok"}); code != 422 {
		t.Errorf("stage 3 posted by the warmer before the period ends: %d, want 422", code)
	}
}
