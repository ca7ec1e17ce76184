package web_test

import (
	"context"
	"html"
	"strconv"
	"strings"
	"testing"

	"kartoteka/app/auth"
	"kartoteka/store"
)

// TestReportPage: the owner sees the period's figures (the same as the store's
// report), breakdowns adding up to them, presets in the URL and the rows behind a
// figure; every other role gets 403; a bad period is 422 with the message by the field.
func TestReportPage(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	if err := ts.st.DemoCards(ctx); err != nil {
		t.Fatal(err)
	}
	now := ts.clock.Now().In(ts.srv.Loc())
	from := now.AddDate(0, 0, -40).Format("2006-01-02")
	to := now.Format("2006-01-02")
	rep, err := ts.st.ReportFor(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total.Amount == 0 || rep.Total.Confirmed == 0 || len(rep.Banks) == 0 {
		t.Fatalf("demo cards give no figures: %+v", rep.Total)
	}
	resp, body := ts.do(t, auth.Owner, "GET", "/report?from="+from+"&to="+to, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("owner: %d\n%s", resp.StatusCode, body)
	}
	text := html.UnescapeString(body)
	for _, want := range []string{"Общая сумма отработки", "Подтверждённая прибыль", rep.Total.Amount.String(), rep.Total.Commission.String(),
		rep.Total.Net.String(), rep.Total.Confirmed.String(), "По банкам", "По поставщикам", "По менеджерам",
		"Этот месяц", "Прошлый месяц", "Этот квартал", "Этот год", "Всё время", "Итого",
		"/report/rows?kind=tx&dim=bank&key=", "/report/rows?kind=confirmed&from=" + from + "&to=" + to,
		`id="r-chart"`, "/static/vendor/chart.js/chart.umd.min.js", `id="r-months"`, "По месяцам", "Этапы",
		`data-stage="1"`, `data-stage="9"`, "По ответственным", "Отлежка/<wbr>Периодическая проверка ответа от банка"} {
		if !strings.Contains(text, want) {
			t.Errorf("report page lacks %q", want)
		}
	}
	for _, m := range rep.Months {
		if !strings.Contains(body, `data-month="`+m.Month+`" data-amount="`+i64s(int64(m.Amount))+`" data-confirmed="`+i64s(int64(m.Confirmed))+`"`) {
			t.Errorf("month %s not in the chart's table", m.Month)
		}
	}
	// The default period is this month, and its preset is marked.
	_, body = ts.do(t, auth.Owner, "GET", "/report", nil)
	if !strings.Contains(body, `btn-primary" data-preset="month"`) {
		t.Error("this month is not the default period")
	}
	// Sorted by name.
	_, body = ts.do(t, auth.Owner, "GET", "/report?from="+from+"&to="+to+"&sort=name", nil)
	if !strings.Contains(body, "Банк ↑") {
		t.Error("sort by name not shown")
	}

	// The rows behind the figures: all transactions of the period, one bank's, confirmed cards.
	resp, body = ts.do(t, auth.Owner, "GET", "/report/rows?kind=tx&from="+from+"&to="+to, nil)
	if resp.StatusCode != 200 || strings.Count(body, "data-tx=") != min(int(rep.Total.TxN), store.ReportRowsPage) ||
		!strings.Contains(html.UnescapeString(body), rep.Total.Amount.String()) {
		t.Errorf("transactions behind the total: %d, %d rows", resp.StatusCode, strings.Count(body, "data-tx="))
	}
	b := rep.Banks[0]
	resp, body = ts.do(t, auth.Owner, "GET", "/report/rows?kind=tx&dim=bank&key="+i64s(b.Key)+"&from="+from+"&to="+to, nil)
	if resp.StatusCode != 200 || strings.Count(body, "data-tx=") != min(int(b.TxN), store.ReportRowsPage) || !strings.Contains(html.UnescapeString(body), b.Amount.String()) {
		t.Errorf("transactions of bank %s: %d, %d rows, want %d", b.Name, resp.StatusCode, strings.Count(body, "data-tx="), b.TxN)
	}
	resp, body = ts.do(t, auth.Owner, "GET", "/report/rows?kind=confirmed&from="+from+"&to="+to, nil)
	if resp.StatusCode != 200 || strings.Count(body, "data-card=") != int(rep.Total.ConfirmedN) {
		t.Errorf("confirmed cards: %d, %d rows, want %d", resp.StatusCode, strings.Count(body, "data-card="), rep.Total.ConfirmedN)
	}
	for _, bad := range []string{"/report/rows?kind=x", "/report/rows?kind=tx&dim=region&key=1", "/report/rows?kind=tx&dim=bank", "/report/rows?kind=tx&dim=bank&key=999999&from=" + from + "&to=" + to} {
		if resp, _ := ts.do(t, auth.Owner, "GET", bad, nil); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", bad, resp.StatusCode)
		}
	}

	// A bad period: 422, the values kept, the message by the field.
	for q, msg := range map[string]string{
		"from=2025-02-30&to=2025-03-01": "Укажите дату в формате ДД.ММ.ГГГГ",
		"from=2025-03-02&to=2025-03-01": "Конец периода раньше начала",
		"from=1900-01-01&to=2025-03-01": "Укажите дату между 2000 и 2100 годом",
		"from=&to=2025-03-01":           "Укажите дату",
	} {
		resp, body := ts.do(t, auth.Owner, "GET", "/report?"+q, nil)
		if resp.StatusCode != 422 || !strings.Contains(body, msg) || !strings.Contains(body, `value="2025-03-01"`) {
			t.Errorf("%s: %d, want 422 with %q", q, resp.StatusCode, msg)
		}
	}

	// Only the owner.
	for _, r := range []auth.Role{auth.Admin, auth.Accountant, auth.Warmer, auth.Manager} {
		for _, p := range []string{"/report", "/report/rows?kind=tx", "/report/rows?kind=confirmed&from=" + from + "&to=" + to} {
			if resp, body := ts.do(t, r, "GET", p, nil); resp.StatusCode != 403 || strings.Contains(body, rep.Total.Amount.String()) {
				t.Errorf("%s %s: %d, want 403", r, p, resp.StatusCode)
			}
		}
	}
}

func i64s(n int64) string { return strconv.FormatInt(n, 10) }
