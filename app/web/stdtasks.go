package web

import (
	"errors"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"kartoteka/app/auth"
	"kartoteka/app/tasks"
	"kartoteka/store"
	"kartoteka/store/db"
)

// Standard tasks («Задачи»: «Все задачи», «Входящие», «Исходящие», the task page).

const msgTaskStale = "Задача уже изменена другим пользователем"

// personOf is the signed-in user as the task rules see them.
func personOf(c *fiber.Ctx) tasks.Person {
	u := userOf(c)
	return tasks.Person{ID: u.ID, Owner: u.Role == auth.Owner, Admin: u.Role == auth.Admin}
}

// TaskListRow is one standard task in a list, ready to draw.
type TaskListRow struct {
	store.TaskRow
	StatusLabel, Class, Deadline, Created string
	Overdue                               bool
}

var taskSortLabels = []Option{{"deadline", "Дедлайн ↑"}, {"-deadline", "Дедлайн ↓"}, {"-created", "Сначала новые"},
	{"created", "Сначала старые"}, {"status", "Статус"}}

var taskOverdueOpts = []Option{{"", "Все"}, {"yes", "Только просроченные"}, {"no", "Только не просроченные"}}

// taskListFilters are the list's URL parameters (besides tab and after).
var taskListFilters = []string{"from", "to", "author", "assignee", "overdue", "q", "sort"}

// taskFilterOf reads a standard tab's filters from the URL into the form (to show
// them back) and the store filter; picked are the statuses ticked. The page and
// its export both read through it.
func (s *Server) taskFilterOf(c *fiber.Ctx, tab string) (*Form, store.TaskFilter, map[string]bool) {
	u := userOf(c)
	vals := map[string]string{}
	for _, k := range taskListFilters {
		vals[k] = strings.TrimSpace(c.Query(k))
	}
	f := NewForm(vals)
	now := s.now()
	flt := store.TaskFilter{Tab: tab, UserID: u.ID, AuthorID: formInt(f, "author"), AssigneeID: formInt(f, "assignee"),
		Overdue: f.Get("overdue"), Search: f.Get("q"), Sort: f.Get("sort"), After: c.Query("after"), Now: now, Limit: 50}
	if !slices.Contains(store.TaskSorts, flt.Sort) {
		flt.Sort = "deadline"
		f.Values["sort"] = ""
	}
	if flt.Overdue != "yes" && flt.Overdue != "no" {
		flt.Overdue = ""
	}
	// Statuses: several at once; none in the URL means the default, the open ones.
	picked := map[string]bool{}
	for _, v := range c.Context().QueryArgs().PeekMulti("status") {
		if st := tasks.Status(v); st.Valid() {
			flt.Statuses = append(flt.Statuses, st)
			picked[string(st)] = true
		}
	}
	if len(flt.Statuses) == 0 && c.Query("status") != "any" {
		flt.Statuses = []tasks.Status{tasks.New, tasks.InProgress}
		picked["new"], picked["in_progress"] = true, true
	}
	loc := s.Loc()
	for _, k := range []string{"from", "to"} {
		if d := f.Get(k); d != "" {
			t, err := time.ParseInLocation("2006-01-02", d, loc)
			if err != nil {
				f.Fail(k, "Дата в формате ДД.ММ.ГГГГ")
				continue
			}
			if k == "from" {
				flt.From = &t
			} else {
				t = t.AddDate(0, 0, 1)
				flt.To = &t
			}
		}
	}
	return f, flt, picked
}

// stdTasks fills a standard tab: filters from the URL, one page of rows, badges.
// It tells until when the rows hold with the clock (zero: until a notice).
func (s *Server) stdTasks(c *fiber.Ctx, tab string, data fiber.Map) (*Form, time.Time, error) {
	f, flt, picked := s.taskFilterOf(c, tab)
	now := flt.Now
	rows, more, err := s.st.Tasks(c.Context(), flt)
	if err != nil {
		return nil, time.Time{}, err
	}
	views := make([]TaskListRow, len(rows))
	var until time.Time
	for i, r := range rows {
		st := tasks.Status(r.Status)
		views[i] = TaskListRow{TaskRow: r, StatusLabel: st.Label(), Class: tasks.Class(st, r.Deadline, now),
			Overdue: tasks.Overdue(st, r.Deadline, now), Deadline: s.inTZ(r.Deadline).Format("02.01.2006 15:04"),
			Created: s.inTZ(r.CreatedAt).Format("02.01.2006 15:04")}
		if st.Open() && !views[i].Overdue {
			until = earliest(until, r.Deadline)
		}
	}
	// The first open row turning overdue: the browser refetches then.
	data["RowsChangeAt"] = until
	if flt.Overdue != "" { // the filter's rows are others with every passing second
		until = s.clockStep()
	}
	people, err := s.peopleOptions(c)
	if err != nil {
		return nil, until, err
	}
	var statuses []Option
	for _, st := range tasks.Statuses {
		statuses = append(statuses, Option{string(st), st.Label()})
	}
	data["Rows"], data["More"], data["People"], data["Statuses"], data["Picked"] = views, more, people, statuses, picked
	data["Sorts"], data["OverdueOpts"] = taskSortLabels, taskOverdueOpts
	q := c.Request().URI().QueryArgs()
	q.Del("part")
	q.Del("after")
	data["Query"] = q.String()
	q.Set("tab", tab)
	data["ExportQuery"] = q.String()
	if more && len(rows) > 0 {
		q.Set("after", rows[len(rows)-1].Cursor(flt.Sort))
		data["NextURL"] = template.URL("/tasks?" + q.String()) // built from parsed values, not typed markup
	}
	return f, until, nil
}

// taskBadges adds the tabs' open/overdue counts to data, kept per person until
// the next notice or the next counted deadline; it tells that deadline.
func (s *Server) taskBadges(c *fiber.Ctx, data fiber.Map) (time.Time, error) {
	u := userOf(c)
	v, _, err := s.cachedUntil("taskbadges|"+i64s(u.ID)+"|"+string(u.Role), func() (any, time.Time, error) {
		b, err := s.st.TaskBadges(c.Context(), u.ID, u.Role == auth.Owner, s.now())
		return b, b.Next, err
	})
	if err != nil {
		return time.Time{}, err
	}
	b := v.(store.TaskCounts)
	data["Badges"] = map[string][2]int64{"all": {b.AllOpen, b.AllOverdue}, "in": {b.InOpen, b.InOverdue}, "out": {b.OutOpen, b.OutOverdue}}
	return b.Next, nil
}

// ---- the task form (new and edit)

var taskFields = []string{"title", "description", "assignee_id", "deadline", "deadline_time", "card_id", "version"}

// parseTask checks the typed task with the pure rules; the store checks people and cards.
func (s *Server) parseTask(f *Form) (store.TaskInput, bool) {
	var in store.TaskInput
	in.Title, in.Description = f.Get("title"), f.Get("description")
	if in.Title == "" {
		f.Fail("title", "Укажите заголовок")
	}
	f.MaxLen("title", tasks.MaxTitle)
	f.Fail("title", tasks.CleanText(in.Title, false))
	f.MaxLen("description", tasks.MaxDescription)
	f.Fail("description", tasks.CleanText(in.Description, true))
	if f.Get("assignee_id") == "" {
		f.Fail("assignee_id", "Выберите ответственного")
	} else if in.AssigneeID = formInt(f, "assignee_id"); in.AssigneeID <= 0 {
		f.Fail("assignee_id", "Выберите активного сотрудника из списка")
	}
	st := s.Settings()
	dl, msg := tasks.ParseDeadline(f.Get("deadline"), f.Get("deadline_time"), s.Loc(), int(st.WorkdayEndMin))
	f.Fail("deadline", msg)
	in.Deadline = dl
	if v := strings.TrimPrefix(strings.TrimSpace(f.Get("card_id")), "№"); strings.TrimSpace(v) != "" {
		if in.CardID = formInt(NewForm(map[string]string{"c": strings.TrimSpace(v)}), "c"); in.CardID <= 0 {
			f.Fail("card_id", "Номер карты — число, например 12")
		}
	}
	return in, f.OK()
}

// taskFormPage draws the new or edit form with the active people to choose from.
func (s *Server) taskFormPage(c *fiber.Ctx, f *Form, task *db.TaskViewRow) error {
	users, err := s.st.Q.UserList(c.Context())
	if err != nil {
		return err
	}
	var people []Option
	for _, x := range users {
		if x.Active == 1 || (task != nil && task.AssigneeID == x.ID) {
			people = append(people, Option{i64s(x.ID), x.Name})
		}
	}
	title := "Новая задача"
	if task != nil {
		title = "Задача № " + i64s(task.ID)
	}
	if !f.OK() && c.Response().StatusCode() == fiber.StatusOK {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return s.render(c, "tasks/form", title, "tasks", f, fiber.Map{"Task": task, "People": people})
}

func (s *Server) taskNew(c *fiber.Ctx) error {
	f := NewForm(map[string]string{"card_id": c.Query("card"), "assignee_id": c.Query("assignee")})
	if f.Get("card_id") != "" {
		// Pre-linked from a card page: only a card the user may see.
		if _, err := s.cardFor(c, formInt(f, "card_id")); err != nil {
			return err
		}
	}
	return s.taskFormPage(c, f, nil)
}

// cardFor reads a card the user may see.
func (s *Server) cardFor(c *fiber.Ctx, id int64) (db.Card, error) {
	card, err := s.st.Q.CardGet(c.Context(), id)
	if isNoRows(err) {
		return card, fiber.ErrNotFound
	}
	if err != nil {
		return card, err
	}
	if u := userOf(c); !u.Role.SeesAll() && !store.Responsible(card, u.ID) {
		return card, store.ErrForbidden
	}
	return card, nil
}

func (s *Server) taskCreate(c *fiber.Ctx) error {
	f := formFrom(c, taskFields...)
	f.Values["description"] = strings.TrimRight(c.FormValue("description"), " \t\r\n")
	in, ok := s.parseTask(f)
	if ok {
		id, err := s.st.CreateTask(c.Context(), personOf(c), in)
		if fieldError(f, err) != nil {
			return err
		}
		if f.OK() {
			s.publishTask(id)
			return redirectFlash(c, "/tasks/"+i64s(id), "Задача № "+i64s(id)+" поставлена")
		}
	}
	return s.taskFormPage(c, f, nil)
}

// publishTask tells every open tasks page, the task's page and the counters.
func (s *Server) publishTask(id int64) { s.publish("tasks", "task:"+i64s(id)) }

// loadTask reads the :id task and checks the user may see it (else 404 for an
// unknown id, 403 for someone else's task).
func (s *Server) loadTask(c *fiber.Ctx) (db.TaskViewRow, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return db.TaskViewRow{}, err
	}
	t, err := s.st.Q.TaskView(c.Context(), id)
	if isNoRows(err) {
		return t, fiber.ErrNotFound
	}
	if err != nil {
		return t, err
	}
	if !tasks.CanSee(personOf(c), ruleOf(t)) {
		return t, store.ErrForbidden
	}
	return t, nil
}

func ruleOf(t db.TaskViewRow) tasks.Task {
	return tasks.Task{AuthorID: t.AuthorID, AssigneeID: t.AssigneeID, OnCard: t.CardID != nil, Status: tasks.Status(t.Status)}
}

func taskForm(t db.TaskViewRow, loc *time.Location) *Form {
	dl := t.Deadline.In(loc)
	return NewForm(map[string]string{"title": t.Title, "description": t.Description, "assignee_id": i64s(t.AssigneeID),
		"deadline": dl.Format("2006-01-02"), "deadline_time": dl.Format("15:04"), "version": i64s(t.Version)})
}

func (s *Server) taskEdit(c *fiber.Ctx) error {
	t, err := s.loadTask(c)
	if err != nil {
		return err
	}
	if !tasks.Allowed(personOf(c), ruleOf(t), tasks.Edit) {
		if t.AuthorID == userOf(c).ID || userOf(c).Role == auth.Owner {
			return fiber.NewError(fiber.StatusConflict, "Выполненную или отменённую задачу изменить нельзя")
		}
		return store.ErrForbidden
	}
	return s.taskFormPage(c, taskForm(t, s.Loc()), &t)
}

func (s *Server) taskUpdate(c *fiber.Ctx) error {
	t, err := s.loadTask(c)
	if err != nil {
		return err
	}
	p := personOf(c)
	if p.ID != t.AuthorID && !p.Owner {
		return store.ErrForbidden // the assignee may not edit the title, nor anyone else
	}
	f := formFrom(c, taskFields...)
	f.Values["description"] = strings.TrimRight(c.FormValue("description"), " \t\r\n")
	in, ok := s.parseTask(f)
	if ok {
		err := s.st.UpdateTask(c.Context(), p, t.ID, formInt(f, "version"), in)
		if errors.Is(err, store.ErrConflict) {
			f.Fail("version", msgTaskStale)
			c.Status(fiber.StatusConflict)
			fresh, _ := s.st.Q.TaskView(c.Context(), t.ID)
			f.Values["version"] = i64s(fresh.Version)
			return s.taskFormPage(c, f, &fresh)
		}
		if fieldError(f, err) != nil {
			return err
		}
		if f.OK() {
			s.publishTask(t.ID)
			return redirectFlash(c, "/tasks/"+i64s(t.ID), "Изменения сохранены")
		}
	}
	return s.taskFormPage(c, f, &t)
}

// taskStatus presses a status button (take, done, reopen, cancel, restore).
func (s *Server) taskStatus(c *fiber.Ctx) error {
	t, err := s.loadTask(c)
	if err != nil {
		return err
	}
	a := tasks.Action(c.FormValue("action"))
	if !slices.Contains(tasks.StatusActions, a) {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "Неизвестное действие")
	}
	err = s.st.MoveTask(c.Context(), personOf(c), t.ID, formInt(NewForm(map[string]string{"v": c.FormValue("version")}), "v"), a)
	if errors.Is(err, store.ErrConflict) {
		return fiber.NewError(fiber.StatusConflict, msgTaskStale+". Обновите страницу и повторите.")
	}
	if err != nil {
		return err
	}
	s.publishTask(t.ID)
	return redirectFlash(c, "/tasks/"+i64s(t.ID), "Статус: «"+a.Target().Label()+"»")
}

// taskComment adds a comment to the thread (author, assignee, owner).
func (s *Server) taskComment(c *fiber.Ctx) error {
	t, err := s.loadTask(c)
	if err != nil {
		return err
	}
	p := personOf(c)
	if !tasks.Allowed(p, ruleOf(t), tasks.Comment) {
		return store.ErrForbidden
	}
	f := NewForm(map[string]string{"body": strings.TrimSpace(c.FormValue("body"))})
	if f.Get("body") == "" {
		f.Fail("body", "Напишите комментарий")
	}
	f.MaxLen("body", tasks.MaxComment)
	f.Fail("body", tasks.CleanText(f.Get("body"), true))
	if f.OK() {
		if _, err := s.st.AddTaskComment(c.Context(), p, t.ID, f.Get("body")); err != nil {
			return err
		}
		s.publishTask(t.ID)
		return c.Redirect("/tasks/"+i64s(t.ID)+"#comments", fiber.StatusSeeOther)
	}
	c.Status(fiber.StatusUnprocessableEntity)
	return s.taskPageWith(c, t, f)
}

// ---- the task page

// TaskChange is one line of a task's history, its fields shown as the change log shows them.
type TaskChange struct {
	At, Who, What string
	Changes       []AuditChange
}

var taskActionLabels = map[string]string{"create": "Поставил(а) задачу", "edit": "Изменил(а) задачу", "take": "Взял(а) в работу",
	"done": "Отметил(а) выполненной", "reopen": "Вернул(а) в работу", "cancel": "Отменил(а)", "restore": "Восстановил(а)"}

func (s *Server) taskPage(c *fiber.Ctx) error {
	t, err := s.loadTask(c)
	if err != nil {
		return err
	}
	return s.taskPageWith(c, t, NewForm(nil))
}

func (s *Server) taskPageWith(c *fiber.Ctx, t db.TaskViewRow, f *Form) error {
	data, err := s.taskPageData(c, t)
	if err != nil {
		return err
	}
	if c.Query("part") == "main" {
		return c.Render("tasks/task_main", Page{User: userOf(c), CSRF: csrfOf(c), Data: data, Server: s, Form: f})
	}
	return s.render(c, "tasks/task", "Задача № "+i64s(t.ID), "tasks", f, data)
}

func (s *Server) taskPageData(c *fiber.Ctx, t db.TaskViewRow) (fiber.Map, error) {
	p, now := personOf(c), s.now()
	st := tasks.Status(t.Status)
	hist, err := s.st.Q.TaskHistory(c.Context(), t.ID)
	if err != nil {
		return nil, err
	}
	comments, err := s.st.Q.TaskCommentList(c.Context(), t.ID)
	if err != nil {
		return nil, err
	}
	users, err := s.st.Q.UserList(c.Context())
	if err != nil {
		return nil, err
	}
	names, err := s.names(c, users)
	if err != nil {
		return nil, err
	}
	var changes []TaskChange
	for _, h := range hist {
		if h.Action == "comment" {
			continue
		}
		changes = append(changes, TaskChange{At: s.inTZ(h.At).Format("02.01.2006 15:04"), Who: h.UserName,
			What: taskActionLabels[h.Action]})
		if h.Action == "edit" {
			changes[len(changes)-1].Changes = auditDiff("stdtask", h.Action, h.Before, h.After, names)
		}
	}
	var buttons []Option
	for _, a := range tasks.StatusActions {
		if tasks.Allowed(p, ruleOf(t), a) {
			buttons = append(buttons, Option{string(a), a.Label()})
		}
	}
	return fiber.Map{"Task": t, "StatusLabel": st.Label(), "Class": tasks.Class(st, t.Deadline, now),
		"Overdue": tasks.Overdue(st, t.Deadline, now), "Deadline": s.inTZ(t.Deadline).Format("02.01.2006 15:04"),
		"Created": s.inTZ(t.CreatedAt).Format("02.01.2006 15:04"), "Buttons": buttons, "Changes": changes,
		"Comments": comments, "CanEdit": tasks.Allowed(p, ruleOf(t), tasks.Edit),
		"CanComment":  tasks.Allowed(p, ruleOf(t), tasks.Comment),
		"CardVisible": t.CardID != nil && (userOf(c).Role.SeesAll() || s.responsible(c, *t.CardID))}, nil
}

func (s *Server) responsible(c *fiber.Ctx, card int64) bool {
	_, err := s.cardFor(c, card)
	return err == nil
}
