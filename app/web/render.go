package web

import (
	"fmt"
	"html/template"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"kartoteka/app/auth"
	"kartoteka/app/money"
	"kartoteka/app/pipeline"
)

func itoa(n int) string { return strconv.Itoa(n) }

// Page is what every full page template receives.
type Page struct {
	Title  string
	Nav    string
	User   *User
	CSRF   string
	Flash  []Notice // messages from the last POST, shown once
	Form   *Form
	Data   fiber.Map
	Server *Server
}

// render draws a full page (status 200 unless set before).
func (s *Server) render(c *fiber.Ctx, name, title, nav string, form *Form, data fiber.Map) error {
	b, err := s.renderBytes(c, name, title, nav, form, data)
	if err != nil {
		return err
	}
	c.Type("html", "utf-8")
	return c.Send(b)
}

// invalid re-renders a form page with 422.
func (s *Server) invalid(c *fiber.Ctx, name, title, nav string, form *Form, data fiber.Map) error {
	c.Status(fiber.StatusUnprocessableEntity)
	return s.render(c, name, title, nav, form, data)
}

const flashCookie = "kartoteka_flash"

// Notice is a message shown once at the top of the next page, in the colour of
// what it means: Kind is NoticeOK (done), NoticeWarn (done, but check something;
// or nothing done because something is missing) or NoticeError (it failed).
type Notice struct{ Kind, Text string }

// Notice kinds: Bootstrap's alert colours.
const (
	NoticeOK    = "success"
	NoticeWarn  = "warning"
	NoticeError = "danger"
)

// redirectFlash redirects after a successful POST with a message shown once.
func redirectFlash(c *fiber.Ctx, to, msg string) error {
	return redirectNotices(c, to, Notice{NoticeOK, msg})
}

// redirectNotices redirects with messages shown once, each in its own colour.
func redirectNotices(c *fiber.Ctx, to string, ns ...Notice) error {
	var b strings.Builder
	for _, n := range ns {
		if n.Text == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(n.Kind + "|" + strings.ReplaceAll(n.Text, "\n", " "))
	}
	c.Cookie(&fiber.Cookie{Name: flashCookie, Value: url.QueryEscape(b.String()), Path: "/", HTTPOnly: true, SameSite: "Lax"})
	return c.Redirect(to, fiber.StatusSeeOther)
}

// readNotices reads the flash cookie back; an unknown kind (a forged cookie) shows as a plain notice.
func readNotices(s string) []Notice {
	var out []Notice
	for _, line := range strings.Split(s, "\n") {
		kind, text, ok := strings.Cut(line, "|")
		if !ok {
			kind, text = "secondary", line
		}
		switch kind {
		case NoticeOK, NoticeWarn, NoticeError:
		default:
			kind = "secondary"
		}
		if text != "" {
			out = append(out, Notice{kind, text})
		}
	}
	return out
}

// funcs are the template helpers; formatting rules live in app/money and here only.
func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"fld": fld,
		"withOptions": func(f Field, opts []Option) Field {
			f.Options = opts
			return f
		},
		"req": func(f Field) Field { f.Required = true; return f },
		"help": func(h string, f Field) Field {
			f.Help = h
			return f
		},
		"attrs": func(a string, f Field) Field { f.Attrs = a; return f },
		// autocomplete tells the browser what it may fill in: "username", "current-password" on the login form.
		"autocomplete": func(a string, f Field) Field { f.Autocomplete = a; return f },
		"money":        func(k money.Kopecks) string { return k.String() },
		"rate":         func(r money.Rate) string { return r.String() },
		"ratep": func(r *money.Rate) string {
			if r == nil {
				return "—"
			}
			return r.String()
		},
		"roleLabel": func(r any) string { return auth.Role(fmt.Sprint(r)).Label() },
		"roles":     func() []auth.Role { return auth.Roles },
		"datetime":  func(t time.Time) string { return s.inTZ(t).Format("02.01.2006 15:04") },
		"datetimep": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return s.inTZ(*t).Format("02.01.2006 15:04")
		},
		"date": fmtDate,
		"size": humanSize,
		"kop":  func(k money.Kopecks) string { return strconv.FormatInt(int64(k), 10) },
		"stageLabel": func(p *int64) string {
			if p == nil {
				return ""
			}
			return pipeline.Stage(*p).Label()
		},
		"luhn":      pipeline.Luhn,
		"int64":     func(v pipeline.Stage) int64 { return int64(v) },
		"spaced":    spacedNumber,
		"shortName": shortName,
		"mask":      maskNumber,
		"options":   optionsHTML,
		"inc":       func(i int) int { return i + 1 },
		"add":       func(a, b int) int { return a + b },
		"join":      strings.Join,
		"has":       func(m map[string]string, k string) bool { _, ok := m[k]; return ok },
		"can":       func(u *User, sec string) bool { return u != nil && auth.Can(u.Role, auth.Section(sec)) },
		"str":       func(v any) string { return fmt.Sprint(v) },
		"i64":       func(v int64) string { return strconv.FormatInt(v, 10) },
		"deref": func(p *int64) int64 {
			if p == nil {
				return 0
			}
			return *p
		},
		// href joins a path and a query string the server encoded itself (url.Values.Encode):
		// html/template would otherwise escape the whole query as one value.
		"href": func(path string, query ...string) template.URL {
			q := strings.Trim(strings.Join(query, "&"), "&")
			if q == "" {
				return template.URL(path)
			}
			return template.URL(path + "?" + q)
		},
		// count shows a number with its noun in the right form: (count .N "карта" "карты" "карт") → «3 карты».
		"count": func(n any, one, few, many string) string { return pipeline.Count(toInt64(n), one, few, many) },
		"num":   func(n any) string { return money.Number(toInt64(n)) },
		"warmingSchedule": func(days, every any) string {
			return pipeline.WarmingSchedule(toInt64(days), toInt64(every))
		},
		"duration": showDuration,
		// slashBreaks lets a narrow column break a word pair at its slash
		// («Отлежка/<wbr>Периодическая»), and nowhere else.
		"slashBreaks": func(s string) template.HTML {
			return template.HTML(strings.ReplaceAll(template.HTMLEscapeString(s), "/", "/<wbr>"))
		},
		"monthLabel": monthLabel,
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
	}
}

// toInt64 reads any integer a template passes (sqlc gives int64, handlers int).
func toInt64(v any) int64 {
	r := reflect.ValueOf(v)
	if r.Kind() == reflect.Pointer {
		if r.IsNil() {
			return 0
		}
		r = r.Elem()
	}
	switch {
	case r.CanInt():
		return r.Int()
	case r.CanUint():
		return int64(r.Uint())
	}
	return 0
}

// fmtDate shows a stored 'YYYY-MM-DD' date as DD.MM.YYYY.
func fmtDate(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return d
	}
	return t.Format("02.01.2006")
}

// maskNumber shows only the last four digits of a card number.
func maskNumber(last4 string) string { return "•••• " + last4 }

// optionsHTML draws a select's options, the one whose value is v selected: one
// call where html/template would call four by reflection per option (every
// employee is an option of each «Задачи» page's filters).
func optionsHTML(opts []Option, v string) template.HTML {
	var b strings.Builder
	for _, o := range opts {
		b.WriteString(`<option value="`)
		b.WriteString(template.HTMLEscapeString(o.Value))
		b.WriteByte('"')
		if o.Value == v {
			b.WriteString(" selected")
		}
		b.WriteByte('>')
		b.WriteString(template.HTMLEscapeString(o.Label))
		b.WriteString("</option>")
	}
	return template.HTML(b.String())
}

// spacedNumber groups a full card number by four digits for reading.
func spacedNumber(n string) string {
	var b strings.Builder
	for i, r := range n {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// shortName shows «Соколов А. В.» for «Соколов Андрей Викторович» in tight places.
func shortName(full string) string {
	parts := strings.Fields(full)
	if len(parts) < 2 {
		return full
	}
	out := parts[0]
	for _, p := range parts[1:] {
		r := []rune(p)
		out += " " + string(r[0]) + "."
	}
	return out
}
