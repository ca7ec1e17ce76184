package web

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"kartoteka/app/export"
	"kartoteka/app/pipeline"
	"kartoteka/store"
)

// The report's tables and the rows behind its figures as CSV/XLSX: the same
// period, order and figures as the page.

var (
	colTxN        = export.Column{Title: "Транзакций", Kind: export.Int, Width: 12}
	colAmount     = export.Column{Title: "Сумма отработки", Kind: export.Money}
	colCommission = export.Column{Title: "Комиссия", Kind: export.Money}
	colNet        = export.Column{Title: "Чистыми", Kind: export.Money}
	colConfirmed  = export.Column{Title: "Подтверждённая прибыль", Kind: export.Money, Width: 24}
	colConfN      = export.Column{Title: "Карт с ответом банка", Kind: export.Int, Width: 14}
)

// reportTables are the report's exportable tables: file name and first column.
var reportTables = map[string][2]string{
	"bank": {"Отчёт по банкам", "Банк"}, "supplier": {"Отчёт по поставщикам", "Поставщик"},
	"manager": {"Отчёт по менеджерам", "Менеджер"}, "months": {"Отчёт по месяцам", "Месяц"}, "stages": {"Отчёт по этапам", "Этап"},
}

// calendarDay turns a stored 'YYYY-MM-DD' into a time that is that date in the office zone.
func calendarDay(d string, loc *time.Location) any {
	t, err := time.ParseInLocation(pipeline.DateLayout, d, loc)
	if err != nil {
		return d
	}
	return t.Add(12 * time.Hour)
}

func (s *Server) reportExport(c *fiber.Ctx) error {
	table := c.Query("table", "bank")
	names, known := reportTables[table]
	if !known {
		return fiber.ErrNotFound
	}
	f, _, ok, err := s.reportPeriod(c)
	if err != nil {
		return err
	}
	if !ok {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "Неверный период отчёта")
	}
	r, err := s.st.ReportFor(c.Context(), f.Get("from"), f.Get("to"))
	if err != nil {
		return err
	}
	name := names[0] + " " + fmtDate(r.From) + "–" + fmtDate(r.To)
	sums := func(m store.MoneySums) []any {
		return []any{m.TxN, m.Amount, m.Commission, m.Net, m.Confirmed, m.ConfirmedN}
	}
	switch table {
	case "months":
		return s.sendExport(c, listExport{name: name,
			cols: []export.Column{{Title: names[1], Kind: export.Text, Width: 16}, colTxN, colAmount, colCommission, colNet, colConfirmed, colConfN},
			write: func(ctx context.Context, w export.Writer) error {
				for _, m := range r.Months {
					if err := w.Row(append([]any{monthLabel(m.Month)}, sums(m.MoneySums)...)...); err != nil {
						return err
					}
				}
				return w.Row(append([]any{"Итого"}, sums(r.Total)...)...)
			}})
	case "stages":
		return s.sendExport(c, listExport{name: name,
			cols: []export.Column{{Title: names[1], Kind: export.Text, Width: 40}, {Title: "Ответственный", Kind: export.Text, Width: 28},
				{Title: "Вошло", Kind: export.Int}, {Title: "Вышло", Kind: export.Int}, {Title: "Выполнено", Kind: export.Int},
				{Title: "Просрочено", Kind: export.Int}, {Title: "Медиана", Kind: export.Text}, {Title: "90 %", Kind: export.Text},
				{Title: "В среднем", Kind: export.Text}},
			write: func(ctx context.Context, w export.Writer) error {
				for _, st := range r.Stages {
					label := strconv.Itoa(int(st.Stage)) + ". " + st.Stage.Label()
					if err := w.Row(label, "Все", st.Entered, st.Left, st.Done, st.Overdue, showDuration(st.Median), showDuration(st.P90), ""); err != nil {
						return err
					}
					for _, p := range st.People {
						if err := w.Row(label, p.Name, p.Entered, p.Left, p.Done, p.Overdue, "", "", showDuration(p.Mean)); err != nil {
							return err
						}
					}
				}
				return nil
			}})
	}
	rows := map[string][]store.ReportRow{"bank": r.Banks, "supplier": r.Suppliers, "manager": r.Managers}[table]
	sort := f.Get("sort")
	if !reportSorts[sort] {
		sort = "amount"
	}
	store.SortReportRows(rows, sort)
	return s.sendExport(c, listExport{name: name,
		cols: []export.Column{{Title: names[1], Kind: export.Text, Width: 32}, colTxN, colAmount, colCommission, colNet, colConfirmed, colConfN},
		write: func(ctx context.Context, w export.Writer) error {
			for _, row := range rows {
				if err := w.Row(append([]any{row.Name}, sums(row.MoneySums)...)...); err != nil {
					return err
				}
			}
			return w.Row(append([]any{"Итого"}, sums(r.Total)...)...)
		}})
}

// reportRowsExport streams the rows behind a figure, as /report/rows lists them.
func (s *Server) reportRowsExport(c *fiber.Ctx) error {
	f, _, ok, err := s.reportPeriod(c)
	if err != nil {
		return err
	}
	kind := c.Query("kind", "tx")
	dim, dimOK := reportDims[c.Query("dim")]
	key, _ := strconv.ParseInt(c.Query("key"), 10, 64)
	if (kind != "tx" && kind != "confirmed") || !dimOK || (dim != store.DimAll && key <= 0) {
		return fiber.ErrNotFound
	}
	if !ok {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "Неверный период отчёта")
	}
	what := ""
	if dim != store.DimAll {
		n, err := s.st.ReportName(c.Context(), dim, key)
		if err != nil {
			return err
		}
		what = " " + n
	}
	filter := store.ReportRowsFilter{From: f.Get("from"), To: f.Get("to"), Dim: dim, Key: key}
	period := " " + fmtDate(filter.From) + "–" + fmtDate(filter.To)
	loc := s.Loc()
	if kind == "confirmed" {
		return s.sendExport(c, listExport{name: "Подтверждённая прибыль" + what + period,
			cols: []export.Column{{Title: "Дата ответа", Kind: export.Date}, colCard, colNumber, colBank, colSupplier, colManager,
				{Title: "Подтверждённая сумма", Kind: export.Money, Width: 22}},
			write: func(ctx context.Context, w export.Writer) error {
				return s.st.ReportConfirmationsEach(ctx, filter, func(r store.ReportConfirmed) error {
					return w.Row(calendarDay(r.AnsweredOn, loc), r.CardID, maskNumber(r.Last4), r.Bank, r.Supplier, r.Manager, r.Amount)
				})
			}})
	}
	return s.sendExport(c, listExport{name: "Транзакции" + what + period,
		cols: []export.Column{{Title: "Дата", Kind: export.Date}, colCard, colNumber, colBank, colSupplier, colManager,
			{Title: "Сумма", Kind: export.Money}, {Title: "Комиссия, %", Kind: export.Rate, Width: 12}, colCommission, colNet},
		write: func(ctx context.Context, w export.Writer) error {
			return s.st.ReportTransactionsEach(ctx, filter, func(r store.ReportTx) error {
				return w.Row(calendarDay(r.OccurredOn, loc), r.CardID, maskNumber(r.Last4), r.Bank, r.Supplier, r.Manager,
					r.Amount, r.Rate, r.Commission, r.Net)
			})
		}})
}

