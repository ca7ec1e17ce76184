package web_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"kartoteka/store"
)

// auditRowRe is one row of the change log: its action and its change lines.
var auditRowRe = regexp.MustCompile(`(?s)<tr data-audit="\d+">(.*?)</tr>`)
var auditChangeRe = regexp.MustCompile(`(?s)<div data-change>(.*?)</div>`)
var tagRe = regexp.MustCompile(`<[^>]+>`)

// auditRows reads the change log page as text: per row, its cells and its change lines.
func auditRows(t *testing.T, body string) (rows []string, changes [][]string) {
	t.Helper()
	for _, m := range auditRowRe.FindAllStringSubmatch(body, -1) {
		var ch []string
		for _, c := range auditChangeRe.FindAllStringSubmatch(m[1], -1) {
			ch = append(ch, plain(c[1]))
		}
		rows = append(rows, plain(m[1]))
		changes = append(changes, ch)
	}
	return rows, changes
}

func plain(html string) string {
	s := tagRe.ReplaceAllString(html, " ")
	s = strings.NewReplacer("&nbsp;", " ", "\u00a0", " ", "&#34;", `"`, "&laquo;", "«", "&raquo;", "»").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// TestAuditShowsOnlyTheChange edits one field of a card at a time and reads the
// change log: each entry lists exactly that field, shown as the pages show it.
func TestAuditShowsOnlyTheChange(t *testing.T) {
	f := newCardFixture(t)
	id, _ := f.newCard()
	path := fmt.Sprintf("/cards/%d/edit", id)

	steps := []struct {
		name   string
		change func(v map[string][]string)
		want   string
	}{
		{"rate", func(v map[string][]string) { v["commission_rate"] = []string{"12,5"} }, "Комиссия: 10 % → 12,5 %"},
		{"manager", func(v map[string][]string) {
			v["manager_id"] = []string{fmt.Sprint(f.actors["stranger-manager"].id)}
		}, "Менеджер: Смирнов Павел → Чужой Менеджер"},
		{"notes", func(v map[string][]string) { v["notes"] = []string{"Новая заметка"} }, "Заметки: Новая заметка"},
	}
	for _, s := range steps {
		form := editForm(f.card(id), f.card(id).Notes)
		s.change(form)
		resp, body := f.ts.do(t, owner, http.MethodPost, path, form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: edit answered %d: %s", s.name, resp.StatusCode, body)
		}
		_, body = f.ts.do(t, owner, http.MethodGet, "/audit?entity=card", nil)
		rows, changes := auditRows(t, body)
		if len(rows) == 0 {
			t.Fatalf("%s: no rows in the change log", s.name)
		}
		if !strings.Contains(rows[0], "Изменение") || !strings.Contains(rows[0], "Иванов Иван") {
			t.Errorf("%s: newest row %q, want an edit by the owner", s.name, rows[0])
		}
		if len(changes[0]) != 1 || changes[0][0] != s.want {
			t.Errorf("%s: changes %q, want exactly [%q]", s.name, changes[0], s.want)
		}
	}
}

// TestAuditOldRowsReadable stores rows the way earlier versions did (before and
// after under different keys, raw ids, a deleted transaction's Go field names, a
// scheduler's write) and checks the log reads them as the new ones.
func TestAuditOldRowsReadable(t *testing.T) {
	f := newCardFixture(t)
	id, _ := f.newCard()
	c := f.card(id)
	ownerID := f.ts.users[owner]
	err := f.ts.st.InTx(f.ctx, func(tx *store.Tx) error {
		before := map[string]any{"number": c.Number, "bank_id": c.BankID, "supplier_id": c.SupplierID, "contact_name": c.ContactName,
			"contact_phone": c.ContactPhone, "warmer_id": c.WarmerID, "manager_id": c.ManagerID, "accountant_id": c.AccountantID,
			"commission_rate": 1000, "warming_days": 14, "warming_every_days": 1, "notes": "", "lifecycle": "new", "stage": nil, "version": 1}
		after := map[string]any{"Number": c.Number, "ContactName": c.ContactName, "ContactPhone": c.ContactPhone, "Notes": "",
			"BankID": c.BankID, "SupplierID": c.SupplierID, "WarmerID": c.WarmerID, "ManagerID": c.ManagerID,
			"AccountantID": c.AccountantID, "Rate": 1250, "WarmingDays": 14, "WarmingEveryDays": 1}
		if err := tx.Audit(ownerID, "card", id, "update", before, after); err != nil {
			return err
		}
		if err := tx.Audit(ownerID, "transaction", 7, "delete", map[string]any{"ID": 7, "CardID": id, "OccurredOn": "2026-03-05",
			"Amount": 1234567, "CommissionRate": 1000, "Commission": 123457, "Net": 1111110, "Comment": "", "CreatedBy": ownerID,
			"CreatedAt": "2026-03-05T09:00:00Z"}, nil); err != nil {
			return err
		}
		if err := tx.Audit(ownerID, "card", id, "stage 8 done", map[string]any{"stage": 8, "version": 12},
			map[string]any{"stage": 9, "values": map[string]any{"answered": "yes", "answered_on": "2026-03-05",
				"decision": "negative", "confirmed_amount": "0"}}); err != nil {
			return err
		}
		return tx.Audit(0, "task", 3, "roll", map[string]any{"deadline": "2026-03-05T15:00:00Z"}, map[string]any{"deadline": "2026-03-06T15:00:00Z"})
	})
	if err != nil {
		t.Fatal(err)
	}
	_, body := f.ts.do(t, owner, http.MethodGet, "/audit", nil)
	rows, changes := auditRows(t, body)
	for len(rows) > 0 && strings.Contains(rows[0], "Вход в систему") {
		rows, changes = rows[1:], changes[1:]
	}
	if len(rows) < 4 {
		t.Fatalf("%d rows", len(rows))
	}
	want := [][]string{
		{"Дедлайн: 05.03.2026 18:00 → 06.03.2026 18:00"},
		{"Этап: 8 «Отлежка/Периодическая проверка ответа от банка» → 9 «Возврат поставщику»", "Ответ получен: да",
			"Дата ответа: 05.03.2026", "Решение банка: отрицательное", "Подтверждённая сумма: 0,00 ₽"},
		{"Карта: № " + fmt.Sprint(id), "Дата: 05.03.2026", "Сумма: 12 345,67 ₽", "Комиссия: 10 %", "Сумма комиссии: 1 234,57 ₽",
			"Чистая сумма: 11 111,10 ₽", "Внёс(ла): Иванов Иван", "Внесена: 05.03.2026 12:00"},
		{"Комиссия: 10 % → 12,5 %"},
	}
	for i, w := range want {
		if strings.Join(changes[i], " | ") != strings.Join(w, " | ") {
			t.Errorf("row %d (%s):\n got %q\nwant %q", i, rows[i], changes[i], w)
		}
	}
	if link := fmt.Sprintf(`<a href="/cards/%d">№ %d</a>`, id, id); !strings.Contains(body, link) {
		t.Errorf("the transaction's card is not a link %s", link)
	}
	if !strings.Contains(rows[0], "Планировщик") {
		t.Errorf("scheduler row %q, want «Планировщик»", rows[0])
	}
}
