package web

import (
	"encoding/json"
	"errors"
	"html/template"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"kartoteka/app/pipeline"
	"kartoteka/store"
	"kartoteka/store/db"
)

var eventTitles = map[string]string{
	"created": "Карта зарегистрирована", "started": "Карта запущена", "worked_out": "Карта отработана",
	"archived": "Карта отправлена в архив", "bank_no": "Проверка ответа банка", "bank_roll": "Ответа банка нет (автоматически)",
	store.CorrectBack: "Возврат на предыдущий этап", store.CorrectJump: "Перевод на этап", store.CorrectClose: "Досрочное закрытие",
}

// timeline merges the card's stage tasks and events in time order.
func (s *Server) timeline(c *fiber.Ctx, cardID int64) ([]TimelineItem, error) {
	tasks, err := s.st.Q.AutoTaskListCard(c.Context(), cardID)
	if err != nil {
		return nil, err
	}
	events, err := s.st.Q.CardEventList(c.Context(), cardID)
	if err != nil {
		return nil, err
	}
	var out []TimelineItem
	fmtT := func(t *db.AutoTaskListCardRow) string { return s.inTZ(t.CreatedAt).Format("02.01.2006 15:04") }
	for i := range tasks {
		t := &tasks[i]
		st := pipeline.Stage(t.Stage)
		it := TimelineItem{Title: "Этап " + itoa(int(t.Stage)) + ". " + st.Label(), Kind: "task", Rolls: t.Rolls,
			Deadline: s.inTZ(t.Deadline).Format("02.01.2006 15:04"), sortKey: t.CreatedAt.UnixNano()}
		if t.Kind == "warming" {
			it.Title = "Прогрев карты № " + i64s(cardID)
		}
		switch t.Status {
		case "done":
			var vals map[string]string
			_ = json.Unmarshal([]byte(t.Fields), &vals)
			it.Lines = pipeline.ShowTask(t.Kind, st, vals, true) // the card page is for the card's people
			it.Who = t.DoneByName
			it.At = s.inTZ(*t.DoneAt).Format("02.01.2006 15:04")
			it.sortKey = t.DoneAt.UnixNano()
		case "cancelled":
			it.Kind, it.Text, it.At = "event", "Задача снята", fmtT(t)
			it.Who = t.AssigneeName
		default:
			it.Kind, it.Who, it.At = "open", t.AssigneeName, fmtT(t)
			it.Text = "Ответственный: " + t.AssigneeName
			if t.Status == "in_progress" {
				it.Text += " · в работе"
			}
		}
		out = append(out, it)
	}
	for _, e := range events {
		it := TimelineItem{At: s.inTZ(e.At).Format("02.01.2006 15:04"), Title: eventTitles[e.Kind], Who: e.UserName,
			Text: e.Text, Kind: "event", sortKey: e.At.UnixNano()}
		switch e.Kind {
		case store.CorrectBack, store.CorrectJump, store.CorrectClose:
			it.Kind = "correction"
			if e.FromStage != nil && e.ToStage != nil {
				it.Title += ": этап " + i64s(*e.FromStage) + " → " + stageName(*e.ToStage)
			}
			it.Text = "Причина: " + e.Text
		}
		out = append(out, it)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].sortKey < out[j].sortKey })
	return out, nil
}

// timelineHTML draws a card's history (the card page's «История»): html/template
// would call an escaper by reflection for each value of each line (a card of a
// decade: ~20 lines, ~300 calls); here every value is escaped as text directly.
func timelineHTML(items []TimelineItem) template.HTML {
	var b strings.Builder
	text := func(s string) { b.WriteString(template.HTMLEscapeString(s)) }
	for _, it := range items {
		b.WriteString(`<li class="`)
		switch it.Kind {
		case "correction":
			b.WriteString("kt-correction")
		case "open":
			b.WriteString("kt-open")
		}
		b.WriteString("\">\n<div class=\"d-flex justify-content-between flex-wrap\"><strong>")
		text(it.Title)
		b.WriteString(`</strong><span class="small text-body-secondary">`)
		text(it.At)
		if it.Who != "" {
			b.WriteString(" · ")
			text(it.Who)
		}
		b.WriteString("</span></div>\n")
		if len(it.Lines) > 0 {
			b.WriteString(`<dl class="row small mb-0 mt-1">`)
			for _, l := range it.Lines {
				b.WriteString(`<dt class="col-sm-5 fw-normal text-body-secondary">`)
				text(l.Label)
				b.WriteString(`</dt><dd class="col-sm-7 mb-0">`)
				text(l.Value)
				b.WriteString(`</dd>`)
			}
			b.WriteString(`</dl>`)
		}
		b.WriteString("\n")
		if it.Text != "" {
			b.WriteString(`<div class="small">`)
			text(it.Text)
			b.WriteString(`</div>`)
		}
		b.WriteString("\n")
		switch {
		case it.Kind == "open":
			b.WriteString(`<div class="small text-body-secondary">Дедлайн: `)
			text(it.Deadline)
			if it.Rolls != 0 {
				b.WriteString(" · переносов: " + i64s(it.Rolls))
			}
			b.WriteString(`</div>`)
		case it.Rolls != 0:
			b.WriteString(`<div class="small text-body-secondary">Переносов дедлайна: ` + i64s(it.Rolls) + `</div>`)
		}
		b.WriteString("\n</li>")
	}
	return template.HTML(b.String())
}

// StageModal is what the completion modal template receives.
type StageModal struct {
	Card     db.CardViewRow
	Def      pipeline.Def
	Form     *Form
	Version  int64
	CSRF     string
	Conflict bool
	Tx       *TxData
	Early    bool // stage 3 before the period ends (owner/admin must give a reason)
	Locked   bool // Early, and the user may not finish early: the form cannot be sent
	EndsOn   string
	Task     db.AutoTask
	Prefill  map[string]string // what the product fills in; stage 8's amount returns to it
	Page     bool              // a full page (the address opened directly), not the modal
}

// fragment tells an htmx request (the modal) from an address opened directly.
func fragment(c *fiber.Ctx) bool { return c.Get("HX-Request") != "" }

// showStage answers with the stage form: the modal's content for htmx, else a
// full page (layout, navigation) whose form is an ordinary POST — for a bookmark
// or a link opened in a new tab.
func (s *Server) showStage(c *fiber.Ctx, m *StageModal) error {
	if fragment(c) {
		return c.Render("cards/stage_modal", m)
	}
	noStore(c)
	m.Page = true
	return s.render(c, "cards/stage_page", "Карта № "+i64s(m.Card.ID)+" · этап "+itoa(int(m.Def.Stage)), "tracker", nil, fiber.Map{"M": m})
}

func (s *Server) stageModalData(c *fiber.Ctx, card db.Card, f *Form) (*StageModal, error) {
	if card.Lifecycle != "in_work" || card.Stage == nil {
		return nil, fiber.NewError(fiber.StatusConflict, "Карта не в работе: выполнять нечего")
	}
	task, err := s.st.Q.AutoTaskOpenStage(c.Context(), card.ID)
	if err != nil {
		return nil, fiber.NewError(fiber.StatusConflict, "У карты нет открытой задачи этапа")
	}
	u := userOf(c)
	if !u.Role.SeesAll() && task.AssigneeID != u.ID {
		return nil, store.ErrForbidden
	}
	view, err := s.st.Q.CardView(c.Context(), card.ID)
	if err != nil {
		return nil, err
	}
	st := pipeline.Stage(*card.Stage)
	def, _ := pipeline.Get(st)
	m := &StageModal{Card: view, Def: def, Form: f, Version: card.Version, CSRF: csrfOf(c), Task: task}
	office := s.office()
	now := s.now()
	if st == pipeline.Warming && card.StageEnteredAt != nil {
		ends := office.WarmingEnds(*card.StageEnteredAt, int(card.WarmingDays))
		m.Early, m.EndsOn = now.Before(ends), ends.In(office.Loc).Format("02.01.2006")
		m.Locked = m.Early && !u.Role.SeesAll()
	}
	if st == pipeline.Processing {
		if m.Tx, err = s.txData(c, card, nil); err != nil {
			return nil, err
		}
		m.Tx.Scope = "modal"
	}
	rows, err := s.st.Q.TransactionList(c.Context(), card.ID)
	if err != nil {
		return nil, err
	}
	pctx := pipeline.Context{Today: office.Today(now), Profit: store.Totals(rows).Net}
	m.Prefill = pipeline.Prefill(st, pctx, int(card.WarmingDays), int(card.WarmingEveryDays))
	if f == nil {
		m.Form = NewForm(m.Prefill)
	}
	return m, nil
}

func (s *Server) stageModal(c *fiber.Ctx) error {
	card, err := s.loadCard(c)
	if err != nil {
		return err
	}
	m, err := s.stageModalData(c, card, nil)
	if err != nil {
		return err
	}
	return s.showStage(c, m)
}

func (s *Server) stageComplete(c *fiber.Ctx) error {
	card, err := s.loadCard(c)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(c.FormValue("version"), 10, 64)
	vals := map[string]string{}
	if card.Stage != nil {
		def, _ := pipeline.Get(pipeline.Stage(*card.Stage))
		for _, f := range def.Fields {
			vals[f.Name] = c.FormValue(f.Name)
		}
	}
	out, err := s.st.CompleteStage(c.Context(), store.StageInput{CardID: card.ID, Version: version, Actor: actorOf(c), Values: vals})
	var ve *store.ValidationError
	switch {
	case errors.As(err, &ve):
		f := NewForm(vals)
		f.Errors = ve.Errors
		m, err := s.stageModalData(c, card, f)
		if err != nil {
			return err
		}
		m.Version = version
		c.Status(fiber.StatusUnprocessableEntity)
		return s.showStage(c, m)
	case errors.Is(err, store.ErrConflict):
		fresh, _ := s.st.Q.CardGet(c.Context(), card.ID)
		// Keep what was typed only if the card is still in the stage the form was for;
		// otherwise show the current stage's form, freshly prefilled.
		var f *Form
		if fresh.Stage != nil && c.FormValue("stage") == i64s(*fresh.Stage) {
			f = NewForm(vals)
		} else {
			return s.stageMovedOn(c, fresh, vals)
		}
		m, merr := s.stageModalData(c, fresh, f)
		if merr != nil {
			// The card left the pipeline or the task is gone: nothing to complete any more.
			if !fragment(c) {
				return redirectNotices(c, "/cards/"+i64s(card.ID), Notice{NoticeWarn, msgStale + ": этап уже выполнен"})
			}
			c.Status(fiber.StatusConflict)
			return c.Render("cards/stage_gone", fiber.Map{"Message": msgStale, "CardID": card.ID})
		}
		m.Conflict = true
		c.Status(fiber.StatusConflict)
		return s.showStage(c, m)
	case err != nil:
		return err
	}
	s.publish("tracker", "cards", cardTopic(card.ID))
	msg := "Этап «" + out.From.Label() + "» выполнен"
	switch {
	case out.Rolled:
		msg = "Ответа нет: дедлайн перенесён на " + s.inTZ(out.Deadline).Format("02.01.2006")
	case out.To == 0:
		msg += ". Карта № " + i64s(card.ID) + " отработана"
	default:
		msg += ". Следующий этап: «" + out.To.Label() + "»"
	}
	if !fragment(c) { // the stage page: back to the card, which shows where it is now
		return redirectFlash(c, "/cards/"+i64s(card.ID), msg)
	}
	return c.Render("cards/stage_done", fiber.Map{"Message": msg, "CardID": card.ID})
}

func (s *Server) taskTake(c *fiber.Ctx) error {
	card, err := s.loadCard(c)
	if err != nil {
		return err
	}
	if err := s.st.TakeTask(c.Context(), actorOf(c), card.ID); err != nil {
		return err
	}
	s.publish("tracker", cardTopic(card.ID))
	if c.Get("HX-Request") != "" {
		return c.SendStatus(fiber.StatusNoContent)
	}
	return redirectFlash(c, c.Get("Referer", "/tracker"), "Задача взята в работу")
}

func (s *Server) cardCorrect(c *fiber.Ctx) error {
	card, err := s.loadCard(c)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(c.FormValue("version"), 10, 64)
	target, _ := strconv.Atoi(c.FormValue("target"))
	kind := c.FormValue("kind")
	err = s.st.CorrectStage(c.Context(), actorOf(c), card.ID, version, kind, pipeline.Stage(target), c.FormValue("reason"))
	var ve *store.ValidationError
	if errors.As(err, &ve) {
		data, derr := s.cardPageData(c, card)
		if derr != nil {
			return derr
		}
		f := NewForm(map[string]string{"kind": kind, "target": c.FormValue("target"), "reason": c.FormValue("reason")})
		f.Errors = ve.Errors
		data["CorrectKind"] = kind
		return s.invalid(c, "cards/card", "Карта № "+i64s(card.ID), "cards", f, data)
	}
	if errors.Is(err, store.ErrConflict) {
		return fiber.NewError(fiber.StatusConflict, msgStale)
	}
	if err != nil {
		return err
	}
	s.publish("tracker", "cards", cardTopic(card.ID))
	return redirectFlash(c, "/cards/"+i64s(card.ID), "Этап карты изменён")
}

// StageMoved is the answer to a stage form sent after the card left that stage:
// what happened, where the card is now, and the values typed, to copy.
type StageMoved struct {
	CardID  int64
	Message string
	Typed   []pipeline.Line
	CanOpen bool // the card is in work and its current stage is this user's to complete
	NowNo   int64
}

// stageMovedOn says plainly who completed the stage the form was for and when,
// where the card is now, and keeps what was typed visible (409).
func (s *Server) stageMovedOn(c *fiber.Ctx, fresh db.Card, vals map[string]string) error {
	formStage, _ := strconv.Atoi(c.FormValue("stage"))
	st := pipeline.Stage(formStage)
	m := StageMoved{CardID: fresh.ID}
	tasks, err := s.st.Q.AutoTaskListCard(c.Context(), fresh.ID)
	if err != nil {
		return err
	}
	what := "Этап " + itoa(formStage) + " «" + st.Label() + "»"
	m.Message = what + " уже закрыт"
	for _, t := range tasks {
		if t.Kind == "stage" && t.Stage == int64(formStage) && t.Status == "done" && t.DoneAt != nil {
			when := s.inTZ(*t.DoneAt)
			at := "в " + when.Format("15:04")
			if when.Format("2006-01-02") != s.inTZ(s.now()).Format("2006-01-02") {
				at = when.Format("02.01.2006") + " в " + when.Format("15:04")
			}
			m.Message = what + " уже выполнил(а) " + t.DoneByName + " " + at
		}
	}
	switch {
	case fresh.Lifecycle == "in_work" && fresh.Stage != nil:
		m.NowNo = *fresh.Stage
		m.Message += "; карта теперь на этапе " + stageName(*fresh.Stage)
		if open, err := s.st.Q.AutoTaskOpenStage(c.Context(), fresh.ID); err == nil {
			u := userOf(c)
			m.CanOpen = u.Role.SeesAll() || open.AssigneeID == u.ID
		}
	case fresh.Lifecycle == "worked_out":
		m.Message += "; карта отработана"
	default:
		m.Message += "; карта больше не в работе"
	}
	if d, ok := pipeline.Get(st); ok {
		for _, f := range d.Fields {
			if v := strings.TrimSpace(vals[f.Name]); v != "" && f.Type != pipeline.Transactions {
				m.Typed = append(m.Typed, pipeline.Line{Label: f.Label, Value: pipeline.ShowTyped(f, v)})
			}
		}
	}
	c.Status(fiber.StatusConflict)
	if !fragment(c) {
		return s.render(c, "cards/stage_moved_page", "Карта № "+i64s(fresh.ID), "tracker", nil, fiber.Map{"M": m})
	}
	return c.Render("cards/stage_moved", m)
}
