package web_test

import (
	"fmt"
	"net/http"
	"testing"

	"kartoteka/app/pipeline"
)

// TestControlCharactersRefused (issue 8 item 7): a NUL byte or a bidi override
// (U+202E) in any text field is refused with a message beside the field and
// nothing is written.
func TestControlCharactersRefused(t *testing.T) {
	f := newCardFixture(t)
	id, _ := f.newCard()
	f.walk(id, pipeline.Processing)
	f.signIn()
	ts := f.ts
	owner := f.actors["owner"].s
	card := f.card(id)
	forms := []struct {
		path  string
		field string
		form  map[string][]string
	}{
		{"/directory/banks/new", "name", vals("name", "Банк")},
		{"/directory/contractors/new", "name", vals("name", "Поставщик")},
		{"/directory/contractors/new", "contact_name", vals("name", "Поставщик 2", "contact_name", "Пётр")},
		{"/directory/employees/new", "name", vals("name", "Новый", "login", "novyi", "role", "manager", "password", "long-enough-1")},
		{"/profile", "name", vals("name", "Я", "phone", "")},
		{fmt.Sprintf("/cards/%d/edit", id), "contact_name", with(editForm(card, "заметки"), "contact_name", "Клиент")},
		{fmt.Sprintf("/cards/%d/edit", id), "notes", editForm(card, "заметки")},
		{fmt.Sprintf("/cards/%d/transactions", id), "comment", vals("occurred_on", f.today(), "amount", "100", "commission_rate", "1", "comment", "ок")},
		{fmt.Sprintf("/cards/%d/stage", id), "done_on", vals("version", fmt.Sprint(card.Version), "done_on", f.today())},
	}
	for _, bad := range []string{"\x00", "\u202e", "\u2066"} {
		for _, c := range forms {
			form := map[string][]string{}
			for k, v := range c.form {
				form[k] = v
			}
			form[c.field] = []string{"Иван" + bad + "ов"}
			before := ts.snapshot(t)
			tx := ts.count(t, "transactions")
			resp, body := ts.doAs(t, owner, http.MethodPost, c.path, form)
			if resp.StatusCode != http.StatusUnprocessableEntity || !has(body, pipeline.MsgControlChars) {
				t.Errorf("%s %s with %q: %d %s, want 422 «%s»", c.path, c.field, bad, resp.StatusCode, formErrors(body), pipeline.MsgControlChars)
			}
			if after := ts.snapshot(t); fmt.Sprint(after) != fmt.Sprint(before) || ts.count(t, "transactions") != tx {
				t.Errorf("%s %s with %q wrote something", c.path, c.field, bad)
			}
		}
	}
}
