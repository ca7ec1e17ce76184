package export

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"kartoteka/app/money"
)

// xlsxWriter writes an XLSX through excelize's StreamWriter: rows go to a
// temporary file as they come (not a workbook in memory), and the file is
// zipped to w on Close. Numbers are numbers (money in roubles with a rouble
// format), dates are dates; the header row is bold and frozen, with an
// autofilter. A list longer than a sheet holds continues on the next sheet.
type xlsxWriter struct {
	w      io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	cols   []Column
	o      Options
	sheets int // sheets started
	row    int // rows written on the current sheet, header included
	style  map[Kind]int
	header int
	buf    []any
	closed bool
}

// maxRows is how many rows a sheet may hold (Excel's limit); a variable so tests
// can spill onto a second sheet without a million rows.
var maxRows = excelize.TotalRows

// Number formats. The rouble format is the one Russian Excel offers itself.
const (
	fmtMoney    = `#,##0.00\ "₽";\-#,##0.00\ "₽"`
	fmtRate     = `0.00`
	fmtDate     = `dd.mm.yyyy`
	fmtDateTime = `dd.mm.yyyy hh:mm`
)

func newXLSX(w io.Writer, cols []Column, o Options) (*xlsxWriter, error) {
	x := &xlsxWriter{w: w, f: excelize.NewFile(), cols: cols, o: o, style: map[Kind]int{}, buf: make([]any, len(cols))}
	if err := x.styles(); err != nil {
		_ = x.f.Close()
		return nil, err
	}
	if err := x.startSheet(); err != nil {
		_ = x.f.Close()
		return nil, err
	}
	return x, nil
}

func (x *xlsxWriter) styles() error {
	var err error
	if x.header, err = x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}); err != nil {
		return err
	}
	for k, code := range map[Kind]string{Money: fmtMoney, Rate: fmtRate, Date: fmtDate, DateTime: fmtDateTime} {
		c := code
		if x.style[k], err = x.f.NewStyle(&excelize.Style{CustomNumFmt: &c}); err != nil {
			return err
		}
	}
	return nil
}

// sheetName is a name Excel accepts: no []:*?/\ and at most 31 characters.
func sheetName(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\'`, r) {
			return ' '
		}
		return r
	}, s)
	if s = strings.TrimSpace(s); s == "" {
		s = "Лист"
	}
	suffix := ""
	if n > 1 {
		suffix = fmt.Sprintf(" (%d)", n)
	}
	if r := []rune(s); len(r)+len([]rune(suffix)) > 31 {
		s = string(r[:31-len([]rune(suffix))])
	}
	return s + suffix
}

func (x *xlsxWriter) startSheet() error {
	x.sheets++
	name := sheetName(x.o.Sheet, x.sheets)
	if x.sheets == 1 {
		if err := x.f.SetSheetName(x.f.GetSheetName(0), name); err != nil {
			return err
		}
	} else if _, err := x.f.NewSheet(name); err != nil {
		return err
	}
	sw, err := x.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	x.sw, x.row = sw, 0
	for i, c := range x.cols {
		if err := sw.SetColWidth(i+1, i+1, c.width()); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	for i, c := range x.cols {
		x.buf[i] = excelize.Cell{StyleID: x.header, Value: xmlText(c.Title)}
	}
	return x.put()
}

func (x *xlsxWriter) put() error {
	x.row++
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, x.buf)
}

// endSheet puts the autofilter over the sheet's rows and finishes it.
func (x *xlsxWriter) endSheet() error {
	last, err := excelize.CoordinatesToCellName(len(x.cols), max(x.row, 2))
	if err != nil {
		return err
	}
	if err := x.f.AutoFilter(x.sw.Sheet, "A1:"+last, nil); err != nil {
		return err
	}
	return x.sw.Flush()
}

func (x *xlsxWriter) Row(cells ...any) error {
	if x.row >= maxRows {
		if err := x.endSheet(); err != nil {
			return err
		}
		if err := x.startSheet(); err != nil {
			return err
		}
	}
	for i, c := range x.cols {
		x.buf[i] = nil
		if i < len(cells) {
			x.buf[i] = x.cell(c.Kind, cells[i])
		}
	}
	return x.put()
}

func (x *xlsxWriter) cell(k Kind, v any) any {
	switch k {
	case Date, DateTime:
		if t, ok := timeOf(v); ok {
			t = wall(t, x.o.Loc)
			if k == Date {
				t = t.Truncate(24 * time.Hour) // a date cell is a whole day
			}
			return excelize.Cell{StyleID: x.style[k], Value: t}
		}
		return nil
	case Int:
		switch n := v.(type) {
		case int64, int:
			return n
		}
	case Money:
		if m, ok := v.(money.Kopecks); ok {
			// Only here does money become a float: a spreadsheet number is a
			// double, exact to the kopeck far beyond any office's amounts.
			return excelize.Cell{StyleID: x.style[Money], Value: float64(m) / 100}
		}
	case Rate:
		if r, ok := v.(money.Rate); ok {
			return excelize.Cell{StyleID: x.style[Rate], Value: float64(r) / 100}
		}
	}
	if v == nil {
		return nil
	}
	return xmlText(text(v)) // a string cell: never a formula
}

// xmlText drops the control characters XML cannot carry (they would make the
// file unreadable); typed text has none, this is a guard.
func xmlText(s string) string {
	if strings.IndexFunc(s, badXML) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if badXML(r) {
			return -1
		}
		return r
	}, s)
}

func badXML(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xfffe || r == 0xffff
}

func (x *xlsxWriter) Close() error {
	if x.closed {
		return nil
	}
	x.closed = true
	defer x.f.Close() // removes the temporary files
	if err := x.endSheet(); err != nil {
		return err
	}
	return x.f.Write(x.w)
}
