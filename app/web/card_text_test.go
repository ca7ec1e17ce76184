package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kartoteka/app/pipeline"
	"kartoteka/store"
)

// TestCardPageValuesAsText: the card page's history and transactions show what
// people typed as text (a correction's reason, a transaction's comment), each
// line with its class, and the rows' delete buttons name the row as shown.
func TestCardPageValuesAsText(t *testing.T) {
	f := newCardFixture(t)
	id, _ := f.newCard()
	f.walk(id, 6)
	const typed = `<b>"x"</b> & 'y'`
	const shown = `&lt;b&gt;&#34;x&#34;&lt;/b&gt; &amp; &#39;y&#39;`
	in, errs := pipeline.ValidateTransaction(map[string]string{"occurred_on": f.today(), "amount": "1 234,56", "commission_rate": "12,5", "comment": typed}, f.today())
	if errs != nil {
		t.Fatal(errs)
	}
	txID, err := f.ts.st.AddTransaction(f.ctx, f.priv, id, in)
	if err != nil {
		t.Fatal(err)
	}
	f.signIn()
	_, body := f.ts.doAs(t, f.actors["owner"].s, http.MethodGet, "/cards/"+i64s(id), nil)
	tx := f.txRows(id)[0]
	for _, want := range []string{`<tr class="kt-tx-row" data-amount="123456" data-rate="1250">`, "data-label=\"Сумма\">1\u00a0234,56\u00a0₽</td>",
		"data-label=\"Комиссия, %\">12,5\u00a0%</td>", `<td class="small" data-label="Комментарий">` + shown + `</td>`,
		`hx-post="/cards/` + i64s(id) + `/transactions/` + i64s(txID) + `/delete?scope=page&amp;seen=` + store.SeenTx(tx) + `" hx-target="#tx-editor-page-` + i64s(id) + `"`,
		`<li class="kt-open">`, "Дедлайн: "} {
		if !strings.Contains(body, want) {
			t.Errorf("the card page lacks %q", want)
		}
	}
	// The correction form's stages; a refused correction keeps the chosen one.
	if want := `<option value="">— этап —</option><option value="1">1. Перевязка доступов</option><option value="2">`; !strings.Contains(body, want) {
		t.Errorf("the correction form lacks %q", want)
	}
	c := f.card(id)
	resp, body := f.ts.doAs(t, f.actors["owner"].s, http.MethodPost, "/cards/"+i64s(id)+"/correct",
		url.Values{"version": {i64s(c.Version)}, "kind": {"jump"}, "target": {"3"}, "reason": {""}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<option value="3" selected>3. Период прогрева</option>`) ||
		strings.Count(body, " selected>") != 2 { // the kind and the stage
		t.Errorf("a correction without a reason: %d, the chosen stage not kept:\n%s", resp.StatusCode, body)
	}
	if err := f.ts.st.CorrectStage(f.ctx, f.priv, id, c.Version, "back", 0, typed); err != nil {
		t.Fatal(err)
	}
	_, body = f.ts.doAs(t, f.actors["card-warmer"].s, http.MethodGet, "/cards/"+i64s(id), nil)
	for _, want := range []string{`<li class="kt-correction">`, `<div class="small">Причина: ` + shown + `</div>`,
		`<td class="small" data-label="Комментарий">` + shown + `</td>`} {
		if !strings.Contains(body, want) {
			t.Errorf("after the correction the card page lacks %q", want)
		}
	}
	if strings.Contains(body, "<b>") || strings.Contains(body, "/delete?") {
		t.Error("the warmer's card page holds typed markup or a delete button")
	}
}
