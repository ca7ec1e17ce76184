package e2e

import (
	"net/http"
	"strings"
	"testing"
)

// TestFoundationFlow: first run, directory entries, role-limited navigation,
// 403 for a forbidden page, and validation messages next to the fields.
func TestFoundationFlow(t *testing.T) {
	app := startApp(t)
	owner := newBrowser(t, app, "owner")

	// A fresh app sends everyone to /setup; creating the owner signs in.
	owner.setupOwner("Ольга Владелец", "owner", "owner-pass-1")
	if p := owner.path(); p != "/tracker" {
		t.Errorf("after setup expected /tracker, got %s", p)
	}
	owner.screenshot("after-setup")
	for _, item := range []string{"Таск-трекер", "Карты", "Задачи", "Отчёт", "Сотрудники", "Подрядчики", "Банки", "Настройки", "Журнал изменений"} {
		if nav := owner.navText(); !strings.Contains(nav, item) {
			t.Errorf("owner navbar lacks «%s»: %q", item, nav)
		}
	}

	// Directory entries: each appears in its list with a success flash.
	addEntry := func(list, form string, fields map[string]string, wantInRow ...string) {
		t.Helper()
		owner.open(list + "/new")
		if st := owner.fillAndSubmit(form, fields, "Сохранить"); st != http.StatusOK {
			t.Fatalf("saving %s: status %d, errors %v", list, st, owner.texts(".invalid-feedback"))
		}
		if p := owner.path(); p != list {
			t.Errorf("after saving expected the list %s, got %s", list, p)
		}
		if flash := owner.texts(".alert-success"); len(flash) == 0 {
			t.Errorf("%s: no success flash after saving", list)
		}
		row := rowText(owner, fields["name"])
		for _, want := range wantInRow {
			if !strings.Contains(row, want) {
				t.Errorf("%s: row for %q should contain %q, got %q", list, fields["name"], want, row)
			}
		}
		// The flash is shown once: the next page has none.
		owner.open(list)
		if flash := owner.texts(".alert-success"); len(flash) != 0 {
			t.Errorf("%s: the flash %q is shown again on the next page (it should show once)", list, flash)
		}
	}
	addEntry("/directory/banks", `form[action="/directory/banks/new"]`,
		map[string]string{"name": "Сбербанк", "notes": "Основной банк"},
		"Сбербанк", "Основной банк")
	owner.screenshot("banks-list")
	addEntry("/directory/contractors", `form[action="/directory/contractors/new"]`,
		map[string]string{"name": "ООО Ромашка", "contact_name": "Иван Петров", "phone": "+7 900 123-45-67", "commission_rate": "12,5", "notes": ""},
		"ООО Ромашка", "Иван Петров", "12,5")
	owner.screenshot("contractors-list")
	addEntry("/directory/employees", `form[action="/directory/employees/new"]`,
		map[string]string{"name": "Мария Менеджер", "login": "manager1", "role": "manager", "phone": "", "password": "manager-pass-1"},
		"Мария Менеджер")
	owner.screenshot("employees-list")

	// The manager, in a separate browser context, sees only what the role may open.
	mgr := newBrowser(t, app, "manager")
	mgr.login("manager1", "manager-pass-1")
	if p := mgr.path(); p != "/tracker" {
		t.Errorf("manager: after login expected /tracker, got %s", p)
	}
	nav := mgr.navText()
	for _, hidden := range []string{"Сотрудники", "Подрядчики", "Настройки", "Журнал изменений", "Отчёт"} {
		if strings.Contains(nav, hidden) {
			t.Errorf("manager navbar shows «%s»: %q", hidden, nav)
		}
	}
	if !strings.Contains(nav, "Таск-трекер") {
		t.Errorf("manager navbar lacks «Таск-трекер»: %q", nav)
	}
	mgr.screenshot("tracker")
	if st := mgr.open("/directory/employees"); st != http.StatusForbidden {
		t.Errorf("manager GET /directory/employees: status %d, want 403", st)
	}
	if h := mgr.text("h1"); h != "Доступ запрещён" {
		t.Errorf("manager forbidden page h1 = %q, want «Доступ запрещён»", h)
	}
	mgr.screenshot("forbidden")

	// The owner's session is untouched by the manager's login.
	owner.open("/directory/banks")
	if p := owner.path(); p != "/directory/banks" {
		t.Fatalf("owner session lost after the manager logged in: at %s", p)
	}

	// Invalid bank: empty name.
	banksBefore := listRows(owner, "/directory/banks")
	owner.open("/directory/banks/new")
	bankForm := `form[action="/directory/banks/new"]`
	if st := owner.fillAndSubmit(bankForm, map[string]string{"name": "", "notes": "Заметка без названия"}, "Сохранить"); st != http.StatusUnprocessableEntity {
		t.Errorf("bank with empty name: status %d, want 422", st)
	}
	expectFieldError(t, owner, bankForm, "name")
	if v := owner.value(bankForm + ` [name="notes"]`); v != "Заметка без названия" {
		t.Errorf("bank form lost the typed notes: %q", v)
	}
	owner.screenshot("bank-invalid")
	if after := listRows(owner, "/directory/banks"); after != banksBefore {
		t.Errorf("banks list grew after an invalid submit: %d → %d rows", banksBefore, after)
	}

	// Invalid contractor: commission "abc".
	contractorsBefore := listRows(owner, "/directory/contractors")
	owner.open("/directory/contractors/new")
	cForm := `form[action="/directory/contractors/new"]`
	typed := map[string]string{"name": "ИП Сидоров", "contact_name": "Пётр Сидоров", "phone": "+7 901 000-00-01", "commission_rate": "abc"}
	if st := owner.fillAndSubmit(cForm, typed, "Сохранить"); st != http.StatusUnprocessableEntity {
		t.Errorf("contractor with commission abc: status %d, want 422", st)
	}
	expectFieldError(t, owner, cForm, "commission_rate")
	for field, want := range typed {
		if got := owner.value(cForm + ` [name="` + field + `"]`); got != want {
			t.Errorf("contractor form: %s = %q after the error, want the typed %q", field, got, want)
		}
	}
	owner.screenshot("contractor-invalid")
	if after := listRows(owner, "/directory/contractors"); after != contractorsBefore {
		t.Errorf("contractors list grew after an invalid submit: %d → %d rows", contractorsBefore, after)
	}

	owner.logout()
	mgr.logout()
}

// TestLoginWrongPassword: a wrong password keeps the user on /login with a message.
func TestLoginWrongPassword(t *testing.T) {
	app := startApp(t)
	b := newBrowser(t, app, "visitor")
	b.setupOwner("Ольга Владелец", "owner", "owner-pass-1")
	b.logout()

	b.tryLogin("owner", "wrong-password")
	if p := b.path(); !strings.HasPrefix(p, "/login") {
		t.Fatalf("wrong password: expected to stay on /login, at %s", p)
	}
	if body := b.text("main"); !strings.Contains(body, "Неверный логин или пароль") {
		t.Errorf("wrong password: page lacks «Неверный логин или пароль»: %q", body)
	}
	if v := b.value(`form[action="/login"] [name="login"]`); v != "owner" {
		t.Errorf("wrong password: login field = %q, want the typed «owner»", v)
	}
	b.screenshot("wrong-password")

	b.login("owner", "owner-pass-1")
}

// expectFieldError checks the message next to a field and its is-invalid class.
func expectFieldError(t *testing.T, b *Browser, form, field string) {
	t.Helper()
	if msg := b.fieldError(field); msg == "" {
		t.Errorf("no message next to %q; messages on page: %v", field, b.texts(".invalid-feedback"))
	} else {
		t.Logf("message for %s: %q", field, msg)
	}
	input := form + ` [name="` + field + `"]`
	if !b.hasClass(input, "is-invalid") {
		t.Errorf("%s lacks class is-invalid (class=%q)", input, b.attr(input, "class"))
	}
	if !b.exists(input + ` ~ [data-error-for="` + field + `"]`) {
		t.Errorf("the message for %q is not next to its input", field)
	}
}

// listRows opens a directory list and counts its entries (rows with a link).
func listRows(b *Browser, list string) int {
	b.t.Helper()
	b.open(list)
	return b.count(`table tbody tr td a[href^="` + list + `/"]`)
}

// rowText is the text of the list row whose link is exactly name ("" if none).
func rowText(b *Browser, name string) string {
	b.t.Helper()
	return eval[string](b, `(() => {
		for (const a of document.querySelectorAll("table tbody tr td a"))
			if (a.textContent.trim() === `+js(name)+`) return a.closest("tr").innerText;
		return "";
	})()`)
}

// TestNavPagesRender opens every page the navbar offers to the owner and to a
// manager: each answers 200 with a heading, and (through the harness) logs no
// console error, CSP violation or failed asset.
func TestNavPagesRender(t *testing.T) {
	app := startApp(t)
	owner := newBrowser(t, app, "owner")
	owner.setupOwner("Ольга Владелец", "owner", "owner-pass-1")
	owner.open("/directory/employees/new")
	owner.fillAndSubmit(`form[action="/directory/employees/new"]`,
		map[string]string{"name": "Мария Менеджер", "login": "manager1", "role": "manager", "password": "manager-pass-1"}, "Сохранить")
	mgr := newBrowser(t, app, "manager")
	mgr.login("manager1", "manager-pass-1")

	for _, b := range []*Browser{owner, mgr} {
		links := eval[[]string](b, `Array.from(document.querySelectorAll("nav.navbar a[href^='/']"), a => a.getAttribute("href"))`)
		if len(links) < 3 {
			t.Fatalf("[%s] navbar has too few links: %q", b.name, links)
		}
		for _, href := range links {
			if st := b.open(href); st != http.StatusOK {
				t.Errorf("[%s] %s: status %d", b.name, href, st)
				continue
			}
			if h := b.texts("main h1, main h2, main h3"); len(h) == 0 {
				t.Errorf("[%s] %s: no heading in <main>", b.name, href)
			}
			b.screenshot(strings.Trim(href, "/"))
			b.checkConsole()
		}
	}
}
