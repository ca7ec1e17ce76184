package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"kartoteka/app/money"
	"kartoteka/app/pipeline"
	"kartoteka/store/db"
)

// demoValues are plausible completion forms for each stage.
func demoValues(st pipeline.Stage, today string, r *rand.Rand, profit money.Kopecks) map[string]string {
	v := map[string]string{"done_on": today}
	switch st {
	case pipeline.AccessRebind:
		v["comment"] = "Доступы перевязаны на офисный номер"
	case pipeline.WarmupTopup:
		v["amount"] = strconv.Itoa(3000+r.IntN(5)*500) + " ₽"
		v["warming_days"], v["warming_every_days"] = "3", "1"
	case pipeline.Warming:
		v["result"], v["comment"] = "ok", "Прогрев прошёл без замечаний"
	case pipeline.AccessTakeback:
		v["confirmed"] = "1"
	case pipeline.WorkTopup:
		v["amount"] = strconv.Itoa(50000 + r.IntN(20)*5000)
	case pipeline.BankApplication:
		v["reference"] = fmt.Sprintf("Заявление № %d-%02d", 100+r.IntN(900), r.IntN(100))
	case pipeline.BankWait:
		v = map[string]string{"answered": "yes", "answered_on": today, "decision": "positive", "confirmed_amount": profit.Input()}
	}
	return v
}

func luhnNumber(r *rand.Rand) string {
	b := []byte("4")
	for len(b) < 15 {
		b = append(b, byte('0'+r.IntN(10)))
	}
	for d := byte('0'); d <= '9'; d++ {
		if n := string(append(b, d)); pipeline.Luhn(n) {
			return n
		}
	}
	return string(b) + "0"
}

// DemoCards adds about forty cards spread over every tab and stage, walked through
// the pipeline by their responsibles with the real store methods, on a clock that
// starts weeks ago so the history has real dates.
func (s *Store) DemoCards(ctx context.Context) error {
	r := rand.New(rand.NewPCG(7, 42))
	users, err := s.Q.UserList(ctx)
	if err != nil {
		return err
	}
	pick := func(role string) []db.User {
		var out []db.User
		for _, u := range users {
			if u.Role == role {
				out = append(out, u)
			}
		}
		return out
	}
	admins, managers, accountants, warmers := pick("admin"), pick("manager"), pick("accountant"), pick("warmer")
	banks, err := s.Q.BankListActive(ctx)
	if err != nil {
		return err
	}
	sups, err := s.Q.ContractorListActive(ctx)
	if err != nil {
		return err
	}
	if len(admins) == 0 || len(managers) == 0 || len(accountants) == 0 || len(warmers) == 0 || len(banks) == 0 || len(sups) == 0 {
		return nil
	}
	real := s.Now
	defer func() { s.Now = real }()
	// A thousand small writes: without waiting for the disk on each (demo data is
	// made again if lost), as the DSN has it again after.
	if _, err := s.writer.ExecContext(ctx, "PRAGMA synchronous = OFF"); err != nil {
		return err
	}
	defer s.writer.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous = FULL")
	now := real()
	names := []string{"Иван Петров", "Ольга Смирнова", "Сергей Козлов", "Анна Морозова", "Павел Волков", "Мария Лебедева", "Алексей Новиков", "Татьяна Фёдорова"}
	// target: 0 = new, 1..9 = stage, 10 = worked out, 11 = archived
	var targets []int
	for i := 0; i < 5; i++ {
		targets = append(targets, 0)
	}
	for st := 1; st <= 9; st++ {
		targets = append(targets, st, st, st)
	}
	for i := 0; i < 5; i++ {
		targets = append(targets, 10)
	}
	targets = append(targets, 11, 11, 11)
	admin := Actor{ID: admins[0].ID, Privileged: true}
	input := func(i int) CardInput {
		sup := sups[r.IntN(len(sups))]
		rate := money.Rate(1000)
		if sup.CommissionRate != nil {
			rate = *sup.CommissionRate
		}
		return CardInput{Number: luhnNumber(r), BankID: banks[r.IntN(len(banks))].ID, SupplierID: sup.ID,
			ContactName: names[i%len(names)], ContactPhone: fmt.Sprintf("+7916%07d", r.IntN(10000000)),
			WarmerID: warmers[0].ID, ManagerID: managers[i%len(managers)].ID, AccountantID: accountants[0].ID,
			Rate: rate, WarmingDays: 3, WarmingEveryDays: 1}
	}
	if err := s.demoHistory(ctx, r, now, admin, input); err != nil {
		return err
	}
	for i, target := range targets {
		back := 2*max(target-1, 0) + i%2 // the current stage was entered a day or two ago
		if target > 3 {
			back += 2 // the warming period takes its three days (two more than a stage here)
		}
		clock := now.Add(-time.Duration(back)*24*time.Hour - time.Duration(2+r.IntN(6))*time.Hour)
		s.Now = func() time.Time { return clock }
		id, err := s.CreateCard(ctx, admin, input(i))
		if err != nil {
			return fmt.Errorf("demo card: %w", err)
		}
		if target == 0 {
			continue
		}
		clock = clock.Add(2 * time.Hour)
		if err := s.StartCard(ctx, admin, id, 1); err != nil {
			return err
		}
		last := target
		if target > 9 {
			last = 10
		}
		for st := pipeline.Stage(1); int(st) < last; st++ {
			clock = clock.Add(2 * 24 * time.Hour)
			if st == pipeline.Warming { // the warmer finishes the morning the period is over
				if opens, err := s.demoWarmingEnds(ctx, id); err != nil {
					return err
				} else if clock.Before(opens) {
					clock = opens.Add(time.Duration(9*60+r.IntN(180)) * time.Minute)
				}
			}
			if err := s.demoStage(ctx, id, st, r); err != nil {
				return fmt.Errorf("demo card %d stage %d: %w", id, st, err)
			}
		}
		if target == 11 {
			if _, err := s.ArchiveCards(ctx, admin, []int64{id}); err != nil {
				return err
			}
		}
	}
	return nil
}

// demoHistory walks a card through the whole pipeline every three weeks or so over the
// sixteen months before the current cards, most of them then archived, so «Отчёт»
// has a history: months in the chart, something in every preset, stage times and
// some late completions.
func (s *Store) demoHistory(ctx context.Context, r *rand.Rand, now time.Time, admin Actor, input func(int) CardInput) error {
	var clock time.Time
	s.Now = func() time.Time { return clock }
	i := 0
	for day := now.AddDate(0, -16, 0); day.Before(now.AddDate(0, 0, -35)); day = day.Add(time.Duration(16+r.IntN(8)) * 24 * time.Hour) {
		clock = day.Add(time.Duration(r.IntN(8)) * time.Hour)
		id, err := s.CreateCard(ctx, admin, input(i))
		if err != nil {
			return fmt.Errorf("demo history card: %w", err)
		}
		i++
		clock = clock.Add(time.Hour)
		if err := s.StartCard(ctx, admin, id, 1); err != nil {
			return err
		}
		for st := pipeline.Stage(1); st <= pipeline.Last; st++ {
			clock = clock.Add(time.Duration(3+r.IntN(36)) * time.Hour) // sometimes after the deadline
			if st == pipeline.Warming {
				clock = clock.Add(3 * 24 * time.Hour)
			}
			if err := s.demoStage(ctx, id, st, r); err != nil {
				return fmt.Errorf("demo history card %d stage %d: %w", id, st, err)
			}
		}
		if r.IntN(6) > 0 {
			if _, err := s.ArchiveCards(ctx, admin, []int64{id}); err != nil {
				return err
			}
		}
	}
	return nil
}

// demoWarmingEnds is when the card's warming period ends (it is in stage 3).
func (s *Store) demoWarmingEnds(ctx context.Context, id int64) (time.Time, error) {
	c, err := s.Q.CardGet(ctx, id)
	if err != nil || c.StageEnteredAt == nil {
		return time.Time{}, err
	}
	set, err := s.Q.SettingsGet(ctx)
	if err != nil {
		return time.Time{}, err
	}
	return OfficeOf(set).WarmingEnds(*c.StageEnteredAt, int(c.WarmingDays)), nil
}

// demoStage completes the card's stage as its responsible would, under the
// rules a person meets (their own rights, no owner's privileges).
func (s *Store) demoStage(ctx context.Context, id int64, st pipeline.Stage, r *rand.Rand) error {
	c, err := s.Q.CardGet(ctx, id)
	if err != nil {
		return err
	}
	t, err := s.Q.AutoTaskOpenStage(ctx, id)
	if err != nil {
		return err
	}
	u, err := s.Q.UserGet(ctx, t.AssigneeID)
	if err != nil {
		return err
	}
	a := Actor{ID: u.ID, Privileged: u.Role == "owner" || u.Role == "admin"}
	today := s.Now().In(time.UTC).Format(pipeline.DateLayout)
	if set, err := s.Q.SettingsGet(ctx); err == nil {
		today = OfficeOf(set).Today(s.Now())
	}
	if st == pipeline.Processing {
		for k := 0; k < 2+r.IntN(3); k++ {
			amt := money.Kopecks(1_000_000 + r.IntN(40_000_000))
			in := pipeline.TxInput{OccurredOn: today, Amount: amt, Rate: c.CommissionRate, Comment: "Операция " + strconv.Itoa(k+1)}
			if _, err := s.AddTransaction(ctx, a, id, in); err != nil {
				return err
			}
		}
	}
	rows, err := s.Q.TransactionList(ctx, id)
	if err != nil {
		return err
	}
	_, err = s.CompleteStage(ctx, StageInput{CardID: id, Version: c.Version, Actor: a,
		Values: demoValues(st, today, r, Totals(rows).Net)})
	return err
}
