package web_test

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"

	"kartoteka/app/pipeline"
)

var deleteURL = regexp.MustCompile(`hx-post="(/cards/\d+/transactions/(\d+)/delete[^"]*)"`)

// TestStaleTransactionDelete is the stale click: A's page shows row X;
// B deletes X and adds a row; A's ✕ on X is refused with 409 «Строка уже
// изменена другим пользователем» and deletes nothing. A forged click carrying
// X's fingerprint on another row is refused too.
func TestStaleTransactionDelete(t *testing.T) {
	f := newCardFixture(t)
	id, _ := f.newCard()
	f.walk(id, pipeline.Processing)
	x := f.addTx(id)
	f.signIn()
	a, b := f.actors["card-manager"].s, f.actors["card-accountant"].s
	cardPath := fmt.Sprintf("/cards/%d", id)

	_, page := f.ts.doAs(t, a, http.MethodGet, cardPath+"/transactions", nil)
	m := deleteURL.FindStringSubmatch(page)
	if m == nil || m[2] != fmt.Sprint(x) {
		t.Fatalf("A's editor has no ✕ for row %d", x)
	}
	aDelete := unamp(m[1])

	// B deletes X and adds a row.
	_, pageB := f.ts.doAs(t, b, http.MethodGet, cardPath+"/transactions", nil)
	if resp, _ := f.ts.doAs(t, b, http.MethodPost, unamp(deleteURL.FindStringSubmatch(pageB)[1]), nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("B's delete: %d", resp.StatusCode)
	}
	y := f.addTx(id)

	before := f.ts.count(t, "transactions WHERE card_id = ?", id)
	resp, body := f.ts.doAs(t, a, http.MethodPost, aDelete, nil)
	if resp.StatusCode != http.StatusConflict || !has(body, "Строка уже изменена другим пользователем") {
		t.Fatalf("A's stale ✕: %d, want 409 «Строка уже изменена другим пользователем»", resp.StatusCode)
	}
	if n := f.ts.count(t, "transactions WHERE card_id = ?", id); n != before || f.ts.count(t, "transactions WHERE id = ?", y) != 1 {
		t.Fatalf("a stale ✕ deleted something: %d → %d rows, B's row present %v", before, n, f.ts.count(t, "transactions WHERE id = ?", y) == 1)
	}
	// The same fingerprint aimed at B's new row: refused, nothing deleted.
	forged := regexp.MustCompile(`/transactions/\d+/delete`).ReplaceAllString(aDelete, fmt.Sprintf("/transactions/%d/delete", y))
	if resp, _ := f.ts.doAs(t, a, http.MethodPost, forged, nil); resp.StatusCode != http.StatusConflict {
		t.Fatalf("X's fingerprint on row %d: %d, want 409", y, resp.StatusCode)
	}
	if f.ts.count(t, "transactions WHERE id = ?", y) != 1 {
		t.Fatal("B's row was deleted")
	}
}

// unamp undoes the template's escaping of a URL attribute.
func unamp(s string) string { return regexp.MustCompile(`&amp;`).ReplaceAllString(s, "&") }

// TestStaleDirectoryEdits: an edit form of a bank, a supplier or an employee saved
// after someone else changed the row is refused with 409, writes nothing and keeps
// what was typed; saving again (a deliberate overwrite) works.
func TestStaleDirectoryEdits(t *testing.T) {
	ts := newTestServer(t)
	seenRe := regexp.MustCompile(`name="seen" value="([0-9a-f]+)"`)
	cases := []struct {
		path   string
		form   func(seen, name string) map[string][]string
		column string
	}{
		{fmt.Sprintf("/directory/banks/%d", ts.bankID),
			func(seen, name string) map[string][]string { return vals("name", name, "seen", seen) }, "banks"},
		{fmt.Sprintf("/directory/contractors/%d", ts.contractorID),
			func(seen, name string) map[string][]string { return vals("name", name, "seen", seen) }, "contractors"},
		{fmt.Sprintf("/directory/employees/%d", ts.users[manager]),
			func(seen, name string) map[string][]string {
				return vals("name", name, "login", "manager", "role", "manager", "seen", seen)
			}, "users"},
	}
	for _, c := range cases {
		_, page := ts.do(t, owner, http.MethodGet, c.path, nil)
		m := seenRe.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("%s: the edit form carries no fingerprint", c.path)
		}
		// Someone else (here: the owner's other tab) saves first.
		if resp, body := ts.do(t, owner, http.MethodPost, c.path, c.form(m[1], "Сначала другой")); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: first save %d %s", c.path, resp.StatusCode, formErrors(body))
		}
		before := ts.snapshot(t)
		resp, body := ts.do(t, owner, http.MethodPost, c.path, c.form(m[1], "Потом я"))
		if resp.StatusCode != http.StatusConflict || !has(body, "Строка уже изменена другим пользователем") {
			t.Fatalf("%s: stale save %d %s, want 409", c.path, resp.StatusCode, formErrors(body))
		}
		if after := ts.snapshot(t); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("%s: a stale save wrote %v → %v", c.path, before, after)
		}
		if !has(body, `value="Потом я"`) {
			t.Errorf("%s: the refused form lost what was typed", c.path)
		}
		m2 := seenRe.FindStringSubmatch(body)
		if m2 == nil || m2[1] == m[1] {
			t.Fatalf("%s: the refused form does not carry the row's fingerprint now", c.path)
		}
		if resp, body := ts.do(t, owner, http.MethodPost, c.path, c.form(m2[1], "Потом я")); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: deliberate second save %d %s", c.path, resp.StatusCode, formErrors(body))
		}
	}
}

// TestStaleSettings: the office settings saved from a page opened before someone
// else saved them are refused with 409, nothing written, the typed values kept;
// a second save (a deliberate overwrite) works.
func TestStaleSettings(t *testing.T) {
	ts := newTestServer(t)
	seenRe := regexp.MustCompile(`name="seen" value="([0-9a-f]+)"`)
	_, page := ts.do(t, owner, http.MethodGet, "/settings", nil)
	m := seenRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the settings form carries no fingerprint")
	}
	first := validSettings()
	first.Set("seen", m[1])
	if resp, body := ts.do(t, owner, http.MethodPost, "/settings", first); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save %d %s", resp.StatusCode, formErrors(body))
	}
	before := ts.snapshot(t)
	stale := validSettings()
	stale.Set("seen", m[1])
	stale.Set("backup_retention", "77")
	resp, body := ts.do(t, owner, http.MethodPost, "/settings", stale)
	if resp.StatusCode != http.StatusConflict || !has(body, "Настройки уже изменил другой пользователь") {
		t.Fatalf("stale save %d %s, want 409", resp.StatusCode, formErrors(body))
	}
	if after := ts.snapshot(t); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("a stale save wrote %v → %v", before, after)
	}
	if got := ts.srv.Settings().BackupRetention; got != 30 {
		t.Fatalf("a stale save changed the retention to %d", got)
	}
	if !has(body, `value="77"`) {
		t.Error("the refused form lost what was typed")
	}
	m2 := seenRe.FindStringSubmatch(body)
	if m2 == nil || m2[1] == m[1] {
		t.Fatal("the refused form does not carry the settings' fingerprint now")
	}
	stale.Set("seen", m2[1])
	if resp, body := ts.do(t, owner, http.MethodPost, "/settings", stale); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("deliberate second save %d %s", resp.StatusCode, formErrors(body))
	}
	if got := ts.srv.Settings().BackupRetention; got != 77 {
		t.Fatalf("the deliberate save left the retention at %d", got)
	}
}
