package auth

// Role is a user's role. Stored in the database; do not rename.
type Role string

// The five roles of the office.
const (
	Owner      Role = "owner"
	Admin      Role = "admin"
	Accountant Role = "accountant"
	Warmer     Role = "warmer"
	Manager    Role = "manager"
)

// Roles lists every role in the order they are offered in forms.
var Roles = []Role{Owner, Admin, Accountant, Warmer, Manager}

var roleLabels = map[Role]string{
	Owner: "Владелец", Admin: "Администратор", Accountant: "Бухгалтер", Warmer: "Прогревщик", Manager: "Менеджер",
}

// Label is the role's name on screen.
func (r Role) Label() string { return roleLabels[r] }

// Valid tells whether r is one of the five roles.
func (r Role) Valid() bool { _, ok := roleLabels[r]; return ok }

// Section is a part of the product that a role may or may not open (SPEC section 1).
type Section string

// The sections of the access matrix.
const (
	Public      Section = "public"      // no sign-in: login, setup, health, assets
	Signed      Section = "signed"      // any signed-in user: profile, live stream, pages that filter by person
	Tracker     Section = "tracker"     // see own tasks (owner/admin see all) and complete own stages
	Cards       Section = "cards"       // list and view cards (non-privileged: where responsible)
	CardsManage Section = "cards_edit"  // create, edit, start, archive, correct cards
	Money       Section = "money"       // add/remove transactions (and only if responsible, checked per card)
	TasksAll    Section = "tasks_all"   // «Все задачи»
	Tasks       Section = "tasks"       // «Входящие», «Исходящие», «Автозадачи», create
	Report      Section = "report"      // «Отчёт»
	Employees   Section = "employees"   // «Сотрудники»
	Contractors Section = "contractors" // «Подрядчики»
	Banks       Section = "banks"       // «Банки»
	Settings    Section = "settings"    // «Настройки», backups, «Журнал изменений»
)

// matrix is the SPEC's access table: which roles may open each section.
var matrix = map[Section][]Role{
	Signed:      Roles,
	Tracker:     Roles,
	Cards:       Roles,
	CardsManage: {Owner, Admin},
	Money:       {Owner, Admin, Accountant, Manager},
	TasksAll:    {Owner},
	Tasks:       Roles,
	Report:      {Owner},
	Employees:   {Owner},
	Contractors: {Owner},
	Banks:       {Owner, Admin},
	Settings:    {Owner},
}

// Can tells whether role may open section. Public is open to everyone.
func Can(role Role, s Section) bool {
	if s == Public {
		return true
	}
	for _, r := range matrix[s] {
		if r == role {
			return true
		}
	}
	return false
}

// Known tells whether s is a section of the matrix; route registration refuses unknown ones.
func Known(s Section) bool {
	_, ok := matrix[s]
	return ok || s == Public
}

// SeesAll tells whether the role sees every card and task rather than its own.
func (r Role) SeesAll() bool { return r == Owner || r == Admin }
