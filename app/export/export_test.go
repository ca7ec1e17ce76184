package export

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kartoteka/app/money"
)

var (
	msk  = time.FixedZone("MSK", 3*3600)
	cols = []Column{{"№", Int, 0}, {"Контакт", Text, 0}, {"Сумма", Money, 0}, {"Комиссия, %", Rate, 0},
		{"Дата", Date, 0}, {"Когда", DateTime, 0}}
	// 21:30 UTC on 31 December is already 1 January in Moscow.
	at = time.Date(2025, 12, 31, 21, 30, 0, 0, time.UTC)
)

func write(t *testing.T, f Format, rows [][]any) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := New(f, &b, cols, Options{Sheet: "Архив карт", Loc: msk})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Row(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var sample = [][]any{
	{int64(7), `Иванов; "Ваня"` + "\nвторая строка", money.Kopecks(1234567), money.Rate(1250), at, &at},
	{int64(8), "=HYPERLINK(\"http://x\")", money.Kopecks(-5), money.Rate(0), time.Time{}, (*time.Time)(nil)},
	{int64(9), "+79123456789", money.Kopecks(0), money.Rate(10000), at, at},
	{int64(10), "@SUM(A1)", nil, nil, nil, nil},
	{int64(11), " -2+3", money.Kopecks(100), money.Rate(5), at, at},
}

func TestCSVForRussianExcel(t *testing.T) {
	got := string(write(t, CSV, sample))
	if !strings.HasPrefix(got, "\ufeff") {
		t.Fatal("no byte order mark")
	}
	want := "\ufeff№;Контакт;Сумма;Комиссия, %;Дата;Когда\r\n" +
		"7;\"Иванов; \"\"Ваня\"\"\r\nвторая строка\";12345,67;12,5;01.01.2026;01.01.2026 00:30\r\n" +
		"8;\"'=HYPERLINK(\"\"http://x\"\")\";-0,05;0;;\r\n" +
		"9;'+79123456789;0,00;100;01.01.2026;01.01.2026 00:30\r\n" +
		"10;'@SUM(A1);;;;\r\n" +
		"11;' -2+3;1,00;0,05;01.01.2026;01.01.2026 00:30\r\n"
	if got != want {
		t.Fatalf("csv:\n%q\nwant\n%q", got, want)
	}
}

func TestNeutralize(t *testing.T) {
	for in, want := range map[string]string{"": "", "Иванов": "Иванов", "=1+1": "'=1+1", "-1": "'-1", "+7": "'+7",
		"@x": "'@x", "\tx": "'\tx", "\rx": "'\rx", "  =x": "'  =x", "a=b": "a=b", "1-2": "1-2"} {
		if got := Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
	}
}

func open(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestXLSXTypes(t *testing.T) {
	f := open(t, write(t, XLSX, sample))
	sh := "Архив карт"
	if got := f.GetSheetList(); len(got) != 1 || got[0] != sh {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(sample) {
		t.Fatalf("%d rows", len(rows))
	}
	if strings.Join(rows[0], "|") != "№|Контакт|Сумма|Комиссия, %|Дата|Когда" {
		t.Fatalf("header %v", rows[0])
	}
	typ := func(cell string) excelize.CellType {
		ct, err := f.GetCellType(sh, cell)
		if err != nil {
			t.Fatal(err)
		}
		return ct
	}
	// Numbers stay numbers; text (even a formula-looking one) is an inline string.
	for cell, want := range map[string]excelize.CellType{"A2": excelize.CellTypeUnset, "B2": excelize.CellTypeInlineString,
		"C2": excelize.CellTypeUnset, "D2": excelize.CellTypeUnset, "E2": excelize.CellTypeUnset, "B3": excelize.CellTypeInlineString} {
		if got := typ(cell); got != want {
			t.Errorf("%s: type %v, want %v", cell, got, want)
		}
	}
	raw := map[string]string{"A2": "7", "C2": "12345.67", "D2": "12.5", "C3": "-0.05", "B3": `=HYPERLINK("http://x")`,
		"B2": "Иванов; \"Ваня\"\nвторая строка", "E3": "", "F3": "", "B4": "+79123456789", "C5": ""}
	for cell, want := range raw {
		v, err := f.GetCellValue(sh, cell, excelize.Options{RawCellValue: true})
		if err != nil || v != want {
			t.Errorf("%s = %q (%v), want %q", cell, v, err, want)
		}
		if fm, _ := f.GetCellFormula(sh, cell); fm != "" {
			t.Errorf("%s has a formula %q", cell, fm)
		}
	}
	// Dates are date serials in the office zone, shown by their format.
	for cell, want := range map[string]string{"E2": "01.01.2026", "F2": "01.01.2026 00:30", "C2": "12 345,67 ₽"} {
		v, _ := f.GetCellValue(sh, cell)
		if cell == "C2" {
			if !strings.Contains(v, "12,345.67") && !strings.Contains(v, "12 345,67") {
				t.Errorf("C2 shown as %q", v)
			}
			continue
		}
		if v != want {
			t.Errorf("%s shown as %q, want %q", cell, v, want)
		}
	}
	e2, _ := f.GetCellValue(sh, "E2", excelize.Options{RawCellValue: true})
	if e2 != "46023" { // 1 January 2026
		t.Errorf("E2 serial %q", e2)
	}
	for cell, want := range map[string]string{"C2": fmtMoney, "D2": fmtRate, "E2": fmtDate, "F2": fmtDateTime} {
		id, _ := f.GetCellStyle(sh, cell)
		st, err := f.GetStyle(id)
		if err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != want {
			t.Errorf("%s: number format %v (%v), want %s", cell, st.CustomNumFmt, err, want)
		}
	}
	id, _ := f.GetCellStyle(sh, "B1")
	if st, _ := f.GetStyle(id); st.Font == nil || !st.Font.Bold {
		t.Error("header is not bold")
	}
	p, err := f.GetPanes(sh)
	if err != nil || !p.Freeze || p.YSplit != 1 || p.TopLeftCell != "A2" {
		t.Errorf("panes %+v %v", p, err)
	}
	if w, _ := f.GetColWidth(sh, "B"); w < 20 {
		t.Errorf("column B width %v", w)
	}
	if w, _ := f.GetColWidth(sh, "A"); w < 5 || w > 15 {
		t.Errorf("column A width %v", w)
	}
	var filter bool
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" && strings.HasSuffix(d.RefersTo, "!$A$1:$F$6") {
			filter = true
		}
	}
	if !filter {
		t.Errorf("no autofilter over A1:F6: %+v", f.GetDefinedName())
	}
}

func TestXLSXEmpty(t *testing.T) {
	f := open(t, write(t, XLSX, nil))
	rows, _ := f.GetRows("Архив карт")
	if len(rows) != 1 {
		t.Fatalf("rows %v", rows)
	}
}

func TestXLSXNextSheetPastTheLimit(t *testing.T) {
	defer func(n int) { maxRows = n }(maxRows)
	maxRows = 3 // header + 2 rows a sheet
	var rows [][]any
	for i := range 5 {
		rows = append(rows, []any{int64(i + 1), "x", money.Kopecks(100), money.Rate(1), at, at})
	}
	f := open(t, write(t, XLSX, rows))
	sheets := f.GetSheetList()
	if strings.Join(sheets, "|") != "Архив карт|Архив карт (2)|Архив карт (3)" {
		t.Fatalf("sheets %v", sheets)
	}
	var ids []string
	for _, sh := range sheets {
		rs, _ := f.GetRows(sh)
		if rs[0][0] != "№" {
			t.Errorf("%s: no header", sh)
		}
		for _, r := range rs[1:] {
			ids = append(ids, r[0])
		}
	}
	if strings.Join(ids, ",") != "1,2,3,4,5" {
		t.Fatalf("ids %v", ids)
	}
}

func TestFileName(t *testing.T) {
	name := FileName("Архив карт", time.Date(2026, 12, 2, 0, 0, 0, 0, msk), XLSX)
	if name != "Архив карт 02.12.2026.xlsx" {
		t.Fatal(name)
	}
	cd := ContentDisposition(name)
	want := `attachment; filename="_____ ____ 02.12.2026.xlsx"; filename*=UTF-8''%D0%90%D1%80%D1%85%D0%B8%D0%B2%20%D0%BA%D0%B0%D1%80%D1%82%2002.12.2026.xlsx`
	if cd != want {
		t.Fatalf("%s\nwant\n%s", cd, want)
	}
	if f, ok := ParseFormat("XLSX"); !ok || f != XLSX {
		t.Fatal("xlsx")
	}
	if _, ok := ParseFormat("pdf"); ok {
		t.Fatal("pdf")
	}
}
