// Package export writes a list as a file an office opens in Excel: CSV for
// Russian Excel or XLSX. Rows go out one at a time as they come from the
// database cursor, so exporting a million cards keeps memory flat.
package export

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"kartoteka/app/money"
)

// Kind says how a column's cells are typed: the XLSX cell type and number
// format, and the CSV text.
type Kind int

// The column kinds.
const (
	Text     Kind = iota // a string; never read as a formula
	Int                  // an integer (№, counts)
	Money                // money.Kopecks: a number in roubles with a rouble format
	Rate                 // money.Rate: a percent number ("12,5")
	Date                 // time.Time shown as ДД.ММ.ГГГГ in the office zone
	DateTime             // time.Time shown as ДД.ММ.ГГГГ ЧЧ:ММ in the office zone
)

// Column is one column of an export: its header and kind; Width (in Excel
// character units) overrides the kind's default.
type Column struct {
	Title string
	Kind  Kind
	Width float64
}

// Writer takes the rows of one list and writes them as a file. Each Row holds
// one value per column: string, int, int64, money.Kopecks, money.Rate,
// time.Time, *time.Time or nil (an empty cell); a zero time is empty too.
type Writer interface {
	Row(cells ...any) error
	// Close finishes the file; nothing is complete before it.
	Close() error
}

// Format is a file format of exports.
type Format string

// The two formats.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ParseFormat reads the format of an export address ("csv", "xlsx").
func ParseFormat(s string) (Format, bool) {
	switch Format(strings.ToLower(s)) {
	case CSV:
		return CSV, true
	case XLSX:
		return XLSX, true
	}
	return "", false
}

// ContentType is the media type of the format.
func (f Format) ContentType() string {
	if f == XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Options are the settings common to both formats.
type Options struct {
	Sheet string         // XLSX sheet name (Excel allows 31 characters)
	Loc   *time.Location // office time zone: dates are shown in it
}

// New starts an export of the given format to w.
func New(f Format, w io.Writer, cols []Column, o Options) (Writer, error) {
	if o.Loc == nil {
		o.Loc = time.UTC
	}
	switch f {
	case CSV:
		return newCSV(w, cols, o)
	case XLSX:
		return newXLSX(w, cols, o)
	}
	return nil, fmt.Errorf("export: unknown format %q", f)
}

// FileName is the name a download is saved under: «Архив карт 02.12.2026.xlsx».
func FileName(base string, day time.Time, f Format) string {
	return base + " " + day.Format("02.01.2006") + "." + string(f)
}

// ContentDisposition is the header value that makes the browser save the file
// under name: an ASCII fallback plus the UTF-8 name (RFC 6266, RFC 5987).
func ContentDisposition(name string) string {
	var ascii strings.Builder
	for _, r := range name {
		switch {
		case r == '"' || r == '\\' || r < 0x20 || r == 0x7f:
			ascii.WriteByte('_')
		case r < 0x80:
			ascii.WriteRune(r)
		default:
			ascii.WriteByte('_')
		}
	}
	return `attachment; filename="` + ascii.String() + `"; filename*=UTF-8''` + url.PathEscape(name)
}

// wall is t's calendar date and clock in loc, as a UTC time (spreadsheets have
// no time zones: a date cell is the office's wall clock).
func wall(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
}

// timeOf reads a time cell; ok is false for an empty one.
func timeOf(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t == nil || t.IsZero() {
			return time.Time{}, false
		}
		return *t, true
	}
	return time.Time{}, false
}

// text is the string of a cell that is not a number or a date.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case money.Kopecks:
		return x.Input()
	case money.Rate:
		return x.Input()
	case *string:
		if x == nil {
			return ""
		}
		return *x
	}
	return fmt.Sprint(v)
}

// defaultWidth is a column's width by kind when the column gives none.
func (c Column) width() float64 {
	if c.Width > 0 {
		return c.Width
	}
	w := map[Kind]float64{Text: 24, Int: 10, Money: 16, Rate: 11, Date: 12, DateTime: 17}[c.Kind]
	if t := float64(len([]rune(c.Title))) + 4; t > w {
		w = t
	}
	return w
}
