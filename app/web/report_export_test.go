package web_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"kartoteka/app/auth"
	"kartoteka/app/money"
)

// sumColumn adds up a money column of an export (the rows between the header and
// an «Итого» row, if any).
func sumColumn(t *testing.T, rows [][]string, title string) money.Kopecks {
	t.Helper()
	var sum money.Kopecks
	for i, v := range column(rows, title) {
		if rows[i+1][0] == "Итого" {
			break
		}
		k, err := money.ParseKopecks(v)
		if err != nil {
			t.Fatalf("%s %q: %v", title, v, err)
		}
		sum += k
	}
	return sum
}

// TestReportExport: the report's tables and the rows behind a figure export with
// the page's figures (CSV and XLSX alike); only the owner may export them.
func TestReportExport(t *testing.T) {
	f := newExportFixtureTasks(t, 150, 2500)
	ctx := context.Background()
	first, err := f.ts.st.FirstReportDay(ctx)
	if err != nil || first == "" {
		t.Fatalf("first day %q %v", first, err)
	}
	to := strconv.Itoa(time.Now().Year()) + "-12-31"
	period := "&from=" + first + "&to=" + to
	rep, err := f.ts.st.ReportFor(ctx, first, to)
	if err != nil || rep.Total.TxN == 0 || len(rep.Banks) == 0 {
		t.Fatalf("report %+v %v", rep.Total, err)
	}
	owner := f.as(t, auth.Owner, 0)

	rows := f.exportTable(t, owner, "/export/report?table=bank"+period)
	if rows[0][0] != "Банк" || len(rows) != len(rep.Banks)+2 || rows[len(rows)-1][0] != "Итого" {
		t.Fatalf("banks export: %d rows, header %v", len(rows), rows[0])
	}
	if got := sumColumn(t, rows, "Сумма отработки"); got != rep.Total.Amount {
		t.Errorf("banks add up to %s, the total is %s", got, rep.Total.Amount)
	}
	if got := sumColumn(t, rows, "Подтверждённая прибыль"); got != rep.Total.Confirmed {
		t.Errorf("banks' confirmed add up to %s, the total is %s", got, rep.Total.Confirmed)
	}
	rows = f.exportTable(t, owner, "/export/report?table=supplier&sort=name"+period)
	if len(rows) != len(rep.Suppliers)+2 || sumColumn(t, rows, "Чистыми") != rep.Total.Net {
		t.Errorf("suppliers export: %d rows", len(rows))
	}
	rows = f.exportTable(t, owner, "/export/report?table=months"+period)
	if len(rows) != len(rep.Months)+2 || sumColumn(t, rows, "Комиссия") != rep.Total.Commission {
		t.Errorf("months export: %d rows, want %d", len(rows), len(rep.Months)+2)
	}
	rows = f.exportTable(t, owner, "/export/report?table=stages"+period)
	if len(rows) < 10 || rows[1][1] != "Все" {
		t.Errorf("stages export: %d rows", len(rows))
	}

	b := rep.Banks[0]
	rows = f.exportTable(t, owner, "/export/report/rows?kind=tx&dim=bank&key="+strconv.FormatInt(b.Key, 10)+period)
	if int64(len(rows)-1) != b.TxN || sumColumn(t, rows, "Сумма") != b.Amount {
		t.Errorf("bank %s: %d rows, want %d", b.Name, len(rows)-1, b.TxN)
	}
	rows = f.exportTable(t, owner, "/export/report/rows?kind=confirmed"+period)
	if int64(len(rows)-1) != rep.Total.ConfirmedN || sumColumn(t, rows, "Подтверждённая сумма") != rep.Total.Confirmed {
		t.Errorf("confirmed: %d rows, want %d", len(rows)-1, rep.Total.ConfirmedN)
	}

	for _, r := range []auth.Role{auth.Admin, auth.Accountant, auth.Warmer, auth.Manager} {
		for _, p := range []string{"/export/report?table=bank&format=csv" + period, "/export/report/rows?kind=tx&format=csv" + period} {
			if resp, _ := f.ts.doAs(t, f.as(t, r, 0), http.MethodGet, p, nil); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s: %d", r, p, resp.StatusCode)
			}
		}
	}
	if resp, _ := f.ts.doAs(t, owner, http.MethodGet, "/export/report?table=nope&format=csv"+period, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown table: %d", resp.StatusCode)
	}
}
