package web

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"kartoteka/app/auth"
	"kartoteka/store"
	"kartoteka/store/db"
)

const (
	sessionCookie = "kartoteka_session"
	anonCSRF      = "kartoteka_csrf"
)

// User is the signed-in person as handlers see them.
type User struct {
	ID        int64
	Login     string
	Name      string
	Role      auth.Role
	Phone     string
	CSRF      string
	TokenHash string
}

func userOf(c *fiber.Ctx) *User {
	u, _ := c.Locals("user").(*User)
	return u
}

func csrfOf(c *fiber.Ctx) string {
	if u := userOf(c); u != nil {
		return u.CSRF
	}
	s, _ := c.Locals("csrf").(string)
	return s
}

func urlEscape(s string) string { return url.QueryEscape(s) }

// loadSession finds the signed-in user from the session cookie, ending idle sessions.
func (s *Server) loadSession(c *fiber.Ctx) error {
	tok := c.Cookies(sessionCookie)
	if tok != "" {
		hash := auth.HashToken(tok)
		row, err := s.st.Session(c.Context(), hash)
		switch {
		case err == nil:
			now := s.now()
			if now.Sub(row.LastSeenAt) > s.cfg.IdleTimeout {
				_ = s.st.EndSession(c.Context(), hash)
				break
			}
			if now.Sub(row.LastSeenAt) > time.Minute {
				_ = s.st.TouchSession(c.Context(), hash)
			}
			c.Locals("user", &User{ID: row.ID, Login: row.Login, Name: row.Name, Role: auth.Role(row.Role),
				Phone: row.Phone, CSRF: row.Csrf, TokenHash: hash})
			return c.Next()
		case !errors.Is(err, store.ErrNotFound) && !isNoRows(err):
			return err
		}
		c.ClearCookie(sessionCookie)
	}
	// Anonymous forms (login, setup) use a double-submit cookie.
	t := c.Cookies(anonCSRF)
	if t == "" {
		t = auth.NewCSRF()
		c.Cookie(&fiber.Cookie{Name: anonCSRF, Value: t, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: c.Protocol() == "https"})
	}
	c.Locals("csrf", t)
	return c.Next()
}

// checkCSRF refuses a state-changing request without the page's token.
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		return c.Next()
	}
	got := c.Get("X-CSRF-Token")
	if got == "" {
		got = c.FormValue("_csrf")
	}
	want := csrfOf(c)
	if want == "" || !auth.EqualTokens(got, want) {
		return fiber.NewError(fiber.StatusForbidden, "Форма устарела: обновите страницу и отправьте её ещё раз")
	}
	return c.Next()
}

func (s *Server) startSession(c *fiber.Ctx, u db.User) error {
	tok, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	if err := s.st.StartSession(c.Context(), hash, auth.NewCSRF(), u.ID, c.IP(), c.Get("User-Agent")); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: tok, Path: "/", HTTPOnly: true, SameSite: "Lax",
		Secure: c.Protocol() == "https"})
	return nil
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsFunc(next, func(r rune) bool { return r < ' ' || r == 0x7f || r == '\\' }) {
		return "/"
	}
	return next
}

func (s *Server) loginPage(c *fiber.Ctx) error {
	if userOf(c) != nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	f := NewForm(map[string]string{"next": c.Query("next")})
	return s.render(c, "auth/login", "Вход", "", f, nil)
}

func (s *Server) login(c *fiber.Ctx) error {
	f := formFrom(c, "login", "password", "next")
	login, addr, now := strings.ToLower(f.Get("login")), c.IP(), s.now()
	f.Require("Заполните поле", "login", "password")
	if !f.OK() {
		f.Values["password"] = ""
		return s.invalid(c, "auth/login", "Вход", "", f, nil)
	}
	// The attempt counts before its hash runs, so a burst cannot pass the limits.
	at, wait := s.throttle.Reserve(login, addr, now)
	if wait > 0 {
		return s.loginRefused(c, f, wait, "Слишком много неудачных попыток. Попробуйте через "+humanWait(wait)+".")
	}
	if !s.gate.Enter(c.Context()) {
		s.throttle.Cancel(login, addr, at)
		return s.loginRefused(c, f, 2*time.Second, "Сейчас входят слишком многие. Попробуйте через несколько секунд.")
	}
	u, err := s.st.Q.UserGetByLogin(c.Context(), f.Get("login"))
	if err != nil && !isNoRows(err) {
		s.gate.Leave()
		s.throttle.Cancel(login, addr, at)
		return err
	}
	known := err == nil
	if !known {
		u.PasswordHash = dummyHash // spend the same time as for a real login
	}
	ok := auth.CheckPassword(u.PasswordHash, f.Get("password")) && known && u.Active == 1
	var rehash string
	if ok && auth.NeedsRehash(u.PasswordHash) {
		rehash, _ = auth.HashPassword(f.Get("password")) // still inside the gate
	}
	s.gate.Leave()
	f.Values["password"] = ""
	if !ok {
		if s.throttle.Fail(login, addr, at) {
			if err := s.st.LogLockout(c.Context(), u.ID, login, addr); err != nil {
				s.cfg.Log.Error("log lock-out", "err", err)
			}
		}
		// Either may be wrong (the message never says which): both are marked, the message under them.
		f.Mark("login")
		f.Fail("password", "Неверный логин или пароль")
		return s.invalid(c, "auth/login", "Вход", "", f, nil)
	}
	s.throttle.Succeed(login, addr)
	if rehash != "" {
		if err := s.st.RehashPassword(c.Context(), u.ID, u.PasswordHash, rehash); err != nil {
			return err
		}
	}
	if err := s.startSession(c, u); err != nil {
		return err
	}
	return c.Redirect(safeNext(f.Get("next")), fiber.StatusSeeOther)
}

// loginRefused answers 429 with the wait in Retry-After and the reason beside the login field.
func (s *Server) loginRefused(c *fiber.Ctx, f *Form, wait time.Duration, msg string) error {
	f.Fail("login", msg)
	f.Values["password"] = ""
	c.Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
	c.Status(fiber.StatusTooManyRequests)
	return s.render(c, "auth/login", "Вход", "", f, nil)
}

// dummyHash is checked for unknown logins so timing does not tell which logins exist.
var dummyHash, _ = auth.HashPassword("kartoteka-no-such-user")

func humanWait(d time.Duration) string {
	if d < time.Minute {
		return itoa(int(d.Seconds())+1) + " с"
	}
	return itoa(int(d.Minutes())+1) + " мин"
}

func (s *Server) logout(c *fiber.Ctx) error {
	if u := userOf(c); u != nil {
		if err := s.st.EndSession(c.Context(), u.TokenHash); err != nil {
			return err
		}
	}
	c.ClearCookie(sessionCookie)
	return c.Redirect("/login", fiber.StatusSeeOther)
}

func (s *Server) setupPage(c *fiber.Ctx) error {
	if s.hasUsers.Load() {
		return fiber.ErrNotFound
	}
	return s.render(c, "auth/setup", "Первый запуск", "", nil, nil)
}

func (s *Server) setup(c *fiber.Ctx) error {
	if s.hasUsers.Load() {
		return fiber.ErrNotFound
	}
	f := formFrom(c, "name", "login", "password", "password_confirm")
	in := validateUserInput(f, false)
	in.Role = string(auth.Owner)
	checkNewPassword(f, "password", "password_confirm")
	if !f.OK() {
		f.Values["password"], f.Values["password_confirm"] = "", ""
		return s.invalid(c, "auth/setup", "Первый запуск", "", f, nil)
	}
	hash, err := auth.HashPassword(f.Get("password"))
	if err != nil {
		return err
	}
	u, err := s.st.CreateFirstOwner(c.Context(), in, hash)
	if errors.Is(err, store.ErrSetupDone) {
		s.hasUsers.Store(true)
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	s.hasUsers.Store(true)
	if err := s.startSession(c, u); err != nil {
		return err
	}
	return redirectFlash(c, "/", "Владелец создан. Добро пожаловать в Картотеку!")
}

// checkNewPassword validates a new password and its confirmation.
func checkNewPassword(f *Form, name, confirm string) {
	if msg := auth.ValidatePassword(f.Get(name)); msg != "" {
		f.Fail(name, msg)
	}
	if f.Get(confirm) != f.Get(name) {
		f.Fail(confirm, "Пароли не совпадают")
	}
}
