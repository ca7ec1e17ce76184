package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"kartoteka/app/pipeline"
	"kartoteka/store"
)

// Form carries what the user typed and the message for each bad field back to the page.
type Form struct {
	Values map[string]string
	Errors map[string]string
}

// NewForm starts an empty form, optionally with prefilled values.
func NewForm(values map[string]string) *Form {
	if values == nil {
		values = map[string]string{}
	}
	return &Form{Values: values, Errors: map[string]string{}}
}

// formFrom reads the named fields of a POST body, trimmed. A field holding
// control or bidi-override characters is marked bad (passwords excepted: they
// are never shown), so no handler writes it.
func formFrom(c *fiber.Ctx, names ...string) *Form {
	f := NewForm(nil)
	for _, n := range names {
		f.Values[n] = strings.TrimSpace(c.FormValue(n))
		if !strings.Contains(n, "password") {
			if msg := pipeline.CheckText(f.Values[n]); msg != "" {
				f.Fail(n, msg)
			}
		}
	}
	return f
}

// Get is the typed value of a field.
func (f *Form) Get(name string) string { return f.Values[name] }

// Err is the message for a field, "" when fine.
func (f *Form) Err(name string) string { return f.Errors[name] }

// Fail records a message for a field unless one is already there.
func (f *Form) Fail(name, msg string) {
	if _, ok := f.Errors[name]; !ok && msg != "" {
		f.Errors[name] = msg
	}
}

// Mark shows a field as wrong without a message of its own (the message is
// under a neighbour: «Неверный логин или пароль» belongs to both fields).
func (f *Form) Mark(name string) {
	if _, ok := f.Errors[name]; !ok {
		f.Errors[name] = ""
	}
}

// Bad tells whether a field is marked wrong, with or without a message.
func (f *Form) Bad(name string) bool { _, ok := f.Errors[name]; return ok }

// OK tells whether no field failed.
func (f *Form) OK() bool { return len(f.Errors) == 0 }

// Require fails every listed field that is empty.
func (f *Form) Require(msg string, names ...string) {
	for _, n := range names {
		if f.Values[n] == "" {
			f.Fail(n, msg)
		}
	}
}

// MaxLen fails a field longer than n characters.
func (f *Form) MaxLen(name string, n int) {
	if len([]rune(f.Values[name])) > n {
		f.Fail(name, "Слишком длинно: не больше "+pipeline.Count(int64(n), "символа", "символов", "символов"))
	}
}

// Field is what the "field" template needs to draw one input with its label and message.
type Field struct {
	Name, Label, Type, Value, Error, Help string
	Required                              bool
	Invalid                               bool   // marked wrong (Error may be under another field)
	Autocomplete                          string // what the browser may fill in ("" — its default; passwords: a new one)
	Options                               []Option
	Attrs                                 string
}

// Option is one choice of a select.
type Option struct {
	Value, Label string
}

// field builds a Field from a form for templates: (fld .Form "name" "Label" "text").
func fld(f *Form, name, label, typ string) Field {
	if f == nil {
		f = NewForm(nil)
	}
	return Field{Name: name, Label: label, Type: typ, Value: f.Get(name), Error: f.Err(name), Invalid: f.Bad(name)}
}

func isNoRows(err error) bool { return store.IsNoRows(err) }
