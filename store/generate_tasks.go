package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Standard tasks of the generated office (SPEC section 10: 200,000): written over
// the decade in creation order, a few busy people getting most of them, about 5 %
// left open past their deadline, a third on cards, a fifth with a short conversation.

var genTaskTitles = []string{"Позвонить в банк по карте № %d", "Пополнить карту № %d", "Проверить выписку по карте № %d",
	"Забрать документы у поставщика", "Сверить остатки за %d-ю неделю", "Подготовить отчёт по отработке", "Обновить контакты клиента",
	"Отправить заявление в банк по карте № %d", "Уточнить лимиты карты № %d", "Оплатить счёт № %d", "Заказать SIM-карты",
	"Проверить прогрев карты № %d", "Выдать телефон для прогрева", "Согласовать комиссию с поставщиком", "Перевязать доступы по карте № %d"}

var genTaskComments = []string{"Принято, сделаю", "Банк не отвечает, перезвоню завтра", "Готово, проверьте", "Нужны документы от поставщика",
	"Сумма уточнена", "Перенесите срок, пожалуйста", "Сделано частично", "Ок"}

// stdTasks writes o.StdTasks tasks and their comments.
func (g *gen) stdTasks(ctx context.Context) error {
	n := g.o.StdTasks
	if n <= 0 {
		return nil
	}
	g.phase = "standard tasks"
	r := rand.New(rand.NewPCG(g.o.Seed, 0x7461736b))
	var people []int64
	people = append(append(append(append(append(people, g.owners...), g.admins...), g.managers...), g.accountant...), g.warmers...)
	// Skewed: person i gets weight ~ 1/(i+1) (a few busy people, a long tail).
	pick := newPicker(len(people), func(i int) int { return 1000 / (i + 1) })
	cards := g.nCards
	span := g.now.Sub(g.from)
	return g.load(ctx, func(w map[*genTable]*genWriter) error {
		tasks, comments := w[genStdTable], w[genCommentTable]
		for i := range n {
			id := int64(i + 1) // the table was empty
			// Creation times rise with the id (a faster pace in later years).
			f := float64(i) / float64(n)
			created := g.from.Add(time.Duration(float64(span) * (1 - (1-f)*(1-f)))).Truncate(time.Second)
			deadline := g.office.EndOfDay(created, 1+r.IntN(14))
			author, assignee := people[pick.pick(r)], people[pick.pick(r)]
			title := genTaskTitles[r.IntN(len(genTaskTitles))]
			if strings.Contains(title, "%d") {
				title = fmt.Sprintf(title, 1+r.IntN(100000))
			}
			var card any
			if cards > 0 && r.IntN(3) == 0 {
				card = 1 + r.Int64N(cards)
			}
			status, done := "done", any(nil)
			switch x := r.IntN(100); {
			case deadline.After(g.now) && x < 60:
				status = "new"
			case deadline.After(g.now) && x < 90:
				status = "in_progress"
			case !deadline.After(g.now) && x < 3:
				status = "new" // overdue
			case !deadline.After(g.now) && x < 5:
				status = "in_progress" // overdue
			case x < 10:
				status = "cancelled"
			}
			updated := created
			if status == "done" {
				t := created.Add(time.Duration(r.Int64N(int64(deadline.Sub(created)) + 1)))
				if t.After(g.now) {
					t = g.now
				}
				done, updated = t, t
			}
			desc := ""
			if r.IntN(2) == 0 {
				desc = "Подробности у автора. Срок важен."
			}
			if err := tasks.add(id, title, strings.ToLower(title), desc, author, assignee, card, deadline, status, 1, created, updated, done); err != nil {
				return err
			}
			g.add()
			if r.IntN(5) == 0 {
				for k := 0; k < 1+r.IntN(3); k++ {
					who := assignee
					if k%2 == 1 {
						who = author
					}
					if err := comments.add(id, who, created.Add(time.Duration(k+1)*time.Hour), genTaskComments[r.IntN(len(genTaskComments))]); err != nil {
						return err
					}
					g.add()
				}
			}
			g.nStd++
		}
		return nil
	}, genStdTable, genCommentTable)
}
