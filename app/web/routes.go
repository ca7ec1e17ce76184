package web

import (
	"github.com/gofiber/fiber/v2"

	"kartoteka/app/auth"
)

// Route is one address, the section of the access matrix it belongs to, and its handler.
type Route struct {
	Method  string
	Path    string
	Section auth.Section
	Handler fiber.Handler
}

const (
	get  = fiber.MethodGet
	post = fiber.MethodPost
)

// routeTable is every route of Kartoteka with the roles it admits (through its section).
// A route that is not here does not exist; the access test walks this table for every role.
func (s *Server) routeTable() []Route {
	return []Route{
		{get, "/healthz", auth.Public, s.healthz},
		{get, "/setup", auth.Public, s.setupPage},
		{post, "/setup", auth.Public, s.setup},
		{get, "/login", auth.Public, s.loginPage},
		{post, "/login", auth.Public, s.login},
		{post, "/logout", auth.Signed, s.logout},

		{get, "/", auth.Signed, s.home},
		{get, "/events", auth.Signed, s.events},
		{get, "/nav/counters", auth.Signed, s.navCounters},

		{get, "/tracker", auth.Tracker, s.tracker},
		{get, "/cards", auth.Cards, s.cards},
		{get, "/cards/archive", auth.Cards, s.cardsArchive},
		{post, "/cards/archive", auth.CardsManage, s.cardsToArchive},
		{get, "/cards/new", auth.CardsManage, s.cardNew},
		{post, "/cards/new", auth.CardsManage, s.cardCreate},
		{get, "/cards/:id", auth.Cards, s.cardPage},
		{get, "/cards/:id/edit", auth.CardsManage, s.cardEdit},
		{post, "/cards/:id/edit", auth.CardsManage, s.cardUpdate},
		{post, "/cards/:id/start", auth.CardsManage, s.cardStart},
		{post, "/cards/:id/correct", auth.CardsManage, s.cardCorrect},
		{get, "/cards/:id/stage", auth.Tracker, s.stageModal},
		{post, "/cards/:id/stage", auth.Tracker, s.stageComplete},
		{post, "/cards/:id/take", auth.Tracker, s.taskTake},
		{get, "/autotasks/:id", auth.Tracker, s.warmingModal},
		{post, "/autotasks/:id", auth.Tracker, s.warmingDone},
		{get, "/cards/:id/transactions", auth.Cards, s.txEditor},
		{post, "/cards/:id/transactions", auth.Money, s.txAdd},
		{post, "/cards/:id/transactions/:tx/delete", auth.Money, s.txDelete},
		{get, "/tasks", auth.Tasks, s.tasks},
		{get, "/tasks/new", auth.Tasks, s.taskNew},
		{post, "/tasks/new", auth.Tasks, s.taskCreate},
		{get, "/tasks/:id", auth.Tasks, s.taskPage},
		{get, "/tasks/:id/edit", auth.Tasks, s.taskEdit},
		{post, "/tasks/:id/edit", auth.Tasks, s.taskUpdate},
		{post, "/tasks/:id/status", auth.Tasks, s.taskStatus},
		{post, "/tasks/:id/comments", auth.Tasks, s.taskComment},
		{get, "/report", auth.Report, s.report},
		{get, "/report/rows", auth.Report, s.reportRows},

		// «Экспорт ▾ CSV / XLSX» of the lists: ?format=csv|xlsx and the page's query.
		{get, "/export/cards", auth.Cards, s.cardsExport},
		{get, "/export/tasks", auth.Tasks, s.tasksExport},
		{get, "/export/audit", auth.Settings, s.auditExport},
		{get, "/export/report", auth.Report, s.reportExport},
		{get, "/export/report/rows", auth.Report, s.reportRowsExport},

		{get, "/directory/employees", auth.Employees, s.employees},
		{get, "/directory/employees/new", auth.Employees, s.employeeNew},
		{post, "/directory/employees/new", auth.Employees, s.employeeCreate},
		{get, "/directory/employees/:id", auth.Employees, s.employeeEdit},
		{post, "/directory/employees/:id", auth.Employees, s.employeeUpdate},
		{post, "/directory/employees/:id/password", auth.Employees, s.employeePassword},
		{post, "/directory/employees/:id/active", auth.Employees, s.employeeActive},
		{post, "/directory/employees/:id/unlock", auth.Employees, s.employeeUnlock},

		{get, "/directory/contractors", auth.Contractors, s.contractors},
		{get, "/directory/contractors/new", auth.Contractors, s.contractorNew},
		{post, "/directory/contractors/new", auth.Contractors, s.contractorSave},
		{get, "/directory/contractors/:id", auth.Contractors, s.contractorEdit},
		{post, "/directory/contractors/:id", auth.Contractors, s.contractorSave},
		{post, "/directory/contractors/:id/active", auth.Contractors, s.contractorActive},

		{get, "/directory/banks", auth.Banks, s.banks},
		{get, "/directory/banks/new", auth.Banks, s.bankNew},
		{post, "/directory/banks/new", auth.Banks, s.bankSave},
		{get, "/directory/banks/:id", auth.Banks, s.bankEdit},
		{post, "/directory/banks/:id", auth.Banks, s.bankSave},
		{post, "/directory/banks/:id/active", auth.Banks, s.bankActive},

		{get, "/profile", auth.Signed, s.profile},
		{post, "/profile", auth.Signed, s.profileSave},
		{post, "/profile/password", auth.Signed, s.profilePassword},

		{get, "/settings", auth.Settings, s.settingsPage},
		{post, "/settings", auth.Settings, s.settingsSave},
		{post, "/settings/backup", auth.Settings, s.backupNow},
		{get, "/settings/backups/:name", auth.Settings, s.backupDownload},
		{post, "/settings/backup-copy", auth.Settings, s.backupCopySave},
		{get, "/audit", auth.Settings, s.audit},
	}
}
