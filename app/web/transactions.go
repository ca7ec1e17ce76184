package web

import (
	"errors"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"kartoteka/app/money"
	"kartoteka/app/pipeline"
	"kartoteka/store"
	"kartoteka/store/db"
)

// TxData is what the transactions editor shows.
type TxData struct {
	CardID   int64
	Rows     []db.Transaction
	Totals   money.Totals
	Editable bool // stage 6 and the user may change money
	Shown    bool // stages 5–9 and after: the block is on the page
	Form     *Form
	CSRF     string
	Rate     string
	Today    string
	Scope    string // "page" or "modal": one card may show both editors at once
	Notice   string // why the last click changed nothing (a stale row)
	Locked   string // why the rows cannot be changed here, "" when Editable
}

// ID is the editor's element id, unique per card and place.
func (d *TxData) ID() string { return "tx-editor-" + d.Scope + "-" + i64s(d.CardID) }

// RowsHTML draws the editor's rows (on every card page of a card with money):
// html/template would call a function and an escaper by reflection for each of
// a row's values; here every value is formatted and escaped as text directly.
func (d *TxData) RowsHTML() template.HTML {
	if len(d.Rows) == 0 {
		return `<tr class="kt-tx-empty"><td colspan="7" class="text-center text-body-secondary">Транзакций пока нет</td></tr>`
	}
	var b strings.Builder
	text := func(s string) { b.WriteString(template.HTMLEscapeString(s)) }
	for _, r := range d.Rows {
		b.WriteString(`<tr class="kt-tx-row" data-amount="` + strconv.FormatInt(int64(r.Amount), 10) + `" data-rate="` + strconv.FormatInt(int64(r.CommissionRate), 10) + "\">\n")
		b.WriteString(`<td class="text-nowrap" data-label="Дата">`)
		text(fmtDate(r.OccurredOn))
		b.WriteString(`</td><td class="text-end kt-num" data-label="Сумма">`)
		text(r.Amount.String())
		b.WriteString(`</td><td class="text-end" data-label="Комиссия, %">`)
		text(r.CommissionRate.String())
		b.WriteString("</td>\n<td class=\"text-end kt-num\" data-label=\"Комиссия\">")
		text(r.Commission.String())
		b.WriteString(`</td><td class="text-end kt-num" data-label="Чистая сумма">`)
		text(r.Net.String())
		b.WriteString(`</td><td class="small" data-label="Комментарий">`)
		text(r.Comment)
		b.WriteString("</td>\n")
		if d.Editable {
			b.WriteString(`<td class="text-end kt-actions"><button type="button" class="btn btn-sm btn-outline-danger" hx-post="/cards/` + i64s(d.CardID) +
				"/transactions/" + i64s(r.ID) + "/delete?scope=" + url.QueryEscape(d.Scope) + "&amp;seen=" + store.SeenTx(r) +
				`" hx-target="#` + d.ID() + `" hx-swap="outerHTML" hx-confirm="Удалить транзакцию?" aria-label="Удалить">✕</button></td>`)
		}
		b.WriteString("\n</tr>")
	}
	return template.HTML(b.String())
}

// txData gathers the card's transactions; f carries a refused new row.
func (s *Server) txData(c *fiber.Ctx, card db.Card, f *Form) (*TxData, error) {
	rows, err := s.st.Q.TransactionList(c.Context(), card.ID)
	if err != nil {
		return nil, err
	}
	u := userOf(c)
	stage := pipeline.Stage(0)
	if card.Stage != nil {
		stage = pipeline.Stage(*card.Stage)
	}
	canMoney := u.Role.SeesAll() || card.ManagerID == u.ID || card.AccountantID == u.ID
	today := s.office().Today(s.now())
	d := &TxData{CardID: card.ID, Rows: rows, Totals: store.Totals(rows), CSRF: csrfOf(c), Rate: card.CommissionRate.Input(),
		Editable: card.Lifecycle == "in_work" && stage == pipeline.Processing && canMoney,
		Shown:    len(rows) > 0 || (card.Lifecycle == "in_work" && stage >= pipeline.WorkTopup) || card.Lifecycle == "worked_out",
		Form:     f, Today: today, Scope: "page"}
	switch {
	case d.Editable:
	case !canMoney: // the real reason is who they are, not the stage
		d.Locked = "Транзакции только для просмотра: добавляют и удаляют их менеджер и бухгалтер карты, администратор и владелец."
	default:
		d.Locked = "Транзакции можно добавлять и удалять только на этапе «" + pipeline.Processing.Label() + "»."
	}
	if c.Query("scope", c.FormValue("scope")) == "modal" {
		d.Scope = "modal"
	}
	if d.Form == nil {
		d.Form = NewForm(map[string]string{"occurred_on": today, "commission_rate": d.Rate})
	}
	return d, nil
}

func (s *Server) txEditor(c *fiber.Ctx) error {
	card, err := s.loadCard(c)
	if err != nil {
		return err
	}
	d, err := s.txData(c, card, nil)
	if err != nil {
		return err
	}
	return c.Render("cards/tx_editor", d)
}

func (s *Server) txAdd(c *fiber.Ctx) error {
	card, err := s.loadCard(c)
	if err != nil {
		return err
	}
	f := formFrom(c, "occurred_on", "amount", "commission_rate", "comment")
	today := s.office().Today(s.now())
	in, errs := pipeline.ValidateTransaction(f.Values, today)
	for k, v := range f.Errors { // what formFrom refused (control characters)
		if errs == nil {
			errs = map[string]string{}
		}
		errs[k] = v
	}
	if errs == nil {
		_, err = s.st.AddTransaction(c.Context(), actorOf(c), card.ID, in)
		var fe *store.FieldError
		if errors.As(err, &fe) {
			f.Fail(fe.Field, fe.Msg)
			c.Status(fiber.StatusUnprocessableEntity)
		} else if err != nil {
			return txRefused(err)
		} else {
			s.publish(cardTopic(card.ID), "report")
			f = nil
		}
	} else {
		f.Errors = errs
		c.Status(fiber.StatusUnprocessableEntity)
	}
	d, err := s.txData(c, card, f)
	if err != nil {
		return err
	}
	return c.Render("cards/tx_editor", d)
}

// txRefused says why a transaction change was refused outside stage 6.
func txRefused(err error) error {
	if errors.Is(err, store.ErrTxClosed) {
		return fiber.NewError(fiber.StatusConflict, "Транзакции можно менять только на этапе «Отработка карты»")
	}
	return err
}

func (s *Server) txDelete(c *fiber.Ctx) error {
	card, err := s.loadCard(c)
	if err != nil {
		return err
	}
	txID, err := idParam(c, "tx")
	if err != nil {
		return err
	}
	err = s.st.DeleteTransaction(c.Context(), actorOf(c), card.ID, txID, c.Query("seen", c.FormValue("seen")))
	stale := errors.Is(err, store.ErrStale)
	if err != nil && !stale {
		return txRefused(err)
	}
	if !stale {
		s.publish(cardTopic(card.ID), "report")
	}
	d, err := s.txData(c, card, nil)
	if err != nil {
		return err
	}
	if stale {
		// The row the user clicked is gone or changed: nothing was deleted; show the rows as they are now.
		d.Notice = "Строка уже изменена другим пользователем: ничего не удалено. Проверьте список."
		c.Status(fiber.StatusConflict)
	}
	return c.Render("cards/tx_editor", d)
}
