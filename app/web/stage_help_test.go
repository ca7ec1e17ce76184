package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kartoteka/app/pipeline"
)

// TestStage8Prefill: the confirmed amount is prefilled with the possible profit
// in the way people read money («4 500,00»), and the field knows that prefill to
// return to when the decision goes back to «Положительное».
func TestStage8Prefill(t *testing.T) {
	f := newCardFixture(t)
	id, _ := f.newCard()
	f.walk(id, pipeline.BankWait) // one transaction of 5 000 at 10 %: profit 4 500,00
	f.signIn()
	resp, body := f.ts.doAs(t, f.actors["card-manager"].s, http.MethodGet, fmt.Sprintf("/cards/%d/stage", id), nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stage 8 modal: %d", resp.StatusCode)
	}
	for _, want := range []string{`name="confirmed_amount" value="4 500,00"`, `data-prefill="4 500,00"`} {
		if !strings.Contains(body, want) {
			t.Errorf("stage 8 modal lacks %s", want)
		}
	}
}

// TestStaleStageFormSaysWhatHappened: a stage form sent after someone else
// completed that stage is answered 409 with who did it and when, where the card
// is now, a button to open the new stage, and the typed values shown read-only.
func TestStaleStageFormSaysWhatHappened(t *testing.T) {
	f := newCardFixture(t)
	id, _ := f.newCard()
	if err := f.ts.st.StartCard(f.ctx, f.priv, id, f.card(id).Version); err != nil {
		t.Fatal(err)
	}
	f.signIn()
	stale := f.card(id).Version
	f.completeStage(id) // the manager completes stage 1
	form := url.Values{"version": {fmt.Sprint(stale)}, "stage": {"1"}, "done_on": {f.today()}, "comment": {"Набрано админом"}}
	resp, body := f.ts.doAs(t, f.actors["admin"].s, http.MethodPost, fmt.Sprintf("/cards/%d/stage", id), form)
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("stale stage-1 form answered %d", resp.StatusCode)
	}
	msg := plain(body)
	for _, want := range []string{"Этап 1 «Перевязка доступов» уже выполнил(а) Смирнов Павел ", " в ", // "в 23:30", or with the date when that was another day
		"карта теперь на этапе 2 «Пополнение на прогревочную сумму»", "Открыть этап 2", "Набрано админом"} {
		if !strings.Contains(msg, want) {
			t.Errorf("409 answer lacks %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, "проверьте данные и отправьте ещё раз") {
		t.Errorf("409 answer still asks to send again: %s", msg)
	}
	if !strings.Contains(body, `readonly data-typed>Набрано админом<`) {
		t.Errorf("the typed comment is not kept read-only")
	}
	if d := pipeline.ShowDate(f.today()); !strings.Contains(body, `readonly data-typed>`+d+`<`) {
		t.Errorf("the typed date is not shown as %s", d)
	}
	if n := f.ts.count(t, "auto_tasks WHERE card_id = ? AND stage = 1 AND status = 'done'", id); n != 1 {
		t.Errorf("stage 1 closed %d times", n)
	}
}
