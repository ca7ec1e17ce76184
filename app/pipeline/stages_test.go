package pipeline

import (
	"maps"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"kartoteka/app/money"
)

const (
	nbsp  = "\u00a0"
	today = "2025-03-10"
)

// TestStageTable pins the table to SPEC section 4: order, codes, labels on
// screen, responsible slots and deadline rules.
func TestStageTable(t *testing.T) {
	want := []struct {
		code, label string
		slot        Slot
		rule        DeadlineRule
	}{
		{"access_rebind", "Перевязка доступов", Manager, DaysAfter},
		{"warmup_topup", "Пополнение на прогревочную сумму", Accountant, DaysAfter},
		{"warming", "Период прогрева", Warmer, WarmingEnd},
		{"access_takeback", "Забрать доступ у прогревщика", Manager, DaysAfter},
		{"work_topup", "Пополнить карту для работы", Accountant, DaysAfter},
		{"processing", "Отработка карты", Manager, DaysAfter},
		{"bank_application", "Подать заявление в банк", Manager, DaysAfter},
		{"bank_wait", "Отлежка/Периодическая проверка ответа от банка", Manager, EndOfToday},
		{"return_to_supplier", "Возврат поставщику", Manager, DaysAfter},
	}
	all := Stages()
	if len(all) != 9 || len(want) != 9 {
		t.Fatalf("Stages() has %d stages, want 9", len(all))
	}
	if First != 1 || Last != 9 {
		t.Errorf("First, Last = %d, %d; want 1, 9", First, Last)
	}
	codes := map[string]bool{}
	for i, d := range all {
		w := want[i]
		if d.Stage != Stage(i+1) || d.Code != w.code || d.Label != w.label || d.Slot != w.slot || d.Deadline != w.rule {
			t.Errorf("stage %d = {%d %q %q %s %d}, want {%d %q %q %s %d}", i+1,
				d.Stage, d.Code, d.Label, d.Slot, d.Deadline, i+1, w.code, w.label, w.slot, w.rule)
		}
		if codes[d.Code] {
			t.Errorf("code %q used twice", d.Code)
		}
		codes[d.Code] = true
		g, ok := Get(Stage(i + 1))
		if !ok || g.Code != d.Code {
			t.Errorf("Get(%d) = %q, %v", i+1, g.Code, ok)
		}
		if Stage(i+1).Label() != w.label || !Stage(i+1).Valid() {
			t.Errorf("Stage(%d).Label() = %q, Valid = %v", i+1, Stage(i+1).Label(), Stage(i+1).Valid())
		}
		names := map[string]bool{}
		for _, f := range d.Fields {
			if f.Name == "" || f.Label == "" || names[f.Name] {
				t.Errorf("stage %d: field %+v has no name/label or a duplicate name", i+1, f)
			}
			names[f.Name] = true
			if ff, ok := d.Field(f.Name); !ok || ff.Label != f.Label {
				t.Errorf("stage %d: Field(%q) = %+v, %v", i+1, f.Name, ff, ok)
			}
			if f.Type == Choice && len(f.Options) == 0 {
				t.Errorf("stage %d: choice %q without options", i+1, f.Name)
			}
			if f.OnlyIf != "" {
				name, val, ok := strings.Cut(f.OnlyIf, "=")
				dep, found := d.Field(name)
				if !ok || !found || !hasOption(dep, val) {
					t.Errorf("stage %d: field %q OnlyIf %q names no field option", i+1, f.Name, f.OnlyIf)
				}
			}
		}
		if _, ok := d.Field("nope"); ok {
			t.Errorf("stage %d: Field(nope) found", i+1)
		}
	}
	for _, bad := range []Stage{0, -1, 10} {
		if _, ok := Get(bad); ok || bad.Valid() || bad.Label() != "" {
			t.Errorf("stage %d is accepted", bad)
		}
	}
	for s := First; s < Last; s++ {
		if n, done := Next(s); n != s+1 || done {
			t.Errorf("Next(%d) = %d, %v", s, n, done)
		}
	}
	if n, done := Next(Last); n != 0 || !done {
		t.Errorf("Next(9) = %d, %v; want 0, true", n, done)
	}
	if len(EarlyCloseTargets) != 2 || EarlyCloseTargets[0] != BankApplication || EarlyCloseTargets[1] != ReturnToSupplier {
		t.Errorf("EarlyCloseTargets = %v, want [7 9]", EarlyCloseTargets)
	}
}

func hasOption(f Field, v string) bool {
	for _, o := range f.Options {
		if o.Value == v {
			return true
		}
	}
	return false
}

// TestFormFields pins the names, types and rules of each completion form (SPEC section 4).
func TestFormFields(t *testing.T) {
	type fd struct {
		name     string
		typ      FieldType
		required bool
		min, max int64
	}
	want := map[Stage][]fd{
		AccessRebind:     {{"done_on", Date, true, 0, 0}, {"comment", Textarea, false, 0, 0}},
		WarmupTopup:      {{"amount", Money, true, 1, 0}, {"done_on", Date, true, 0, 0}, {"warming_days", Int, true, 1, 90}, {"warming_every_days", Int, true, 1, 30}, {"comment", Textarea, false, 0, 0}},
		Warming:          {{"result", Choice, true, 0, 0}, {"comment", Textarea, false, 0, 0}},
		AccessTakeback:   {{"done_on", Date, true, 0, 0}, {"confirmed", Checkbox, true, 0, 0}, {"comment", Textarea, false, 0, 0}},
		WorkTopup:        {{"amount", Money, true, 1, 0}, {"done_on", Date, true, 0, 0}, {"comment", Textarea, false, 0, 0}},
		Processing:       {{"transactions", Transactions, true, 0, 0}, {"done_on", Date, true, 0, 0}, {"comment", Textarea, false, 0, 0}},
		BankApplication:  {{"done_on", Date, true, 0, 0}, {"reference", Text, false, 0, 0}, {"comment", Textarea, false, 0, 0}},
		BankWait:         {{"answered", Choice, true, 0, 0}, {"answered_on", Date, true, 0, 0}, {"decision", Choice, true, 0, 0}, {"confirmed_amount", Money, true, 0, 0}, {"comment", Textarea, false, 0, 0}},
		ReturnToSupplier: {{"done_on", Date, true, 0, 0}, {"comment", Textarea, false, 0, 0}},
	}
	for _, d := range Stages() {
		w := want[d.Stage]
		if len(d.Fields) != len(w) {
			t.Errorf("stage %d has %d fields, want %d", d.Stage, len(d.Fields), len(w))
			continue
		}
		for i, f := range d.Fields {
			if f.Name != w[i].name || f.Type != w[i].typ || f.Required != w[i].required || f.Min != w[i].min || f.Max != w[i].max {
				t.Errorf("stage %d field %d = {%s %s req=%v %d..%d}, want %+v", d.Stage, i, f.Name, f.Type, f.Required, f.Min, f.Max, w[i])
			}
		}
	}
	labels := map[string]string{
		"3.result": "Итог прогрева", "4.confirmed": "Доступ получен", "8.answered": "Ответ получен?",
		"8.decision": "Решение банка", "8.confirmed_amount": "Подтверждённая сумма", "2.warming_days": "Период прогрева, дней",
		"2.warming_every_days": "Периодичность задач, дней", "6.done_on": "Дата окончания отработки", "7.done_on": "Дата подачи",
		"9.done_on": "Дата возврата", "1.done_on": "Дата выполнения", "8.answered_on": "Дата ответа",
	}
	for key, label := range labels {
		s, name, _ := strings.Cut(key, ".")
		n, _ := strconv.Atoi(s)
		d, _ := Get(Stage(n))
		if f, _ := d.Field(name); f.Label != label {
			t.Errorf("stage %d field %s label %q, want %q", n, name, f.Label, label)
		}
	}
	w3, _ := Get(Warming)
	if f, _ := w3.Field("result"); len(f.Options) != 2 || f.Options[0] != (Option{"ok", "Успешно"}) || f.Options[1] != (Option{"remarks", "С замечаниями"}) {
		t.Errorf("stage 3 result options %v", f.Options)
	}
	w8, _ := Get(BankWait)
	if f, _ := w8.Field("answered"); len(f.Options) != 2 || f.Options[0] != (Option{"yes", "Да"}) || f.Options[1] != (Option{"no", "Нет"}) {
		t.Errorf("stage 8 answered options %v", f.Options)
	}
	if f, _ := w8.Field("decision"); len(f.Options) != 2 || f.Options[0] != (Option{"positive", "Положительное"}) || f.Options[1] != (Option{"negative", "Отрицательное"}) {
		t.Errorf("stage 8 decision options %v", f.Options)
	}
}

// okCtx is a context in which every stage may be completed.
func okCtx() Context {
	return Context{Today: today, WarmingEnded: true, Transactions: 1, Profit: 12345}
}

// validRaw builds a valid raw form for a stage from the table alone, with the
// normalised values Validate must return, so a new field is covered without
// touching this test.
func validRaw(d Def) (in map[string]string, want Values) {
	in, want = map[string]string{}, Values{}
	for _, f := range d.Fields {
		switch f.Type {
		case Date:
			in[f.Name], want[f.Name] = "05.03.2025", "2025-03-05"
		case Money:
			in[f.Name], want[f.Name] = "1 234,50", "123450"
		case Int:
			v := strconv.FormatInt(f.Min+(f.Max-f.Min)/2, 10)
			in[f.Name], want[f.Name] = v, v
		case Checkbox:
			in[f.Name], want[f.Name] = "on", "1"
		case Choice:
			in[f.Name], want[f.Name] = f.Options[0].Value, f.Options[0].Value
		case Text, Textarea:
			in[f.Name], want[f.Name] = "  текст "+f.Name+" ", "текст "+f.Name
		case Transactions:
		}
	}
	// Make the conditional fields apply.
	for _, f := range d.Fields {
		if f.OnlyIf != "" {
			name, val, _ := strings.Cut(f.OnlyIf, "=")
			in[name], want[name] = val, val
		}
	}
	return in, want
}

func TestValidateValidEveryStage(t *testing.T) {
	for _, d := range Stages() {
		in, want := validRaw(d)
		got, errs := Validate(d.Stage, in, okCtx())
		if errs != nil {
			t.Errorf("stage %d: valid form refused: %v", d.Stage, errs)
			continue
		}
		if !maps.Equal(got, want) {
			t.Errorf("stage %d: Validate = %v, want %v", d.Stage, got, want)
		}
		// Only fields of the form come back; unknown inputs are dropped.
		in["evil"] = "x"
		if got, _ := Validate(d.Stage, in, okCtx()); got["evil"] != "" {
			t.Errorf("stage %d: an unknown input was kept", d.Stage)
		}
	}
}

// TestValidateExactValues: typed forms of each stage as a person fills them.
func TestValidateExactValues(t *testing.T) {
	cases := []struct {
		st   Stage
		in   map[string]string
		want Values
	}{
		{AccessRebind, map[string]string{"done_on": "2025-03-10"}, Values{"done_on": "2025-03-10"}},
		{AccessRebind, map[string]string{"done_on": "1.3.2025", "comment": "ok"}, Values{"done_on": "2025-03-01", "comment": "ok"}},
		{WarmupTopup, map[string]string{"amount": "3 000 ₽", "done_on": "10.03.2025", "warming_days": "14", "warming_every_days": " 1 "},
			Values{"amount": "300000", "done_on": "2025-03-10", "warming_days": "14", "warming_every_days": "1"}},
		{WarmupTopup, map[string]string{"amount": "0,01", "done_on": "2025-01-31", "warming_days": "90", "warming_every_days": "30"},
			Values{"amount": "1", "done_on": "2025-01-31", "warming_days": "90", "warming_every_days": "30"}},
		{Warming, map[string]string{"result": "remarks", "comment": "  без карты  "}, Values{"result": "remarks", "comment": "без карты"}},
		{AccessTakeback, map[string]string{"done_on": "2025-03-09", "confirmed": "1"}, Values{"done_on": "2025-03-09", "confirmed": "1"}},
		{AccessTakeback, map[string]string{"done_on": "2025-03-09", "confirmed": "true"}, Values{"done_on": "2025-03-09", "confirmed": "1"}},
		{WorkTopup, map[string]string{"amount": "50 000,5", "done_on": "2025-03-10"}, Values{"amount": "5000050", "done_on": "2025-03-10"}},
		{Processing, map[string]string{"done_on": "2025-03-10", "transactions": "ignored"}, Values{"done_on": "2025-03-10"}},
		{BankApplication, map[string]string{"done_on": "2025-03-10", "reference": "Заявление № 5"}, Values{"done_on": "2025-03-10", "reference": "Заявление № 5"}},
		{BankWait, map[string]string{"answered": "yes", "answered_on": "10.03.2025", "decision": "positive", "confirmed_amount": "123,45"},
			Values{"answered": "yes", "answered_on": "2025-03-10", "decision": "positive", "confirmed_amount": "12345"}},
		{BankWait, map[string]string{"answered": "yes", "answered_on": "2025-03-10", "decision": "negative", "confirmed_amount": "0,00"},
			Values{"answered": "yes", "answered_on": "2025-03-10", "decision": "negative", "confirmed_amount": "0"}},
		{BankWait, map[string]string{"answered": "no"}, Values{"answered": "no"}},
		{ReturnToSupplier, map[string]string{"done_on": "2025-03-10", "comment": ""}, Values{"done_on": "2025-03-10"}},
	}
	for _, c := range cases {
		got, errs := Validate(c.st, c.in, okCtx())
		if errs != nil || !maps.Equal(got, c.want) {
			t.Errorf("Validate(%d, %v) = %v, %v; want %v", c.st, c.in, got, errs, c.want)
		}
	}
}

// wantRequired is the message a missing field of each type gets.
func wantRequired(f Field) string {
	switch f.Type {
	case Date:
		return "Укажите дату"
	case Money:
		return "Укажите сумму"
	case Choice:
		return "Выберите вариант"
	case Checkbox:
		return "Отметьте: «" + f.Label + "»"
	case Transactions:
		return "Добавьте хотя бы одну транзакцию"
	}
	return "Заполните поле"
}

// TestValidateRequired removes each required field of each stage in turn (and
// blanks it with spaces): exactly that field gets its message, nothing is returned.
func TestValidateRequired(t *testing.T) {
	n := 0
	for _, d := range Stages() {
		for _, f := range d.Fields {
			if !f.Required {
				continue
			}
			for _, blank := range []*string{nil, ptr(""), ptr("   ")} {
				in, _ := validRaw(d)
				ctx := okCtx()
				if f.Type == Transactions {
					ctx.Transactions = 0
				} else if blank == nil {
					delete(in, f.Name)
				} else {
					in[f.Name] = *blank
				}
				got, errs := Validate(d.Stage, in, ctx)
				if got != nil {
					t.Errorf("stage %d without %s: values returned %v", d.Stage, f.Name, got)
				}
				if len(errs) != 1 || errs[f.Name] != wantRequired(f) {
					t.Errorf("stage %d without %s: errors %v, want {%s: %q}", d.Stage, f.Name, errs, f.Name, wantRequired(f))
				}
				n++
			}
		}
	}
	if n < 3*14 {
		t.Errorf("only %d required checks ran", n)
	}
	// Optional fields may be left out.
	for _, d := range Stages() {
		in, _ := validRaw(d)
		for _, f := range d.Fields {
			if !f.Required {
				delete(in, f.Name)
			}
		}
		if _, errs := Validate(d.Stage, in, okCtx()); errs != nil {
			t.Errorf("stage %d without optional fields: %v", d.Stage, errs)
		}
	}
}

func ptr(s string) *string { return &s }

type badValue struct{ value, msg string }

// badValues are the broken inputs for one field and the message each must get.
func badValues(f Field) []badValue {
	switch f.Type {
	case Date:
		return []badValue{
			{"2025-03-11", "Дата не может быть позже сегодняшней"},
			{"11.03.2025", "Дата не может быть позже сегодняшней"},
			{"2030-01-01", "Дата не может быть позже сегодняшней"},
			{"31.02.2025", "Дата в формате ДД.ММ.ГГГГ"},
			{"2025-13-01", "Дата в формате ДД.ММ.ГГГГ"},
			{"вчера", "Дата в формате ДД.ММ.ГГГГ"},
			{"10/03/2025", "Дата в формате ДД.ММ.ГГГГ"},
			{"10.03.25", "Дата в формате ДД.ММ.ГГГГ"},
			{"1999-12-31", "Проверьте год"},
		}
	case Money:
		out := []badValue{
			{"12,345", money.ErrAmountPrecision.Error()},
			{"abc", money.ErrAmountFormat.Error()},
			{"1e5", money.ErrAmountFormat.Error()},
			{"10 000 000 000 000,01", money.ErrAmountTooLarge.Error()},
		}
		if f.Min > 0 {
			return append(out, badValue{"0", "Сумма должна быть больше нуля"}, badValue{"0,00", "Сумма должна быть больше нуля"},
				badValue{"-5", "Сумма должна быть больше нуля"})
		}
		return append(out, badValue{"-5", "Сумма не может быть отрицательной"}, badValue{"−0,01", "Сумма не может быть отрицательной"})
	case Int:
		msg := "Целое число от " + strconv.FormatInt(f.Min, 10) + " до " + strconv.FormatInt(f.Max, 10)
		return []badValue{{strconv.FormatInt(f.Min-1, 10), msg}, {strconv.FormatInt(f.Max+1, 10), msg},
			{"-1", msg}, {"1.5", msg}, {"abc", msg}, {"99999999999999999999", msg}}
	case Choice:
		return []badValue{{"maybe", "Выберите вариант из списка"}, {strings.ToUpper(f.Options[0].Value), "Выберите вариант из списка"},
			{f.Options[0].Label, "Выберите вариант из списка"}}
	case Checkbox:
		msg := "Отметьте: «" + f.Label + "»"
		return []badValue{{"0", msg}, {"off", msg}, {"false", msg}, {"нет", msg}}
	case Text:
		return []badValue{{strings.Repeat("я", 501), "Не больше 500 символов"}}
	case Textarea:
		return []badValue{{strings.Repeat("я", 4001), "Не больше 4000 символов"}}
	}
	return nil
}

// TestValidateRules breaks each field of each stage in every way its type can be
// broken, one at a time: exactly that field gets the expected message.
func TestValidateRules(t *testing.T) {
	seen := map[FieldType]int{}
	for _, d := range Stages() {
		for _, f := range d.Fields {
			for _, b := range badValues(f) {
				in, _ := validRaw(d)
				in[f.Name] = b.value
				got, errs := Validate(d.Stage, in, okCtx())
				if got != nil || len(errs) != 1 || errs[f.Name] != b.msg {
					t.Errorf("stage %d %s=%q: values %v, errors %v; want {%s: %q}", d.Stage, f.Name, b.value, got, errs, f.Name, b.msg)
				}
				seen[f.Type]++
			}
		}
	}
	for _, typ := range []FieldType{Date, Money, Int, Choice, Checkbox, Text, Textarea} {
		if seen[typ] == 0 {
			t.Errorf("no rule of type %s was checked", typ)
		}
	}
	// Boundaries that must pass.
	d2, _ := Get(WarmupTopup)
	for _, v := range [][2]string{{"1", "1"}, {"90", "30"}, {"45", "15"}} {
		in, _ := validRaw(d2)
		in["warming_days"], in["warming_every_days"] = v[0], v[1]
		if _, errs := Validate(WarmupTopup, in, okCtx()); errs != nil {
			t.Errorf("warming %v refused: %v", v, errs)
		}
	}
	// Several bad fields at once are all reported.
	in, _ := validRaw(d2)
	in["amount"], in["done_on"], in["warming_days"], in["warming_every_days"] = "0", "2099-01-01", "0", "31"
	if _, errs := Validate(WarmupTopup, in, okCtx()); len(errs) != 4 {
		t.Errorf("four bad fields give %v", errs)
	}
	// A text of exactly the limit passes.
	d7, _ := Get(BankApplication)
	in, _ = validRaw(d7)
	in["reference"], in["comment"] = strings.Repeat("я", 500), strings.Repeat("я", 4000)
	if _, errs := Validate(BankApplication, in, okCtx()); errs != nil {
		t.Errorf("texts at the limit refused: %v", errs)
	}
	// With no Today in the context the future is not checked (the store always sets it).
	d1, _ := Get(AccessRebind)
	in, _ = validRaw(d1)
	in["done_on"] = "2099-01-01"
	if _, errs := Validate(AccessRebind, in, Context{}); errs != nil {
		t.Errorf("no Today: %v", errs)
	}
	if _, errs := Validate(0, nil, okCtx()); errs["stage"] == "" {
		t.Errorf("unknown stage: %v", errs)
	}
	if _, errs := Validate(10, map[string]string{}, okCtx()); errs["stage"] == "" {
		t.Errorf("stage 10: %v", errs)
	}
}

func TestStage3Warming(t *testing.T) {
	base := map[string]string{"result": "ok"}
	withComment := map[string]string{"result": "ok", "comment": "Клиент просит раньше"}
	cases := []struct {
		name       string
		in         map[string]string
		ended, adm bool
		errKey     string
		msgHas     string
	}{
		{"not ended, employee", base, false, false, "result", "с 24.03.2025"},
		{"not ended, employee with comment", withComment, false, false, "result", "ещё не закончился"},
		{"not ended, owner without comment", base, false, true, "comment", "укажите причину"},
		{"not ended, owner with blank comment", map[string]string{"result": "ok", "comment": "  "}, false, true, "comment", "укажите причину"},
		{"not ended, owner with comment", withComment, false, true, "", ""},
		{"ended, employee", base, true, false, "", ""},
		{"ended, owner", base, true, true, "", ""},
	}
	for _, c := range cases {
		ctx := Context{Today: today, WarmingEnded: c.ended, WarmingEnds: "2025-03-24", Privileged: c.adm}
		got, errs := Validate(Warming, c.in, ctx)
		if c.errKey == "" {
			if errs != nil || got["result"] != "ok" {
				t.Errorf("%s: %v %v, want ok", c.name, got, errs)
			}
			continue
		}
		if got != nil || len(errs) != 1 || !strings.Contains(errs[c.errKey], c.msgHas) {
			t.Errorf("%s: errors %v, want %s containing %q", c.name, errs, c.errKey, c.msgHas)
		}
	}
}

func TestStage6Transactions(t *testing.T) {
	in := map[string]string{"done_on": "2025-03-10"}
	for n, wantErr := range map[int]bool{0: true, -1: true, 1: false, 5: false} {
		got, errs := Validate(Processing, in, Context{Today: today, Transactions: n})
		if wantErr {
			if got != nil || errs["transactions"] != "Добавьте хотя бы одну транзакцию" {
				t.Errorf("%d transactions: %v %v", n, got, errs)
			}
		} else if errs != nil || got["done_on"] != "2025-03-10" {
			t.Errorf("%d transactions: %v %v", n, got, errs)
		}
		if _, ok := got["transactions"]; ok {
			t.Errorf("%d transactions: the editor is stored as a value", n)
		}
	}
	// No transactions and no date: both reported.
	if _, errs := Validate(Processing, map[string]string{}, Context{Today: today}); len(errs) != 2 {
		t.Errorf("empty stage 6 form: %v", errs)
	}
}

func TestStage8Bank(t *testing.T) {
	ctx := okCtx()
	// «Нет» passes with nothing else, and the «Да» fields are ignored, however broken.
	for _, in := range []map[string]string{
		{"answered": "no"},
		{"answered": "no", "answered_on": "garbage", "decision": "maybe", "confirmed_amount": "abc"},
		{"answered": "no", "answered_on": "2099-01-01", "decision": "negative", "confirmed_amount": "100"},
	} {
		got, errs := Validate(BankWait, in, ctx)
		if errs != nil || !maps.Equal(got, Values{"answered": "no"}) {
			t.Errorf("answered=no %v: %v %v", in, got, errs)
		}
	}
	got, errs := Validate(BankWait, map[string]string{"answered": "no", "comment": "звонил"}, ctx)
	if errs != nil || got["comment"] != "звонил" {
		t.Errorf("answered=no with comment: %v %v", got, errs)
	}
	// «Да» requires the three fields.
	_, errs = Validate(BankWait, map[string]string{"answered": "yes"}, ctx)
	if len(errs) != 3 || errs["answered_on"] == "" || errs["decision"] == "" || errs["confirmed_amount"] == "" {
		t.Errorf("answered=yes alone: %v, want answered_on, decision, confirmed_amount", errs)
	}
	// Nothing answered at all.
	if _, errs := Validate(BankWait, map[string]string{}, ctx); len(errs) != 1 || errs["answered"] != "Выберите вариант" {
		t.Errorf("empty stage 8 form: %v", errs)
	}
	yes := func(decision, amount string) map[string]string {
		return map[string]string{"answered": "yes", "answered_on": "2025-03-10", "decision": decision, "confirmed_amount": amount}
	}
	for _, c := range []struct {
		decision, amount string
		ok               bool
	}{
		{"negative", "0", true},
		{"negative", "0,00", true},
		{"negative", "0,01", false},
		{"negative", "100", false},
		{"positive", "0", true}, // a positive decision may confirm nothing
		{"positive", "100 000,00", true},
		{"positive", "-1", false},
	} {
		got, errs := Validate(BankWait, yes(c.decision, c.amount), ctx)
		if c.ok != (errs == nil) {
			t.Errorf("decision %s amount %s: %v %v, want ok=%v", c.decision, c.amount, got, errs, c.ok)
		}
		if !c.ok && errs["confirmed_amount"] == "" {
			t.Errorf("decision %s amount %s: error not on confirmed_amount: %v", c.decision, c.amount, errs)
		}
	}
	_, errs = Validate(BankWait, yes("negative", "5"), ctx)
	if errs["confirmed_amount"] != "При отрицательном решении подтверждённая сумма — 0" {
		t.Errorf("negative with amount: %v", errs)
	}
	// The bank cannot answer tomorrow.
	in := yes("positive", "1")
	in["answered_on"] = "11.03.2025"
	if _, errs := Validate(BankWait, in, ctx); errs["answered_on"] != "Дата не может быть позже сегодняшней" {
		t.Errorf("answered tomorrow: %v", errs)
	}
	// Field.Active follows OnlyIf.
	d, _ := Get(BankWait)
	f, _ := d.Field("decision")
	if f.Active(map[string]string{"answered": "no"}) || !f.Active(map[string]string{"answered": "yes"}) || f.Active(nil) {
		t.Error("decision.Active does not follow answered")
	}
	if c, _ := d.Field("comment"); !c.Active(nil) {
		t.Error("comment is not always active")
	}
}

func TestShow(t *testing.T) {
	cases := []struct {
		st   Stage
		v    map[string]string
		want []Line
	}{
		{WarmupTopup, map[string]string{"comment": "ok", "warming_every_days": "2", "done_on": "2025-03-05", "warming_days": "14", "amount": "300050"},
			[]Line{{"Сумма пополнения", "3" + nbsp + "000,50" + nbsp + "₽"}, {"Дата пополнения", "05.03.2025"},
				{"Период прогрева", "14" + nbsp + "дней"}, {"Периодичность задач", "каждые 2" + nbsp + "дня"}, {"Комментарий", "ok"}}},
		{Warming, map[string]string{"result": "remarks"}, []Line{{"Итог прогрева", "с замечаниями"}}},
		{AccessTakeback, map[string]string{"confirmed": "1", "done_on": "2025-03-10"},
			[]Line{{"Дата выполнения", "10.03.2025"}, {"Доступ получен", "да"}}},
		{BankWait, map[string]string{"answered": "yes", "answered_on": "2025-03-10", "decision": "negative", "confirmed_amount": "0"},
			[]Line{{"Ответ получен", "да"}, {"Дата ответа", "10.03.2025"}, {"Решение банка", "отрицательное"}, {"Подтверждённая сумма", "0,00" + nbsp + "₽"}}},
		{BankWait, map[string]string{"answered": "no"}, []Line{{"Ответ получен", "нет"}}},
		// Empty and unknown values are skipped; values that do not parse are shown as stored.
		{AccessRebind, map[string]string{"done_on": "", "comment": "x", "other": "y"}, []Line{{"Комментарий", "x"}}},
		{WorkTopup, map[string]string{"amount": "много", "done_on": "когда-то"}, []Line{{"Сумма пополнения для работы", "много"}, {"Дата пополнения", "когда-то"}}},
		{Warming, map[string]string{"result": "unknown"}, []Line{{"Итог прогрева", "unknown"}}},
		{0, map[string]string{"done_on": "2025-03-10"}, nil},
	}
	for _, c := range cases {
		got := Show(c.st, c.v)
		if len(got) != len(c.want) {
			t.Errorf("Show(%d, %v) = %q, want %q", c.st, c.v, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("Show(%d) line %d = %q, want %q", c.st, i, got[i], c.want[i])
			}
		}
	}
	// What Validate stores, Show renders in table order, for every stage.
	for _, d := range Stages() {
		in, _ := validRaw(d)
		vals, errs := Validate(d.Stage, in, okCtx())
		if errs != nil {
			t.Fatal(errs)
		}
		lines := Show(d.Stage, vals)
		i := 0
		for _, f := range d.Fields {
			if _, ok := vals[f.Name]; !ok {
				continue
			}
			if i >= len(lines) || lines[i].Label != f.ShownLabel() {
				t.Errorf("stage %d: line %d is %v, want label %q", d.Stage, i, lines, f.ShownLabel())
				break
			}
			if f.Type == Money && lines[i].Value != "1"+nbsp+"234,50"+nbsp+"₽" {
				t.Errorf("stage %d: money shown as %q", d.Stage, lines[i].Value)
			}
			if f.Type == Date && lines[i].Value != "05.03.2025" {
				t.Errorf("stage %d: date shown as %q", d.Stage, lines[i].Value)
			}
			i++
		}
		if i != len(lines) {
			t.Errorf("stage %d: %d lines, want %d", d.Stage, len(lines), i)
		}
	}
}

func TestPrefill(t *testing.T) {
	ctx := Context{Today: today, Profit: 1234567}
	p := Prefill(WarmupTopup, ctx, 14, 1)
	if p["done_on"] != today || p["warming_days"] != "14" || p["warming_every_days"] != "1" || p["amount"] != "" {
		t.Errorf("Prefill(2) = %v", p)
	}
	p = Prefill(BankWait, ctx, 14, 1)
	if p["answered_on"] != today || p["confirmed_amount"] != "12 345,67" {
		t.Errorf("Prefill(8) = %v", p)
	}
	// The prefilled confirmed amount parses back to the profit.
	if k, err := money.ParseKopecks(p["confirmed_amount"]); err != nil || k != ctx.Profit {
		t.Errorf("prefilled amount %q parses to %d, %v", p["confirmed_amount"], k, err)
	}
	for _, d := range Stages() {
		p := Prefill(d.Stage, ctx, 14, 1)
		for _, f := range d.Fields {
			if f.Type == Date && p[f.Name] != today {
				t.Errorf("stage %d: date %s prefilled with %q", d.Stage, f.Name, p[f.Name])
			}
		}
	}
}

func TestValidateTransaction(t *testing.T) {
	valid := func() map[string]string {
		return map[string]string{"occurred_on": "05.03.2025", "amount": "1 000,50", "commission_rate": "12,5 %", "comment": "  первая  "}
	}
	got, errs := ValidateTransaction(valid(), today)
	if errs != nil || got != (TxInput{OccurredOn: "2025-03-05", Amount: 100050, Rate: 1250, Comment: "первая"}) {
		t.Fatalf("valid transaction: %+v %v", got, errs)
	}
	cases := []struct {
		field, value, key, msg string
	}{
		{"occurred_on", "", "occurred_on", "Укажите дату"},
		{"occurred_on", "  ", "occurred_on", "Укажите дату"},
		{"occurred_on", "2025-03-11", "occurred_on", "Дата не может быть позже сегодняшней"},
		{"occurred_on", "30.02.2025", "occurred_on", "Дата в формате ДД.ММ.ГГГГ"},
		{"occurred_on", "1999-01-01", "occurred_on", "Проверьте год"},
		{"amount", "", "amount", money.ErrEmpty.Error()},
		{"amount", "0", "amount", "Сумма должна быть больше нуля"},
		{"amount", "-10", "amount", "Сумма должна быть больше нуля"},
		{"amount", "12,345", "amount", money.ErrAmountPrecision.Error()},
		{"amount", "abc", "amount", money.ErrAmountFormat.Error()},
		{"commission_rate", "", "commission_rate", money.ErrEmptyRate.Error()},
		{"commission_rate", "100,01", "commission_rate", money.ErrRate.Error()},
		{"commission_rate", "-1", "commission_rate", money.ErrRate.Error()},
		{"commission_rate", "abc", "commission_rate", money.ErrRate.Error()},
		{"comment", strings.Repeat("ж", 501), "comment", "Не больше 500 символов"},
	}
	for _, c := range cases {
		in := valid()
		in[c.field] = c.value
		got, errs := ValidateTransaction(in, today)
		if got != (TxInput{}) || len(errs) != 1 || errs[c.key] != c.msg {
			t.Errorf("%s=%q: %+v %v, want {%s: %q}", c.field, c.value, got, errs, c.key, c.msg)
		}
	}
	for _, c := range []struct {
		field, value string
		check        func(TxInput) bool
	}{
		{"commission_rate", "0", func(x TxInput) bool { return x.Rate == 0 }},
		{"commission_rate", "100", func(x TxInput) bool { return x.Rate == 10000 }},
		{"amount", "0,01", func(x TxInput) bool { return x.Amount == 1 }},
		{"occurred_on", today, func(x TxInput) bool { return x.OccurredOn == today }},
		{"comment", "", func(x TxInput) bool { return x.Comment == "" }},
		{"comment", strings.Repeat("ж", 500), func(x TxInput) bool { return len([]rune(x.Comment)) == 500 }},
	} {
		in := valid()
		in[c.field] = c.value
		got, errs := ValidateTransaction(in, today)
		if errs != nil || !c.check(got) {
			t.Errorf("%s=%q: %+v %v", c.field, c.value, got, errs)
		}
	}
	_, errs = ValidateTransaction(map[string]string{}, today)
	if len(errs) != 3 || errs["occurred_on"] == "" || errs["amount"] == "" || errs["commission_rate"] == "" {
		t.Errorf("empty row: %v", errs)
	}
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"2025-03-10": "2025-03-10", "10.03.2025": "2025-03-10", "1.3.2025": "2025-03-01", " 01.03.2025 ": "2025-03-01",
		"29.02.2024": "2024-02-29", "31.12.1999": "1999-12-31",
	} {
		if got, err := ParseDate(in); err != nil || got != want {
			t.Errorf("ParseDate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "29.02.2025", "2025-3-10", "2025/03/10", "10-03-2025", "32.01.2025", "10.03.2025г", "2025-03-10T00:00:00Z"} {
		if got, err := ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) = %q, want an error", in, got)
		}
	}
	if ShowDate("2025-03-10") != "10.03.2025" || ShowDate("bad") != "bad" || ShowDate("") != "" {
		t.Error("ShowDate")
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2025-03-10", "10.03.2025", "1.3.2025", "", "31.02.2025", "0000-01-01", "9999-12-31", " 1.1.2000 ", "2025-03-10\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s)
		if err != nil {
			if got != "" {
				t.Fatalf("ParseDate(%q) = %q with error %v", s, got, err)
			}
			return
		}
		if !isoDate.MatchString(got) {
			t.Fatalf("ParseDate(%q) = %q, not YYYY-MM-DD", s, got)
		}
		again, err := ParseDate(got)
		if err != nil || again != got {
			t.Fatalf("not stable: %q -> %q -> %q, %v", s, got, again, err)
		}
		// The typed form of the same day reads back to it too.
		if back, err := ParseDate(ShowDate(got)); err != nil || back != got {
			t.Fatalf("ShowDate round trip: %q -> %q -> %q, %v", got, ShowDate(got), back, err)
		}
	})
}

// FuzzValidate: no input makes a stage's validation panic, and whatever it accepts
// is in the stored form (dates ISO, money an integer of kopecks, choices from the list).
func FuzzValidate(f *testing.F) {
	f.Add(2, "1 000", "10.03.2025", "14", "yes")
	f.Add(8, "0", "2025-03-10", "1", "no")
	f.Add(4, "-1", "", "on", "maybe")
	f.Fuzz(func(t *testing.T, st int, m, d, n, c string) {
		s := Stage(st%11 - 1)
		def, ok := Get(s)
		in := map[string]string{}
		for _, fd := range def.Fields {
			switch fd.Type {
			case Money:
				in[fd.Name] = m
			case Date:
				in[fd.Name] = d
			case Int, Checkbox:
				in[fd.Name] = n
			default:
				in[fd.Name] = c
			}
		}
		vals, errs := Validate(s, in, okCtx())
		if !ok {
			if errs == nil {
				t.Fatalf("stage %d accepted", s)
			}
			return
		}
		if (vals == nil) == (errs == nil) {
			t.Fatalf("stage %d: values %v and errors %v", s, vals, errs)
		}
		for name, v := range vals {
			fd, _ := def.Field(name)
			switch fd.Type {
			case Date:
				if !isoDate.MatchString(v) || v > today {
					t.Fatalf("date %q stored as %q", d, v)
				}
			case Money, Int:
				if _, err := strconv.ParseInt(v, 10, 64); err != nil {
					t.Fatalf("%s %q stored as %q", fd.Type, in[name], v)
				}
			case Choice:
				if !hasOption(fd, v) {
					t.Fatalf("choice stored as %q", v)
				}
			}
		}
		_ = Show(s, vals)
	})
}
