package web

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"kartoteka/app/auth"
	"kartoteka/app/money"
	"kartoteka/app/pipeline"
	"kartoteka/store"
	"kartoteka/store/db"
)

const msgRequired = "Заполните поле"

var loginRe = regexp.MustCompile(`^[A-Za-z0-9._-]{3,40}$`)

// validateUserInput checks name, login and phone (and role when asked).
func validateUserInput(f *Form, withRole bool) store.UserInput {
	f.Require(msgRequired, "name", "login")
	f.MaxLen("name", 100)
	if l := f.Get("login"); l != "" && !loginRe.MatchString(l) {
		f.Fail("login", "Логин: от 3 до 40 латинских букв, цифр, точек, дефисов или подчёркиваний")
	}
	phone := phoneField(f, "phone")
	in := store.UserInput{Login: f.Get("login"), Name: f.Get("name"), Phone: phone}
	if withRole {
		if !auth.Role(f.Get("role")).Valid() {
			f.Fail("role", "Выберите роль")
		}
		in.Role = f.Get("role")
	}
	return in
}

// phoneField normalises an optional phone field, failing it when it is not a phone.
func phoneField(f *Form, name string) string {
	p, ok := pipeline.NormalizePhone(f.Get(name))
	if !ok {
		f.Fail(name, pipeline.PhoneMessage)
	}
	return p
}

// fieldError puts a store refusal next to its field; other errors pass through.
func fieldError(f *Form, err error) error {
	if errors.Is(err, store.ErrStale) {
		f.Fail("seen", msgRowStale)
		return nil
	}
	var fe *store.FieldError
	if errors.As(err, &fe) {
		f.Fail(fe.Field, fe.Msg)
		return nil
	}
	return err
}

// msgRowStale refuses a change made from a page that showed older values.
const msgRowStale = "Строка уже изменена другим пользователем. Проверьте значения и сохраните ещё раз."

// seenField puts the row's fingerprint into an edit form; after a stale refusal
// the form keeps what was typed and carries the row's fingerprint now, so a
// second save is a deliberate overwrite.
func seenField(c *fiber.Ctx, f *Form, now string) {
	if f.Err("seen") != "" {
		c.Status(fiber.StatusConflict)
		f.Values["seen"] = now
		return
	}
	if f.Values["seen"] == "" {
		f.Values["seen"] = now
	}
}

func idParam(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, fiber.ErrNotFound
	}
	return id, nil
}

func roleOptions() []Option {
	var o []Option
	for _, r := range auth.Roles {
		o = append(o, Option{string(r), r.Label()})
	}
	return o
}

// ---- Сотрудники

func (s *Server) employees(c *fiber.Ctx) error {
	users, err := s.st.Q.UserList(c.Context())
	if err != nil {
		return err
	}
	return s.render(c, "directory/employees", "Сотрудники", "employees", nil, fiber.Map{"Users": users})
}

func (s *Server) employeeForm(c *fiber.Ctx, f *Form, u *db.User) error {
	title := "Новый сотрудник"
	if u != nil {
		title = u.Name
		seenField(c, f, store.SeenUser(*u))
	}
	if !f.OK() && f.Err("seen") == "" {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	data := fiber.Map{"Emp": u, "Roles": roleOptions(), "LockFailures": auth.LockFailures}
	if u != nil {
		var locks []LockView
		for _, l := range s.throttle.Locks(u.Login, s.now()) {
			locks = append(locks, LockView{Addr: l.Addr, Until: s.inTZ(l.Until).Format("15:04")})
		}
		data["Locks"] = locks
	}
	return s.render(c, "directory/employee", title, "employees", f, data)
}

// LockView is one address a login is locked out of, as «Сотрудники» shows it.
type LockView struct{ Addr, Until string }

// employeeUnlock lifts the lock-outs and the slow-down of an employee's login
// (the owner's «Разблокировать»), and says so in the change log.
func (s *Server) employeeUnlock(c *fiber.Ctx) error {
	u, err := s.employeeGet(c)
	if err != nil {
		return err
	}
	var addrs []string
	for _, l := range s.throttle.Locks(u.Login, s.now()) {
		addrs = append(addrs, l.Addr)
	}
	s.throttle.Unlock(u.Login)
	if err := s.st.LogUnlock(c.Context(), userOf(c).ID, u.ID, strings.Join(addrs, ", ")); err != nil {
		return err
	}
	return redirectFlash(c, "/directory/employees/"+i64s(u.ID), "Вход для «"+u.Name+"» разблокирован")
}

func (s *Server) employeeNew(c *fiber.Ctx) error {
	return s.employeeForm(c, NewForm(map[string]string{"role": "manager"}), nil)
}

func (s *Server) employeeCreate(c *fiber.Ctx) error {
	f := formFrom(c, "name", "login", "role", "phone", "password")
	in := validateUserInput(f, true)
	if msg := auth.ValidatePassword(f.Get("password")); msg != "" {
		f.Fail("password", msg)
	}
	if f.OK() {
		hash, err := auth.HashPassword(f.Get("password"))
		if err != nil {
			return err
		}
		if _, err = s.st.CreateUser(c.Context(), userOf(c).ID, in, hash); fieldError(f, err) != nil {
			return err
		}
	}
	if !f.OK() {
		f.Values["password"] = ""
		return s.employeeForm(c, f, nil)
	}
	return redirectFlash(c, "/directory/employees", "Сотрудник «"+in.Name+"» добавлен")
}

func (s *Server) employeeGet(c *fiber.Ctx) (db.User, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return db.User{}, err
	}
	u, err := s.st.Q.UserGet(c.Context(), id)
	if isNoRows(err) {
		return u, fiber.ErrNotFound
	}
	return u, err
}

func (s *Server) employeeEdit(c *fiber.Ctx) error {
	u, err := s.employeeGet(c)
	if err != nil {
		return err
	}
	f := NewForm(map[string]string{"name": u.Name, "login": u.Login, "role": u.Role, "phone": u.Phone})
	return s.employeeForm(c, f, &u)
}

func (s *Server) employeeUpdate(c *fiber.Ctx) error {
	u, err := s.employeeGet(c)
	if err != nil {
		return err
	}
	f := formFrom(c, "name", "login", "role", "phone", "seen")
	in := validateUserInput(f, true)
	in.Seen = f.Get("seen")
	if f.OK() {
		if err := s.st.UpdateUser(c.Context(), userOf(c).ID, u.ID, in); fieldError(f, err) != nil {
			return err
		}
	}
	if !f.OK() {
		return s.employeeForm(c, f, &u)
	}
	s.publish("users")
	return redirectFlash(c, "/directory/employees", "Изменения сохранены")
}

func (s *Server) employeePassword(c *fiber.Ctx) error {
	u, err := s.employeeGet(c)
	if err != nil {
		return err
	}
	f := NewForm(map[string]string{"name": u.Name, "login": u.Login, "role": u.Role, "phone": u.Phone})
	pw := formFrom(c, "new_password").Get("new_password") // trimmed like every password field, or login never matches
	if msg := auth.ValidatePassword(pw); msg != "" {
		f.Fail("new_password", msg)
		return s.employeeForm(c, f, &u)
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	if err := s.st.SetPassword(c.Context(), userOf(c).ID, u.ID, hash, ""); err != nil {
		return err
	}
	return redirectFlash(c, "/directory/employees/"+i64s(u.ID), "Пароль изменён; сеансы сотрудника завершены")
}

func (s *Server) employeeActive(c *fiber.Ctx) error {
	u, err := s.employeeGet(c)
	if err != nil {
		return err
	}
	active := c.FormValue("active") == "1"
	err = s.st.SetUserActive(c.Context(), userOf(c).ID, u.ID, active)
	var fe *store.FieldError
	if errors.As(err, &fe) {
		f := NewForm(map[string]string{"name": u.Name, "login": u.Login, "role": u.Role, "phone": u.Phone})
		f.Fail("active", fe.Msg)
		return s.employeeForm(c, f, &u)
	}
	if err != nil {
		return err
	}
	s.publish("users")
	msg := "Сотрудник «" + u.Name + "» отключён"
	if active {
		msg = "Сотрудник «" + u.Name + "» снова активен"
	}
	return redirectFlash(c, "/directory/employees", msg)
}

func i64s(n int64) string { return strconv.FormatInt(n, 10) }

// ---- Подрядчики

func (s *Server) contractors(c *fiber.Ctx) error {
	list, err := s.st.Q.ContractorList(c.Context())
	if err != nil {
		return err
	}
	return s.render(c, "directory/contractors", "Подрядчики", "contractors", nil, fiber.Map{"List": list})
}

func (s *Server) contractorForm(c *fiber.Ctx, f *Form, x *db.Contractor) error {
	title := "Новый подрядчик"
	if x != nil {
		title = x.Name
		seenField(c, f, store.SeenContractor(*x))
	}
	if !f.OK() && f.Err("seen") == "" {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return s.render(c, "directory/contractor", title, "contractors", f, fiber.Map{"Item": x})
}

func (s *Server) contractorNew(c *fiber.Ctx) error { return s.contractorForm(c, NewForm(nil), nil) }

func (s *Server) contractorGet(c *fiber.Ctx) (*db.Contractor, error) {
	if c.Params("id") == "" {
		return nil, nil
	}
	id, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	x, err := s.st.Q.ContractorGet(c.Context(), id)
	if isNoRows(err) {
		return nil, fiber.ErrNotFound
	}
	return &x, err
}

func (s *Server) contractorEdit(c *fiber.Ctx) error {
	x, err := s.contractorGet(c)
	if err != nil {
		return err
	}
	f := NewForm(map[string]string{"name": x.Name, "contact_name": x.ContactName, "phone": x.Phone, "notes": x.Notes})
	if x.CommissionRate != nil {
		f.Values["commission_rate"] = x.CommissionRate.Input()
	}
	return s.contractorForm(c, f, x)
}

func (s *Server) contractorSave(c *fiber.Ctx) error {
	x, err := s.contractorGet(c)
	if err != nil {
		return err
	}
	f := formFrom(c, "name", "contact_name", "phone", "commission_rate", "notes", "seen")
	f.Require(msgRequired, "name")
	f.MaxLen("name", 200)
	f.MaxLen("contact_name", 200)
	f.MaxLen("notes", 2000)
	in := store.ContractorInput{Name: f.Get("name"), ContactName: f.Get("contact_name"), Notes: f.Get("notes"),
		Phone: phoneField(f, "phone"), Seen: f.Get("seen")}
	if v := f.Get("commission_rate"); v != "" {
		r, err := money.ParseRate(v)
		if err != nil {
			f.Fail("commission_rate", err.Error())
		}
		in.Rate = &r
	}
	var id int64
	if x != nil {
		id = x.ID
	}
	if f.OK() {
		if _, err := s.st.SaveContractor(c.Context(), userOf(c).ID, id, in); fieldError(f, err) != nil {
			return err
		}
	}
	if !f.OK() {
		return s.contractorForm(c, f, x)
	}
	s.publish("contractors")
	return redirectFlash(c, "/directory/contractors", "Подрядчик «"+in.Name+"» сохранён")
}

func (s *Server) contractorActive(c *fiber.Ctx) error {
	x, err := s.contractorGet(c)
	if err != nil {
		return err
	}
	if err := s.st.SetContractorActive(c.Context(), userOf(c).ID, x.ID, c.FormValue("active") == "1"); err != nil {
		return err
	}
	s.publish("contractors")
	return redirectFlash(c, "/directory/contractors", "Сохранено")
}

// ---- Банки

func (s *Server) banks(c *fiber.Ctx) error {
	list, err := s.st.Q.BankList(c.Context())
	if err != nil {
		return err
	}
	return s.render(c, "directory/banks", "Банки", "banks", nil, fiber.Map{"List": list})
}

func (s *Server) bankForm(c *fiber.Ctx, f *Form, x *db.Bank) error {
	title := "Новый банк"
	if x != nil {
		title = x.Name
		seenField(c, f, store.SeenBank(*x))
	}
	if !f.OK() && f.Err("seen") == "" {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return s.render(c, "directory/bank", title, "banks", f, fiber.Map{"Item": x})
}

func (s *Server) bankNew(c *fiber.Ctx) error { return s.bankForm(c, NewForm(nil), nil) }

func (s *Server) bankGet(c *fiber.Ctx) (*db.Bank, error) {
	if c.Params("id") == "" {
		return nil, nil
	}
	id, err := idParam(c, "id")
	if err != nil {
		return nil, err
	}
	x, err := s.st.Q.BankGet(c.Context(), id)
	if isNoRows(err) {
		return nil, fiber.ErrNotFound
	}
	return &x, err
}

func (s *Server) bankEdit(c *fiber.Ctx) error {
	x, err := s.bankGet(c)
	if err != nil {
		return err
	}
	return s.bankForm(c, NewForm(map[string]string{"name": x.Name, "notes": x.Notes}), x)
}

func (s *Server) bankSave(c *fiber.Ctx) error {
	x, err := s.bankGet(c)
	if err != nil {
		return err
	}
	f := formFrom(c, "name", "notes", "seen")
	f.Require(msgRequired, "name")
	f.MaxLen("name", 200)
	f.MaxLen("notes", 2000)
	var id int64
	if x != nil {
		id = x.ID
	}
	in := store.BankInput{Name: f.Get("name"), Notes: f.Get("notes"), Seen: f.Get("seen")}
	if f.OK() {
		if _, err := s.st.SaveBank(c.Context(), userOf(c).ID, id, in); fieldError(f, err) != nil {
			return err
		}
	}
	if !f.OK() {
		return s.bankForm(c, f, x)
	}
	s.publish("banks")
	return redirectFlash(c, "/directory/banks", "Банк «"+in.Name+"» сохранён")
}

func (s *Server) bankActive(c *fiber.Ctx) error {
	x, err := s.bankGet(c)
	if err != nil {
		return err
	}
	if err := s.st.SetBankActive(c.Context(), userOf(c).ID, x.ID, c.FormValue("active") == "1"); err != nil {
		return err
	}
	s.publish("banks")
	return redirectFlash(c, "/directory/banks", "Сохранено")
}
