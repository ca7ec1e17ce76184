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
	return c.Render("cards/warming_modal", fiber.Map{"Task": t, "CSRF": csrfOf(c), "Form": NewForm(nil),
		"Deadline": s.inTZ(t.Deadline).Format("02.01.2006")})
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
		return c.Render("cards/warming_modal", fiber.Map{"Task": t, "CSRF": csrfOf(c), "Form": f,
			"Deadline": s.inTZ(t.Deadline).Format("02.01.2006")})
	case errors.Is(err, store.ErrConflict):
		c.Status(fiber.StatusConflict)
		return c.Render("cards/stage_gone", fiber.Map{"Message": "Задача уже закрыта", "CardID": t.CardID})
	case err != nil:
		return err
	}
	s.publish("tracker", cardTopic(t.CardID))
	return c.Render("cards/stage_done", fiber.Map{"Message": "Прогрев карты № " + i64s(t.CardID) + " отмечен", "CardID": t.CardID})
}
