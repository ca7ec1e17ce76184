package store

import (
	"context"
	"errors"
	"fmt"

	"kartoteka/app/money"
	"kartoteka/app/pipeline"
	"kartoteka/store/db"
)

// ErrTxClosed refuses transaction changes outside stage 6.
var ErrTxClosed = errors.New("transactions can change only in stage 6")

// Totals are the card's money figures from its transactions (one rule: money.Sum).
func Totals(rows []db.Transaction) money.Totals {
	lines := make([]money.Line, len(rows))
	for i, r := range rows {
		lines[i] = money.Line{Amount: r.Amount, Rate: r.CommissionRate}
	}
	return money.Sum(lines)
}

// canMoney tells whether the actor may change the card's transactions.
func canMoney(c db.Card, a Actor) bool {
	return a.Privileged || c.ManagerID == a.ID || c.AccountantID == a.ID
}

// txCard loads a card whose transactions may change now.
func (tx *Tx) txCard(ctx context.Context, id int64, a Actor) (db.Card, error) {
	c, err := tx.CardGet(ctx, id)
	if err != nil {
		return c, notFound(err)
	}
	if !canMoney(c, a) {
		return c, ErrForbidden
	}
	if c.Lifecycle != "in_work" || c.Stage == nil || pipeline.Stage(*c.Stage) != pipeline.Processing {
		return c, ErrTxClosed
	}
	return c, nil
}

// AddTransaction saves one transaction row with its commission and net (stage 6 only).
func (s *Store) AddTransaction(ctx context.Context, a Actor, cardID int64, in pipeline.TxInput) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx *Tx) error {
		c, err := tx.txCard(ctx, cardID, a)
		if err != nil {
			return err
		}
		var sum int64
		if err := tx.Raw.QueryRowContext(ctx, "SELECT COALESCE(SUM(amount), 0) FROM transactions WHERE card_id = ?", cardID).Scan(&sum); err != nil {
			return err
		}
		if in.Amount <= 0 || money.Kopecks(sum) > money.MaxKopecks-in.Amount {
			return &FieldError{"amount", "Сумма транзакций карты превысила бы " + money.MaxKopecks.String()}
		}
		t := money.LineTotals(money.Line{Amount: in.Amount, Rate: in.Rate})
		id, err = tx.TransactionAdd(ctx, db.TransactionAddParams{CardID: cardID, OccurredOn: in.OccurredOn, Amount: in.Amount,
			CommissionRate: in.Rate, Commission: t.Commission, Net: t.Net, Comment: in.Comment, CreatedBy: &a.ID, Now: tx.Now})
		if err != nil {
			return fmt.Errorf("add transaction to card %d: %w", cardID, err)
		}
		row := db.Transaction{CardID: cardID, OccurredOn: in.OccurredOn, Amount: in.Amount, CommissionRate: in.Rate,
			Commission: t.Commission, Net: t.Net, Comment: in.Comment}
		if err := tx.rollTransaction(ctx, c, row, 1); err != nil {
			return err
		}
		return tx.Audit(a.ID, "transaction", id, "create", nil, txAudit(row))
	})
	return id, err
}

// DeleteTransaction removes one transaction row (stage 6 only). seen is SeenTx of
// the row the page showed ("": not checked); a row that is gone or different
// now is ErrStale and nothing is deleted.
func (s *Store) DeleteTransaction(ctx context.Context, a Actor, cardID, txID int64, seen string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		c, err := tx.txCard(ctx, cardID, a)
		if err != nil {
			return err
		}
		old, err := tx.TransactionGet(ctx, txID)
		if isNoRows(err) {
			return ErrStale // deleted meanwhile (ids are never reused: migration 000002)
		}
		if err != nil {
			return err
		}
		if old.CardID != cardID {
			return ErrNotFound
		}
		if err := checkSeen(seen, SeenTx(old)); err != nil {
			return err
		}
		if _, err := tx.TransactionDelete(ctx, db.TransactionDeleteParams{ID: txID, CardID: cardID}); err != nil {
			return err
		}
		if err := tx.rollTransaction(ctx, c, old, -1); err != nil {
			return err
		}
		return tx.Audit(a.ID, "transaction", txID, "delete", txAudit(old), nil)
	})
}

// txAudit is what the change log keeps of a transaction row.
func txAudit(t db.Transaction) map[string]any {
	return map[string]any{"card_id": t.CardID, "occurred_on": t.OccurredOn, "amount": t.Amount,
		"commission_rate": t.CommissionRate, "commission": t.Commission, "net": t.Net, "comment": t.Comment}
}
