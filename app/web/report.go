package web

import (
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"kartoteka/app/pipeline"
	"kartoteka/store"
)

// preset is a named period of «Отчёт»: whole calendar units around today.
type preset struct {
	Code, Label, From, To string
	Active                bool
}

// reportPresets are «Этот месяц», «Прошлый месяц», «Этот квартал», «Этот год» and
// «Всё время» for the office's today (first: the first day with any figure).
func reportPresets(today time.Time, first string) []preset {
	d := func(t time.Time) string { return t.Format(pipeline.DateLayout) }
	y, m, _ := today.Date()
	month := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	quarter := time.Date(y, time.Month((int(m)-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
	year := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	if first == "" || first > d(year) {
		first = d(year)
	}
	return []preset{
		{"month", "Этот месяц", d(month), d(month.AddDate(0, 1, -1)), false},
		{"prev", "Прошлый месяц", d(month.AddDate(0, -1, 0)), d(month.AddDate(0, 0, -1)), false},
		{"quarter", "Этот квартал", d(quarter), d(quarter.AddDate(0, 3, -1)), false},
		{"year", "Этот год", d(year), d(year.AddDate(1, 0, -1)), false},
		{"all", "Всё время", first, d(year.AddDate(1, 0, -1)), false},
	}
}

// reportPeriod reads from/to (dates in the office calendar) into the form; without
// them the period is this month. ok is false when a date is bad (messages on the form).
func (s *Server) reportPeriod(c *fiber.Ctx) (f *Form, presets []preset, ok bool, err error) {
	first, err := s.st.FirstReportDay(c.Context())
	if err != nil {
		return nil, nil, false, err
	}
	now := s.inTZ(s.now())
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	presets = reportPresets(today, first)
	f = NewForm(map[string]string{"from": c.Query("from"), "to": c.Query("to"), "sort": c.Query("sort")})
	if f.Get("from") == "" && f.Get("to") == "" {
		f.Values["from"], f.Values["to"] = presets[0].From, presets[0].To
	}
	for _, name := range []string{"from", "to"} {
		v, perr := pipeline.ParseDate(f.Get(name))
		switch {
		case f.Get(name) == "":
			f.Fail(name, "Укажите дату")
		case perr != nil:
			f.Fail(name, "Укажите дату в формате ДД.ММ.ГГГГ")
		case v < "2000-01-01" || v > "2100-12-31":
			f.Fail(name, "Укажите дату между 2000 и 2100 годом")
		default:
			f.Values[name] = v
		}
	}
	if f.Err("from") == "" && f.Err("to") == "" && f.Get("from") > f.Get("to") {
		f.Fail("to", "Конец периода раньше начала")
	}
	for i := range presets {
		presets[i].Active = presets[i].From == f.Get("from") && presets[i].To == f.Get("to")
	}
	return f, presets, len(f.Errors) == 0, nil
}

// reportSorts are the breakdown columns one can sort by.
var reportSorts = map[string]bool{"name": true, "count": true, "amount": true, "commission": true, "net": true, "confirmed": true}

func (s *Server) report(c *fiber.Ctx) error {
	f, presets, ok, err := s.reportPeriod(c)
	if err != nil {
		return err
	}
	data := fiber.Map{"Presets": presets}
	if !ok {
		return s.invalid(c, "report/report", "Отчёт", "report", f, data)
	}
	// The period's page is kept for its person until the next notice (a
	// transaction, a stage) or the office's midnight (the presets follow today).
	return s.keptPage(c, "report|"+string(c.Request().URI().QueryString()), func() ([]byte, time.Time, error) {
		sort := f.Get("sort")
		if !reportSorts[sort] {
			sort = "amount"
		}
		r, err := s.st.ReportFor(c.Context(), f.Get("from"), f.Get("to"))
		if err != nil {
			return nil, time.Time{}, err
		}
		for _, rows := range [][]store.ReportRow{r.Banks, r.Suppliers, r.Managers} {
			store.SortReportRows(rows, sort)
		}
		period := "from=" + f.Get("from") + "&to=" + f.Get("to")
		data["Report"], data["Sort"], data["Period"] = r, sort, period
		data["Breakdowns"] = []fiber.Map{
			{"Title": "По банкам", "Dim": "bank", "Rows": r.Banks, "Col": "Банк"},
			{"Title": "По поставщикам", "Dim": "supplier", "Rows": r.Suppliers, "Col": "Поставщик"},
			{"Title": "По менеджерам", "Dim": "manager", "Rows": r.Managers, "Col": "Менеджер"},
		}
		b, err := s.renderBytes(c, "report/report", "Отчёт", "report", f, data)
		return b, s.office().Day(s.now()).AddDate(0, 0, 1), err
	})
}

// reportParam is a hidden field of the drill-down's period form.
type reportParam struct{ Name, Value string }

// reportDims are the breakdowns a drill-down can be narrowed to.
var reportDims = map[string]int{"": store.DimAll, "all": store.DimAll, "bank": store.DimBank, "supplier": store.DimSupplier, "manager": store.DimManager}

// reportRowsOf reads which figure's rows are asked for: the kind (tx or
// confirmed) and the breakdown row; known is false for anything else. The
// drill-down page and its export share it.
func reportRowsOf(c *fiber.Ctx) (kind string, dim int, key int64, known bool) {
	kind = c.Query("kind", "tx")
	dim, dimOK := reportDims[c.Query("dim")]
	key, _ = strconv.ParseInt(c.Query("key"), 10, 64)
	return kind, dim, key, (kind == "tx" || kind == "confirmed") && dimOK && (dim == store.DimAll || key > 0)
}

// reportRows lists the rows behind one figure: the transactions (kind=tx) or the
// confirmed cards (kind=confirmed) of the period, for everything or one
// bank/supplier/manager, a page at a time.
func (s *Server) reportRows(c *fiber.Ctx) error {
	f, presets, ok, err := s.reportPeriod(c)
	if err != nil {
		return err
	}
	kind, dim, key, known := reportRowsOf(c)
	if !known {
		return fiber.ErrNotFound
	}
	hidden := []reportParam{{"kind", kind}, {"dim", c.Query("dim")}, {"key", strconv.FormatInt(key, 10)}}
	if !ok {
		return s.invalid(c, "report/rows", "Отчёт", "report", f, fiber.Map{"Presets": presets, "Kind": kind, "Hidden": hidden,
			"Heading": "Строки отчёта", "Dim": c.Query("dim"), "Key": key, "Page": 1, "Pages": 0})
	}
	from, to := f.Get("from"), f.Get("to")
	filter := store.ReportRowsFilter{From: from, To: to, Dim: dim, Key: key}
	filter.Page, _ = strconv.Atoi(c.Query("page"))
	if filter.Page < 1 {
		filter.Page = 1
	}
	sums, err := s.st.ReportSums(c.Context(), from, to, dim, key)
	if err != nil {
		return err
	}
	what := "Всего"
	if dim != store.DimAll {
		names, err := s.st.ReportName(c.Context(), dim, key)
		if err != nil {
			return err
		}
		what = names
	}
	n := sums.TxN
	data := fiber.Map{"Kind": kind, "Sums": sums, "What": what, "Presets": presets, "Page": filter.Page,
		"Dim": c.Query("dim"), "Key": key, "Hidden": hidden}
	if kind == "tx" {
		rows, err := s.st.ReportTransactions(c.Context(), filter)
		if err != nil {
			return err
		}
		data["Tx"] = rows
	} else {
		n = sums.ConfirmedN
		rows, err := s.st.ReportConfirmations(c.Context(), filter)
		if err != nil {
			return err
		}
		data["Confirmed"] = rows
	}
	q := url.Values{"kind": {kind}, "dim": {c.Query("dim")}, "key": {strconv.FormatInt(key, 10)}, "from": {from}, "to": {to}}
	data["Query"], data["Total"] = q.Encode(), n
	data["Pages"] = int((n + store.ReportRowsPage - 1) / store.ReportRowsPage)
	title := "Транзакции"
	if kind == "confirmed" {
		title = "Подтверждённая прибыль"
	}
	data["Heading"] = title
	return s.render(c, "report/rows", title+" — Отчёт", "report", f, data)
}

// showDuration shows a time spent in a stage: «2 д 4 ч», «3 ч 15 мин», «40 мин»; «—» for none.
func showDuration(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	mins := int64(d.Round(time.Minute) / time.Minute)
	days, hours, m := mins/1440, mins%1440/60, mins%60
	switch {
	case days > 0 && hours > 0:
		return strconv.FormatInt(days, 10) + " д " + strconv.FormatInt(hours, 10) + " ч"
	case days > 0:
		return strconv.FormatInt(days, 10) + " д"
	case hours > 0 && m > 0:
		return strconv.FormatInt(hours, 10) + " ч " + strconv.FormatInt(m, 10) + " мин"
	case hours > 0:
		return strconv.FormatInt(hours, 10) + " ч"
	}
	return strconv.FormatInt(max(m, 1), 10) + " мин"
}

var monthNames = [...]string{"январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"}

// monthLabel shows 'YYYY-MM' as «март 2025».
func monthLabel(ym string) string {
	t, err := time.Parse("2006-01", ym)
	if err != nil {
		return ym
	}
	return monthNames[t.Month()-1] + " " + t.Format("2006")
}
