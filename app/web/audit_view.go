package web

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"kartoteka/app/auth"
	"kartoteka/store"
)

// AuditChange is one field of an audit row: what it was and what it became.
type AuditChange struct{ Field, Before, After string }

// AuditView is an audit row as the owner reads it: Russian names, changed fields only.
type AuditView struct {
	store.AuditRow
	EntityLabel, ActionLabel, Link string
	Changes                        []AuditChange
}

var auditFieldLabels = map[string]string{
	"login": "Логин", "name": "Название/ФИО", "role": "Роль", "phone": "Телефон", "active": "Активен",
	"notes": "Заметки", "Name": "Название", "Notes": "Заметки", "ContactName": "Контактное лицо", "Phone": "Телефон",
	"Rate": "Комиссия", "number": "Номер карты", "Number": "Номер карты", "bank_id": "Банк", "BankID": "Банк",
	"supplier_id": "Поставщик", "SupplierID": "Поставщик", "contact_name": "Контакт", "contact_phone": "Телефон контакта",
	"ContactPhone": "Телефон контакта", "warmer_id": "Прогревщик", "WarmerID": "Прогревщик", "manager_id": "Менеджер",
	"ManagerID": "Менеджер", "accountant_id": "Бухгалтер", "AccountantID": "Бухгалтер", "commission_rate": "Комиссия",
	"warming_days": "Период прогрева", "WarmingDays": "Период прогрева", "warming_every_days": "Периодичность",
	"WarmingEveryDays": "Периодичность", "lifecycle": "Состояние", "stage": "Этап", "version": "Версия",
	"values": "Данные формы", "reason": "Причина", "status": "Статус", "deadline": "Дедлайн", "amount": "Сумма",
	"occurred_on": "Дата", "commission": "Комиссия, ₽", "net": "Чистыми", "comment": "Комментарий", "card_id": "Карта",
	"Timezone": "Часовой пояс", "WorkdayEndMin": "Конец дня, мин", "BankRollMin": "Начало дня, мин",
	"BackupRetention": "Хранить копий", "ip": "Адрес", "note": "Что сделано", "kind": "Вид",
}

var auditActionLabels = map[string]string{
	"create": "Создание", "update": "Изменение", "activate": "Включение", "deactivate": "Отключение",
	"password": "Смена пароля", "login": "Вход в систему", "warming done": "Прогрев отмечен", "roll": "Перенос дедлайна", "profile": "Изменение профиля", "start": "Запуск", "archive": "В архив",
	"take": "Взята в работу", "delete": "Удаление", "bank no answer": "Ответа банка нет",
	"correct back": "Возврат на этап", "correct jump": "Перевод на этап", "correct close": "Досрочное закрытие",
}

var auditLinks = map[string]string{"user": "/directory/employees/", "bank": "/directory/banks/", "contractor": "/directory/contractors/", "card": "/cards/"}

func auditLabel(entity string) string {
	for _, o := range auditEntities {
		if o.Value == entity {
			return o.Label
		}
	}
	return entity
}

// auditView turns a stored row into a readable one.
func auditView(r store.AuditRow) AuditView {
	v := AuditView{AuditRow: r, EntityLabel: auditLabel(r.Entity), ActionLabel: auditActionLabels[r.Action]}
	if v.ActionLabel == "" {
		v.ActionLabel = r.Action
		if strings.HasPrefix(r.Action, "stage ") {
			v.ActionLabel = "Этап " + strings.TrimSuffix(strings.TrimPrefix(r.Action, "stage "), " done") + " выполнен"
		}
	}
	if l, ok := auditLinks[r.Entity]; ok && r.Entity != "settings" {
		v.Link = l + i64s(r.EntityID)
	}
	v.Changes = auditDiff(r.Before, r.After)
	return v
}

func auditDiff(before, after string) []AuditChange {
	var b, a map[string]any
	_ = json.Unmarshal([]byte(before), &b)
	_ = json.Unmarshal([]byte(after), &a)
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	var out []AuditChange
	for k := range keys {
		bv, av := showJSON(b[k]), showJSON(a[k])
		if bv == av || (bv == "—" && av == "") {
			continue
		}
		if k == "role" || k == "Role" {
			bv, av = roleOr(bv), roleOr(av)
		}
		label := auditFieldLabels[k]
		if label == "" {
			label = k
		}
		out = append(out, AuditChange{label, bv, av})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

func showJSON(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case bool:
		if x {
			return "да"
		}
		return "нет"
	case float64:
		return fmt.Sprintf("%.0f", x)
	case string:
		return x
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			label := auditFieldLabels[k]
			if label == "" {
				label = k
			}
			parts[i] = label + ": " + showJSON(x[k])
		}
		return strings.Join(parts, "; ")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func roleOr(v string) string {
	if l := auth.Role(v).Label(); l != "" {
		return l
	}
	return v
}
