package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"kartoteka/store"
	"kartoteka/store/db"
)

// loadWarming reads a warming task the user may complete.
func (s *Server) loadWarming(c *fiber.Ctx) (db.AutoTask, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return db.AutoTask{}, err
	}
	t, err := s.st.Q.AutoTaskGet(c.Context(), id)
	if isNoRows(err) || (err == nil && t.Kind != "warming") {
		return t, fiber.ErrNotFound
	}
	if err != nil {
		return t, err
	}
	if u := userOf(c); !u.Role.SeesAll() && t.AssigneeID != u.ID {
		return t, store.ErrForbidden
	}
	return t, nil
}

func (s *Server) warmingModal(c *fiber.Ctx) error {
	t, err := s.loadWarming(c)
	if err != nil {
		return err
	}
	return s.showWarming(c, t, NewForm(nil))
}

// showWarming answers with the warming task's form: the modal's content for
// htmx, else a full page whose form is an ordinary POST (the address opened
// directly: a bookmark, a link opened in a new tab).
func (s *Server) showWarming(c *fiber.Ctx, t db.AutoTask, f *Form) error {
	m := fiber.Map{"Task": t, "CSRF": csrfOf(c), "Form": f, "Deadline": s.inTZ(t.Deadline).Format("02.01.2006"), "Page": !fragment(c)}
	if fragment(c) {
		return c.Render("cards/warming_modal", m)
	}
	noStore(c)
	return s.render(c, "cards/warming_page", "Прогрев карты № "+i64s(t.CardID), "tracker", nil, fiber.Map{"M": m})
}

func (s *Server) warmingDone(c *fiber.Ctx) error {
	t, err := s.loadWarming(c)
	if err != nil {
		return err
	}
	f := formFrom(c, "note")
	_, err = s.st.CompleteWarmingTask(c.Context(), actorOf(c), t.ID, f.Get("note"))
	var ve *store.ValidationError
	switch {
	case errors.As(err, &ve):
		f.Errors = ve.Errors
		c.Status(fiber.StatusUnprocessableEntity)
		return s.showWarming(c, t, f)
	case errors.Is(err, store.ErrConflict):
		if !fragment(c) {
			return redirectNotices(c, "/cards/"+i64s(t.CardID), Notice{NoticeWarn, "Задача уже закрыта"})
		}
		c.Status(fiber.StatusConflict)
		return c.Render("cards/stage_gone", fiber.Map{"Message": "Задача уже закрыта", "CardID": t.CardID})
	case err != nil:
		return err
	}
	s.publish("tracker", cardTopic(t.CardID))
	msg := "Прогрев карты № " + i64s(t.CardID) + " отмечен"
	if !fragment(c) {
		return redirectFlash(c, "/cards/"+i64s(t.CardID), msg)
	}
	return c.Render("cards/stage_done", fiber.Map{"Message": msg, "CardID": t.CardID})
}
