package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"kartoteka/app/pipeline"
	"kartoteka/store/db"
)

// TrackerRow is one open stage task in the tracker table.
type TrackerRow struct {
	db.AutoTaskTrackerRow
	Overdue  bool
	Deadline string
	Mine     bool
}

func (s *Server) tracker(c *fiber.Ctx) error {
	u := userOf(c)
	stage, _ := strconv.Atoi(c.Query("stage", "1"))
	if !pipeline.Stage(stage).Valid() {
		stage = 1
	}
	mine := !u.Role.SeesAll() || c.Query("mine") == "1"
	var who *int64
	if mine {
		who = &u.ID
	}
	counts, err := s.st.Q.AutoTaskStageCounts(c.Context(), who)
	if err != nil {
		return err
	}
	cm := map[int64]int64{}
	for _, r := range counts {
		cm[r.Stage] = r.N
	}
	rows, err := s.st.Q.AutoTaskTracker(c.Context(), db.AutoTaskTrackerParams{Stage: int64(stage), AssigneeID: who})
	if err != nil {
		return err
	}
	now := s.now()
	out := make([]TrackerRow, len(rows))
	for i, r := range rows {
		out[i] = TrackerRow{AutoTaskTrackerRow: r, Overdue: pipeline.Overdue(r.Deadline, now),
			Deadline: s.inTZ(r.Deadline).Format("02.01.2006 15:04"), Mine: r.AssigneeID == u.ID}
	}
	mineQ := ""
	if mine && u.Role.SeesAll() {
		mineQ = "&mine=1"
	}
	data := fiber.Map{"Stage": stage, "Stages": pipeline.Stages(), "Counts": cm, "Rows": out, "Mine": mine,
		"MineQ": mineQ, "CanToggle": u.Role.SeesAll(), "StageLabel": pipeline.Stage(stage).Label()}
	if c.Query("part") == "table" {
		return c.Render("tracker/table", Page{User: u, CSRF: csrfOf(c), Data: data, Server: s, Form: NewForm(nil)})
	}
	return s.render(c, "tracker/tracker", "Таск-трекер", "tracker", nil, data)
}
