package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"kartoteka/app/pipeline"
	"kartoteka/store/db"
)

// RollBankWaits moves every open stage-8 task whose deadline has passed to the
// end of today, counts the roll and notes it in the card's history. Running it
// again the same day changes nothing (the deadlines are no longer past).
func (s *Store) RollBankWaits(ctx context.Context) (int, error) {
	n := 0
	err := s.InTx(ctx, func(tx *Tx) error {
		office, err := tx.Office(ctx)
		if err != nil {
			return err
		}
		tasks, err := tx.AutoTaskBankOverdue(ctx, tx.Now)
		if err != nil {
			return err
		}
		dl := office.EndOfDay(tx.Now, 0)
		for _, t := range tasks {
			if !t.Deadline.Before(dl) {
				continue
			}
			if err := tx.AutoTaskRoll(ctx, db.AutoTaskRollParams{Deadline: dl, ID: t.ID}); err != nil {
				return err
			}
			stage := int64(pipeline.BankWait)
			text := "Ответа нет, дедлайн перенесён на " + dl.In(office.Loc).Format("02.01.2006")
			if err := tx.event(ctx, t.CardID, 0, "bank_roll", &stage, &stage, text); err != nil {
				return err
			}
			if err := tx.Audit(0, "task", t.ID, "roll", map[string]any{"deadline": t.Deadline}, map[string]any{"deadline": dl}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// CreateWarmingTasks gives every card in stage 3 its warming task for the latest
// due day («Прогрев карты № N», for the warmer, deadline end of that day). A day
// that already has its task is skipped, so running twice — or catching up after
// a stop — creates each due task once.
func (s *Store) CreateWarmingTasks(ctx context.Context) (int, error) {
	n := 0
	err := s.InTx(ctx, func(tx *Tx) error {
		office, err := tx.Office(ctx)
		if err != nil {
			return err
		}
		stage := int64(pipeline.Warming)
		cards, err := tx.CardListInStage(ctx, &stage)
		if err != nil {
			return err
		}
		for _, c := range cards {
			made, err := tx.warmingDue(ctx, office, c, 0)
			if err != nil {
				return err
			}
			if made {
				n++
			}
		}
		return nil
	})
	return n, err
}

// warmingDue opens the card's warming task for the day due now («Прогрев карты
// № N», for the warmer, deadline end of that day) unless that day has one (open
// or done). The scheduler makes them through it, and so does a card entering
// stage 3 (its first day's task at once, in the same transaction): one day never
// gets two. by is who caused it (0: the scheduler).
func (tx *Tx) warmingDue(ctx context.Context, office pipeline.Office, c db.Card, by int64) (bool, error) {
	if c.StageEnteredAt == nil {
		return false, nil
	}
	day, ok := office.WarmingDue(*c.StageEnteredAt, tx.Now, int(c.WarmingDays), int(c.WarmingEveryDays))
	if !ok {
		return false, nil
	}
	dl := office.EndOfDay(day, 0)
	exists, err := tx.AutoTaskWarmingExists(ctx, db.AutoTaskWarmingExistsParams{CardID: c.ID, Deadline: dl})
	if err != nil || exists > 0 {
		return false, err
	}
	id, err := tx.AutoTaskCreate(ctx, db.AutoTaskCreateParams{CardID: c.ID, Stage: int64(pipeline.Warming),
		Kind: "warming", AssigneeID: c.WarmerID, Deadline: dl, Now: tx.Now})
	if err != nil {
		return false, fmt.Errorf("warming task for card %d: %w", c.ID, err)
	}
	return true, tx.Audit(by, "task", id, "create", nil, map[string]any{"card_id": c.ID, "kind": "warming", "deadline": dl})
}

// CompleteWarmingTask records what the warmer did («Что сделано») and closes the task.
func (s *Store) CompleteWarmingTask(ctx context.Context, a Actor, taskID int64, note string) (db.AutoTask, error) {
	var t db.AutoTask
	err := s.InTx(ctx, func(tx *Tx) error {
		var err error
		t, err = tx.AutoTaskGet(ctx, taskID)
		if err != nil || t.Kind != "warming" {
			return ErrNotFound
		}
		if !a.Privileged && t.AssigneeID != a.ID {
			return ErrForbidden
		}
		if t.Status != "new" && t.Status != "in_progress" {
			return ErrConflict
		}
		note = strings.TrimSpace(note)
		if note == "" {
			return &ValidationError{pipeline.Errors{"note": "Опишите, что сделано"}}
		}
		if len([]rune(note)) > 4000 {
			return &ValidationError{pipeline.Errors{"note": "Не больше 4000 символов"}}
		}
		fields, _ := json.Marshal(map[string]string{pipeline.WarmingNote.Name: note})
		if n, err := tx.AutoTaskComplete(ctx, db.AutoTaskCompleteParams{Fields: string(fields), Now: &tx.Now, DoneBy: &a.ID, ID: t.ID}); err != nil || n == 0 {
			return fmt.Errorf("close warming task %d: %w", t.ID, err)
		}
		return tx.Audit(a.ID, "task", t.ID, "warming done", nil, map[string]any{"note": note})
	})
	return t, err
}

// sinceRoll tells whether the bank-roll time of today has passed (for the catch-up at start).
func sinceRoll(office pipeline.Office, rollMin int, now time.Time) bool {
	return !now.Before(office.Day(now).Add(time.Duration(rollMin) * time.Minute))
}

// CatchUp does what is due now: the bank roll (once the day's roll time has come)
// and the warming tasks. Both are idempotent, so it runs at start — doing what was
// missed while the binary was stopped, once — and every few minutes after.
func (s *Store) CatchUp(ctx context.Context) (rolled, warming int, err error) {
	set, err := s.Q.SettingsGet(ctx)
	if err != nil {
		return 0, 0, err
	}
	if sinceRoll(OfficeOf(set), int(set.BankRollMin), s.Now()) {
		if rolled, err = s.RollBankWaits(ctx); err != nil {
			return
		}
	}
	warming, err = s.CreateWarmingTasks(ctx)
	return
}
