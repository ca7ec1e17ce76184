package web

import (
	"strconv"
	"time"

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
	OpensOn  string // stage 3 for its warmer: the day «Выполнить» opens (DD.MM.YYYY), "" when open
	// Warming are stage 3's open warming tasks of this card, listed under its row.
	Warming []TrackerRow
}

// trackerRows is a tracker page's rows and the first moment one of them reads
// differently with the clock (zero: never).
type trackerRows struct {
	rows  []TrackerRow
	until time.Time
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
	// The stage counts (the tabs and the stage's total, in cards), then one page of
	// the stage's cards (most urgent first), read alone: the table costs what it shows.
	// The counts do not change with the clock: kept until the next notice.
	cv, _, err := s.cachedUntil("trackercounts|"+scope, func() (any, time.Time, error) {
		cm, err := s.st.TrackerCounts(c.Context(), who)
		return cm, time.Time{}, err
	})
	if err != nil {
		return err
	}
	cm := cv.(map[int64]int64)
	stage := trackerStage(c.Query("stage"), cm)
	key := "tracker|" + strconv.Itoa(stage) + "|" + scope
	total := int(cm[int64(stage)])
	pages := max((total+trackerPageSize-1)/trackerPageSize, 1)
	page = min(page, pages)
	key += "|" + strconv.Itoa(page)
	// The page's rows are kept until the next notice or the first moment one of
	// them reads differently: a deadline passes (overdue), a warming period ends.
	v, _, err := s.cachedUntil(key, func() (any, time.Time, error) {
		read := s.st.TrackerPage
		if pipeline.Stage(stage) == pipeline.Warming {
			read = s.st.TrackerCardsPage // a page of cards, each with its warming tasks
		}
		rows, err := read(c.Context(), int64(stage), who, trackerPageSize, (page-1)*trackerPageSize)
		if err != nil {
			return nil, time.Time{}, err
		}
		now := s.now()
		office := s.office()
		out := make([]TrackerRow, len(rows))
		var until time.Time
		for i, r := range rows {
			out[i] = TrackerRow{AutoTaskTrackerRow: r, Overdue: pipeline.Overdue(r.Deadline, now),
				Deadline: s.inTZ(r.Deadline).Format("02.01.2006 15:04"), Mine: scope != "all" && r.AssigneeID == u.ID}
			out[i].OpensOn = warmingOpensOn(u, office, pipeline.Stage(r.Stage), r.Kind, r.Deadline, now)
			if !out[i].Overdue {
				until = earliest(until, r.Deadline)
			}
			if out[i].OpensOn != "" {
				until = earliest(until, office.WarmingOpensAt(r.Deadline))
			}
		}
		if pipeline.Stage(stage) == pipeline.Warming {
			out = groupWarming(out)
		}
		return trackerRows{out, until}, until, nil
	})
	if err != nil {
		return err
	}
	tr := v.(trackerRows)
	rows := tr.rows
	data := fiber.Map{"Stage": stage, "Stages": pipeline.Stages(), "Counts": cm, "Rows": rows, "Mine": mine,
		"MineQ": mineQ, "CanToggle": u.Role.SeesAll(), "StageLabel": pipeline.Stage(stage).Label(),
		"PageNo": page, "Pages": pages, "Total": total, "ChangesAt": changesAt(tr.until),
		"From": min((page-1)*trackerPageSize+1, total), "To": (page-1)*trackerPageSize + len(rows)}
	// The page holds the very table a refetch is sent: rendered once per scope
	// and page (the CSRF token a mark, should the table ever hold a form), kept as
	// long as its rows.
	table := s.sharedPage(c, data)
	b, etag, err := s.renderedUntil(key+"|table", "tracker/table", func() (Page, time.Time, error) { return table, tr.until, nil })
	if err != nil {
		return err
	}
	b, etag = s.withCSRF(c, b, etag)
	if c.Query("part") == "table" {
		return sendCached(c, b, etag)
	}
	return s.framedPage(c, key, "tracker/tracker", "Таск-трекер", "tracker", data, b)
}

// changesAt is the moment (Unix milliseconds) content kept until "until" reads
// differently — a deadline passes, a warming period ends — for the browser to
// refetch it then (app.js, data-changes-at); 0 when only a notice changes it.
func changesAt(until time.Time) int64 {
	if until.IsZero() {
		return 0
	}
	return until.UnixMilli()
}

// trackerStage is the stage the tracker shows: the one asked for in the address,
// else the first stage where the person has something to do (their own tasks;
// everyone's for owner and admin looking at all cards), else stage 1.
func trackerStage(asked string, counts map[int64]int64) int {
	if n, err := strconv.Atoi(asked); err == nil && pipeline.Stage(n).Valid() {
		return n
	}
	for _, d := range pipeline.Stages() {
		if counts[int64(d.Stage)] > 0 {
			return int(d.Stage)
		}
	}
	return int(pipeline.First)
}

// groupWarming puts stage 3's warming tasks under their card's row (the store
// reads each card's tasks together, its stage task first): one row per card, each
// task keeping its buttons. A card whose stage task is not in the list gets a row
// of its own that only names it.
func groupWarming(rows []TrackerRow) []TrackerRow {
	at := map[int64]int{}
	var out []TrackerRow
	for _, r := range rows {
		i, ok := at[r.CardID]
		if !ok {
			i = len(out)
			at[r.CardID] = i
			head := r
			if r.Kind == "warming" {
				head = TrackerRow{AutoTaskTrackerRow: db.AutoTaskTrackerRow{CardID: r.CardID, Stage: r.Stage, Kind: "card",
					AssigneeID: r.AssigneeID, AssigneeName: r.AssigneeName, Last4: r.Last4, Version: r.Version, BankName: r.BankName}}
			}
			out = append(out, head)
		}
		switch {
		case r.Kind == "warming":
			out[i].Warming = append(out[i].Warming, r)
		case out[i].Kind == "card": // the card's own task after one of its warming tasks
			w := out[i].Warming
			out[i] = r
			out[i].Warming = w
		}
	}
	return out
}
