package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kartoteka/app/auth"
	"kartoteka/app/money"
	"kartoteka/store"
)

// exportFixture is a server on a small generated office: several people of
// every role, hundreds of archived cards, cards in every stage, tasks.
type exportFixture struct {
	ts     *testServer
	people map[auth.Role][]int64
}

func newExportFixture(t *testing.T, archived int) *exportFixture {
	return newExportFixtureTasks(t, archived, 1500)
}

func newExportFixtureTasks(t *testing.T, archived, tasks int) *exportFixture {
	t.Helper()
	ts := newTestServer(t, emptyDB())
	ctx := context.Background()
	err := ts.st.Generate(ctx, store.GenerateOptions{StdTasks: 300, Employees: 12, Suppliers: 4, Banks: 3, Archived: archived, InWork: 40,
		Transactions: 600, AutoTasks: tasks, PasswordHash: "not-a-hash", Seed: 7}, nil)
	if err != nil {
		t.Fatal(err)
	}
	users, err := ts.st.Q.UserList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f := &exportFixture{ts: ts, people: map[auth.Role][]int64{}}
	for _, u := range users {
		f.people[auth.Role(u.Role)] = append(f.people[auth.Role(u.Role)], u.ID)
	}
	for _, r := range auth.Roles {
		if len(f.people[r]) == 0 {
			t.Fatalf("no %s generated", r)
		}
	}
	return f
}

func (f *exportFixture) as(t *testing.T, role auth.Role, i int) *session {
	return f.ts.loginUser(t, role, f.people[role][i])
}

// exportTable downloads an export in both formats, checks they hold the same
// cells, and returns the CSV's rows (header first).
func (f *exportFixture) exportTable(t *testing.T, s *session, path string) [][]string {
	t.Helper()
	resp, body := f.ts.doAs(t, s, http.MethodGet, path+"&format=csv", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s csv: %d %s", path, resp.StatusCode, snippet(body))
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("csv content type %q", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''") || !strings.Contains(cd, ".csv") {
		t.Fatalf("csv disposition %q", cd)
	}
	if !strings.HasPrefix(body, "\ufeff") {
		t.Fatal("csv without BOM")
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("csv: %v", err)
	}
	resp, body = f.ts.doAs(t, s, http.MethodGet, path+"&format=xlsx", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("GET %s xlsx: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	x, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	defer x.Close()
	xrows, err := x.GetRows(x.GetSheetName(0), excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(xrows) != len(rows) {
		t.Fatalf("%s: csv %d rows, xlsx %d", path, len(rows), len(xrows))
	}
	shown, _ := x.GetRows(x.GetSheetName(0))
	for i := range rows {
		for j, c := range rows[i] {
			raw, fmtd := cellAt(xrows, i, j), cellAt(shown, i, j)
			// Text and integers are equal; dates are shown alike; a decimal comma
			// is the XLSX number; a neutralised text has its apostrophe in CSV only.
			if c != raw && c != fmtd && c != "'"+raw && !sameNumber(c, raw) {
				t.Fatalf("%s row %d col %d: csv %q, xlsx %q (%q)", path, i, j, c, raw, fmtd)
			}
		}
	}
	return rows
}

// sameNumber tells whether a CSV number ("12345,60") is the XLSX one ("12345.6").
func sameNumber(csvCell, raw string) bool {
	a, err1 := strconv.ParseFloat(strings.Replace(csvCell, ",", ".", 1), 64)
	b, err2 := strconv.ParseFloat(raw, 64)
	return err1 == nil && err2 == nil && a == b
}

func cellAt(rows [][]string, i, j int) string {
	if i < len(rows) && j < len(rows[i]) {
		return rows[i][j]
	}
	return ""
}

func column(rows [][]string, title string) []string {
	i := slices.Index(rows[0], title)
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[i])
	}
	return out
}

// archivePage reads every page of the archive table as the page's JavaScript does.
func (f *exportFixture) archivePage(t *testing.T, s *session, q url.Values) []string {
	t.Helper()
	var ids []string
	for start := 0; ; start += 100 {
		q.Set("start", strconv.Itoa(start))
		q.Set("length", "100")
		resp, body := f.ts.doAs(t, s, http.MethodGet, "/cards/archive?"+q.Encode(), nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("archive page: %d", resp.StatusCode)
		}
		var p struct {
			Filtered int        `json:"recordsFiltered"`
			Data     [][]string `json:"data"`
		}
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Data {
			ids = append(ids, r[0])
		}
		if start+100 >= p.Filtered {
			return ids
		}
	}
}

// TestExportArchiveIsThePage: for each role and a set of filters, the archive's
// export holds exactly the cards its table pages through, in the same order,
// with numbers masked; a person's export holds only their cards.
func TestExportArchiveIsThePage(t *testing.T) {
	f := newExportFixture(t, 400)
	ctx := context.Background()
	var some store.ArchiveRow
	if err := f.ts.st.ArchiveEach(ctx, store.ArchiveFilter{}, func(r store.ArchiveRow) error {
		if some.ID == 0 {
			some = r
		}
		return nil
	}); err != nil || some.ID == 0 {
		t.Fatalf("no archived card: %v", err)
	}
	card, err := f.ts.st.Q.CardGet(ctx, some.ID)
	if err != nil {
		t.Fatal(err)
	}
	filters := []url.Values{
		{},
		{"order[0][dir]": {"asc"}},
		{"bank": {fmt.Sprint(card.BankID)}},
		{"bank": {fmt.Sprint(card.BankID)}, "supplier": {fmt.Sprint(card.SupplierID)}},
		{"manager": {fmt.Sprint(card.ManagerID)}},
		{"warmer": {fmt.Sprint(card.WarmerID)}, "accountant": {fmt.Sprint(card.AccountantID)}},
		{"number": {card.Last4}},
		{"number": {card.Number[2:9]}},
		{"contact": {strings.Fields(card.ContactName)[0]}},
		{"contact": {card.ContactPhone}},
	}
	sessions := []*session{f.as(t, owner, 0), f.as(t, admin, 0), f.as(t, manager, 0), f.as(t, manager, 1),
		f.as(t, warmer, 0), f.as(t, accountant, 0)}
	sessions = append(sessions, f.ts.loginUser(t, manager, card.ManagerID), f.ts.loginUser(t, warmer, card.WarmerID))
	nonEmpty := 0
	for _, s := range sessions {
		for _, q := range filters {
			page := f.archivePage(t, s, q)
			rows := f.exportTable(t, s, "/export/cards?tab=archive&"+q.Encode())
			got := column(rows, "№")
			if !slices.Equal(got, page) {
				t.Fatalf("%s %v: export %d cards %v…, page %d %v…", s.Role, q, len(got), head(got), len(page), head(page))
			}
			if len(got) > 0 {
				nonEmpty++
			}
			for i, n := range column(rows, "Номер карты") {
				id, _ := strconv.ParseInt(got[i], 10, 64)
				c, err := f.ts.st.Q.CardGet(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if n != "•••• "+c.Last4 {
					t.Fatalf("card %d shown as %q", id, n)
				}
				if c.Lifecycle != "archived" {
					t.Fatalf("card %d is %s", id, c.Lifecycle)
				}
				if !s.Role.SeesAll() && !store.Responsible(c, s.UserID) {
					t.Fatalf("%s %d exported card %d of someone else", s.Role, s.UserID, id)
				}
			}
		}
	}
	if nonEmpty < len(sessions)*len(filters)/3 {
		t.Fatalf("only %d non-empty exports: the data do not test much", nonEmpty)
	}
}

func head(s []string) []string { return s[:min(len(s), 5)] }

var cardRowRe = regexp.MustCompile(`data-card="(\d+)"`)

// TestExportCardTabsAreThePage: the «Новые», «В работе», «Отработаны» exports
// hold the tab's rows for each person, with masked numbers, and the stage.
func TestExportCardTabsAreThePage(t *testing.T) {
	f := newExportFixture(t, 10)
	ctx := context.Background()
	var some store.CardRow
	if err := f.ts.st.CardListEach(ctx, store.CardListFilter{Lifecycle: "in_work"}, func(r store.CardRow) error { some = r; return nil }); err != nil {
		t.Fatal(err)
	}
	bankName, last4 := strings.ToLower(some.BankName), some.Last4
	sessions := []*session{f.as(t, owner, 0), f.as(t, admin, 0), f.as(t, manager, 0), f.as(t, manager, 1),
		f.as(t, warmer, 0), f.as(t, accountant, 0)}
	total := 0
	for _, s := range sessions {
		for _, tq := range []string{"new", "work", "done", "work&q=" + url.QueryEscape(bankName), "work&q=" + last4} {
			tab, _, _ := strings.Cut(tq, "&")
			_, body := f.ts.doAs(t, s, http.MethodGet, "/cards?tab="+tq, nil)
			var page []string
			for _, m := range cardRowRe.FindAllStringSubmatch(body, -1) {
				page = append(page, m[1])
			}
			if !strings.Contains(html.UnescapeString(body), "/export/cards?format=xlsx&tab="+tq) {
				t.Fatalf("%s: no export link with the search", tq)
			}
			rows := f.exportTable(t, s, "/export/cards?tab="+tq)
			got := column(rows, "№")
			if !slices.Equal(got, page) {
				t.Fatalf("%s %s: export %v, page %v", s.Role, tq, got, page)
			}
			total += len(got)
			for i, id := range got {
				n, _ := strconv.ParseInt(id, 10, 64)
				c, _ := f.ts.st.Q.CardGet(ctx, n)
				if !s.Role.SeesAll() && !store.Responsible(c, s.UserID) {
					t.Fatalf("%s exported card %d of someone else", s.Role, n)
				}
				if rows[i+1][1] != "•••• "+c.Last4 || strings.Contains(strings.Join(rows[i+1], ";"), c.Number) {
					t.Fatalf("card %d: number not masked: %v", n, rows[i+1])
				}
				if tab == "work" && column(rows, "Этап")[i] != fmt.Sprint(*c.Stage) {
					t.Fatalf("card %d: stage %v", n, rows[i+1])
				}
			}
		}
	}
	if total == 0 {
		t.Fatal("no cards in the tabs")
	}
}

var taskCardRe = regexp.MustCompile(`<tr class="[^"]*" data-task="(\d+)">\s*<td class="text-nowrap"><div><a href="/cards/(\d+)">`)
var nextRe = regexp.MustCompile(`href="/tasks\?([^"]+)">Показать ещё`)

// TestExportAutoTasksAreThePages: «Автозадачи»'s export holds the rows of all
// its pages (followed through «Показать ещё») for each role and filter.
func TestExportAutoTasksAreThePages(t *testing.T) {
	f := newExportFixtureTasks(t, 15, 300)
	sessions := []*session{f.as(t, owner, 0), f.as(t, manager, 0), f.as(t, warmer, 0)}
	today := f.ts.clock.Now().Format("2006-01-02")
	monthAgo := f.ts.clock.Now().AddDate(0, -1, 0).Format("2006-01-02")
	filters := []string{"", "stage=3", "status=done", "status=open", "status=overdue", "from=" + monthAgo + "&to=" + today,
		fmt.Sprintf("stage=8&status=done&assignee=%d", f.people[manager][0])}
	for _, s := range sessions {
		for _, q := range filters {
			var page []string
			next := "tab=auto&" + q
			for pages := 0; next != "" && pages < 100; pages++ {
				_, body := f.ts.doAs(t, s, http.MethodGet, "/tasks?"+next, nil)
				for _, m := range taskCardRe.FindAllStringSubmatch(body, -1) {
					page = append(page, m[2])
				}
				next = ""
				if m := nextRe.FindStringSubmatch(body); m != nil {
					next = strings.ReplaceAll(m[1], "&amp;", "&")
				}
			}
			rows := f.exportTable(t, s, "/export/tasks?tab=auto&"+q)
			if got := column(rows, "№ карты"); !slices.Equal(got, page) {
				t.Fatalf("%s %q: export %d rows, pages %d", s.Role, q, len(got), len(page))
			}
			if s.Role == owner && q == "" && len(page) <= 100 {
				t.Fatalf("only %d tasks: the pages are not followed", len(page))
			}
		}
	}
}

// TestExportAuditIsThePage: the change log's export holds the filtered lines.
func TestExportAuditIsThePage(t *testing.T) {
	ts := newTestServer(t)
	for i := range 3 {
		ts.do(t, owner, http.MethodPost, "/directory/banks/new", url.Values{"name": {fmt.Sprintf("=Банк %d", i)}})
	}
	_, body := ts.do(t, owner, http.MethodGet, "/audit?entity=bank", nil)
	total := regexp.MustCompile(`Найдено записей: (\d+)`).FindStringSubmatch(body)
	f := &exportFixture{ts: ts}
	rows := f.exportTable(t, ts.login(t, owner), "/export/audit?entity=bank")
	if total == nil || fmt.Sprint(len(rows)-1) != total[1] {
		t.Fatalf("export %d lines, page says %v", len(rows)-1, total)
	}
	if got := column(rows, "Объект"); len(got) == 0 || got[0] != "Банк" {
		t.Fatalf("objects %v", got)
	}
	// A bank named "=Банк 2" is text, not a formula.
	if !strings.Contains(strings.Join(column(rows, "Изменения"), "\n"), "=Банк 2") {
		t.Fatalf("changes %v", column(rows, "Изменения"))
	}
}

// TestExportAccess: the export of a section a role may not open is refused as
// the page is; an unknown tab or format is 404.
func TestExportAccess(t *testing.T) {
	ts := newTestServer(t)
	for _, c := range []struct {
		role auth.Role
		path string
		code int
	}{
		{manager, "/export/audit?format=csv", http.StatusForbidden},
		{admin, "/export/audit?format=xlsx", http.StatusForbidden},
		{owner, "/export/audit?format=csv", http.StatusOK},
		{manager, "/export/tasks?tab=all&format=csv", http.StatusForbidden},
		{manager, "/export/cards?tab=archive&format=csv", http.StatusOK},
		{warmer, "/export/tasks?tab=auto&format=xlsx", http.StatusOK},
		{owner, "/export/cards?tab=nope&format=csv", http.StatusNotFound},
		{owner, "/export/cards?tab=new&format=pdf", http.StatusNotFound},
	} {
		resp, body := ts.do(t, c.role, http.MethodGet, c.path, nil)
		if resp.StatusCode != c.code {
			t.Errorf("%s %s: %d, want %d %s", c.role, c.path, resp.StatusCode, c.code, snippet(body))
		}
	}
	resp, _ := ts.doAs(t, nil, http.MethodGet, "/export/cards?tab=new", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous export: %d", resp.StatusCode)
	}
}

var stdTaskRe = regexp.MustCompile(`data-task="(\d+)"`)

// TestExportStdTasksAreThePages: «Все задачи», «Входящие», «Исходящие» export the
// rows of all their pages, for each role, filter and sort; «Все задачи» is the owner's.
func TestExportStdTasksAreThePages(t *testing.T) {
	ts := newTestServer(t) // streams not ended: that is the server shutting down, which stops exports
	f := &exportFixture{ts: ts}
	pairs := [][2]auth.Role{{owner, manager}, {manager, accountant}, {admin, manager}, {warmer, owner}, {accountant, manager}}
	for i := range 70 {
		p := pairs[i%len(pairs)]
		days := (i%9 - 3) * 24
		ts.newStdTask(t, p[0], p[1], url.Values{"title": {fmt.Sprintf("Задача %d =SUM(A1)", i)},
			"deadline": {ts.clock.Now().Add(time.Duration(days) * time.Hour).Format("2006-01-02")}})
	}
	filters := []string{"", "status=any", "status=any&sort=-created", "status=any&sort=status", "overdue=yes",
		"status=done&status=new", "q=" + url.QueryEscape("задача 1"), fmt.Sprintf("status=any&assignee=%d", ts.users[manager])}
	for _, role := range []auth.Role{owner, manager, accountant, warmer} {
		s := ts.login(t, role)
		for _, tab := range []string{"all", "in", "out"} {
			if tab == "all" && role != owner {
				resp, _ := ts.doAs(t, s, http.MethodGet, "/export/tasks?tab=all&format=csv", nil)
				if resp.StatusCode != http.StatusForbidden {
					t.Fatalf("«Все задачи» export as %s: %d", role, resp.StatusCode)
				}
				continue
			}
			for _, q := range filters {
				var page []string
				next := "tab=" + tab + "&" + q
				for pages := 0; next != "" && pages < 20; pages++ {
					_, body := ts.doAs(t, s, http.MethodGet, "/tasks?"+next, nil)
					for _, m := range stdTaskRe.FindAllStringSubmatch(body, -1) {
						page = append(page, m[1])
					}
					next = ""
					if m := nextRe.FindStringSubmatch(body); m != nil {
						next = strings.ReplaceAll(m[1], "&amp;", "&")
					}
				}
				rows := f.exportTable(t, s, "/export/tasks?tab="+tab+"&"+q)
				if got := column(rows, "№"); !slices.Equal(got, page) {
					t.Fatalf("%s %s %q: export %v, pages %v", role, tab, q, got, page)
				}
				if role == owner && tab == "all" && q == "status=any" && len(page) != 70 {
					t.Fatalf("«Все задачи» holds %d of 70", len(page))
				}
			}
		}
	}
}

// TestExportReport: the report's tables and the rows behind its figures export
// what the page shows, adding up to the headline figures to the kopeck.
func TestExportReport(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	if err := ts.st.DemoCards(ctx); err != nil {
		t.Fatal(err)
	}
	now := ts.clock.Now().In(ts.srv.Loc())
	period := "from=" + now.AddDate(0, 0, -40).Format("2006-01-02") + "&to=" + now.Format("2006-01-02")
	rep, err := ts.st.ReportFor(ctx, now.AddDate(0, 0, -40).Format("2006-01-02"), now.Format("2006-01-02"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total.TxN == 0 || rep.Total.ConfirmedN == 0 {
		t.Fatalf("no figures: %+v", rep.Total)
	}
	f := &exportFixture{ts: ts}
	s := ts.login(t, owner)
	sum := func(rows [][]string, col string) money.Kopecks {
		var k money.Kopecks
		for _, v := range column(rows, col) {
			x, err := money.ParseKopecks(v)
			if err != nil {
				t.Fatalf("%s: %q: %v", col, v, err)
			}
			k += x
		}
		return k
	}
	for _, b := range []struct {
		dim  string
		rows []store.ReportRow
	}{{"bank", rep.Banks}, {"supplier", rep.Suppliers}, {"manager", rep.Managers}} {
		rows := f.exportTable(t, s, "/export/report?table="+b.dim+"&sort=name&"+period)
		if len(rows) != len(b.rows)+2 || rows[len(rows)-1][0] != "Итого" {
			t.Fatalf("%s: %d rows for %d", b.dim, len(rows), len(b.rows))
		}
		body := rows[:len(rows)-1]
		if got := sum(body, "Сумма отработки"); got != rep.Total.Amount {
			t.Errorf("%s: amounts add up to %s, headline %s", b.dim, got, rep.Total.Amount)
		}
		if got := sum(body, "Подтверждённая прибыль"); got != rep.Total.Confirmed {
			t.Errorf("%s: confirmed add up to %s, headline %s", b.dim, got, rep.Total.Confirmed)
		}
		names := column(body, rows[0][0])
		if !slices.IsSortedFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }) {
			t.Errorf("%s: not sorted by name: %v", b.dim, names)
		}
	}
	rows := f.exportTable(t, s, "/export/report?table=months&"+period)
	if len(rows) != len(rep.Months)+2 || sum(rows[:len(rows)-1], "Сумма отработки") != rep.Total.Amount {
		t.Errorf("months: %d rows for %d", len(rows), len(rep.Months))
	}
	rows = f.exportTable(t, s, "/export/report?table=stages&"+period)
	if n := slices.Index(rows[0], "Ответственный"); n < 0 || strings.Count(strings.Join(column(rows, "Ответственный"), "|"), "Все") != 9 {
		t.Errorf("stages: %v", column(rows, "Ответственный"))
	}
	rows = f.exportTable(t, s, "/export/report/rows?kind=tx&"+period)
	if int64(len(rows)-1) != rep.Total.TxN || sum(rows, "Сумма") != rep.Total.Amount || sum(rows, "Чистая сумма") != rep.Total.Net {
		t.Errorf("transactions: %d rows for %d, sum %s for %s", len(rows)-1, rep.Total.TxN, sum(rows, "Сумма"), rep.Total.Amount)
	}
	bank := rep.Banks[0]
	rows = f.exportTable(t, s, fmt.Sprintf("/export/report/rows?kind=tx&dim=bank&key=%d&%s", bank.Key, period))
	if int64(len(rows)-1) != bank.TxN || sum(rows, "Сумма") != bank.Amount {
		t.Errorf("transactions of %s: %d rows for %d", bank.Name, len(rows)-1, bank.TxN)
	}
	for _, n := range column(rows, "Номер карты") {
		if !strings.HasPrefix(n, "•••• ") {
			t.Fatalf("number not masked: %q", n)
		}
	}
	rows = f.exportTable(t, s, "/export/report/rows?kind=confirmed&"+period)
	if int64(len(rows)-1) != rep.Total.ConfirmedN || sum(rows, "Подтверждённая сумма") != rep.Total.Confirmed {
		t.Errorf("confirmed: %d rows for %d", len(rows)-1, rep.Total.ConfirmedN)
	}
	for _, c := range []struct {
		role auth.Role
		path string
		code int
	}{
		{admin, "/export/report?table=bank&" + period, http.StatusForbidden},
		{manager, "/export/report/rows?kind=tx&" + period, http.StatusForbidden},
		{owner, "/export/report?table=nope&" + period, http.StatusNotFound},
		{owner, "/export/report/rows?kind=tx&dim=bank", http.StatusNotFound},
		{owner, "/export/report?table=bank&from=2025-02-30&to=2025-03-01", http.StatusUnprocessableEntity},
	} {
		if resp, body := ts.do(t, c.role, http.MethodGet, c.path, nil); resp.StatusCode != c.code {
			t.Errorf("%s %s: %d, want %d %s", c.role, c.path, resp.StatusCode, c.code, snippet(body))
		}
	}
}

// TestExportSlotsAreGivenBack: HEAD probes and finished downloads leave no
// export slot taken (two at once; a leak would make the next ones wait and 503).
func TestExportSlotsAreGivenBack(t *testing.T) {
	ts := newTestServer(t)
	for range 5 {
		if resp, body := ts.do(t, owner, http.MethodHead, "/export/cards?tab=new&format=xlsx", nil); resp.StatusCode != http.StatusOK || body != "" {
			t.Fatalf("HEAD: %d %q", resp.StatusCode, body)
		}
	}
	for range 5 {
		t0 := time.Now()
		resp, _ := ts.do(t, owner, http.MethodGet, "/export/cards?tab=new&format=csv", nil)
		if resp.StatusCode != http.StatusOK || time.Since(t0) > 5*time.Second {
			t.Fatalf("GET after HEADs: %d in %s", resp.StatusCode, time.Since(t0))
		}
	}
}
