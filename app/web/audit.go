package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"kartoteka/store"
	"kartoteka/store/db"
)

const auditPage = 50

// auditEntities are the entity names the log knows, with their names on screen.
var auditEntities = []Option{
	{"user", "Сотрудник"}, {"bank", "Банк"}, {"contractor", "Подрядчик"}, {"settings", "Настройки"},
	{"card", "Карта"}, {"transaction", "Транзакция"}, {"task", "Задача"}, {"stdtask", "Задача сотруднику"},
}

// auditFilter reads the change log's filters from the query into the form (to
// show them back) and the store filter; the page and its export share it.
func (s *Server) auditFilter(c *fiber.Ctx) (*Form, store.AuditFilter) {
	f := NewForm(map[string]string{"user": c.Query("user"), "entity": c.Query("entity"), "from": c.Query("from"), "to": c.Query("to")})
	var p store.AuditFilter
	if id, err := strconv.ParseInt(f.Get("user"), 10, 64); err == nil {
		p.UserID = &id
	}
	if e := f.Get("entity"); e != "" {
		p.Entity = &e
	}
	loc := s.Loc()
	if t, err := time.ParseInLocation("2006-01-02", f.Get("from"), loc); err == nil {
		p.From = &t
	} else if f.Get("from") != "" {
		f.Fail("from", "Укажите дату")
	}
	if t, err := time.ParseInLocation("2006-01-02", f.Get("to"), loc); err == nil {
		t = t.AddDate(0, 0, 1)
		p.To = &t
	} else if f.Get("to") != "" {
		f.Fail("to", "Укажите дату")
	}
	return f, p
}

func (s *Server) audit(c *fiber.Ctx) error {
	f, p := s.auditFilter(c)
	page, _ := strconv.Atoi(c.Query("page"))
	if page < 1 {
		page = 1
	}
	total, err := s.st.AuditCount(c.Context(), p)
	if err != nil {
		return err
	}
	users, names, err := s.auditNames(c)
	if err != nil {
		return err
	}
	var rows []AuditView
	err = s.st.AuditEach(c.Context(), p, auditPage, (page-1)*auditPage, func(r store.AuditRow) error {
		rows = append(rows, auditView(r, names))
		return nil
	})
	if err != nil {
		return err
	}
	pages := int((total + auditPage - 1) / auditPage)
	q := "user=" + urlEscape(f.Get("user")) + "&entity=" + urlEscape(f.Get("entity")) + "&from=" + f.Get("from") + "&to=" + f.Get("to")
	return s.render(c, "settings/audit", "Журнал изменений", "audit", f, fiber.Map{
		"Rows": rows, "Total": total, "Page": page, "Pages": pages, "Users": users, "Entities": auditEntities, "Query": q,
	})
}

// auditNames reads the people (for the filter) and the names logged ids stand for.
func (s *Server) auditNames(c *fiber.Ctx) ([]db.User, Names, error) {
	users, err := s.st.Q.UserList(c.Context())
	if err != nil {
		return nil, Names{}, err
	}
	names, err := s.names(c, users)
	return users, names, err
}

// names reads who and what a logged id stands for.
func (s *Server) names(c *fiber.Ctx, users []db.User) (Names, error) {
	n := Names{Users: map[int64]string{}, Banks: map[int64]string{}, Contractors: map[int64]string{}, Loc: s.Loc()}
	for _, u := range users {
		n.Users[u.ID] = u.Name
	}
	banks, err := s.st.Q.BankList(c.Context())
	if err != nil {
		return n, err
	}
	for _, b := range banks {
		n.Banks[b.ID] = b.Name
	}
	cs, err := s.st.Q.ContractorList(c.Context())
	if err != nil {
		return n, err
	}
	for _, x := range cs {
		n.Contractors[x.ID] = x.Name
	}
	return n, nil
}
