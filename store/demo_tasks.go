package store

import (
	"context"
	"fmt"
	"time"

	"kartoteka/app/tasks"
	"kartoteka/store/db"
)

// DemoTasks adds standard tasks between the demo people: every status, some
// overdue, some on cards, some with a conversation.
func (s *Store) DemoTasks(ctx context.Context) error {
	users, err := s.Q.UserList(ctx)
	if err != nil {
		return err
	}
	by := map[string]db.User{}
	for _, u := range users {
		by[u.Login] = u
	}
	who := func(login string) tasks.Person {
		u := by[login]
		return tasks.Person{ID: u.ID, Owner: u.Role == "owner", Admin: u.Role == "admin"}
	}
	cardOf := func(login string) int64 {
		var id int64
		_ = s.reader.QueryRowContext(ctx, `SELECT id FROM cards WHERE lifecycle = 'in_work' AND (manager_id = ?1 OR accountant_id = ?1 OR warmer_id = ?1) ORDER BY id LIMIT 1`, by[login].ID).Scan(&id)
		return id
	}
	now := s.Now()
	st, err := s.Q.SettingsGet(ctx)
	if err != nil {
		return err
	}
	office := OfficeOf(st)
	day := func(d int) time.Time { return office.EndOfDay(now, d) }
	list := []struct {
		from, to, title, desc string
		deadline              time.Time
		onCard                bool
		moves                 []tasks.Action
		comments              []string // alternately the assignee and the author
	}{
		{"manager", "buh", "Пополнить карту клиента до конца недели", "Сумма — как в прошлый раз, уточните у меня перед переводом.", day(2), true, nil,
			[]string{"Какую сумму ставить?", "20 000 ₽, как договаривались"}},
		{"owner", "manager", "Подготовить отчёт по отработке за неделю", "", day(0), false, []tasks.Action{tasks.Take}, nil},
		{"admin", "warmer", "Проверить прогрев карт Сбербанка", "Все карты в прогреве, особенно новые.", day(-2), false, nil, nil},
		{"owner", "buh", "Оплатить счёт поставщику «Карт-Сервис»", "Счёт № 118 от поставщика.", day(-1), false, []tasks.Action{tasks.Take},
			[]string{"Счёт ещё не пришёл на почту", "Переслал, проверьте"}},
		{"buh", "manager2", "Сверить выписку по карте", "", day(-3), true, []tasks.Action{tasks.Take, tasks.Finish}, []string{"Сверила, расхождений нет"}},
		{"manager2", "admin", "Заказать новые SIM-карты для офиса", "10 штук, любой оператор.", day(5), false, []tasks.Action{tasks.Cancel}, nil},
		{"manager", "manager", "Позвонить в банк по заявлению", "Спросить срок рассмотрения.", day(1), true, nil, nil},
		{"warmer", "admin", "Выдать новый телефон для прогрева", "", day(-4), false, []tasks.Action{tasks.Take, tasks.Finish}, nil},
		{"admin", "manager", "Забрать документы у поставщика", "", day(-1), false, []tasks.Action{tasks.Take}, nil},
		{"owner", "manager2", "Обновить контакты клиентов в картах", "", day(7), false, nil, nil},
	}
	for _, x := range list {
		in := TaskInput{Title: x.title, Description: x.desc, AssigneeID: by[x.to].ID, Deadline: x.deadline}
		if x.onCard {
			in.CardID = cardOf(x.from)
		}
		id, err := s.CreateTask(ctx, who(x.from), in)
		if err != nil {
			return fmt.Errorf("demo task %q: %w", x.title, err)
		}
		for i, c := range x.comments {
			author := x.to
			if i%2 == 1 {
				author = x.from
			}
			if _, err := s.AddTaskComment(ctx, who(author), id, c); err != nil {
				return err
			}
		}
		for v, a := range x.moves {
			p := who(x.to)
			if a == tasks.Cancel {
				p = who(x.from)
			}
			if err := s.MoveTask(ctx, p, id, int64(v+1), a); err != nil {
				return fmt.Errorf("demo task %q %s: %w", x.title, a, err)
			}
		}
	}
	return nil
}
