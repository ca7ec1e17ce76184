package store

import (
	"context"
	"fmt"
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
		return tx.Audit(a.ID, "card", id, "create", nil, in.audit())
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
		moved := old.BankID != in.BankID || old.SupplierID != in.SupplierID || old.ManagerID != in.ManagerID
		if moved { // the card's money leaves its old bank, supplier and manager in the report
			if err := tx.rollCard(ctx, old, -1); err != nil {
				return err
			}
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
		nc.BankID, nc.SupplierID = in.BankID, in.SupplierID
		if moved {
			if err := tx.rollCard(ctx, nc, 1); err != nil {
				return err
			}
		}
		if err := tx.followPeople(ctx, nc); err != nil {
			return err
		}
		return tx.Audit(a.ID, "card", id, "update", cardAudit(old), in.audit())
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
			if err := tx.reassignEntered(ctx, t, want); err != nil {
				return err
			}
		}
	}
	return nil
}

// cardAudit is what the change log keeps of a card's editable fields, under the
// same keys as CardInput.audit, so an edit shows only what changed.
func cardAudit(c db.Card) map[string]any {
	return CardInput{Number: c.Number, ContactName: c.ContactName, ContactPhone: c.ContactPhone, Notes: c.Notes,
		BankID: c.BankID, SupplierID: c.SupplierID, WarmerID: c.WarmerID, ManagerID: c.ManagerID,
		AccountantID: c.AccountantID, Rate: c.CommissionRate, WarmingDays: c.WarmingDays,
		WarmingEveryDays: c.WarmingEveryDays}.audit()
}

func (in CardInput) audit() map[string]any {
	return map[string]any{"number": in.Number, "bank_id": in.BankID, "supplier_id": in.SupplierID, "contact_name": in.ContactName,
		"contact_phone": in.ContactPhone, "warmer_id": in.WarmerID, "manager_id": in.ManagerID, "accountant_id": in.AccountantID,
		"commission_rate": in.Rate, "warming_days": in.WarmingDays, "warming_every_days": in.WarmingEveryDays, "notes": in.Notes}
}

func (tx *Tx) event(ctx context.Context, card, user int64, kind string, from, to *int64, text string) error {
	var uid *int64
	if user != 0 {
		uid = &user
	}
	return tx.CardEventAdd(ctx, db.CardEventAddParams{CardID: card, At: tx.Now, UserID: uid, Kind: kind,
		FromStage: from, ToStage: to, Text: text})
}

// enter moves the card into stage st and opens its task for the slot's person;
// entering stage 3 also opens the first warming day's task (by: who moved it).
func (tx *Tx) enter(ctx context.Context, c db.Card, st pipeline.Stage, by int64) (db.Card, error) {
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
	tid, err := tx.AutoTaskCreate(ctx, db.AutoTaskCreateParams{CardID: c.ID, Stage: stage, Kind: "stage",
		AssigneeID: SlotUser(c, d.Slot), Deadline: office.Deadline(st, tx.Now, int(c.WarmingDays)), Now: tx.Now})
	if err != nil {
		return c, fmt.Errorf("open task of stage %d for card %d: %w", st, c.ID, err)
	}
	if err := tx.rollTaskEntered(ctx, tid); err != nil {
		return c, err
	}
	c.Lifecycle, c.Stage, c.Version, c.StageEnteredAt = "in_work", &stage, c.Version+1, &tx.Now
	if st == pipeline.Warming {
		if _, err := tx.warmingDue(ctx, office, c, by); err != nil {
			return c, err
		}
	}
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
		if _, err := tx.enter(ctx, c, pipeline.First, a.ID); err != nil {
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
