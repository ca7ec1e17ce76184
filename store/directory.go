package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"kartoteka/app/money"
	"kartoteka/store/db"
)

// FieldError is a refusal that belongs next to one form field (a taken login, the last owner).
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// ErrSetupDone refuses a second first owner.
var ErrSetupDone = errors.New("setup already done")

func isUnique(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// UserInput is an employee as the owner types it.
type UserInput struct {
	Login, Name, Role, Phone string
	Seen                     string // SeenUser of the row the edit form showed ("": not checked)
}

// auditUser is what the change log keeps of a user: never the password hash.
func auditUser(u db.User) map[string]any {
	return map[string]any{"login": u.Login, "name": u.Name, "role": u.Role, "phone": u.Phone, "active": u.Active == 1}
}

// CreateFirstOwner creates the first owner of an empty database.
func (s *Store) CreateFirstOwner(ctx context.Context, in UserInput, hash string) (db.User, error) {
	var u db.User
	err := s.InTx(ctx, func(tx *Tx) error {
		n, err := tx.UserCount(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return ErrSetupDone
		}
		in.Role = "owner"
		u, err = tx.createUser(0, in, hash)
		return err
	})
	return u, err
}

// CreateUser adds an employee.
func (s *Store) CreateUser(ctx context.Context, actor int64, in UserInput, hash string) (db.User, error) {
	var u db.User
	err := s.InTx(ctx, func(tx *Tx) (err error) {
		u, err = tx.createUser(actor, in, hash)
		return err
	})
	return u, err
}

func (tx *Tx) createUser(actor int64, in UserInput, hash string) (db.User, error) {
	u, err := tx.UserCreate(tx.ctx(), db.UserCreateParams{Login: in.Login, Name: in.Name, Role: in.Role,
		Phone: in.Phone, PasswordHash: hash, Now: tx.Now})
	if isUnique(err) {
		return u, &FieldError{"login", "Этот логин уже занят"}
	}
	if err != nil {
		return u, fmt.Errorf("create user %q: %w", in.Login, err)
	}
	if actor == 0 {
		actor = u.ID
	}
	return u, tx.Audit(actor, "user", u.ID, "create", nil, auditUser(u))
}

// UpdateUser edits an employee; the last active owner cannot be demoted.
func (s *Store) UpdateUser(ctx context.Context, actor, id int64, in UserInput) error {
	defer s.forgetSessions() // after the commit: sessions show the person as now
	return s.InTx(ctx, func(tx *Tx) error {
		old, err := tx.UserGet(ctx, id)
		if err != nil {
			return notFound(err)
		}
		if err := checkSeen(in.Seen, SeenUser(old)); err != nil {
			return err
		}
		if old.Role == "owner" && in.Role != "owner" && old.Active == 1 {
			if err := tx.keepOneOwner(ctx); err != nil {
				return &FieldError{"role", "Нельзя сменить роль последнего активного владельца"}
			}
		}
		err = tx.UserUpdate(ctx, db.UserUpdateParams{Login: in.Login, Name: in.Name, Role: in.Role, Phone: in.Phone, Now: tx.Now, ID: id})
		if isUnique(err) {
			return &FieldError{"login", "Этот логин уже занят"}
		}
		if err != nil {
			return fmt.Errorf("update user %d: %w", id, err)
		}
		if old.Role != in.Role {
			// A new role means new rights: sign the user in again.
			if err := tx.SessionDeleteUser(ctx, id); err != nil {
				return err
			}
		}
		nu := old
		nu.Login, nu.Name, nu.Role, nu.Phone = in.Login, in.Name, in.Role, in.Phone
		return tx.Audit(actor, "user", id, "update", auditUser(old), auditUser(nu))
	})
}

func (tx *Tx) keepOneOwner(ctx context.Context) error {
	n, err := tx.UserCountActiveOwners(ctx)
	if err != nil {
		return err
	}
	if n <= 1 {
		return errors.New("last owner")
	}
	return nil
}

// SetUserActive activates or deactivates an employee; deactivation ends their sessions at once.
func (s *Store) SetUserActive(ctx context.Context, actor, id int64, active bool) error {
	defer s.forgetSessions() // after the commit: sessions show the person as now
	return s.InTx(ctx, func(tx *Tx) error {
		old, err := tx.UserGet(ctx, id)
		if err != nil {
			return notFound(err)
		}
		if !active && old.Role == "owner" && old.Active == 1 {
			if err := tx.keepOneOwner(ctx); err != nil {
				return &FieldError{"active", "Нельзя отключить последнего активного владельца"}
			}
		}
		if err := tx.UserSetActive(ctx, db.UserSetActiveParams{Active: b2i(active), Now: tx.Now, ID: id}); err != nil {
			return err
		}
		if !active {
			if err := tx.SessionDeleteUser(ctx, id); err != nil {
				return err
			}
		}
		return tx.Audit(actor, "user", id, actionActive(active), map[string]any{"active": old.Active == 1}, map[string]any{"active": active})
	})
}

// SetPassword stores a new password hash and ends the user's other sessions (keep may be "").
func (s *Store) SetPassword(ctx context.Context, actor, id int64, hash, keep string) error {
	defer s.forgetSessions() // after the commit: sessions show the person as now
	return s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.UserGet(ctx, id); err != nil {
			return notFound(err)
		}
		if err := tx.UserSetPassword(ctx, db.UserSetPasswordParams{PasswordHash: hash, Now: tx.Now, ID: id}); err != nil {
			return err
		}
		if err := tx.SessionDeleteUserExcept(ctx, db.SessionDeleteUserExceptParams{UserID: id, TokenHash: keep}); err != nil {
			return err
		}
		return tx.Audit(actor, "user", id, "password", nil, nil)
	})
}

// UpdateProfile changes a user's own name and phone.
func (s *Store) UpdateProfile(ctx context.Context, id int64, name, phone string) error {
	defer s.forgetSessions() // after the commit: sessions show the person as now
	return s.InTx(ctx, func(tx *Tx) error {
		old, err := tx.UserGet(ctx, id)
		if err != nil {
			return notFound(err)
		}
		if err := tx.UserUpdateProfile(ctx, db.UserUpdateProfileParams{Name: name, Phone: phone, Now: tx.Now, ID: id}); err != nil {
			return err
		}
		return tx.Audit(id, "user", id, "profile", map[string]any{"name": old.Name, "phone": old.Phone},
			map[string]any{"name": name, "phone": phone})
	})
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func actionActive(active bool) string {
	if active {
		return "activate"
	}
	return "deactivate"
}

// nameTaken tells whether another row of a small reference table has this name,
// ignoring case in any alphabet (SQLite's NOCASE folds only Latin letters).
func (tx *Tx) nameTaken(table string, id int64, name string) (bool, error) {
	rows, err := tx.Raw.QueryContext(tx.ctx(), "SELECT id, name FROM "+table+" WHERE id <> ?", id)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	for rows.Next() {
		var oid int64
		var n string
		if err := rows.Scan(&oid, &n); err != nil {
			return false, err
		}
		if strings.EqualFold(strings.TrimSpace(n), strings.TrimSpace(name)) {
			return true, nil
		}
	}
	return false, rows.Err()
}

// BankInput is a bank as typed.
type BankInput struct {
	Name, Notes string
	Seen        string // SeenBank of the row the edit form showed ("": not checked)
}

// SaveBank creates (id == 0) or edits a bank.
func (s *Store) SaveBank(ctx context.Context, actor, id int64, in BankInput) (int64, error) {
	err := s.InTx(ctx, func(tx *Tx) error {
		if taken, err := tx.nameTaken("banks", id, in.Name); err != nil {
			return err
		} else if taken {
			return &FieldError{"name", "Банк с таким названием уже есть"}
		}
		if id == 0 {
			b, err := tx.BankCreate(ctx, db.BankCreateParams{Name: in.Name, Notes: in.Notes, Now: tx.Now})
			if isUnique(err) {
				return &FieldError{"name", "Банк с таким названием уже есть"}
			}
			if err != nil {
				return err
			}
			id = b.ID
			return tx.Audit(actor, "bank", id, "create", nil, in.audit())
		}
		old, err := tx.BankGet(ctx, id)
		if err != nil {
			return notFound(err)
		}
		if err := checkSeen(in.Seen, SeenBank(old)); err != nil {
			return err
		}
		err = tx.BankUpdate(ctx, db.BankUpdateParams{Name: in.Name, Notes: in.Notes, Now: tx.Now, ID: id})
		if isUnique(err) {
			return &FieldError{"name", "Банк с таким названием уже есть"}
		}
		if err != nil {
			return err
		}
		return tx.Audit(actor, "bank", id, "update", BankInput{Name: old.Name, Notes: old.Notes}.audit(), in.audit())
	})
	return id, err
}

// SetBankActive hides a bank from new cards or brings it back.
func (s *Store) SetBankActive(ctx context.Context, actor, id int64, active bool) error {
	return s.InTx(ctx, func(tx *Tx) error {
		old, err := tx.BankGet(ctx, id)
		if err != nil {
			return notFound(err)
		}
		if err := tx.BankSetActive(ctx, db.BankSetActiveParams{Active: b2i(active), Now: tx.Now, ID: id}); err != nil {
			return err
		}
		return tx.Audit(actor, "bank", id, actionActive(active), map[string]any{"active": old.Active == 1}, map[string]any{"active": active})
	})
}

// ContractorInput is a supplier as typed; Rate is nil when no default commission is set.
type ContractorInput struct {
	Name, ContactName, Phone, Notes string
	Rate                            *money.Rate
	Seen                            string // SeenContractor of the row the edit form showed ("": not checked)
}

// SaveContractor creates (id == 0) or edits a supplier.
func (s *Store) SaveContractor(ctx context.Context, actor, id int64, in ContractorInput) (int64, error) {
	err := s.InTx(ctx, func(tx *Tx) error {
		if taken, err := tx.nameTaken("contractors", id, in.Name); err != nil {
			return err
		} else if taken {
			return &FieldError{"name", "Подрядчик с таким названием уже есть"}
		}
		if id == 0 {
			c, err := tx.ContractorCreate(ctx, db.ContractorCreateParams{Name: in.Name, ContactName: in.ContactName,
				Phone: in.Phone, CommissionRate: in.Rate, Notes: in.Notes, Now: tx.Now})
			if isUnique(err) {
				return &FieldError{"name", "Подрядчик с таким названием уже есть"}
			}
			if err != nil {
				return err
			}
			id = c.ID
			return tx.Audit(actor, "contractor", id, "create", nil, in.audit())
		}
		old, err := tx.ContractorGet(ctx, id)
		if err != nil {
			return notFound(err)
		}
		if err := checkSeen(in.Seen, SeenContractor(old)); err != nil {
			return err
		}
		err = tx.ContractorUpdate(ctx, db.ContractorUpdateParams{Name: in.Name, ContactName: in.ContactName,
			Phone: in.Phone, CommissionRate: in.Rate, Notes: in.Notes, Now: tx.Now, ID: id})
		if isUnique(err) {
			return &FieldError{"name", "Подрядчик с таким названием уже есть"}
		}
		if err != nil {
			return err
		}
		return tx.Audit(actor, "contractor", id, "update",
			ContractorInput{Name: old.Name, ContactName: old.ContactName, Phone: old.Phone, Notes: old.Notes, Rate: old.CommissionRate}.audit(), in.audit())
	})
	return id, err
}

// SetContractorActive hides a supplier from new cards or brings it back.
func (s *Store) SetContractorActive(ctx context.Context, actor, id int64, active bool) error {
	return s.InTx(ctx, func(tx *Tx) error {
		old, err := tx.ContractorGet(ctx, id)
		if err != nil {
			return notFound(err)
		}
		if err := tx.ContractorSetActive(ctx, db.ContractorSetActiveParams{Active: b2i(active), Now: tx.Now, ID: id}); err != nil {
			return err
		}
		return tx.Audit(actor, "contractor", id, actionActive(active), map[string]any{"active": old.Active == 1}, map[string]any{"active": active})
	})
}

// SaveSettings stores the office settings; sentSeen is the fingerprint of the
// settings the form showed ("" skips the check): ErrStale when they changed since.
func (s *Store) SaveSettings(ctx context.Context, actor int64, sentSeen string, in db.SettingsUpdateParams) error {
	return s.InTx(ctx, func(tx *Tx) error {
		old, err := tx.SettingsGet(ctx)
		if err != nil {
			return err
		}
		if err := checkSeen(sentSeen, SeenSettings(old)); err != nil {
			return err
		}
		in.Now = &tx.Now
		if err := tx.SettingsUpdate(ctx, in); err != nil {
			return fmt.Errorf("save settings: %w", err)
		}
		return tx.Audit(actor, "settings", 1, "update", settingsAudit(db.SettingsUpdateParams{Timezone: old.Timezone,
			WorkdayEndMin: old.WorkdayEndMin, BankRollMin: old.BankRollMin, WarmingDays: old.WarmingDays,
			WarmingEveryDays: old.WarmingEveryDays, DeadlineDays1: old.DeadlineDays1, DeadlineDays2: old.DeadlineDays2,
			DeadlineDays4: old.DeadlineDays4, DeadlineDays5: old.DeadlineDays5, DeadlineDays6: old.DeadlineDays6,
			DeadlineDays7: old.DeadlineDays7, DeadlineDays9: old.DeadlineDays9, BackupRetention: old.BackupRetention}), settingsAudit(in))
	})
}

func (in BankInput) audit() map[string]any { return map[string]any{"name": in.Name, "notes": in.Notes} }

func (in ContractorInput) audit() map[string]any {
	return map[string]any{"name": in.Name, "contact_name": in.ContactName, "phone": in.Phone, "notes": in.Notes,
		"commission_rate": in.Rate}
}

// settingsAudit is what the change log keeps of the office settings.
func settingsAudit(s db.SettingsUpdateParams) map[string]any {
	return map[string]any{"timezone": s.Timezone, "workday_end_min": s.WorkdayEndMin, "bank_roll_min": s.BankRollMin,
		"warming_days": s.WarmingDays, "warming_every_days": s.WarmingEveryDays, "deadline_days_1": s.DeadlineDays1,
		"deadline_days_2": s.DeadlineDays2, "deadline_days_4": s.DeadlineDays4, "deadline_days_5": s.DeadlineDays5,
		"deadline_days_6": s.DeadlineDays6, "deadline_days_7": s.DeadlineDays7, "deadline_days_9": s.DeadlineDays9,
		"backup_retention": s.BackupRetention}
}
