package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"kartoteka/app/auth"
	"kartoteka/store"
)

// TestAutoTaskRows: a row of «Автозадачи» shows the card's link and masked number,
// the task, its assignee as text (a name with markup is escaped), the status by
// its label, what was filled in and who did it, and the overdue mark once the
// open task's deadline has passed.
func TestAutoTaskRows(t *testing.T) {
	f := newCardFixture(t)
	const name = `<b>Иван & "Ко"</b>`
	for _, r := range []auth.Role{warmer, manager, accountant} {
		u, err := f.ts.st.Q.UserGet(f.ctx, f.ts.users[r])
		if err != nil {
			t.Fatal(err)
		}
		if err := f.ts.st.UpdateUser(f.ctx, f.ts.users[owner], u.ID, store.UserInput{Login: u.Login, Name: name, Role: u.Role}); err != nil {
			t.Fatal(err)
		}
	}
	id, number := f.newCard()
	f.walk(id, 3)
	f.signIn()
	page := func() string {
		t.Helper()
		_, body := f.ts.doAs(t, f.actors["owner"].s, http.MethodGet, "/tasks?tab=auto&card="+i64s(id), nil)
		i, j := strings.Index(body, `<table class="table align-middle bg-white" id="auto-tasks">`), strings.Index(body, "</table>")
		if i < 0 || j < i {
			t.Fatalf("no «Автозадачи» table in %s", body)
		}
		return body[i:j]
	}
	table := page()
	for _, want := range []string{`<a href="/cards/` + i64s(id) + `">№ ` + i64s(id) + `</a>`, "•••• " + number[len(number)-4:],
		"<td>1. Перевязка доступов</td>", "<td>3. Период прогрева</td>", "Выполнена", "Новая", `&lt;b&gt;Иван &amp; &#34;Ко&#34;&lt;/b&gt;`} {
		if !strings.Contains(table, want) {
			t.Errorf("the rows lack %q:\n%s", want, table)
		}
	}
	if strings.Contains(table, "<b>") || strings.Contains(table, number) {
		t.Errorf("the rows hold markup from a name or the full number:\n%s", table)
	}
	if !strings.Contains(table, `<div><span class="text-body-secondary">`) {
		t.Errorf("no filled-in values in the done rows:\n%s", table)
	}
	// The filter's selects: every employee, the chosen one selected, names as text.
	w := i64s(f.ts.users[warmer])
	_, body := f.ts.doAs(t, f.actors["owner"].s, http.MethodGet, "/tasks?tab=auto&stage=3&assignee="+w, nil)
	for _, want := range []string{`<option value="` + w + `" selected>&lt;b&gt;Иван &amp; &#34;Ко&#34;&lt;/b&gt;</option>`,
		`<option value="3" selected>3. Период прогрева</option>`, `<option value="2">2. Пополнение на прогревочную сумму</option>`,
		`<option value="` + i64s(f.ts.users[owner]) + `">`} {
		if !strings.Contains(body, want) {
			t.Errorf("the filters lack %q", want)
		}
	}
	if n := strings.Count(body, " selected>"); n != 2 {
		t.Errorf("%d options selected, want the stage and the assignee", n)
	}
	// The stage task's row turns overdue once its deadline has passed (the
	// warming task beside it has its own deadline, which may already be past
	// at this time of day, so each row is looked at by itself).
	stageRow := func(table string) string {
		t.Helper()
		i := strings.Index(table, "<td>3. Период прогрева</td>")
		j := strings.LastIndex(table[:max(i, 0)], "<tr ")
		k := strings.Index(table[max(i, 0):], "</tr>")
		if i < 0 || j < 0 || k < 0 {
			t.Fatalf("no stage 3 row in %s", table)
		}
		return table[j : i+k]
	}
	if strings.Contains(stageRow(table), "просрочена") || strings.Contains(stageRow(table), "kt-overdue") {
		t.Errorf("the stage task is overdue before its deadline:\n%s", table)
	}
	f.ts.clock.Advance(60 * 24 * time.Hour)
	f.signIn()
	table = page()
	if row := stageRow(table); !strings.Contains(row, `<tr class="kt-overdue"`) || !strings.Contains(row, `<span class="badge text-bg-danger">просрочена</span>`) {
		t.Errorf("past the stage task's deadline its row is not marked overdue:\n%s", table)
	}
	if n := strings.Count(table, `<span class="badge text-bg-danger">просрочена</span>`); n != strings.Count(table, `<tr class="kt-overdue"`) {
		t.Errorf("%d badges but %d overdue rows:\n%s", n, strings.Count(table, `<tr class="kt-overdue"`), table)
	}
}
