package web

import (
	"github.com/gofiber/fiber/v2"

	"kartoteka/app/auth"
)

func (s *Server) profileForm(u *User) *Form {
	return NewForm(map[string]string{"name": u.Name, "phone": u.Phone})
}

func (s *Server) profile(c *fiber.Ctx) error {
	return s.render(c, "profile/profile", "Профиль", "profile", s.profileForm(userOf(c)), nil)
}

func (s *Server) profileSave(c *fiber.Ctx) error {
	u := userOf(c)
	f := formFrom(c, "name", "phone")
	f.Require(msgRequired, "name")
	f.MaxLen("name", 100)
	phone := phoneField(f, "phone")
	if !f.OK() {
		return s.invalid(c, "profile/profile", "Профиль", "profile", f, nil)
	}
	if err := s.st.UpdateProfile(c.Context(), u.ID, f.Get("name"), phone); err != nil {
		return err
	}
	s.publish("users")
	return redirectFlash(c, "/profile", "Профиль сохранён")
}

func (s *Server) profilePassword(c *fiber.Ctx) error {
	u := userOf(c)
	f := s.profileForm(u)
	pf := formFrom(c, "current_password", "new_password", "new_password_confirm")
	for k, v := range pf.Values {
		f.Values[k] = v
	}
	row, err := s.st.Q.UserGet(c.Context(), u.ID)
	if err != nil {
		return err
	}
	if !auth.CheckPassword(row.PasswordHash, f.Get("current_password")) {
		f.Fail("current_password", "Текущий пароль введён неверно")
	}
	checkNewPassword(f, "new_password", "new_password_confirm")
	f.Values["current_password"], f.Values["new_password"], f.Values["new_password_confirm"] = "", "", ""
	if !f.OK() {
		return s.invalid(c, "profile/profile", "Профиль", "profile", f, nil)
	}
	hash, err := auth.HashPassword(pf.Get("new_password"))
	if err != nil {
		return err
	}
	if err := s.st.SetPassword(c.Context(), u.ID, u.ID, hash, u.TokenHash); err != nil {
		return err
	}
	return redirectFlash(c, "/profile", "Пароль изменён; другие сеансы завершены")
}
