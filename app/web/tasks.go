package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"kartoteka/app/auth"
	"kartoteka/app/pipeline"
	"kartoteka/store"
)

var taskTabs = []struct{ Tab, Label string }{{"all", "Все задачи"}, {"in", "Входящие"}, {"out", "Исходящие"}, {"auto", "Автозадачи"}}

// stageOptions are the stages for a select: «3. Период прогрева».
var stageOptions = func() []Option {
	var out []Option
	for _, d := range pipeline.Stages() {
		out = append(out, Option{strconv.Itoa(int(d.Stage)), strconv.Itoa(int(d.Stage)) + ". " + d.Label})
	}
	return out
}()

var taskStatuses = []Option{{"open", "Открытые"}, {"overdue", "Просроченные"}, {"new", "Новая"}, {"in_progress", "В работе"},
	{"done", "Выполнена"}, {"cancelled", "Отменена"}}

// AutoTaskView is one row of «Автозадачи» with its form rendered: flat, every
// value shown as text already (the page draws 50 of them: html/template looks up
// an embedded struct's fields and calls each function by reflection).
type AutoTaskView struct {
	ID, CardID, Rolls   int64
	Number              string // masked
	Title, AssigneeName string
	Status              string // its label
	Overdue             bool
	Class               string
	Deadline            string
	Lines               []pipeline.Line
	DoneByName, DoneAt  string
}

// taskTab reads the «Задачи» tab of the URL («Входящие» by default, «Автозадачи»
// for a card's history) and checks the user may open it; the page and its export share it.
func taskTab(c *fiber.Ctx) (string, error) {
	tab := c.Query("tab", "in")
	if c.Query("card") != "" && c.Query("tab") == "" {
		tab = "auto"
	}
	switch tab {
	case "all":
		if !auth.Can(userOf(c).Role, auth.TasksAll) {
			return "", store.ErrForbidden
		}
	case "in", "out", "auto":
	default:
		return "", fiber.ErrNotFound
	}
	return tab, nil
}

func (s *Server) tasks(c *fiber.Ctx) error {
	u := userOf(c)
	tab, err := taskTab(c)
	if err != nil {
		return err
	}
	part := c.Query("part")
	if part == "tabs" {
		data := fiber.Map{"Tab": tab, "Tabs": taskTabs}
		if _, err := s.taskBadges(c, data); err != nil {
			return err
		}
		return c.Render("tasks/tabs", Page{User: u, CSRF: csrfOf(c), Data: data, Server: s, Form: NewForm(nil)})
	}
	if !plainTab(c) || c.Cookies(flashCookie) != "" {
		b, _, err := s.tasksPage(c, tab, part)
		if err != nil {
			return err
		}
		c.Type("html", "utf-8")
		return c.Send(b)
	}
	// A tab as it opens (no filter, no page) is kept for its person until the next
	// notice or the first overdue mark or count to change.
	b, err := s.personKept(c, "tasks|"+tab+"|"+part, func() ([]byte, time.Time, error) { return s.tasksPage(c, tab, part) })
	if err != nil {
		return err
	}
	c.Type("html", "utf-8")
	return c.Send(b)
}

// plainTab tells a «Задачи» address that names only the tab (and the part).
func plainTab(c *fiber.Ctx) bool {
	plain := true
	c.Context().QueryArgs().VisitAll(func(k, _ []byte) {
		if string(k) != "tab" && string(k) != "part" {
			plain = false
		}
	})
	return plain
}

// tasksPage draws a «Задачи» tab (the whole page, or its list for part=list) and
// tells until when it holds with the clock (zero: until a notice).
func (s *Server) tasksPage(c *fiber.Ctx, tab, part string) ([]byte, time.Time, error) {
	data := fiber.Map{"Tab": tab, "Tabs": taskTabs}
	var f *Form
	var until time.Time
	var err error
	if tab == "auto" {
		f, until, err = s.autoTasks(c, data)
	} else {
		f, until, err = s.stdTasks(c, tab, data)
	}
	if err != nil {
		return nil, until, err
	}
	next, err := s.taskBadges(c, data)
	if err != nil {
		return nil, until, err
	}
	until = earliest(until, next)
	if rows, ok := data["RowsChangeAt"].(time.Time); ok {
		data["ChangesAt"] = changesAt(earliest(rows, next)) // a row or a badge count changes then
	}
	p := Page{Title: "Задачи", Nav: "tasks", User: userOf(c), CSRF: csrfOf(c), Form: f, Data: data, Server: s}
	name := "tasks/tasks"
	if part == "list" && tab != "auto" {
		name = "tasks/std_list"
	} else if fl := c.Cookies(flashCookie); fl != "" {
		raw, _ := url.QueryUnescape(fl)
		p.Flash = readNotices(raw)
		c.Cookie(&fiber.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(1, 0), HTTPOnly: true, SameSite: "Lax"})
	}
	var b bytes.Buffer
	if err := s.app.Config().Views.Render(&b, name, p); err != nil {
		return nil, until, err
	}
	return b.Bytes(), until, nil
}

func (s *Server) autoTasks(c *fiber.Ctx, data fiber.Map) (*Form, time.Time, error) {
	u := userOf(c)
	f, flt := s.autoTaskFilterOf(c)
	now := flt.Now
	rows, more, err := s.st.AutoTasks(c.Context(), flt)
	if errors.Is(err, store.ErrTooBroad) {
		data["TooBroad"], err = err.Error(), nil
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	views := s.autoTaskViews(u, rows, now)
	// The rows read differently when an open one's deadline passes; the overdue
	// filter's rows are others with every passing second.
	var until time.Time
	for _, r := range rows {
		if (r.Status == "new" || r.Status == "in_progress") && !pipeline.Overdue(r.Deadline, now) {
			until = earliest(until, r.Deadline)
		}
	}
	if flt.Status == "overdue" || data["TooBroad"] != nil {
		until = s.clockStep() // a refusal may be the moment's load: asked again, it may pass
	}
	people, err := s.peopleOptions(c)
	if err != nil {
		return nil, until, err
	}
	data["Rows"], data["More"], data["People"], data["StageOpts"], data["Statuses"] = autoTaskRowsHTML(views), more, people, stageOptions, taskStatuses
	// The export holds every row of the filter, not the page from "before".
	ex, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	ex.Del("before")
	ex.Del("format")
	ex.Set("tab", "auto")
	data["ExportQuery"] = ex.Encode()
	if more && len(rows) > 0 {
		q := c.Request().URI().QueryArgs()
		q.Set("before", i64s(rows[len(rows)-1].ID))
		data["NextQuery"] = q.String()
	}
	return f, until, nil
}

// autoTaskFilterOf reads the «Автозадачи» filters from the query string: the one
// reading of them (the page and anything exporting the same list); bad dates are
// marked on the form and left out of the filter.
func (s *Server) autoTaskFilterOf(c *fiber.Ctx) (*Form, store.AutoTaskFilter) {
	u := userOf(c)
	f := NewForm(map[string]string{"card": c.Query("card"), "stage": c.Query("stage"), "assignee": c.Query("assignee"),
		"status": c.Query("status"), "from": c.Query("from"), "to": c.Query("to")})
	flt := store.AutoTaskFilter{CardID: formInt(f, "card"), Stage: formInt(f, "stage"), AssigneeID: formInt(f, "assignee"),
		Status: f.Get("status"), Now: s.now(), BeforeID: qInt(c, "before")}
	loc := s.Loc()
	if d := f.Get("from"); d != "" {
		if t, err := time.ParseInLocation(pipeline.DateLayout, d, loc); err == nil {
			flt.From = &t
		} else {
			f.Fail("from", "Дата в формате ДД.ММ.ГГГГ")
		}
	}
	if d := f.Get("to"); d != "" {
		if t, err := time.ParseInLocation(pipeline.DateLayout, d, loc); err == nil {
			t = t.AddDate(0, 0, 1)
			flt.To = &t
		} else {
			f.Fail("to", "Дата в формате ДД.ММ.ГГГГ")
		}
	}
	if u.Role == auth.Warmer || u.Role == auth.Manager {
		flt.OnlyUser = u.ID
	}
	return f, flt
}

var statusLabels = map[string]string{"new": "Новая", "in_progress": "В работе", "done": "Выполнена", "cancelled": "Отменена"}

// autoTaskViews renders each task's form, overdue mark and row colour.
func (s *Server) autoTaskViews(u *User, rows []store.AutoTaskRow, now time.Time) []AutoTaskView {
	views := make([]AutoTaskView, len(rows))
	for i, r := range rows {
		views[i] = s.autoTaskView(u, r, now)
	}
	return views
}

// autoTaskView renders one task for the page and the export alike; money is
// left out for people who are neither owner/admin nor on the card.
func (s *Server) autoTaskView(u *User, r store.AutoTaskRow, now time.Time) AutoTaskView {
	st := pipeline.Stage(r.Stage)
	v := AutoTaskView{ID: r.ID, CardID: r.CardID, Rolls: r.Rolls, Number: maskNumber(r.Last4),
		Title: strconv.Itoa(int(r.Stage)) + ". " + st.Label(), AssigneeName: r.AssigneeName, Status: statusLabels[r.Status],
		Deadline: s.inTZ(r.Deadline).Format("02.01.2006 15:04"), DoneByName: r.DoneByName}
	if r.Kind == "warming" {
		v.Title = "Прогрев карты № " + i64s(r.CardID)
	}
	var vals map[string]string
	_ = json.Unmarshal([]byte(r.Fields), &vals)
	// Money is for owner/admin and the card's own people (SPEC section 1).
	own := u.Role.SeesAll() || u.ID == r.WarmerID || u.ID == r.ManagerID || u.ID == r.AccountantID
	v.Lines = pipeline.ShowTask(r.Kind, st, vals, own)
	if r.DoneAt != nil {
		v.DoneAt = s.inTZ(*r.DoneAt).Format("02.01.2006 15:04")
	}
	open := r.Status == "new" || r.Status == "in_progress"
	v.Overdue = open && pipeline.Overdue(r.Deadline, now)
	switch {
	case v.Overdue:
		v.Class = "kt-overdue"
	case r.Status == "in_progress":
		v.Class = "kt-progress"
	case r.Status == "done":
		v.Class = "kt-done"
	case r.Status == "cancelled":
		v.Class = "kt-cancelled"
	}
	return v
}

// autoTaskRowsHTML draws «Автозадачи»'s table rows: html/template calls an
// escaper by reflection for every value (a page of 50 rows: ~1,000 calls, most
// of its CPU); here every value is escaped as text with one direct call.
func autoTaskRowsHTML(rows []AutoTaskView) template.HTML {
	var b strings.Builder
	b.Grow(len(rows) * 900)
	text := func(s string) { b.WriteString(template.HTMLEscapeString(s)) }
	for _, r := range rows {
		b.WriteString(`<tr class="`)
		text(r.Class)
		b.WriteString(`" data-task="`)
		b.WriteString(i64s(r.ID))
		b.WriteString("\">\n<td class=\"text-nowrap\"><div><a href=\"/cards/")
		b.WriteString(i64s(r.CardID))
		b.WriteString(`">№ `)
		b.WriteString(i64s(r.CardID))
		b.WriteString(`</a><div class="small text-body-secondary">`)
		text(r.Number)
		b.WriteString("</div></div></td>\n<td>")
		text(r.Title)
		b.WriteString("</td><td>")
		text(r.AssigneeName)
		b.WriteString("</td>\n<td class=\"text-nowrap\"><span>")
		text(r.Status)
		if r.Overdue {
			b.WriteString(` <span class="badge text-bg-danger">просрочена</span>`)
		}
		b.WriteString("</span></td>\n<td class=\"text-nowrap\"><div>")
		text(r.Deadline)
		if r.Rolls != 0 {
			b.WriteString(`<div class="small">переносов: `)
			b.WriteString(i64s(r.Rolls))
			b.WriteString(`</div>`)
		}
		b.WriteString("</div></td>\n<td class=\"small kt-block\">")
		for _, l := range r.Lines {
			b.WriteString(`<div><span class="text-body-secondary">`)
			text(l.Label)
			b.WriteString(`:</span> `)
			text(l.Value)
			b.WriteString(`</div>`)
		}
		b.WriteString("</td>\n<td class=\"small text-nowrap\">")
		if r.DoneByName != "" || r.DoneAt != "" { // one block: label and value side by side on a phone
			b.WriteString("<div>")
			text(r.DoneByName)
			if r.DoneAt != "" {
				b.WriteString(`<div class="text-body-secondary">`)
				text(r.DoneAt)
				b.WriteString(`</div>`)
			}
			b.WriteString("</div>")
		}
		b.WriteString("</td>\n</tr>")
	}
	return template.HTML(b.String())
}

// peopleOptions lists every employee (active or not) for a filter's select.
func (s *Server) peopleOptions(c *fiber.Ctx) ([]Option, error) {
	v, _, err := s.cachedUntil("people", func() (any, time.Time, error) { // changes only with a notice ("users")
		users, err := s.st.Q.UserList(c.Context())
		if err != nil {
			return nil, time.Time{}, err
		}
		people := make([]Option, 0, len(users))
		for _, x := range users {
			people = append(people, Option{i64s(x.ID), x.Name})
		}
		return people, time.Time{}, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]Option), nil
}
