package web

import (
	"github.com/gofiber/fiber/v2"

	"kartoteka/store/db"
)

// publish tells every open page what changed, after the commit.
func (s *Server) publish(topics ...string) {
	if s.cfg.Hub != nil {
		s.cfg.Hub.Publish(topics...)
	}
}

func (s *Server) home(c *fiber.Ctx) error {
	return c.Redirect("/tracker", fiber.StatusSeeOther)
}

func (s *Server) healthz(c *fiber.Ctx) error {
	if d := s.damage.Load(); d != nil {
		c.Status(fiber.StatusServiceUnavailable)
		return c.JSON(fiber.Map{"status": "damaged", "error": d.Error})
	}
	if err := s.st.Ping(c.Context()); err != nil {
		c.Status(fiber.StatusServiceUnavailable)
		return c.JSON(fiber.Map{"status": "unavailable"})
	}
	v, err := s.st.Version()
	if err != nil {
		c.Status(fiber.StatusServiceUnavailable)
		return c.JSON(fiber.Map{"status": "unavailable"})
	}
	return c.JSON(fiber.Map{"status": "ok", "schema": v, "version": s.cfg.Version})
}

// navCounters is the navigation's live badge: the user's open and overdue tasks.
func (s *Server) navCounters(c *fiber.Ctx) error {
	u := userOf(c)
	// Kept per person until the next notice (or the clock's two-second step: overdue).
	v, _, err := s.cached("navcounters|"+i64s(u.ID), func() (any, error) {
		n, err := s.st.Q.AutoTaskUserCounts(c.Context(), db.AutoTaskUserCountsParams{Now: s.now().UTC(), AssigneeID: u.ID})
		if err != nil {
			return nil, err
		}
		std, err := s.st.Q.TaskOpenAssignee(c.Context(), db.TaskOpenAssigneeParams{Now: s.now().UTC(), UserID: u.ID})
		if err != nil {
			return nil, err
		}
		return fiber.Map{"Open": n.Open, "Overdue": n.Overdue, "StdOpen": std.Open, "StdOverdue": std.Overdue}, nil
	})
	if err != nil {
		return err
	}
	return c.Render("partials/counters", v)
}
