package e2e

import (
	"fmt"
	"testing"
)

func TestScratch(t *testing.T) {
	o := newOffice(t)
	owner := o.owner
	id := o.createCard(cardSpec{"4111 1111 1111 1111", managerP.name, accP.name, warmerP.name})
	o.startCard(id)
	completeStage(owner, id, 1, nil)
	completeStage(owner, id, 2, map[string]string{"amount": "5000"})
	completeStage(owner, id, 3, map[string]string{"result": "ok", "comment": "x"})
	completeStage(owner, id, 4, map[string]string{"confirmed": "1"})
	completeStage(owner, id, 5, map[string]string{"amount": "5000"})
	openStageModal(owner, id, 6)
	ed := fmt.Sprintf("#kt-modal-content #tx-editor-modal-%d", id)
	newRow := ed + " .kt-tx-new"
	owner.fill(newRow, map[string]string{"amount": "100"})
	owner.click(ed + " [data-tx-add]")
	owner.waitVisible(ed + " .kt-tx-row")
	submitStage(owner, "Выполнить этап")
	completeStage(owner, id, 7, nil)
	openStageModal(owner, id, 8)
	t.Logf("before: %v", eval[[]bool](owner, `Array.from(document.querySelectorAll("[data-only-if]"), e => e.hidden)`))
	owner.fill(modalForm, map[string]string{"answered": "no"})
	t.Logf("after no: %v", eval[[]bool](owner, `Array.from(document.querySelectorAll("[data-only-if]"), e => e.hidden)`))
	t.Logf("html: %s", eval[string](owner, `document.querySelector("[data-only-if]").outerHTML`))
	owner.checkConsole()
}
