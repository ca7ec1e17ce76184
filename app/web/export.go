package web

import (
	"bufio"
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"kartoteka/app/export"
	"kartoteka/app/pipeline"
	"kartoteka/app/tasks"
	"kartoteka/store"
)

// Exports («Экспорт ▾ CSV / XLSX») read through the same filter functions and
// access scoping as their pages, and stream: rows go from one database cursor
// (a reader connection: no write lock, nobody waits) into the file as it is
// sent. At most maxExports run at once so that big downloads cannot take the
// reader pool from the pages; a further one waits up to exportWait, then is
// told to try again.
const (
	maxExports    = 2
	exportWait    = 20 * time.Second
	exportTimeout = 15 * time.Minute
)

// listExport is one export being answered: its file and columns, and the
// function that writes its rows (run after the handler returns, while the
// response body is sent).
type listExport struct {
	name  string // file name before the date: «Архив карт»
	cols  []export.Column
	write func(ctx context.Context, w export.Writer) error
}

// sendExport answers with the export in the format of the query ("csv" or
// "xlsx", default xlsx). Everything the rows depend on — user, filters — must be
// read from c before: c is recycled when the handler returns.
func (s *Server) sendExport(c *fiber.Ctx, e listExport) error {
	format, ok := export.ParseFormat(c.Query("format", "xlsx"))
	if !ok {
		return fiber.ErrNotFound
	}
	loc := s.Loc()
	c.Set(fiber.HeaderContentType, format.ContentType())
	c.Set(fiber.HeaderContentDisposition, export.ContentDisposition(export.FileName(e.name, s.now().In(loc), format)))
	c.Set(fiber.HeaderCacheControl, "no-store")
	if c.Method() == fiber.MethodHead {
		// A probe: the headers only, without reading the rows it would hold.
		return nil
	}
	wait, cancelWait := context.WithTimeout(context.Background(), exportWait)
	defer cancelWait()
	select {
	case s.exports <- struct{}{}:
	case <-wait.Done():
		c.Set(fiber.HeaderContentDisposition, "")
		return fiber.NewError(fiber.StatusServiceUnavailable, "Сейчас выгружается много файлов. Повторите через минуту.")
	}
	log, done := s.cfg.Log, s.cfg.Done
	c.Context().SetBodyStreamWriter(func(bw *bufio.Writer) {
		defer func() { <-s.exports }()
		ctx, cancel := context.WithTimeout(context.Background(), exportTimeout)
		defer cancel()
		if done != nil { // a server shutdown ends the export
			go func() {
				select {
				case <-done:
					cancel()
				case <-ctx.Done():
				}
			}()
		}
		w, err := export.New(format, bw, e.cols, export.Options{Sheet: e.name, Loc: loc})
		if err == nil {
			err = e.write(ctx, w)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
		}
		if ferr := bw.Flush(); err == nil {
			err = ferr
		}
		if err != nil {
			log.Warn("export stopped", "file", e.name, "format", string(format), "err", err)
		}
	})
	return nil
}

var (
	colCard     = export.Column{Title: "№", Kind: export.Int, Width: 9}
	colNumber   = export.Column{Title: "Номер карты", Kind: export.Text, Width: 14}
	colBank     = export.Column{Title: "Банк", Kind: export.Text}
	colSupplier = export.Column{Title: "Поставщик", Kind: export.Text}
	colContact  = export.Column{Title: "Контакт", Kind: export.Text}
	colPhone    = export.Column{Title: "Телефон", Kind: export.Text, Width: 16}
	colManager  = export.Column{Title: "Менеджер", Kind: export.Text}
	colAccount  = export.Column{Title: "Бухгалтер", Kind: export.Text}
	colWarmer   = export.Column{Title: "Прогревщик", Kind: export.Text}
)

// exportNames are the file names of the card tabs.
var exportNames = map[string]string{"new": "Новые карты", "work": "Карты в работе", "done": "Отработанные карты", "archive": "Архив карт"}

// cardsExport exports a «Карты» tab (with its search; the archive with its filters and order) as
// the user sees it: their own cards unless owner/admin, numbers masked.
func (s *Server) cardsExport(c *fiber.Ctx) error {
	tab := c.Query("tab", "new")
	lifecycle := tabLifecycle(tab)
	if lifecycle == "" {
		return fiber.ErrNotFound
	}
	if tab == "archive" {
		f := archiveFilterOf(c)
		if err := f.Check(); err != nil {
			return fiber.NewError(fiber.StatusUnprocessableEntity, err.Error())
		}
		return s.sendExport(c, listExport{name: exportNames[tab],
			cols: []export.Column{colCard, colNumber, colContact, colPhone, colBank, colSupplier, colWarmer, colManager, colAccount,
				{Title: "В архиве с", Kind: export.Date}},
			write: func(ctx context.Context, w export.Writer) error {
				return s.st.ArchiveEach(ctx, f, func(r store.ArchiveRow) error {
					return w.Row(r.ID, maskNumber(r.Last4), r.ContactName, r.ContactPhone, r.Bank, r.Supplier, r.Warmer, r.Manager,
						r.Accountant, r.ArchivedAt)
				})
			}})
	}
	f := cardListFilterOf(c, lifecycle)
	cols := []export.Column{colCard, colNumber}
	work := tab == "work"
	if work {
		cols = append(cols, export.Column{Title: "Этап", Kind: export.Int, Width: 7}, export.Column{Title: "Статус", Kind: export.Text, Width: 34})
	}
	cols = append(cols, colBank, colSupplier, colContact, colPhone, colManager, colAccount, colWarmer)
	return s.sendExport(c, listExport{name: exportNames[tab], cols: cols,
		write: func(ctx context.Context, w export.Writer) error {
			return s.st.CardListEach(ctx, f, func(r store.CardRow) error {
				cells := []any{r.ID, maskNumber(r.Last4)}
				if work {
					var stage any
					label := ""
					if r.Stage != nil {
						stage, label = *r.Stage, pipeline.Stage(*r.Stage).Label()
					}
					cells = append(cells, stage, label)
				}
				return w.Row(append(cells, r.BankName, r.SupplierName, r.ContactName, r.ContactPhone, r.ManagerName,
					r.AccountantName, r.WarmerName)...)
			})
		}})
}

// tasksExport exports a «Задачи» tab with its filters and sort.
func (s *Server) tasksExport(c *fiber.Ctx) error {
	tab, err := taskTab(c)
	if err != nil {
		return err
	}
	if tab != "auto" {
		return s.stdTasksExport(c, tab)
	}
	u := userOf(c)
	_, flt := s.autoTaskFilterOf(c)
	user := *u
	return s.sendExport(c, listExport{name: "Автозадачи",
		cols: []export.Column{{Title: "№ карты", Kind: export.Int}, colNumber, {Title: "Этап", Kind: export.Int, Width: 7},
			{Title: "Задача", Kind: export.Text, Width: 34}, {Title: "Ответственный", Kind: export.Text},
			{Title: "Статус", Kind: export.Text, Width: 12}, {Title: "Просрочена", Kind: export.Text, Width: 12},
			{Title: "Дедлайн", Kind: export.DateTime}, {Title: "Переносов", Kind: export.Int, Width: 11},
			{Title: "Что заполнено", Kind: export.Text, Width: 60}, {Title: "Выполнил", Kind: export.Text},
			{Title: "Выполнена", Kind: export.DateTime}},
		write: func(ctx context.Context, w export.Writer) error {
			return s.st.AutoTasksEach(ctx, flt, func(r store.AutoTaskRow) error {
				v := s.autoTaskView(&user, r, flt.Now)
				overdue := ""
				if v.Overdue {
					overdue = "да"
				}
				return w.Row(r.CardID, v.Number, r.Stage, v.Title, v.AssigneeName, v.Status, overdue,
					r.Deadline, r.Rolls, showLines(v.Lines), v.DoneByName, r.DoneAt)
			})
		}})
}

var taskExportNames = map[string]string{"all": "Все задачи", "in": "Входящие задачи", "out": "Исходящие задачи"}

// stdTasksExport exports «Все задачи», «Входящие» or «Исходящие» as the tab shows them.
func (s *Server) stdTasksExport(c *fiber.Ctx, tab string) error {
	_, flt, _ := s.taskFilterOf(c, tab)
	return s.sendExport(c, listExport{name: taskExportNames[tab],
		cols: []export.Column{{Title: "№", Kind: export.Int, Width: 8}, {Title: "Заголовок", Kind: export.Text, Width: 40},
			{Title: "Статус", Kind: export.Text, Width: 12}, {Title: "Просрочена", Kind: export.Text, Width: 12},
			{Title: "Дедлайн", Kind: export.DateTime}, {Title: "Автор", Kind: export.Text}, {Title: "Ответственный", Kind: export.Text},
			{Title: "Карта №", Kind: export.Int}, {Title: "Создана", Kind: export.DateTime}, {Title: "Комментариев", Kind: export.Int, Width: 14}},
		write: func(ctx context.Context, w export.Writer) error {
			return s.st.TasksEach(ctx, flt, func(r store.TaskRow) error {
				st := tasks.Status(r.Status)
				overdue := ""
				if tasks.Overdue(st, r.Deadline, flt.Now) {
					overdue = "да"
				}
				var card any
				if r.CardID != nil {
					card = *r.CardID
				}
				return w.Row(r.ID, r.Title, st.Label(), overdue, r.Deadline, r.AuthorName, r.AssigneeName, card, r.CreatedAt, r.Comments)
			})
		}})
}

// showLines puts a task's rendered form on one line: «Сумма: 1 000,00 ₽; Дата: 01.02.2026».
func showLines(lines []pipeline.Line) string {
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = l.Label + ": " + l.Value
	}
	return strings.Join(parts, "; ")
}

// auditExport exports «Журнал изменений» with its filters.
func (s *Server) auditExport(c *fiber.Ctx) error {
	_, p := s.auditFilter(c)
	_, names, err := s.auditNames(c)
	if err != nil {
		return err
	}
	return s.sendExport(c, listExport{name: "Журнал изменений",
		cols: []export.Column{{Title: "Когда", Kind: export.DateTime}, {Title: "Кто", Kind: export.Text},
			{Title: "Объект", Kind: export.Text, Width: 14}, {Title: "№ объекта", Kind: export.Int, Width: 11},
			{Title: "Действие", Kind: export.Text}, {Title: "Изменения", Kind: export.Text, Width: 80}},
		write: func(ctx context.Context, w export.Writer) error {
			return s.st.AuditEach(ctx, p, 0, 0, func(r store.AuditRow) error {
				v := auditView(r, names)
				changes := make([]string, len(v.Changes))
				for i, ch := range v.Changes {
					switch {
					case ch.Before == "":
						changes[i] = ch.Field + ": " + ch.After
					case ch.After == "":
						changes[i] = ch.Field + ": " + ch.Before + " → —"
					default:
						changes[i] = ch.Field + ": " + ch.Before + " → " + ch.After
					}
				}
				var id any
				if r.EntityID != 0 {
					id = r.EntityID
				}
				return w.Row(r.At, v.Who, v.EntityLabel, id, v.ActionLabel, strings.Join(changes, "; "))
			})
		}})
}

// ---- «Отчёт»

var (
	colTxN       = export.Column{Title: "Транзакций", Kind: export.Int, Width: 12}
	colAmount    = export.Column{Title: "Сумма отработки", Kind: export.Money, Width: 18}
	colComm      = export.Column{Title: "Комиссия", Kind: export.Money}
	colNet       = export.Column{Title: "Чистая сумма", Kind: export.Money, Width: 18}
	colConfN     = export.Column{Title: "Карт с ответом банка", Kind: export.Int, Width: 14}
	colConfirmed = export.Column{Title: "Подтверждённая прибыль", Kind: export.Money, Width: 18}
)

// reportTables are the report's tables an export can hold, with their file names.
var reportTables = map[string]string{"months": "Отчёт по месяцам", "bank": "Отчёт по банкам", "supplier": "Отчёт по поставщикам",
	"manager": "Отчёт по менеджерам", "stages": "Отчёт по этапам"}

// exportPeriod reads the report's period as the page does; a bad one is 422.
func (s *Server) exportPeriod(c *fiber.Ctx) (*Form, error) {
	f, _, ok, err := s.reportPeriod(c)
	if err == nil && !ok {
		err = fiber.NewError(fiber.StatusUnprocessableEntity, "Укажите период: даты в формате ДД.ММ.ГГГГ")
	}
	return f, err
}

// reportExport exports one table of «Отчёт» for the page's period (and sort):
// the months, a breakdown with its total, or the stage analytics by person.
// They are the rolled-up figures the page shows: a few hundred rows at most.
func (s *Server) reportExport(c *fiber.Ctx) error {
	table := c.Query("table", "months")
	name, known := reportTables[table]
	if !known {
		return fiber.ErrNotFound
	}
	f, err := s.exportPeriod(c)
	if err != nil {
		return err
	}
	r, err := s.st.ReportFor(c.Context(), f.Get("from"), f.Get("to"))
	if err != nil {
		return err
	}
	sort := f.Get("sort")
	if !reportSorts[sort] {
		sort = "amount"
	}
	name += " " + fmtDate(f.Get("from")) + "–" + fmtDate(f.Get("to"))
	sums := func(m store.MoneySums) []any {
		return []any{m.TxN, m.Amount, m.Commission, m.Net, m.ConfirmedN, m.Confirmed}
	}
	money := []export.Column{colTxN, colAmount, colComm, colNet, colConfN, colConfirmed}
	switch table {
	case "months":
		return s.sendExport(c, listExport{name: name, cols: append([]export.Column{{Title: "Месяц", Kind: export.Text, Width: 16}}, money...),
			write: func(_ context.Context, w export.Writer) error {
				for _, m := range r.Months {
					if err := w.Row(append([]any{monthLabel(m.Month)}, sums(m.MoneySums)...)...); err != nil {
						return err
					}
				}
				return w.Row(append([]any{"Итого"}, sums(r.Total)...)...)
			}})
	case "stages":
		return s.sendExport(c, listExport{name: name,
			cols: []export.Column{{Title: "Этап", Kind: export.Int, Width: 7}, {Title: "Название этапа", Kind: export.Text, Width: 40},
				{Title: "Ответственный", Kind: export.Text}, {Title: "Вошло", Kind: export.Int}, {Title: "Вышло", Kind: export.Int},
				{Title: "Выполнено", Kind: export.Int, Width: 12}, {Title: "Просрочено", Kind: export.Int, Width: 12},
				{Title: "Медиана на этапе", Kind: export.Text, Width: 16}, {Title: "90 % на этапе", Kind: export.Text, Width: 16},
				{Title: "В среднем на этапе", Kind: export.Text, Width: 18}},
			write: func(_ context.Context, w export.Writer) error {
				for _, st := range r.Stages {
					if err := w.Row(int64(st.Stage), st.Stage.Label(), "Все", st.Entered, st.Left, st.Done, st.Overdue,
						showDuration(st.Median), showDuration(st.P90), nil); err != nil {
						return err
					}
					for _, p := range st.People {
						if err := w.Row(int64(st.Stage), st.Stage.Label(), p.Name, p.Entered, p.Left, p.Done, p.Overdue,
							nil, nil, showDuration(p.Mean)); err != nil {
							return err
						}
					}
				}
				return nil
			}})
	}
	rows := map[string][]store.ReportRow{"bank": r.Banks, "supplier": r.Suppliers, "manager": r.Managers}[table]
	store.SortReportRows(rows, sort)
	col := map[string]string{"bank": "Банк", "supplier": "Поставщик", "manager": "Менеджер"}[table]
	return s.sendExport(c, listExport{name: name, cols: append([]export.Column{{Title: col, Kind: export.Text, Width: 28}}, money...),
		write: func(_ context.Context, w export.Writer) error {
			for _, row := range rows {
				if err := w.Row(append([]any{row.Name}, sums(row.MoneySums)...)...); err != nil {
					return err
				}
			}
			return w.Row(append([]any{"Итого"}, sums(r.Total)...)...)
		}})
}

// reportRowsExport exports the rows behind one figure of «Отчёт» — the
// transactions or the confirmed cards of the period, of everything or of one
// bank, supplier or manager — streamed, numbers masked.
func (s *Server) reportRowsExport(c *fiber.Ctx) error {
	kind, dim, key, known := reportRowsOf(c)
	if !known {
		return fiber.ErrNotFound
	}
	f, err := s.exportPeriod(c)
	if err != nil {
		return err
	}
	filter := store.ReportRowsFilter{From: f.Get("from"), To: f.Get("to"), Dim: dim, Key: key}
	what := ""
	if dim != store.DimAll {
		if what, err = s.st.ReportName(c.Context(), dim, key); err != nil {
			return err
		}
		what = " — " + what
	}
	period := " " + fmtDate(filter.From) + "–" + fmtDate(filter.To)
	loc := s.Loc()
	day := func(d string) any {
		if t, err := time.ParseInLocation(pipeline.DateLayout, d, loc); err == nil {
			return t
		}
		return d
	}
	if kind == "confirmed" {
		return s.sendExport(c, listExport{name: "Подтверждённая прибыль" + what + period,
			cols: []export.Column{{Title: "Дата ответа", Kind: export.Date}, colCard, colNumber, colBank, colSupplier, colManager,
				{Title: "Подтверждённая сумма", Kind: export.Money, Width: 18}},
			write: func(ctx context.Context, w export.Writer) error {
				return s.st.ReportConfirmationsEach(ctx, filter, func(r store.ReportConfirmed) error {
					return w.Row(day(r.AnsweredOn), r.CardID, maskNumber(r.Last4), r.Bank, r.Supplier, r.Manager, r.Amount)
				})
			}})
	}
	return s.sendExport(c, listExport{name: "Транзакции" + what + period,
		cols: []export.Column{{Title: "Дата", Kind: export.Date}, colCard, colNumber, colBank, colSupplier, colManager,
			{Title: "Сумма", Kind: export.Money}, {Title: "Комиссия, %", Kind: export.Rate}, colComm, colNet},
		write: func(ctx context.Context, w export.Writer) error {
			return s.st.ReportTransactionsEach(ctx, filter, func(r store.ReportTx) error {
				return w.Row(day(r.OccurredOn), r.CardID, maskNumber(r.Last4), r.Bank, r.Supplier, r.Manager, r.Amount, r.Rate,
					r.Commission, r.Net)
			})
		}})
}
