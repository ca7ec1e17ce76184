package export

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"kartoteka/app/money"
)

// csvWriter writes what Russian Excel opens by a double click: UTF-8 with a
// byte order mark, ';' between fields, a decimal comma, dates as ДД.ММ.ГГГГ.
type csvWriter struct {
	w    *csv.Writer
	cols []Column
	o    Options
	rec  []string
}

func newCSV(w io.Writer, cols []Column, o Options) (*csvWriter, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, err
	}
	c := &csvWriter{w: csv.NewWriter(w), cols: cols, o: o, rec: make([]string, len(cols))}
	c.w.Comma, c.w.UseCRLF = ';', true
	for i, col := range cols {
		c.rec[i] = Neutralize(col.Title)
	}
	return c, c.w.Write(c.rec)
}

func (c *csvWriter) Row(cells ...any) error {
	for i := range c.rec {
		c.rec[i] = ""
		if i < len(cells) {
			c.rec[i] = c.cell(c.cols[i].Kind, cells[i])
		}
	}
	return c.w.Write(c.rec)
}

func (c *csvWriter) cell(k Kind, v any) string {
	switch k {
	case Date, DateTime:
		t, ok := timeOf(v)
		if !ok {
			return ""
		}
		if k == Date {
			return t.In(c.o.Loc).Format("02.01.2006")
		}
		return t.In(c.o.Loc).Format("02.01.2006 15:04")
	case Int:
		switch n := v.(type) {
		case int64:
			return strconv.FormatInt(n, 10)
		case int:
			return strconv.Itoa(n)
		}
	case Money:
		if m, ok := v.(money.Kopecks); ok {
			return m.Input() // "-12345,67": a number to Russian Excel
		}
	case Rate:
		if r, ok := v.(money.Rate); ok {
			return r.Input()
		}
	}
	return Neutralize(text(v))
}

func (c *csvWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}

// Neutralize keeps a typed text from being run as a formula when a
// spreadsheet opens the file (CSV injection): a text that starts with
// = + - @ or a tab or carriage return, after any spaces, gets a leading
// apostrophe, and is then shown as text.
func Neutralize(s string) string {
	t := strings.TrimLeft(s, " \u00a0")
	if t == "" {
		return s
	}
	switch t[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n':
		return "'" + s
	}
	return s
}
