package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"kartoteka/app/pipeline"
	"kartoteka/store"
	"kartoteka/store/db"
)

// TrackerRow is one open stage task in the tracker table.
type TrackerRow struct {
	db.AutoTaskTrackerRow
	Overdue  bool
	Deadline string
	Mine     bool
	OpensOn  string // stage 3 for its warmer: the day «Выполнить» opens (DD.MM.YYYY), "" when open
}

// trackerPageSize is how many tasks a tracker page shows.
const trackerPageSize = 200

// warmingOpensOn is the day a stage-3 task opens for someone who may not finish
// the warming early (everyone but owner and admin), "" when it is open to them.
func warmingOpensOn(u *User, office pipeline.Office, st pipeline.Stage, kind string, deadline, now time.Time) string {
	if st != pipeline.Warming || kind != "stage" || u.Role.SeesAll() {
		return ""
	}
	if opens := office.WarmingOpensAt(deadline); now.Before(opens) {
		return opens.In(office.Loc).Format("02.01.2006")
	}
	return ""
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
	mineQ := ""
	if mine && u.Role.SeesAll() {
		mineQ = "&mine=1"
	}
	// The stage's rows and counts per scope, and the rendered table a refetch asks
	// for, are kept until the next notice (fragCache).
	// Owners and admins looking at everyone's tasks see the same table: one entry.
	scope := "all"
	if mine || !u.Role.SeesAll() {
		scope = i64s(u.ID) + "|" + string(u.Role) + "|" + strconv.FormatBool(mine)
	}
	page := max(int(qInt(c, "page")), 1)
	key := "tracker|" + strconv.Itoa(stage) + "|" + scope
	// The stage counts (the tabs and the stage's total), then one page of the
	// stage's tasks (most urgent first), read alone: the table costs what it shows.
	cv, _, err := s.cached("trackercounts|"+scope, func() (any, error) { return s.st.TrackerCounts(c.Context(), who) })
	if err != nil {
		return err
	}
	cm := cv.(map[int64]int64)
	total := int(cm[int64(stage)])
	pages := max((total+trackerPageSize-1)/trackerPageSize, 1)
	page = min(page, pages)
	key += "|" + strconv.Itoa(page)
	v, _, err := s.cached(key, func() (any, error) {
		rows, err := s.st.TrackerPage(c.Context(), int64(stage), who, trackerPageSize, (page-1)*trackerPageSize)
		if err != nil {
			return nil, err
		}
		now := s.now()
		office := store.OfficeOf(s.Settings())
		out := make([]TrackerRow, len(rows))
		for i, r := range rows {
			out[i] = TrackerRow{AutoTaskTrackerRow: r, Overdue: pipeline.Overdue(r.Deadline, now),
				Deadline: s.inTZ(r.Deadline).Format("02.01.2006 15:04"), Mine: scope != "all" && r.AssigneeID == u.ID}
			out[i].OpensOn = warmingOpensOn(u, office, pipeline.Stage(r.Stage), r.Kind, r.Deadline, now)
		}
		return out, nil
	})
	if err != nil {
		return err
	}
	rows := v.([]TrackerRow)
	data := fiber.Map{"Stage": stage, "Stages": pipeline.Stages(), "Counts": cm, "Rows": rows, "Mine": mine,
		"MineQ": mineQ, "CanToggle": u.Role.SeesAll(), "StageLabel": pipeline.Stage(stage).Label(),
		"PageNo": page, "Pages": pages, "Total": total,
		"From": min((page-1)*trackerPageSize+1, total), "To": (page-1)*trackerPageSize + len(rows)}
	if c.Query("part") == "table" {
		return s.renderCached(c, key+"|table", "tracker/table", Page{User: u, CSRF: csrfOf(c), Data: data, Server: s, Form: NewForm(nil)})
	}
	return s.render(c, "tracker/tracker", "Таск-трекер", "tracker", nil, data)
}
