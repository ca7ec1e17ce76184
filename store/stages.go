package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kartoteka/app/pipeline"
	"kartoteka/store/db"
)

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
		out.To, err = tx.closeStage(ctx, c, task, in.Actor, vals)
		return err
	})
	return out, err
}

// closeStage records the form on the task, closes it, and moves the card on:
// into the next stage with its task, or out of the pipeline after stage 9.
func (tx *Tx) closeStage(ctx context.Context, c db.Card, task db.AutoTask, a Actor, vals pipeline.Values) (pipeline.Stage, error) {
	st := pipeline.Stage(*c.Stage)
	fields, _ := json.Marshal(vals)
	n, err := tx.AutoTaskComplete(ctx, db.AutoTaskCompleteParams{Fields: string(fields), Now: &tx.Now, DoneBy: &a.ID, ID: task.ID})
	if err != nil || n == 0 {
		return 0, fmt.Errorf("close task %d: %w", task.ID, errors.Join(err, ErrConflict))
	}
	if err := tx.rollTaskLeft(ctx, task.ID); err != nil {
		return 0, err
	}
	if failAfterWrite != nil {
		if err := failAfterWrite("task closed"); err != nil {
			return 0, err
		}
	}
	// Leftover open tasks of the card (the scheduler's warming tasks) end with the stage.
	if err := tx.cancelOpen(ctx, c.ID, a.ID); err != nil {
		return 0, err
	}
	if st == pipeline.BankWait && vals["answered"] == "yes" {
		if err := tx.confirm(ctx, c, task.ID, vals["answered_on"], atoi64(vals["confirmed_amount"])); err != nil {
			return 0, err
		}
	}
	if st == pipeline.WarmupTopup {
		c.WarmingDays, c.WarmingEveryDays = atoi64(vals["warming_days"]), atoi64(vals["warming_every_days"])
		if err := tx.CardSetWarming(ctx, db.CardSetWarmingParams{WarmingDays: c.WarmingDays, WarmingEveryDays: c.WarmingEveryDays, ID: c.ID}); err != nil {
			return 0, err
		}
	}
	next, done := pipeline.Next(st)
	if done {
		n, err := tx.CardMove(ctx, db.CardMoveParams{Lifecycle: "worked_out", Now: tx.Now, ID: c.ID, Version: c.Version})
		if err != nil || n == 0 {
			return 0, fmt.Errorf("finish card %d: %w", c.ID, errors.Join(err, ErrConflict))
		}
		if err := tx.event(ctx, c.ID, a.ID, "worked_out", c.Stage, nil, ""); err != nil {
			return 0, err
		}
	} else if _, err := tx.enter(ctx, c, next, a.ID); err != nil {
		return 0, err
	}
	return next, tx.Audit(a.ID, "card", c.ID, fmt.Sprintf("stage %d done", st),
		map[string]any{"stage": st, "version": c.Version}, map[string]any{"stage": next, "values": vals})
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

// atoi64 reads a number the stage's validation already normalised.
func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
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
		if err := tx.cancelOpen(ctx, c.ID, a.ID); err != nil {
			return err
		}
		if target <= pipeline.BankWait { // back to the bank's answer or earlier: the answer no longer stands
			if err := tx.unconfirm(ctx, c); err != nil {
				return err
			}
		}
		if _, err := tx.enter(ctx, c, target, a.ID); err != nil {
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
