package web

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"kartoteka/app/auth"
	"kartoteka/app/money"
	"kartoteka/app/pipeline"
	"kartoteka/store"
)

// AuditChange is one field of an audit row: what it was and what it became
// ("" when there was nothing before or nothing after); Link is where the value
// leads (a card), "" for plain values.
type AuditChange struct{ Field, Before, After, Link string }

// AuditView is an audit row as the owner reads it: Russian names, changed fields only.
type AuditView struct {
	store.AuditRow
	Who, EntityLabel, ActionLabel, Link string
	Changes                             []AuditChange
}

// SchedulerName is who the change log names for writes nobody made by hand.
const SchedulerName = "Планировщик"

// valueKind says how a logged value is shown: the same way the pages show it.
type valueKind int

const (
	vText valueKind = iota
	vMoney
	vRate
	vUser
	vBank
	vContractor
	vStage
	vLifecycle
	vRole
	vBool
	vDate
	vDateTime
	vDays
	vEvery // a period in days: «ежедневно», «каждые 2 дня»
	vClock // minutes after midnight
	vStatus
	vTaskKind
	vCard
	vHidden
)

// auditField is how one logged key is named and shown.
type auditField struct {
	Label string
	Kind  valueKind
}

// auditKeys are the logged keys in the order they are listed, with their names on screen.
var auditKeys = []struct {
	Key string
	auditField
}{
	{"number", auditField{"Номер карты", vText}},
	{"title", auditField{"Заголовок", vText}},
	{"description", auditField{"Описание", vText}},
	{"assignee_id", auditField{"Ответственный", vUser}},
	{"body", auditField{"Комментарий", vText}},
	{"comment_id", auditField{"", vHidden}},
	{"login", auditField{"Логин", vText}},
	{"name", auditField{"Название", vText}},
	{"role", auditField{"Роль", vRole}},
	{"active", auditField{"Активен", vBool}},
	{"lifecycle", auditField{"Состояние", vLifecycle}},
	{"stage", auditField{"Этап", vStage}},
	{"status", auditField{"Статус", vStatus}},
	{"kind", auditField{"Вид", vTaskKind}},
	{"card_id", auditField{"Карта", vCard}},
	{"bank_id", auditField{"Банк", vBank}},
	{"supplier_id", auditField{"Поставщик", vContractor}},
	{"contact_name", auditField{"Контактное лицо", vText}},
	{"contact_phone", auditField{"Телефон контакта", vText}},
	{"phone", auditField{"Телефон", vText}},
	{"warmer_id", auditField{"Прогревщик", vUser}},
	{"manager_id", auditField{"Менеджер", vUser}},
	{"accountant_id", auditField{"Бухгалтер", vUser}},
	{"occurred_on", auditField{"Дата", vDate}},
	{"amount", auditField{"Сумма", vMoney}},
	{"commission_rate", auditField{"Комиссия", vRate}},
	{"commission", auditField{"Сумма комиссии", vMoney}},
	{"net", auditField{"Чистая сумма", vMoney}},
	{"warming_days", auditField{"Период прогрева", vDays}},
	{"warming_every_days", auditField{"Периодичность задач прогрева", vEvery}},
	{"deadline", auditField{"Дедлайн", vDateTime}},
	{"timezone", auditField{"Часовой пояс", vText}},
	{"workday_end_min", auditField{"Конец рабочего дня", vClock}},
	{"bank_roll_min", auditField{"Перенос проверки ответа банка", vClock}},
	{"backup_retention", auditField{"Хранить резервных копий", vText}},
	{"backup_copy_dir", auditField{"Вторая папка копий", vText}},
	{"note", auditField{"Что сделано", vText}},
	{"comment", auditField{"Комментарий", vText}},
	{"notes", auditField{"Заметки", vText}},
	{"reason", auditField{"Причина", vText}},
	{"ip", auditField{"Адрес", vText}},
	{"created_by", auditField{"Внёс(ла)", vUser}},
	{"created_at", auditField{"Внесена", vDateTime}},
	{"version", auditField{"", vHidden}},
	{"id", auditField{"", vHidden}},
	{"updated_at", auditField{"", vHidden}},
	{"now", auditField{"", vHidden}},
}

// auditEntityLabels name a key differently for one kind of entity.
var auditEntityLabels = map[string]string{"user name": "ФИО", "contractor phone": "Телефон"}

var auditKeyIndex = func() map[string]int {
	m := map[string]int{}
	for i, k := range auditKeys {
		m[k.Key] = i
	}
	return m
}()

// auditAliases are the keys older rows were stored under (Go field names of the
// stored structs): they are read as today's keys, so an old edit that logged the
// same value under two names shows no change.
var auditAliases = map[string]string{
	"Number": "number", "Name": "name", "Notes": "notes", "ContactName": "contact_name", "Phone": "phone",
	"ContactPhone": "contact_phone", "BankID": "bank_id", "SupplierID": "supplier_id", "WarmerID": "warmer_id",
	"ManagerID": "manager_id", "AccountantID": "accountant_id", "Rate": "commission_rate",
	"CommissionRate": "commission_rate", "WarmingDays": "warming_days", "WarmingEveryDays": "warming_every_days",
	"CardID": "card_id", "OccurredOn": "occurred_on", "Amount": "amount", "Commission": "commission", "Net": "net",
	"Comment": "comment", "CreatedBy": "created_by", "CreatedAt": "created_at", "ID": "id", "UpdatedAt": "updated_at",
	"Now": "now", "Timezone": "timezone", "WorkdayEndMin": "workday_end_min", "BankRollMin": "bank_roll_min",
	"BackupRetention": "backup_retention",
}

// auditKey is today's name of a stored key.
func auditKey(k string) string {
	if a, ok := auditAliases[k]; ok {
		return a
	}
	if strings.HasPrefix(k, "DeadlineDays") {
		return "deadline_days_" + strings.TrimPrefix(k, "DeadlineDays")
	}
	return k
}

func auditFieldOf(entity, key string) auditField {
	if i, ok := auditKeyIndex[key]; ok {
		f := auditKeys[i].auditField
		if l, ok := auditEntityLabels[entity+" "+key]; ok {
			f.Label = l
		}
		return f
	}
	if n, ok := strings.CutPrefix(key, "deadline_days_"); ok {
		st, _ := strconv.Atoi(n)
		return auditField{"Срок этапа " + n + " «" + pipeline.Stage(st).Label() + "»", vDays}
	}
	return auditField{key, vText}
}

var auditActionLabels = map[string]string{
	"create": "Создание", "update": "Изменение", "activate": "Включение", "deactivate": "Отключение",
	"password": "Смена пароля", "login": "Вход в систему", "warming done": "Прогрев отмечен", "roll": "Перенос дедлайна", "profile": "Изменение профиля", "start": "Запуск", "archive": "В архив",
	"take": "Взята в работу", "edit": "Изменение", "done": "Выполнена", "reopen": "Возвращена в работу",
	"cancel": "Отменена", "restore": "Восстановлена", "comment": "Комментарий", "delete": "Удаление", "bank no answer": "Ответа банка нет",
	"correct back": "Возврат на этап", "lockout": "Блокировка входа", "unlock": "Снятие блокировки входа", "correct jump": "Перевод на этап", "correct close": "Досрочное закрытие",
}

var auditLinks = map[string]string{"stdtask": "/tasks/", "user": "/directory/employees/", "bank": "/directory/banks/", "contractor": "/directory/contractors/", "card": "/cards/"}

var lifecycleLabels = map[string]string{"new": "новая", "in_work": "в работе", "worked_out": "отработана", "archived": "в архиве"}

func auditLabel(entity string) string {
	for _, o := range auditEntities {
		if o.Value == entity {
			return o.Label
		}
	}
	return entity
}

// Names are the people, banks and suppliers a logged id is shown by.
type Names struct {
	Users, Banks, Contractors map[int64]string
	Loc                       *time.Location
}

// stageDone is the stage of a "stage N done" action, 0 for other actions.
func stageDone(action string) pipeline.Stage {
	n, ok := strings.CutPrefix(action, "stage ")
	if !ok {
		return 0
	}
	st, _ := strconv.Atoi(strings.TrimSuffix(n, " done"))
	return pipeline.Stage(st)
}

// auditView turns a stored row into a readable one (for the page and the export).
func auditView(r store.AuditRow, names Names) AuditView {
	v := AuditView{AuditRow: r, Who: r.UserName, EntityLabel: auditLabel(r.Entity), ActionLabel: auditActionLabels[r.Action]}
	if r.UserID == nil {
		v.Who = SchedulerName
		if r.Action == "lockout" {
			v.Who = "—" // wrong passwords typed by someone not signed in
		}
	}
	if st := stageDone(r.Action); st != 0 {
		v.ActionLabel = "Этап " + itoa(int(st)) + " «" + st.Label() + "» выполнен"
	} else if v.ActionLabel == "" {
		v.ActionLabel = r.Action
	}
	if l, ok := auditLinks[r.Entity]; ok && r.EntityID != 0 {
		v.Link = l + i64s(r.EntityID)
	}
	v.Changes = auditDiff(r.Entity, r.Action, r.Before, r.After, names)
	return v
}

// auditDiff lists the fields whose value differs between before and after, each
// shown the way the pages show it; a completed stage's form is listed line by line.
func auditDiff(entity, action, before, after string, names Names) []AuditChange {
	b, a := auditMap(before), auditMap(after)
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	ordered := make([]string, 0, len(keys))
	for k := range keys {
		ordered = append(ordered, k)
	}
	sort.Slice(ordered, func(i, j int) bool {
		ii, iok := auditKeyIndex[ordered[i]]
		jj, jok := auditKeyIndex[ordered[j]]
		switch {
		case iok && jok:
			return ii < jj
		case iok != jok:
			return iok
		}
		return ordered[i] < ordered[j]
	})
	var out []AuditChange
	var form []AuditChange
	for _, k := range ordered {
		if k == "values" {
			form = stageValues(stageDone(action), a[k])
			continue
		}
		f := auditFieldOf(entity, k)
		if _, inAfter := a[k]; f.Kind == vHidden || (len(a) > 0 && !inAfter) {
			continue // older edits kept fields in before that the form does not change
		}
		bv, av := showAudit(f.Kind, b[k], names), showAudit(f.Kind, a[k], names)
		if bv == av {
			continue
		}
		if len(a) == 0 { // a deletion: list what was removed
			bv, av = "", bv
		}
		ch := AuditChange{Field: f.Label, Before: bv, After: av}
		if f.Kind == vCard && bv == "" && av != "" {
			ch.Link = "/cards/" + strings.TrimPrefix(av, "№ ")
		}
		out = append(out, ch)
	}
	return append(out, form...)
}

// auditMap reads a stored JSON object with its keys under today's names.
func auditMap(s string) map[string]any {
	var raw map[string]any
	_ = json.Unmarshal([]byte(s), &raw)
	m := make(map[string]any, len(raw))
	for k, v := range raw {
		m[auditKey(k)] = v
	}
	return m
}

// stageValues shows a completed stage's form as the card's timeline does.
func stageValues(st pipeline.Stage, v any) []AuditChange {
	raw, _ := v.(map[string]any)
	vals := make(map[string]string, len(raw))
	for k, x := range raw {
		if s, ok := x.(string); ok {
			vals[k] = s
		} else if x != nil {
			vals[k] = fmt.Sprint(x)
		}
	}
	var out []AuditChange
	for _, l := range pipeline.Show(st, vals) {
		out = append(out, AuditChange{Field: l.Label, After: l.Value})
	}
	return out
}

// showAudit shows one logged value ("" for none).
func showAudit(kind valueKind, v any, names Names) string {
	if v == nil {
		return ""
	}
	s, isStr := v.(string)
	n, isNum := v.(float64)
	if isStr && kind != vText && kind != vDate && kind != vDateTime {
		if x, err := strconv.ParseFloat(s, 64); err == nil {
			n, isNum = x, true
		}
	}
	id := int64(math.Round(n))
	switch kind {
	case vMoney:
		if isNum {
			return money.Kopecks(id).String()
		}
	case vRate:
		if isNum {
			return money.Rate(id).String()
		}
	case vUser, vBank, vContractor:
		if isNum {
			if id == 0 {
				return ""
			}
			m := map[valueKind]map[int64]string{vUser: names.Users, vBank: names.Banks, vContractor: names.Contractors}[kind]
			if name, ok := m[id]; ok {
				return name
			}
			return "№ " + i64s(id)
		}
	case vCard:
		if isNum && id > 0 {
			return "№ " + i64s(id)
		}
	case vStage:
		if isNum {
			return stageName(id)
		}
	case vLifecycle:
		if l, ok := lifecycleLabels[s]; ok {
			return l
		}
	case vRole:
		if l := auth.Role(s).Label(); l != "" {
			return l
		}
	case vBool:
		if x, ok := v.(bool); ok {
			if x {
				return "да"
			}
			return "нет"
		}
	case vDate:
		if isStr {
			return fmtDate(s)
		}
	case vDateTime:
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil && names.Loc != nil {
			return t.In(names.Loc).Format("02.01.2006 15:04")
		}
	case vDays:
		if isNum {
			return pipeline.Days(id)
		}
	case vEvery:
		if isNum {
			return pipeline.Every(id)
		}
	case vClock:
		if isNum {
			return fmt.Sprintf("%02d:%02d", id/60, id%60)
		}
	case vStatus:
		if l, ok := statusLabels[s]; ok {
			return strings.ToLower(l)
		}
	case vTaskKind:
		if s == "warming" {
			return "прогрев"
		}
		if s == "stage" {
			return "задача этапа"
		}
	}
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return "да"
		}
		return "нет"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// stageName shows a stage as the change log and the card's timeline name it:
// «8 «Отлежка…»», and 0 (after the last stage) as the card being worked out.
func stageName(n int64) string {
	if n == 0 {
		return "карта отработана"
	}
	return i64s(n) + " «" + pipeline.Stage(n).Label() + "»"
}
