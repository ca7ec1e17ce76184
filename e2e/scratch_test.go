package e2e

import (
	"fmt"
	"testing"
	"time"
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
	t.Logf("submit: %+v", submitStage(owner, "Выполнить этап"))
	owner.fill(newRow, map[string]string{"amount": "12 345,67", "commission_rate": "12,5", "comment": "операция 12 345,67"})
	t.Logf("after fill amount: %q", owner.value(newRow+" [data-tx-amount]"))
	owner.fill(newRow, map[string]string{"comment": "abc 7"})
	t.Logf("after fill comment: %q", owner.value(newRow+" [data-tx-amount]"))
	owner.fill(newRow, map[string]string{"commission_rate": "12,5"})
	t.Logf("after fill rate: %q %q", owner.value(newRow+" [data-tx-amount]"), owner.value(newRow+" [data-tx-rate]"))
	time.Sleep(500 * time.Millisecond)
	t.Logf("later: %q", owner.value(newRow+" [data-tx-amount]"))
}
