package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"kartoteka/app/money"
	"kartoteka/app/pipeline"
	"kartoteka/store/db"
)

// Actor is who does a write: their id and whether they are owner or admin.
type Actor struct {
	ID         int64
	Privileged bool
}

// ValidationError carries a message per bad field of a stage form; nothing was written.
type ValidationError struct{ Errors pipeline.Errors }

func (e *ValidationError) Error() string { return fmt.Sprintf("invalid form: %v", e.Errors) }

// ErrTxClosed refuses transaction changes outside stage 6.
var ErrTxClosed = errors.New("transactions can change only in stage 6")

// CardInput is a card as the owner or admin types it, already normalised.
type CardInput struct {
	Number, ContactName, ContactPhone, Notes string
	BankID, SupplierID                       int64
	WarmerID, ManagerID, AccountantID        int64
	Rate                                     money.Rate
	WarmingDays, WarmingEveryDays            int64
}

// Office reads the settings that deadlines depend on.
func (tx *Tx) Office(ctx context.Context) (pipeline.Office, error) {
	st, err := tx.SettingsGet(ctx)
	if err != nil {
		return pipeline.Office{}, err
	}
	return OfficeOf(st), nil
}

// OfficeOf turns the settings row into the pipeline's deadline inputs.
func OfficeOf(st db.Setting) pipeline.Office {
	loc, err := time.LoadLocation(st.Timezone)
	if err != nil {
		loc = time.UTC
	}
	return pipeline.Office{Loc: loc, WorkdayEndMin: int(st.WorkdayEndMin), Days: map[pipeline.Stage]int{
		1: int(st.DeadlineDays1), 2: int(st.DeadlineDays2), 4: int(st.DeadlineDays4), 5: int(st.DeadlineDays5),
		6: int(st.DeadlineDays6), 7: int(st.DeadlineDays7), 9: int(st.DeadlineDays9),
	}}
}

// SlotUser is the card's person for a stage's slot.
func SlotUser(c db.Card, slot pipeline.Slot) int64 {
	switch slot {
	case pipeline.Warmer:
		return c.WarmerID
	case pipeline.Accountant:
		return c.AccountantID
	}
	return c.ManagerID
}

// Responsible tells whether the user is one of the card's people.
func Responsible(c db.Card, userID int64) bool {
	return c.WarmerID == userID || c.ManagerID == userID || c.AccountantID == userID
}

// checkPeople refuses people and references that may not be put on a card: each
// slot needs an active user of that role, unless it is the one already there.
func (tx *Tx) checkPeople(ctx context.Context, in CardInput, old *db.Card) error {
	slots := []struct {
		field, role string
		id, was     int64
	}{{"warmer_id", "warmer", in.WarmerID, 0}, {"manager_id", "manager", in.ManagerID, 0}, {"accountant_id", "accountant", in.AccountantID, 0}}
	if old != nil {
		slots[0].was, slots[1].was, slots[2].was = old.WarmerID, old.ManagerID, old.AccountantID
	}
	for _, s := range slots {
		u, err := tx.UserGet(ctx, s.id)
		if err != nil || u.Role != s.role || (u.Active != 1 && u.ID != s.was) {
			return &FieldError{s.field, "Выберите сотрудника из списка"}
		}
	}
	b, err := tx.BankGet(ctx, in.BankID)
	if err != nil || (b.Active != 1 && (old == nil || old.BankID != b.ID)) {
		return &FieldError{"bank_id", "Выберите банк из списка"}
	}
	sp, err := tx.ContractorGet(ctx, in.SupplierID)
	if err != nil || (sp.Active != 1 && (old == nil || old.SupplierID != sp.ID)) {
		return &FieldError{"supplier_id", "Выберите поставщика из списка"}
	}
	n, err := tx.CardNumberTaken(ctx, db.CardNumberTakenParams{Number: in.Number, ID: idOr0(old)})
	if err != nil {
		return err
	}
	if n > 0 {
		return &FieldError{"number", "Карта с таким номером уже есть среди неархивных"}
	}
	return nil
}

func idOr0(c *db.Card) int64 {
	if c == nil {
		return 0
	}
	return c.ID
}

func last4(n string) string {
	if len(n) < 4 {
		return n
	}
	return n[len(n)-4:]
}

// CreateCard registers a new card («Новые карты»).
func (s *Store) CreateCard(ctx context.Context, a Actor, in CardInput) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx *Tx) error {
		if err := tx.checkPeople(ctx, in, nil); err != nil {
			return err
		}
		var err error
		id, err = tx.CardCreate(ctx, db.CardCreateParams{Number: in.Number, Last4: last4(in.Number), BankID: in.BankID,
			SupplierID: in.SupplierID, ContactName: in.ContactName, ContactPhone: in.ContactPhone, WarmerID: in.WarmerID,
			ManagerID: in.ManagerID, AccountantID: in.AccountantID, CommissionRate: in.Rate, WarmingDays: in.WarmingDays,
			WarmingEveryDays: in.WarmingEveryDays, Notes: in.Notes, CreatedBy: &a.ID, Now: tx.Now})
		if isUnique(err) {
			return &FieldError{"number", "Карта с таким номером уже есть среди неархивных"}
		}
		if err != nil {
			return fmt.Errorf("create card: %w", err)
		}
		if err := tx.event(ctx, id, a.ID, "created", nil, nil, ""); err != nil {
			return err
		}
		return tx.Audit(a.ID, "card", id, "create", nil, in)
	})
	return id, err
}

// UpdateCard edits a card if nobody changed it since version; open tasks follow
// a changed responsible.
func (s *Store) UpdateCard(ctx context.Context, a Actor, id, version int64, in CardInput) error {
	return s.InTx(ctx, func(tx *Tx) error {
		old, err := tx.CardGet(ctx, id)
		if err != nil {
			return notFound(err)
		}
		if old.Lifecycle == "archived" {
			return ErrConflict
		}
		if old.Version != version {
			return ErrConflict
		}
		if err := tx.checkPeople(ctx, in, &old); err != nil {
			return err
		}
		n, err := tx.CardUpdate(ctx, db.CardUpdateParams{Number: in.Number, Last4: last4(in.Number), BankID: in.BankID,
			SupplierID: in.SupplierID, ContactName: in.ContactName, ContactPhone: in.ContactPhone, WarmerID: in.WarmerID,
			ManagerID: in.ManagerID, AccountantID: in.AccountantID, CommissionRate: in.Rate, WarmingDays: in.WarmingDays,
			WarmingEveryDays: in.WarmingEveryDays, Notes: in.Notes, Now: tx.Now, ID: id, Version: version})
		if isUnique(err) {
			return &FieldError{"number", "Карта с таким номером уже есть среди неархивных"}
		}
		if err != nil {
			return fmt.Errorf("update card %d: %w", id, err)
		}
		if n == 0 {
			return ErrConflict
		}
		nc := old
		nc.WarmerID, nc.ManagerID, nc.AccountantID = in.WarmerID, in.ManagerID, in.AccountantID
		if err := tx.followPeople(ctx, nc); err != nil {
			return err
		}
		return tx.Audit(a.ID, "card", id, "update", cardAudit(old), in)
	})
}

// followPeople reassigns the card's open tasks to the person now in their slot.
func (tx *Tx) followPeople(ctx context.Context, c db.Card) error {
	open, err := tx.AutoTaskListOpenCard(ctx, c.ID)
	if err != nil {
		return err
	}
	for _, t := range open {
		d, _ := pipeline.Get(pipeline.Stage(t.Stage))
		if t.Kind == "warming" {
			d.Slot = pipeline.Warmer
		}
		if want := SlotUser(c, d.Slot); want != t.AssigneeID {
			if err := tx.AutoTaskSetAssignee(ctx, db.AutoTaskSetAssigneeParams{AssigneeID: want, ID: t.ID}); err != nil {
				return err
			}
		}
	}
	return nil
}

func cardAudit(c db.Card) map[string]any {
	return map[string]any{"number": c.Number, "bank_id": c.BankID, "supplier_id": c.SupplierID, "contact_name": c.ContactName,
		"contact_phone": c.ContactPhone, "warmer_id": c.WarmerID, "manager_id": c.ManagerID, "accountant_id": c.AccountantID,
		"commission_rate": c.CommissionRate, "warming_days": c.WarmingDays, "warming_every_days": c.WarmingEveryDays,
		"notes": c.Notes, "lifecycle": c.Lifecycle, "stage": c.Stage, "version": c.Version}
}

func (tx *Tx) event(ctx context.Context, card, user int64, kind string, from, to *int64, text string) error {
	var uid *int64
	if user != 0 {
		uid = &user
	}
	return tx.CardEventAdd(ctx, db.CardEventAddParams{CardID: card, At: tx.Now, UserID: uid, Kind: kind,
		FromStage: from, ToStage: to, Text: text})
}

// enter moves the card into stage st and opens its task for the slot's person.
func (tx *Tx) enter(ctx context.Context, c db.Card, st pipeline.Stage) (db.Card, error) {
	office, err := tx.Office(ctx)
	if err != nil {
		return c, err
	}
	stage := int64(st)
	n, err := tx.CardMove(ctx, db.CardMoveParams{Lifecycle: "in_work", Stage: &stage, StageEnteredAt: &tx.Now,
		Now: tx.Now, ID: c.ID, Version: c.Version})
	if err != nil {
		return c, fmt.Errorf("move card %d to stage %d: %w", c.ID, st, err)
	}
	if n == 0 {
		return c, ErrConflict
	}
	d, _ := pipeline.Get(st)
	_, err = tx.AutoTaskCreate(ctx, db.AutoTaskCreateParams{CardID: c.ID, Stage: stage, Kind: "stage",
		AssigneeID: SlotUser(c, d.Slot), Deadline: office.Deadline(st, tx.Now, int(c.WarmingDays)), Now: tx.Now})
	if err != nil {
		return c, fmt.Errorf("open task of stage %d for card %d: %w", st, c.ID, err)
	}
	c.Lifecycle, c.Stage, c.Version = "in_work", &stage, c.Version+1
	return c, nil
}

// StartCard puts a new card into stage 1 («Запустить»).
func (s *Store) StartCard(ctx context.Context, a Actor, id, version int64) error {
	return s.InTx(ctx, func(tx *Tx) error {
		c, err := tx.CardGet(ctx, id)
		if err != nil {
			return notFound(err)
		}
		if c.Lifecycle != "new" || c.Version != version {
			return ErrConflict
		}
		if _, err := tx.enter(ctx, c, pipeline.First); err != nil {
			return err
		}
		one := int64(1)
		if err := tx.event(ctx, id, a.ID, "started", nil, &one, ""); err != nil {
			return err
		}
		return tx.Audit(a.ID, "card", id, "start", map[string]any{"lifecycle": "new"}, map[string]any{"lifecycle": "in_work", "stage": 1})
	})
}

// ArchiveCards moves worked-out cards to the archive; it returns how many moved.
func (s *Store) ArchiveCards(ctx context.Context, a Actor, ids []int64) (int, error) {
	if !a.Privileged {
		return 0, ErrForbidden
	}
	moved := 0
	err := s.InTx(ctx, func(tx *Tx) error {
		for _, id := range ids {
			n, err := tx.CardArchive(ctx, db.CardArchiveParams{Now: tx.Now, ID: id})
			if err != nil {
				return fmt.Errorf("archive card %d: %w", id, err)
			}
			if n == 0 {
				continue
			}
			moved++
			if err := tx.event(ctx, id, a.ID, "archived", nil, nil, ""); err != nil {
				return err
			}
			if err := tx.Audit(a.ID, "card", id, "archive", map[string]any{"lifecycle": "worked_out"}, map[string]any{"lifecycle": "archived"}); err != nil {
				return err
			}
		}
		return nil
	})
	return moved, err
}

// StageInput is a submitted completion modal.
type StageInput struct {
	CardID, Version int64
	Actor           Actor
	Values          map[string]string
}

// Outcome says what a completion did, for the page and the live notice.
type Outcome struct {
	From     pipeline.Stage
	To       pipeline.Stage // 0 when the card is worked out
	Rolled   bool           // stage 8 «Нет»: the deadline moved, the card stayed
	Deadline time.Time      // the rolled deadline
}

// failAfterWrite lets a test force a failure in the middle of a completion.
var failAfterWrite func(step string) error

// CompleteStage records a stage's form on its task, closes it, moves the card and
// opens the next task, in one transaction. A stale version is ErrConflict; a bad
// form is *ValidationError; someone else's task is ErrForbidden.
func (s *Store) CompleteStage(ctx context.Context, in StageInput) (Outcome, error) {
	var out Outcome
	err := s.InTx(ctx, func(tx *Tx) error {
		c, err := tx.CardGet(ctx, in.CardID)
		if err != nil {
			return notFound(err)
		}
		if !in.Actor.Privileged && !Responsible(c, in.Actor.ID) {
			return ErrForbidden // not this card's person at all, whatever the version
		}
		if c.Lifecycle != "in_work" || c.Stage == nil || c.Version != in.Version {
			return ErrConflict
		}
		task, err := tx.AutoTaskOpenStage(ctx, c.ID)
		if err != nil {
			return fmt.Errorf("open task of card %d: %w", c.ID, notFound(err))
		}
		if !in.Actor.Privileged && task.AssigneeID != in.Actor.ID {
			return ErrForbidden
		}
		st := pipeline.Stage(*c.Stage)
		out.From = st
		pctx, err := tx.stageContext(ctx, c, in.Actor)
		if err != nil {
			return err
		}
		vals, errs := pipeline.Validate(st, in.Values, pctx)
		if errs != nil {
			return &ValidationError{errs}
		}
		if st == pipeline.BankWait && vals["answered"] == "no" {
			return tx.bankNoAnswer(ctx, c, task, in.Actor, vals, &out)
		}
		fields, _ := json.Marshal(vals)
		n, err := tx.AutoTaskComplete(ctx, db.AutoTaskCompleteParams{Fields: string(fields), Now: &tx.Now, DoneBy: &in.Actor.ID, ID: task.ID})
		if err != nil || n == 0 {
			return fmt.Errorf("close task %d: %w", task.ID, errors.Join(err, ErrConflict))
		}
		if failAfterWrite != nil {
			if err := failAfterWrite("task closed"); err != nil {
				return err
			}
		}
		// Leftover open tasks of the card (the scheduler's warming tasks) end with the stage.
		if err := tx.AutoTaskCancelOpen(ctx, db.AutoTaskCancelOpenParams{Now: &tx.Now, DoneBy: &in.Actor.ID, CardID: c.ID}); err != nil {
			return err
		}
		if st == pipeline.WarmupTopup {
			c.WarmingDays, c.WarmingEveryDays = atoi64(vals["warming_days"]), atoi64(vals["warming_every_days"])
			if err := tx.CardSetWarming(ctx, db.CardSetWarmingParams{WarmingDays: c.WarmingDays, WarmingEveryDays: c.WarmingEveryDays, ID: c.ID}); err != nil {
				return err
			}
		}
		next, done := pipeline.Next(st)
		if done {
			n, err := tx.CardMove(ctx, db.CardMoveParams{Lifecycle: "worked_out", Now: tx.Now, ID: c.ID, Version: c.Version})
			if err != nil || n == 0 {
				return fmt.Errorf("finish card %d: %w", c.ID, errors.Join(err, ErrConflict))
			}
			if err := tx.event(ctx, c.ID, in.Actor.ID, "worked_out", c.Stage, nil, ""); err != nil {
				return err
			}
		} else if _, err := tx.enter(ctx, c, next); err != nil {
			return err
		}
		out.To = next
		return tx.Audit(in.Actor.ID, "card", c.ID, fmt.Sprintf("stage %d done", st),
			map[string]any{"stage": st, "version": c.Version}, map[string]any{"stage": next, "values": vals})
	})
	return out, err
}

// stageContext gathers what the stage's validation needs from the database.
func (tx *Tx) stageContext(ctx context.Context, c db.Card, a Actor) (pipeline.Context, error) {
	office, err := tx.Office(ctx)
	if err != nil {
		return pipeline.Context{}, err
	}
	pc := pipeline.Context{Today: office.Today(tx.Now), Privileged: a.Privileged}
	if c.StageEnteredAt != nil {
		ends := office.WarmingEnds(*c.StageEnteredAt, int(c.WarmingDays))
		pc.WarmingEnded = !tx.Now.Before(ends)
		pc.WarmingEnds = ends.In(office.Loc).Format(pipeline.DateLayout)
	}
	rows, err := tx.TransactionList(ctx, c.ID)
	if err != nil {
		return pc, err
	}
	pc.Transactions = len(rows)
	pc.Profit = Totals(rows).Net
	return pc, nil
}

// Totals are the card's money figures from its transactions (one rule: money.Sum).
func Totals(rows []db.Transaction) money.Totals {
	lines := make([]money.Line, len(rows))
	for i, r := range rows {
		lines[i] = money.Line{Amount: r.Amount, Rate: r.CommissionRate}
	}
	return money.Sum(lines)
}

// bankNoAnswer records «Ответа нет»: the deadline moves to the end of the next day.
func (tx *Tx) bankNoAnswer(ctx context.Context, c db.Card, t db.AutoTask, a Actor, vals pipeline.Values, out *Outcome) error {
	office, err := tx.Office(ctx)
	if err != nil {
		return err
	}
	dl := office.BankNoAnswerDeadline(tx.Now)
	if err := tx.AutoTaskRoll(ctx, db.AutoTaskRollParams{Deadline: dl, ID: t.ID}); err != nil {
		return err
	}
	n, err := tx.CardBumpVersion(ctx, db.CardBumpVersionParams{Now: tx.Now, ID: c.ID, Version: c.Version})
	if err != nil || n == 0 {
		return errors.Join(err, ErrConflict)
	}
	text := "Ответа нет, дедлайн перенесён на " + dl.In(office.Loc).Format("02.01.2006")
	if vals["comment"] != "" {
		text += ". " + vals["comment"]
	}
	if err := tx.event(ctx, c.ID, a.ID, "bank_no", c.Stage, c.Stage, text); err != nil {
		return err
	}
	out.Rolled, out.To, out.Deadline = true, pipeline.BankWait, dl
	return tx.Audit(a.ID, "card", c.ID, "bank no answer", map[string]any{"deadline": t.Deadline}, map[string]any{"deadline": dl})
}

func atoi64(s string) int64 {
	var n int64
	fmt.Sscan(s, &n)
	return n
}

// Correction kinds (owner/admin): back one stage, jump to a stage, close early.
const (
	CorrectBack  = "back"
	CorrectJump  = "jump"
	CorrectClose = "close"
)

// CorrectStage moves a card by hand with a required reason, shown in the timeline.
func (s *Store) CorrectStage(ctx context.Context, a Actor, id, version int64, kind string, target pipeline.Stage, reason string) error {
	if !a.Privileged {
		return ErrForbidden
	}
	reason = strings.TrimSpace(reason)
	return s.InTx(ctx, func(tx *Tx) error {
		c, err := tx.CardGet(ctx, id)
		if err != nil {
			return notFound(err)
		}
		if c.Lifecycle != "in_work" || c.Stage == nil || c.Version != version {
			return ErrConflict
		}
		cur := pipeline.Stage(*c.Stage)
		errs := pipeline.Errors{}
		switch kind {
		case CorrectBack:
			target = cur - 1
			if target < pipeline.First {
				errs["target"] = "Карта уже на первом этапе"
			}
		case CorrectJump:
			if !target.Valid() || target == cur {
				errs["target"] = "Выберите другой этап"
			}
		case CorrectClose:
			if (target != pipeline.BankApplication && target != pipeline.ReturnToSupplier) || target <= cur {
				errs["target"] = "Досрочно можно перейти только вперёд: на этап 7 или 9"
			}
		default:
			errs["target"] = "Неизвестное действие"
		}
		if len([]rune(reason)) < 3 {
			errs["reason"] = "Укажите причину"
		}
		if len(errs) > 0 {
			return &ValidationError{errs}
		}
		if err := tx.AutoTaskCancelOpen(ctx, db.AutoTaskCancelOpenParams{Now: &tx.Now, DoneBy: &a.ID, CardID: c.ID}); err != nil {
			return err
		}
		if _, err := tx.enter(ctx, c, target); err != nil {
			return err
		}
		to := int64(target)
		if err := tx.event(ctx, c.ID, a.ID, kind, c.Stage, &to, reason); err != nil {
			return err
		}
		return tx.Audit(a.ID, "card", c.ID, "correct "+kind, map[string]any{"stage": cur}, map[string]any{"stage": target, "reason": reason})
	})
}

// TakeTask marks the card's open task «В работе» (its responsible, owner or admin).
func (s *Store) TakeTask(ctx context.Context, a Actor, cardID int64) error {
	return s.InTx(ctx, func(tx *Tx) error {
		t, err := tx.AutoTaskOpenStage(ctx, cardID)
		if err != nil {
			return notFound(err)
		}
		if !a.Privileged && t.AssigneeID != a.ID {
			return ErrForbidden
		}
		n, err := tx.AutoTaskStart(ctx, db.AutoTaskStartParams{Now: &tx.Now, ID: t.ID})
		if err != nil || n == 0 {
			return err // already in progress: nothing to record
		}
		return tx.Audit(a.ID, "task", t.ID, "take", map[string]any{"status": t.Status}, map[string]any{"status": "in_progress"})
	})
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
		if _, err := tx.txCard(ctx, cardID, a); err != nil {
			return err
		}
		t := money.LineTotals(money.Line{Amount: in.Amount, Rate: in.Rate})
		var err error
		id, err = tx.TransactionAdd(ctx, db.TransactionAddParams{CardID: cardID, OccurredOn: in.OccurredOn, Amount: in.Amount,
			CommissionRate: in.Rate, Commission: t.Commission, Net: t.Net, Comment: in.Comment, CreatedBy: &a.ID, Now: tx.Now})
		if err != nil {
			return fmt.Errorf("add transaction to card %d: %w", cardID, err)
		}
		return tx.Audit(a.ID, "transaction", id, "create", nil, map[string]any{"card_id": cardID, "occurred_on": in.OccurredOn,
			"amount": in.Amount, "commission_rate": in.Rate, "commission": t.Commission, "net": t.Net, "comment": in.Comment})
	})
	return id, err
}

// DeleteTransaction removes one transaction row (stage 6 only).
func (s *Store) DeleteTransaction(ctx context.Context, a Actor, cardID, txID int64) error {
	return s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.txCard(ctx, cardID, a); err != nil {
			return err
		}
		old, err := tx.TransactionGet(ctx, txID)
		if err != nil || old.CardID != cardID {
			return ErrNotFound
		}
		if _, err := tx.TransactionDelete(ctx, db.TransactionDeleteParams{ID: txID, CardID: cardID}); err != nil {
			return err
		}
		return tx.Audit(a.ID, "transaction", txID, "delete", old, nil)
	})
}
