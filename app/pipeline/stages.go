// Package pipeline is the nine-stage card pipeline as one declarative table:
// each stage's label, responsible slot, deadline rule and completion form.
// The table drives the modal, the server-side validation, the history and the tests.
// Pure Go: no HTTP, no SQL, no clock reads (time is passed in).
package pipeline

// Stage is a pipeline stage number. Stored in the database; do not renumber.
type Stage int

// The nine stages, in order.
const (
	AccessRebind     Stage = 1 // Перевязка доступов
	WarmupTopup      Stage = 2 // Пополнение на прогревочную сумму
	Warming          Stage = 3 // Период прогрева
	AccessTakeback   Stage = 4 // Забрать доступ у прогревщика
	WorkTopup        Stage = 5 // Пополнить карту для работы
	Processing       Stage = 6 // Отработка карты
	BankApplication  Stage = 7 // Подать заявление в банк
	BankWait         Stage = 8 // Отлежка/Периодическая проверка ответа от банка
	ReturnToSupplier Stage = 9 // Возврат поставщику
	First                  = AccessRebind
	Last                   = ReturnToSupplier
)

// Slot names which of the card's people is responsible for a stage.
type Slot string

// The card's three responsible slots; values match the card's column prefixes.
const (
	Manager    Slot = "manager"
	Accountant Slot = "accountant"
	Warmer     Slot = "warmer"
)

// DeadlineRule says how a stage's task deadline is set on entry.
type DeadlineRule int

// Deadline rules.
const (
	DaysAfter  DeadlineRule = iota // entry date + the stage's days (a setting), end of the working day
	WarmingEnd                     // entry date + the card's warming period, end of the working day
	EndOfToday                     // end of the entry day, rolled daily while no answer
)

// FieldType is how a form field is entered, checked, stored and shown.
type FieldType string

// Field types.
const (
	Date         FieldType = "date"         // 'YYYY-MM-DD', not in the future
	Money        FieldType = "money"        // kopecks, stored as an integer string
	Int          FieldType = "int"          // whole number in [Min, Max]
	Text         FieldType = "text"         // one line
	Textarea     FieldType = "textarea"     // free text
	Checkbox     FieldType = "checkbox"     // "1" when ticked
	Choice       FieldType = "choice"       // one of Options
	Transactions FieldType = "transactions" // the stage-6 editor; not a value of its own
)

// Option is one choice of a Choice field.
type Option struct{ Value, Label string }

// Field is one input of a stage's completion form.
type Field struct {
	Name     string
	Label    string
	Type     FieldType
	Required bool
	Min, Max int64    // Int bounds; Money: Min 1 means "more than zero"
	Options  []Option // Choice
	// OnlyIf shows and checks the field only when another field has a value ("answered=yes").
	OnlyIf string
	Help   string
}

// Def is one stage of the pipeline.
type Def struct {
	Stage    Stage
	Code     string
	Label    string
	Slot     Slot
	Deadline DeadlineRule
	Fields   []Field
}

var (
	comment    = Field{Name: "comment", Label: "Комментарий", Type: Textarea}
	yesNo      = []Option{{"yes", "Да"}, {"no", "Нет"}}
	doneOn     = func(label string) Field { return Field{Name: "done_on", Label: label, Type: Date, Required: true} }
	topupMoney = func(label string) Field {
		return Field{Name: "amount", Label: label, Type: Money, Required: true, Min: 1}
	}
)

// stages is the table: one row per stage, in order.
var stages = [...]Def{
	{AccessRebind, "access_rebind", "Перевязка доступов", Manager, DaysAfter, []Field{
		doneOn("Дата выполнения"), comment}},
	{WarmupTopup, "warmup_topup", "Пополнение на прогревочную сумму", Accountant, DaysAfter, []Field{
		topupMoney("Сумма пополнения"), doneOn("Дата пополнения"),
		{Name: "warming_days", Label: "Период прогрева, дней", Type: Int, Required: true, Min: 1, Max: 90},
		{Name: "warming_every_days", Label: "Периодичность задач, дней", Type: Int, Required: true, Min: 1, Max: 30},
		comment}},
	{Warming, "warming", "Период прогрева", Warmer, WarmingEnd, []Field{
		{Name: "result", Label: "Итог прогрева", Type: Choice, Required: true,
			Options: []Option{{"ok", "Успешно"}, {"remarks", "С замечаниями"}}},
		comment}},
	{AccessTakeback, "access_takeback", "Забрать доступ у прогревщика", Manager, DaysAfter, []Field{
		doneOn("Дата выполнения"),
		{Name: "confirmed", Label: "Доступ получен", Type: Checkbox, Required: true},
		comment}},
	{WorkTopup, "work_topup", "Пополнить карту для работы", Accountant, DaysAfter, []Field{
		topupMoney("Сумма пополнения для работы"), doneOn("Дата пополнения"), comment}},
	{Processing, "processing", "Отработка карты", Manager, DaysAfter, []Field{
		{Name: "transactions", Label: "Транзакции", Type: Transactions, Required: true},
		doneOn("Дата окончания отработки"), comment}},
	{BankApplication, "bank_application", "Подать заявление в банк", Manager, DaysAfter, []Field{
		doneOn("Дата подачи"),
		{Name: "reference", Label: "Номер/описание заявления", Type: Text},
		comment}},
	{BankWait, "bank_wait", "Отлежка/Периодическая проверка ответа от банка", Manager, EndOfToday, []Field{
		{Name: "answered", Label: "Ответ получен?", Type: Choice, Required: true, Options: yesNo},
		{Name: "answered_on", Label: "Дата ответа", Type: Date, Required: true, OnlyIf: "answered=yes"},
		{Name: "decision", Label: "Решение банка", Type: Choice, Required: true, OnlyIf: "answered=yes",
			Options: []Option{{"positive", "Положительное"}, {"negative", "Отрицательное"}}},
		{Name: "confirmed_amount", Label: "Подтверждённая сумма", Type: Money, Required: true, OnlyIf: "answered=yes",
			Help: "Предзаполнена возможной прибылью; 0 при отрицательном решении"},
		comment}},
	{ReturnToSupplier, "return_to_supplier", "Возврат поставщику", Manager, DaysAfter, []Field{
		doneOn("Дата возврата"), comment}},
}

// Stages lists every stage in order.
func Stages() []Def { return stages[:] }

// Get returns the stage's definition; ok is false for a number outside 1–9.
func Get(s Stage) (Def, bool) {
	if s < First || s > Last {
		return Def{}, false
	}
	return stages[s-1], true
}

// Label is the stage's name on screen ("" for an unknown stage).
func (s Stage) Label() string {
	d, _ := Get(s)
	return d.Label
}

// Valid tells whether s is one of the nine stages.
func (s Stage) Valid() bool { return s >= First && s <= Last }

// Field returns the named field of the stage's form.
func (d Def) Field(name string) (Field, bool) {
	for _, f := range d.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Next is the stage after s; done is true after the last stage (the card is worked out).
func Next(s Stage) (next Stage, done bool) {
	if s >= Last {
		return 0, true
	}
	return s + 1, false
}

// EarlyCloseTargets are the stages «Закрыть досрочно» may jump to.
var EarlyCloseTargets = []Stage{BankApplication, ReturnToSupplier}
