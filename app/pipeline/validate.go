package pipeline

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"kartoteka/app/money"
)

// DateLayout is how calendar dates are stored and sent by date inputs.
const DateLayout = "2006-01-02"

// Context is what a stage's validation needs to know beyond the typed values.
type Context struct {
	Today        string        // office date, 'YYYY-MM-DD'
	Privileged   bool          // owner or admin
	WarmingEnded bool          // stage 3: the warming period is over
	WarmingEnds  string        // stage 3: first day it may be completed, for the message
	Transactions int           // stage 6: rows saved on the card
	Profit       money.Kopecks // stage 8: the card's possible profit (prefill)
}

// Values are a completed form: field name → normalised value (money in kopecks,
// dates 'YYYY-MM-DD', choices by value). Stored as JSON on the task.
type Values map[string]string

// Errors maps a field name to its Russian message.
type Errors map[string]string

// Active tells whether the field applies given the other typed values (OnlyIf).
func (f Field) Active(in map[string]string) bool {
	if f.OnlyIf == "" {
		return true
	}
	name, want, _ := strings.Cut(f.OnlyIf, "=")
	return in[name] == want
}

// Validate checks a stage's form. It returns the normalised values, or the
// message for each bad field; nothing is partially accepted.
func Validate(s Stage, in map[string]string, ctx Context) (Values, Errors) {
	d, ok := Get(s)
	errs := Errors{}
	if !ok {
		errs["stage"] = "Неизвестный этап"
		return nil, errs
	}
	out := Values{}
	for _, f := range d.Fields {
		if !f.Active(in) {
			continue
		}
		raw := strings.TrimSpace(in[f.Name])
		if f.Type == Transactions {
			if ctx.Transactions < 1 {
				errs[f.Name] = "Добавьте хотя бы одну транзакцию"
			}
			continue
		}
		if raw == "" {
			if f.Required {
				errs[f.Name] = requiredMessage(f)
			}
			continue
		}
		v, msg := checkField(f, raw, ctx)
		if msg != "" {
			errs[f.Name] = msg
			continue
		}
		out[f.Name] = v
	}
	stageRules(s, out, errs, ctx)
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// stageRules are the rules that span fields or depend on the card.
func stageRules(s Stage, out Values, errs Errors, ctx Context) {
	switch s {
	case Warming:
		if !ctx.WarmingEnded {
			switch {
			case !ctx.Privileged:
				errs["result"] = "Период прогрева ещё не закончился: этап можно завершить с " + ShowDate(ctx.WarmingEnds)
			case out["comment"] == "":
				errs["comment"] = "Период прогрева ещё не закончился: укажите причину досрочного завершения"
			}
		}
	case BankWait:
		if out["answered"] == "yes" && out["decision"] == "negative" && out["confirmed_amount"] != "" && out["confirmed_amount"] != "0" {
			errs["confirmed_amount"] = "При отрицательном решении подтверждённая сумма — 0"
		}
	}
}

func requiredMessage(f Field) string {
	switch f.Type {
	case Date:
		return "Укажите дату"
	case Money:
		return "Укажите сумму"
	case Choice:
		return "Выберите вариант"
	case Checkbox:
		return "Отметьте: «" + f.Label + "»"
	}
	return "Заполните поле"
}

// checkField normalises one non-empty value or says what is wrong with it.
func checkField(f Field, raw string, ctx Context) (string, string) {
	if msg := CheckText(raw); msg != "" {
		return "", msg
	}
	switch f.Type {
	case Date:
		d, err := ParseDate(raw)
		if err != nil {
			return "", "Дата в формате ДД.ММ.ГГГГ"
		}
		if ctx.Today != "" && d > ctx.Today {
			return "", "Дата не может быть позже сегодняшней"
		}
		if d < "2000-01-01" {
			return "", "Проверьте год"
		}
		return d, ""
	case Money:
		k, err := money.ParseKopecks(raw)
		if err != nil {
			return "", err.Error()
		}
		if k < 0 || (f.Min > 0 && k < money.Kopecks(f.Min)) {
			if f.Min > 0 {
				return "", "Сумма должна быть больше нуля"
			}
			return "", "Сумма не может быть отрицательной"
		}
		return strconv.FormatInt(int64(k), 10), ""
	case Int:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || n < f.Min || n > f.Max {
			return "", fmt.Sprintf("Целое число от %d до %d", f.Min, f.Max)
		}
		return strconv.FormatInt(n, 10), ""
	case Checkbox:
		if raw != "1" && raw != "on" && raw != "true" {
			return "", "Отметьте: «" + f.Label + "»"
		}
		return "1", ""
	case Choice:
		for _, o := range f.Options {
			if o.Value == raw {
				return raw, ""
			}
		}
		return "", "Выберите вариант из списка"
	case Text:
		if len([]rune(raw)) > 500 {
			return "", "Не больше 500 символов"
		}
	case Textarea:
		if len([]rune(raw)) > 4000 {
			return "", "Не больше 4000 символов"
		}
	}
	return raw, ""
}

// ParseDate reads 'YYYY-MM-DD' (date inputs) or 'DD.MM.YYYY' (typed) into 'YYYY-MM-DD'.
func ParseDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{DateLayout, "02.01.2006", "2.1.2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(DateLayout), nil
		}
	}
	return "", fmt.Errorf("date %q", s)
}

// ShowDate shows a stored date as DD.MM.YYYY.
func ShowDate(d string) string {
	t, err := time.Parse(DateLayout, d)
	if err != nil {
		return d
	}
	return t.Format("02.01.2006")
}

// Line is one "label: value" of a completed form, for the timeline and «Автозадачи».
type Line struct{ Label, Value string }

// Show renders a stage's stored values in form order, money and dates formatted.
func Show(s Stage, v map[string]string) []Line {
	d, ok := Get(s)
	if !ok {
		return nil
	}
	var out []Line
	for _, f := range d.Fields {
		raw, ok := v[f.Name]
		if !ok || raw == "" {
			continue
		}
		out = append(out, Line{f.ShownLabel(), showValue(f, raw)})
	}
	return out
}

// ShownLabel is the field's name beside a recorded value: the form's question
// without its mark and unit («Ответ получен?» → «Ответ получен»,
// «Период прогрева, дней» → «Период прогрева»; the value carries the unit).
func (f Field) ShownLabel() string {
	l := strings.TrimSuffix(f.Label, "?")
	if f.Type == Int {
		l = strings.TrimSuffix(l, ", дней")
	}
	return l
}

// WarmingNote is the one field of a scheduler's warming task («Прогрев карты № N»).
var WarmingNote = Field{Name: "note", Label: "Что сделано", Type: Textarea, Required: true}

// ShowTask renders a tracker task's stored values: its stage's form, or a warming
// task's note; withMoney false leaves money out (SPEC section 1).
func ShowTask(kind string, s Stage, v map[string]string, withMoney bool) []Line {
	switch {
	case kind == "warming":
		if v[WarmingNote.Name] == "" {
			return nil
		}
		return []Line{{WarmingNote.Label, v[WarmingNote.Name]}}
	case withMoney:
		return Show(s, v)
	}
	return ShowWithoutMoney(s, v)
}

// ShowWithoutMoney is Show for someone who may see the card's history but not its
// money (an accountant on a card that is not theirs): money fields are left out.
func ShowWithoutMoney(s Stage, v map[string]string) []Line {
	d, _ := Get(s)
	kept := map[string]string{}
	for _, f := range d.Fields {
		if f.Type != Money {
			if x, ok := v[f.Name]; ok {
				kept[f.Name] = x
			}
		}
	}
	return Show(s, kept)
}

// ShowTyped shows a value as a person typed it into f (a form that was not
// saved): dates and choices as the pages show them, money and numbers exactly
// as typed (they sit under the form's own label, unit included).
func ShowTyped(f Field, raw string) string {
	if f.Type == Money || f.Type == Int {
		return raw
	}
	return showValue(f, raw)
}

func showValue(f Field, raw string) string {
	switch f.Type {
	case Date:
		return ShowDate(raw)
	case Money:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return raw
		}
		return money.Kopecks(n).String()
	case Checkbox:
		return "да"
	case Choice: // a choice reads on in the sentence: «Решение банка: отрицательное»
		for _, o := range f.Options {
			if o.Value == raw {
				return strings.ToLower(o.Label)
			}
		}
	case Int:
		n, err := strconv.ParseInt(raw, 10, 64)
		switch {
		case err != nil:
		case f.Name == "warming_every_days": // «Периодичность задач: ежедневно»
			return Every(n)
		case strings.HasSuffix(f.Label, ", дней"):
			return Days(n)
		}
	}
	return raw
}

// Prefill is the form's starting values for a stage: today's date in date fields
// and the card's data where the SPEC says so.
func Prefill(s Stage, ctx Context, warmingDays, warmingEvery int) map[string]string {
	d, _ := Get(s)
	out := map[string]string{}
	for _, f := range d.Fields {
		if f.Type == Date {
			out[f.Name] = ctx.Today
		}
	}
	switch s {
	case WarmupTopup:
		out["warming_days"] = strconv.Itoa(warmingDays)
		out["warming_every_days"] = strconv.Itoa(warmingEvery)
	case BankWait:
		out["confirmed_amount"] = ctx.Profit.InputGrouped()
	}
	return out
}

// TxInput is a transaction as typed in the editor.
type TxInput struct {
	OccurredOn string
	Amount     money.Kopecks
	Rate       money.Rate
	Comment    string
}

// ValidateTransaction checks one transaction row (SPEC section 6).
func ValidateTransaction(in map[string]string, today string) (TxInput, Errors) {
	errs := Errors{}
	var t TxInput
	if d := strings.TrimSpace(in["occurred_on"]); d == "" {
		errs["occurred_on"] = "Укажите дату"
	} else if v, msg := checkField(Field{Type: Date}, d, Context{Today: today}); msg != "" {
		errs["occurred_on"] = msg
	} else {
		t.OccurredOn = v
	}
	if k, err := money.ParseKopecks(in["amount"]); err != nil {
		errs["amount"] = err.Error()
	} else if k <= 0 {
		errs["amount"] = "Сумма должна быть больше нуля"
	} else if k > money.MaxRowKopecks {
		errs["amount"] = "Не больше " + money.MaxRowKopecks.String() + " за одну транзакцию"
	} else {
		t.Amount = k
	}
	if r, err := money.ParseRate(in["commission_rate"]); err != nil {
		errs["commission_rate"] = err.Error()
	} else {
		t.Rate = r
	}
	t.Comment = strings.TrimSpace(in["comment"])
	if msg := CheckText(t.Comment); msg != "" {
		errs["comment"] = msg
	} else if len([]rune(t.Comment)) > 500 {
		errs["comment"] = "Не больше 500 символов"
	}
	if len(errs) > 0 {
		return TxInput{}, errs
	}
	return t, nil
}
