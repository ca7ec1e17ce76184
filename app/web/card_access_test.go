package web_test

// The route×role test (access_test.go) checks sections only. This file checks the
// second half of SPEC section 1: "is this user one of the card's people" and "is
// this the user's own task", for every card-level action, against a real card in
// stage 6 with its own manager, accountant and warmer, and a second employee of
// each of those roles who is not on the card.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"kartoteka/app/auth"
	"kartoteka/app/money"
	"kartoteka/app/pipeline"
	"kartoteka/store"
	"kartoteka/store/db"
)

// cardActor is one signed-in person acting on the card.
type cardActor struct {
	key  string // "owner", "card-manager", "stranger-warmer", ...
	role auth.Role
	id   int64
	s    *session
}

// The actor keys, in the order every action is tried.
var cardActorKeys = []string{"owner", "admin", "card-manager", "card-accountant", "card-warmer",
	"stranger-manager", "stranger-accountant", "stranger-warmer"}

// want lists the expected status per actor, in cardActorKeys order.
func want(owner, admin, cardMgr, cardAcc, cardWarm, strMgr, strAcc, strWarm int) map[string]int {
	return map[string]int{"owner": owner, "admin": admin, "card-manager": cardMgr, "card-accountant": cardAcc,
		"card-warmer": cardWarm, "stranger-manager": strMgr, "stranger-accountant": strAcc, "stranger-warmer": strWarm}
}

// cardFixture is the server, the people and the cards the table acts on.
type cardFixture struct {
	t      *testing.T
	ts     *testServer
	ctx    context.Context
	office pipeline.Office
	actors map[string]*cardActor
	priv   store.Actor // the owner, for setup writes
	serial int
}

func newCardFixture(t *testing.T) *cardFixture {
	t.Helper()
	ts := newTestServer(t)
	f := &cardFixture{t: t, ts: ts, ctx: context.Background(), actors: map[string]*cardActor{},
		priv: store.Actor{ID: ts.users[owner], Privileged: true}}
	set, err := ts.st.Q.SettingsGet(f.ctx)
	if err != nil {
		t.Fatalf("settings: %v", err)
	}
	f.office = store.OfficeOf(set)
	if f.office.Loc.String() != "Europe/Moscow" {
		t.Fatalf("office time zone %s, want the default Europe/Moscow", f.office.Loc)
	}
	for key, r := range map[string]auth.Role{"owner": owner, "admin": admin, "card-manager": manager,
		"card-accountant": accountant, "card-warmer": warmer} {
		f.actors[key] = &cardActor{key: key, role: r, id: ts.users[r]}
	}
	// A second employee of each card role, on no card of this test.
	strangers := []struct {
		key  string
		role auth.Role
		name string
	}{
		{"stranger-manager", manager, "Чужой Менеджер"},
		{"stranger-accountant", accountant, "Чужая Бухгалтер"},
		{"stranger-warmer", warmer, "Чужой Прогревщик"},
	}
	for _, x := range strangers {
		hash, err := auth.HashPassword("secret-" + x.key)
		if err != nil {
			t.Fatal(err)
		}
		u, err := ts.st.CreateUser(f.ctx, ts.users[owner], store.UserInput{Login: x.key, Name: x.name, Role: string(x.role)}, hash)
		if err != nil {
			t.Fatalf("create %s: %v", x.key, err)
		}
		f.actors[x.key] = &cardActor{key: x.key, role: x.role, id: u.ID}
	}
	return f
}

// signIn starts a session for every actor. Call it after the setup has moved the
// clock (the warming period): a session idle longer than the timeout is over.
func (f *cardFixture) signIn() {
	f.t.Helper()
	for _, a := range f.actors {
		a.s = f.ts.loginUser(f.t, a.role, a.id)
	}
}

// today is the office date (Europe/Moscow) on the store's clock.
func (f *cardFixture) today() string { return f.office.Today(f.ts.clock.Now()) }

// newCard registers a card whose people are the seeded manager, accountant and warmer.
func (f *cardFixture) newCard() (int64, string) {
	f.t.Helper()
	f.serial++
	number := fmt.Sprintf("4111%012d", 700000+f.serial)
	id, err := f.ts.st.CreateCard(f.ctx, f.priv, store.CardInput{Number: number, BankID: f.ts.bankID,
		SupplierID: f.ts.contractorID, ContactName: "Клиент Тестовый", ContactPhone: "+79161234567",
		WarmerID: f.ts.users[warmer], ManagerID: f.ts.users[manager], AccountantID: f.ts.users[accountant],
		Rate: 1000, WarmingDays: 14, WarmingEveryDays: 1})
	if err != nil {
		f.t.Fatalf("CreateCard: %v", err)
	}
	return id, number
}

func (f *cardFixture) card(id int64) db.Card {
	f.t.Helper()
	c, err := f.ts.st.Q.CardGet(f.ctx, id)
	if err != nil {
		f.t.Fatalf("CardGet %d: %v", id, err)
	}
	return c
}

func stageNo(c db.Card) pipeline.Stage {
	if c.Stage == nil {
		return 0
	}
	return pipeline.Stage(*c.Stage)
}

// stageValues is a valid completion form for a stage, dated today (as store/helpers_test.go's values).
func (f *cardFixture) stageValues(st pipeline.Stage, profit money.Kopecks) map[string]string {
	today := f.today()
	switch st {
	case pipeline.AccessRebind:
		return map[string]string{"done_on": today, "comment": "Доступы перевязаны"}
	case pipeline.WarmupTopup:
		return map[string]string{"amount": "3 000", "done_on": today, "warming_days": "3", "warming_every_days": "2"}
	case pipeline.Warming:
		return map[string]string{"result": "ok"}
	case pipeline.AccessTakeback:
		return map[string]string{"done_on": today, "confirmed": "1"}
	case pipeline.WorkTopup:
		return map[string]string{"amount": "50 000,50", "done_on": today}
	case pipeline.Processing:
		return map[string]string{"done_on": today}
	case pipeline.BankApplication:
		return map[string]string{"done_on": today, "reference": "Заявление № 17"}
	case pipeline.BankWait:
		return map[string]string{"answered": "yes", "answered_on": today, "decision": "positive", "confirmed_amount": profit.Input()}
	case pipeline.ReturnToSupplier:
		return map[string]string{"done_on": today, "comment": "Возвращена курьером"}
	}
	f.t.Fatalf("no values for stage %d", st)
	return nil
}

func (f *cardFixture) txRows(id int64) []db.Transaction {
	f.t.Helper()
	rows, err := f.ts.st.Q.TransactionList(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return rows
}

// addTx adds a transaction row through the store as the owner; it returns its id.
func (f *cardFixture) addTx(id int64) int64 {
	f.t.Helper()
	in, errs := pipeline.ValidateTransaction(map[string]string{"occurred_on": f.today(), "amount": "5 000", "commission_rate": "10"}, f.today())
	if errs != nil {
		f.t.Fatalf("transaction: %v", errs)
	}
	txID, err := f.ts.st.AddTransaction(f.ctx, f.priv, id, in)
	if err != nil {
		f.t.Fatalf("AddTransaction on card %d: %v", id, err)
	}
	return txID
}

// completeStage completes the card's current stage by its responsible (not owner/admin),
// with a valid form; for stage 3 the clock first moves past the end of the warming period.
func (f *cardFixture) completeStage(id int64) {
	f.t.Helper()
	c := f.card(id)
	st := stageNo(c)
	if st == pipeline.Warming {
		ends := f.office.WarmingEnds(*c.StageEnteredAt, int(c.WarmingDays))
		if now := f.ts.clock.Now(); now.Before(ends) {
			f.ts.clock.Advance(ends.Sub(now) + 2*time.Hour)
		}
	}
	if st == pipeline.Processing && len(f.txRows(id)) == 0 {
		f.addTx(id)
	}
	task, err := f.ts.st.Q.AutoTaskOpenStage(f.ctx, id)
	if err != nil {
		f.t.Fatalf("open task of card %d: %v", id, err)
	}
	_, err = f.ts.st.CompleteStage(f.ctx, store.StageInput{CardID: id, Version: c.Version,
		Actor: store.Actor{ID: task.AssigneeID}, Values: f.stageValues(st, store.Totals(f.txRows(id)).Net)})
	if err != nil {
		f.t.Fatalf("complete stage %d of card %d: %v", st, id, err)
	}
	f.ts.clock.Advance(time.Hour)
}

// walk starts a new card and completes stages until it is in stage to (10: worked out).
func (f *cardFixture) walk(id int64, to pipeline.Stage) {
	f.t.Helper()
	if err := f.ts.st.StartCard(f.ctx, f.priv, id, f.card(id).Version); err != nil {
		f.t.Fatalf("StartCard %d: %v", id, err)
	}
	for {
		c := f.card(id)
		if to == 10 && c.Lifecycle == "worked_out" {
			return
		}
		if c.Lifecycle != "in_work" {
			f.t.Fatalf("card %d is %s, cannot walk to stage %d", id, c.Lifecycle, to)
		}
		if stageNo(c) == to {
			return
		}
		f.completeStage(id)
	}
}

// editForm is the card's edit form as the page would send it, with notes changed.
func editForm(c db.Card, notes string) url.Values {
	return url.Values{
		"number": {c.Number}, "bank_id": {fmt.Sprint(c.BankID)}, "supplier_id": {fmt.Sprint(c.SupplierID)},
		"contact_name": {c.ContactName}, "contact_phone": {c.ContactPhone}, "warmer_id": {fmt.Sprint(c.WarmerID)},
		"manager_id": {fmt.Sprint(c.ManagerID)}, "accountant_id": {fmt.Sprint(c.AccountantID)},
		"commission_rate": {c.CommissionRate.Input()}, "warming_days": {fmt.Sprint(c.WarmingDays)},
		"warming_every_days": {fmt.Sprint(c.WarmingEveryDays)}, "notes": {notes}, "version": {fmt.Sprint(c.Version)},
	}
}

// fullNumberRe is the full card number on the card page.
var fullNumberRe = regexp.MustCompile(`data-full-number>([^<]*)<`)

// autoRowsRe is one row of «Автозадачи»: its task id and the card it links to.
var autoRowsRe = regexp.MustCompile(`data-task="(\d+)">\s*<td class="text-nowrap"><div><a href="/cards/(\d+)">`)

// autoRows counts the «Автозадачи» rows per card id in a /tasks?tab=auto body.
func autoRows(body string) map[string]int {
	m := map[string]int{}
	for _, g := range autoRowsRe.FindAllStringSubmatch(body, -1) {
		m[g[2]]++
	}
	return m
}

// cardAction is one request every actor sends, with the status each must get.
type cardAction struct {
	name string
	want map[string]int
	// req builds the request just before it is sent (versions and ids are read fresh).
	req func(a *cardActor) (method, path string, form url.Values)
	// check looks at the answer and the database after it; "" when all is right.
	check func(a *cardActor, code int, body string) string
}

// TestCardLevelAccess sends every card-level action as every kind of person against a
// real card in stage 6 and checks the status and what was (not) written.
func TestCardLevelAccess(t *testing.T) {
	f := newCardFixture(t)
	ts := f.ts

	// The card under test: in stage 6 «Отработка карты», a manager task.
	cardID, number := f.newCard()
	f.walk(cardID, pipeline.Processing)
	if c := f.card(cardID); c.Lifecycle != "in_work" || stageNo(c) != pipeline.Processing {
		t.Fatalf("card %d is %s/%d, want in_work/6", cardID, c.Lifecycle, stageNo(c))
	}
	id := fmt.Sprint(cardID)
	cardPath := "/cards/" + id

	// Worked-out cards for «В архив»: one each for the owner and the admin to really
	// archive, one that everybody else tries to archive and must stay worked out.
	doneFor := map[string]int64{}
	for _, k := range []string{"owner", "admin", "others"} {
		d, _ := f.newCard()
		f.walk(d, 10)
		doneFor[k] = d
	}
	// New cards for «Запустить»: the same split.
	newFor := map[string]int64{}
	for _, k := range []string{"owner", "admin", "others"} {
		n, _ := f.newCard()
		newFor[k] = n
	}
	ownCard := func(m map[string]int64, a *cardActor) int64 {
		if v, ok := m[a.key]; ok {
			return v
		}
		return m["others"]
	}
	f.signIn()
	// The card's tasks, as «Автозадачи» filtered to it must show them.
	cardTasks := ts.count(t, "auto_tasks WHERE card_id = ?", cardID)
	if cardTasks < 6 {
		t.Fatalf("card %d has %d tasks after walking to stage 6, want at least 6", cardID, cardTasks)
	}

	const ok, seeOther, forbidden, unprocessable = http.StatusOK, http.StatusSeeOther, http.StatusForbidden, http.StatusUnprocessableEntity
	var (
		before     db.Card // the card before a write
		txBefore   int     // transactions on the card before a write
		deleteTx   int64   // the row a delete action aims at
		taskBefore db.AutoTask
	)
	get := func(path string) func(*cardActor) (string, string, url.Values) {
		return func(*cardActor) (string, string, url.Values) { return http.MethodGet, path, nil }
	}
	// cardUnchanged is the check of a refused or invalid write: the card row is as it was.
	cardUnchanged := func(a *cardActor, code int, body string) string {
		if after := f.card(cardID); !cardsEqual(after, before) {
			return fmt.Sprintf("card changed: version %d→%d, stage %d→%d, notes %q→%q", before.Version, after.Version,
				stageNo(before), stageNo(after), before.Notes, after.Notes)
		}
		return ""
	}

	actions := []cardAction{
		{
			name: "GET /cards/{id}",
			want: want(ok, ok, ok, ok, ok, forbidden, forbidden, forbidden),
			req:  get(cardPath),
			check: func(a *cardActor, code int, body string) string {
				// The full number (spaced in groups) is shown to owner, admin and the card's people only.
				m := fullNumberRe.FindStringSubmatch(body)
				shown := m != nil && strings.Join(strings.Fields(strings.ReplaceAll(m[1], "\u00a0", " ")), "") == number
				if shown != (code == ok) || (code != ok && (m != nil || strings.Contains(body, number))) {
					return fmt.Sprintf("full card number shown = %v (%q)", shown, m)
				}
				return ""
			},
		},
		{
			name: "GET /cards/{id}/transactions",
			want: want(ok, ok, ok, ok, ok, forbidden, forbidden, forbidden),
			req:  get(cardPath + "/transactions"),
		},
		{
			name: "GET /cards/{unknown}",
			want: want(404, 404, 404, 404, 404, 404, 404, 404),
			req:  get("/cards/987654"),
		},
		{
			name: "GET /cards/{id}/edit",
			want: want(ok, ok, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden),
			req:  get(cardPath + "/edit"),
		},
		{
			name: "POST /cards/{id}/edit",
			want: want(seeOther, seeOther, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden),
			req: func(a *cardActor) (string, string, url.Values) {
				before = f.card(cardID)
				return http.MethodPost, cardPath + "/edit", editForm(before, "Заметка от "+a.key)
			},
			check: func(a *cardActor, code int, body string) string {
				after := f.card(cardID)
				if code == seeOther {
					if after.Notes != "Заметка от "+a.key || after.Version != before.Version+1 {
						return fmt.Sprintf("edit not saved: notes %q, version %d→%d", after.Notes, before.Version, after.Version)
					}
					if after.ManagerID != before.ManagerID || after.AccountantID != before.AccountantID || after.WarmerID != before.WarmerID {
						return "edit changed the card's people"
					}
					return ""
				}
				return cardUnchanged(a, code, body)
			},
		},
		{
			name: "POST /cards/{id}/start (a new card)",
			want: want(seeOther, seeOther, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden),
			req: func(a *cardActor) (string, string, url.Values) {
				c := f.card(ownCard(newFor, a))
				return http.MethodPost, fmt.Sprintf("/cards/%d/start", c.ID), url.Values{"version": {fmt.Sprint(c.Version)}}
			},
			check: func(a *cardActor, code int, body string) string {
				c := f.card(ownCard(newFor, a))
				if wantLC := map[bool]string{true: "in_work", false: "new"}[code == seeOther]; c.Lifecycle != wantLC {
					return fmt.Sprintf("card %d is %s, want %s", c.ID, c.Lifecycle, wantLC)
				}
				return ""
			},
		},
		{
			name: "POST /cards/{id}/start (card in work)",
			want: want(seeOther, seeOther, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden),
			req: func(a *cardActor) (string, string, url.Values) {
				before = f.card(cardID)
				return http.MethodPost, cardPath + "/start", url.Values{"version": {fmt.Sprint(before.Version)}}
			},
			check: cardUnchanged,
		},
		{
			// An invalid correction (no reason): owner/admin are let in and told 422; nothing moves.
			name: "POST /cards/{id}/correct (no reason)",
			want: want(unprocessable, unprocessable, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden),
			req: func(a *cardActor) (string, string, url.Values) {
				before = f.card(cardID)
				return http.MethodPost, cardPath + "/correct", url.Values{"kind": {"back"}, "target": {"5"}, "reason": {""},
					"version": {fmt.Sprint(before.Version)}}
			},
			check: cardUnchanged,
		},
		{
			// A valid correction by the people who may not correct: refused, nothing moves.
			name: "POST /cards/{id}/correct (valid, non-staff)",
			want: want(0, 0, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden),
			req: func(a *cardActor) (string, string, url.Values) {
				before = f.card(cardID)
				return http.MethodPost, cardPath + "/correct", url.Values{"kind": {"back"}, "target": {"5"},
					"reason": {"Попытка " + a.key}, "version": {fmt.Sprint(before.Version)}}
			},
			check: cardUnchanged,
		},
		{
			name: "POST /cards/archive",
			want: want(seeOther, seeOther, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden),
			req: func(a *cardActor) (string, string, url.Values) {
				before = f.card(cardID)
				// The worked-out card, and the card in work (which is never archived).
				return http.MethodPost, "/cards/archive", url.Values{"id": {fmt.Sprint(ownCard(doneFor, a)), id}}
			},
			check: func(a *cardActor, code int, body string) string {
				d := f.card(ownCard(doneFor, a))
				if wantLC := map[bool]string{true: "archived", false: "worked_out"}[code == seeOther]; d.Lifecycle != wantLC {
					return fmt.Sprintf("worked-out card %d is %s, want %s", d.ID, d.Lifecycle, wantLC)
				}
				if c := f.card(cardID); c.Lifecycle != "in_work" {
					return fmt.Sprintf("the card in work was moved to %s", c.Lifecycle)
				}
				return ""
			},
		},
		{
			// Stage 6 is the manager's task: the modal opens for it, owner and admin only.
			name: "GET /cards/{id}/stage",
			want: want(ok, ok, ok, forbidden, forbidden, forbidden, forbidden, forbidden),
			req:  get(cardPath + "/stage"),
			check: func(a *cardActor, code int, body string) string {
				if code == ok && !strings.Contains(body, pipeline.Processing.Label()) {
					return "modal does not name the stage «" + pipeline.Processing.Label() + "»"
				}
				return ""
			},
		},
		{
			// An empty completion form: whoever may complete is told 422; nobody else gets past 403.
			name: "POST /cards/{id}/stage (empty form)",
			want: want(unprocessable, unprocessable, unprocessable, forbidden, forbidden, forbidden, forbidden, forbidden),
			req: func(a *cardActor) (string, string, url.Values) {
				before = f.card(cardID)
				return http.MethodPost, cardPath + "/stage", url.Values{"version": {fmt.Sprint(before.Version)}, "stage": {"6"}}
			},
			check: cardUnchanged,
		},
		{
			// A valid completion by the card's other people and strangers: refused, the card stays in 6.
			name: "POST /cards/{id}/stage (valid, not the assignee)",
			want: want(0, 0, 0, forbidden, forbidden, forbidden, forbidden, forbidden),
			req: func(a *cardActor) (string, string, url.Values) {
				before = f.card(cardID)
				return http.MethodPost, cardPath + "/stage", url.Values{"version": {fmt.Sprint(before.Version)}, "stage": {"6"},
					"done_on": {f.today()}}
			},
			check: cardUnchanged,
		},
		{
			name: "POST /cards/{id}/take",
			want: want(seeOther, seeOther, seeOther, forbidden, forbidden, forbidden, forbidden, forbidden),
			req: func(a *cardActor) (string, string, url.Values) {
				var err error
				if taskBefore, err = ts.st.Q.AutoTaskOpenStage(context.Background(), cardID); err != nil {
					t.Fatalf("open task: %v", err)
				}
				return http.MethodPost, cardPath + "/take", nil
			},
			check: func(a *cardActor, code int, body string) string {
				task, err := ts.st.Q.AutoTaskOpenStage(context.Background(), cardID)
				if err != nil {
					return "open task gone: " + err.Error()
				}
				if code == seeOther && task.Status != "in_progress" {
					return "task status " + task.Status + ", want in_progress"
				}
				if code != seeOther && task.Status != taskBefore.Status {
					return "task status changed " + taskBefore.Status + "→" + task.Status
				}
				return ""
			},
		},
		{
			name: "POST /cards/{id}/transactions",
			want: want(ok, ok, ok, ok, forbidden, forbidden, forbidden, forbidden),
			req: func(a *cardActor) (string, string, url.Values) {
				txBefore = len(f.txRows(cardID))
				return http.MethodPost, cardPath + "/transactions", url.Values{"occurred_on": {f.today()}, "amount": {"1000"},
					"commission_rate": {"10"}, "comment": {"от " + a.key}}
			},
			check: func(a *cardActor, code int, body string) string {
				rows := f.txRows(cardID)
				if code != ok {
					if len(rows) != txBefore {
						return fmt.Sprintf("refused, yet transactions %d→%d", txBefore, len(rows))
					}
					return ""
				}
				if len(rows) != txBefore+1 {
					return fmt.Sprintf("transactions %d→%d, want one more", txBefore, len(rows))
				}
				var added *db.Transaction
				for i := range rows {
					if rows[i].Comment == "от "+a.key {
						added = &rows[i]
					}
				}
				switch {
				case added == nil:
					return "the new row is not on the card"
				case added.CreatedBy == nil || *added.CreatedBy != a.id:
					return "the new row is not recorded as made by the actor"
				case added.Amount != 100000 || added.CommissionRate != 1000 || added.Commission != 10000 || added.Net != 90000:
					return fmt.Sprintf("row amount %d rate %d commission %d net %d, want 100000/1000/10000/90000",
						added.Amount, added.CommissionRate, added.Commission, added.Net)
				case added.OccurredOn != f.today():
					return "row dated " + added.OccurredOn + ", want " + f.today()
				}
				return ""
			},
		},
		{
			name: "POST /cards/{id}/transactions/{tx}/delete",
			want: want(ok, ok, ok, ok, forbidden, forbidden, forbidden, forbidden),
			req: func(a *cardActor) (string, string, url.Values) {
				deleteTx = f.addTx(cardID)
				txBefore = len(f.txRows(cardID))
				return http.MethodPost, fmt.Sprintf("%s/transactions/%d/delete", cardPath, deleteTx), nil
			},
			check: func(a *cardActor, code int, body string) string {
				gone := ts.count(t, "transactions WHERE id = ?", deleteTx) == 0
				n := len(f.txRows(cardID))
				switch {
				case code == ok && (!gone || n != txBefore-1):
					return fmt.Sprintf("allowed, yet row gone = %v, transactions %d→%d", gone, txBefore, n)
				case code != ok && (gone || n != txBefore):
					return fmt.Sprintf("refused, yet row gone = %v, transactions %d→%d", gone, txBefore, n)
				}
				return ""
			},
		},
		{
			// «Автозадачи» filtered to the card: all for owner/admin/accountants, own cards for manager/warmer.
			name: "GET /tasks?tab=auto&card={id}",
			want: want(ok, ok, ok, ok, ok, ok, ok, ok),
			req:  get("/tasks?tab=auto&card=" + id),
			check: func(a *cardActor, code int, body string) string {
				rows := autoRows(body)
				sees := a.key != "stranger-manager" && a.key != "stranger-warmer"
				wantRows := 0
				if sees {
					wantRows = cardTasks
				}
				if rows[id] != wantRows || len(rows) > map[bool]int{true: 1, false: 0}[wantRows > 0] {
					return fmt.Sprintf("rows per card %v, want %d rows of card %s only", rows, wantRows, id)
				}
				// Money typed in the stage forms (top-ups) is only for owner/admin and the card's people.
				showsMoney := strings.Contains(body, "Сумма пополнения")
				if wantMoney := !strings.HasPrefix(a.key, "stranger"); sees && showsMoney != wantMoney {
					return fmt.Sprintf("top-up amounts shown: %v, want %v", showsMoney, wantMoney)
				}
				return ""
			},
		},
		{
			name: "GET /tasks?tab=all",
			want: want(ok, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden, forbidden),
			req:  get("/tasks?tab=all"),
		},
		{
			name: "GET /cards?tab=work",
			want: want(ok, ok, ok, ok, ok, ok, ok, ok),
			req:  get("/cards?tab=work"),
			check: func(a *cardActor, code int, body string) string {
				sees := !strings.HasPrefix(a.key, "stranger-")
				row := strings.Contains(body, `data-card="`+id+`"`)
				link := strings.Contains(body, `href="`+cardPath+`"`)
				num := strings.Contains(body, "•••• "+number[len(number)-4:])
				if strings.Contains(body, number) {
					return "the list carries the full number (issue 8 item 5)"
				}
				if row != sees || link != sees || num != sees {
					return fmt.Sprintf("row %v, link %v, masked number %v; want all %v", row, link, num, sees)
				}
				return ""
			},
		},
		{
			// The tracker shows own open tasks: at stage 6 that is the card's manager's.
			name: "GET /tracker?stage=6",
			want: want(ok, ok, ok, ok, ok, ok, ok, ok),
			req:  get("/tracker?stage=6"),
			check: func(a *cardActor, code int, body string) string {
				sees := a.key == "owner" || a.key == "admin" || a.key == "card-manager"
				if row := strings.Contains(body, `data-card="`+id+`"`); row != sees {
					return fmt.Sprintf("row of card %s shown = %v, want %v", id, row, sees)
				}
				return ""
			},
		},
	}

	var fails []string
	for _, act := range actions {
		for _, key := range cardActorKeys {
			a := f.actors[key]
			wantCode := act.want[key]
			if wantCode == 0 {
				continue // not tried for this actor (it would really change the card)
			}
			method, path, form := act.req(a)
			resp, body := ts.doAs(t, a.s, method, path, form)
			code := resp.StatusCode
			var problem string
			switch {
			case code != wantCode:
				problem = fmt.Sprintf("got %d, want %d: %s", code, wantCode, snippet(body))
			case code == forbidden && method == http.MethodGet && !strings.Contains(body, "Доступ запрещён"):
				problem = "403 page does not say «Доступ запрещён»"
			case act.check != nil:
				problem = act.check(a, code, body)
			}
			if problem != "" {
				fails = append(fails, fmt.Sprintf("%-46s as %-19s %s", act.name, key, problem))
			}
		}
	}

	for _, msg := range fails {
		t.Error(msg)
	}
	fails = nil

	// Out of stage 6 the transactions are read-only, even for the card's manager.
	c := f.card(cardID)
	resp, body := ts.doAs(t, f.actors["owner"].s, http.MethodPost, cardPath+"/correct", url.Values{"kind": {"jump"},
		"target": {"7"}, "reason": {"Проверка: перевод на этап 7"}, "version": {fmt.Sprint(c.Version)}})
	if resp.StatusCode != seeOther {
		t.Fatalf("owner's correction to stage 7: %d %s", resp.StatusCode, snippet(body[strings.Index(body, "<main"):]))
	}
	if c = f.card(cardID); stageNo(c) != pipeline.BankApplication {
		t.Fatalf("card %d in stage %d after the correction, want 7", cardID, stageNo(c))
	}
	rows := f.txRows(cardID)
	if len(rows) == 0 {
		t.Fatal("the card has no transactions left to try deleting")
	}
	for _, try := range []struct {
		name, path string
		form       url.Values
	}{
		{"POST /cards/{id}/transactions (stage 7)", cardPath + "/transactions",
			url.Values{"occurred_on": {f.today()}, "amount": {"1000"}, "commission_rate": {"10"}}},
		{"POST /cards/{id}/transactions/{tx}/delete (stage 7)", fmt.Sprintf("%s/transactions/%d/delete", cardPath, rows[0].ID), nil},
	} {
		n := len(f.txRows(cardID))
		resp, body := ts.doAs(t, f.actors["card-manager"].s, http.MethodPost, try.path, try.form)
		var problem string
		switch {
		case resp.StatusCode != http.StatusConflict:
			problem = fmt.Sprintf("got %d, want 409: %s", resp.StatusCode, snippet(body))
		case !strings.Contains(body, "только на этапе «Отработка карты»"):
			problem = "409 does not say «только на этапе «Отработка карты»»: " + snippet(body)
		case len(f.txRows(cardID)) != n:
			problem = fmt.Sprintf("transactions %d→%d", n, len(f.txRows(cardID)))
		}
		if problem != "" {
			fails = append(fails, fmt.Sprintf("%-46s as %-19s %s", try.name, "card-manager", problem))
		}
	}

	for _, msg := range fails {
		t.Error(msg)
	}
}

// cardsEqual compares the fields of a card a refused write must leave alone.
func cardsEqual(a, b db.Card) bool {
	return a.Version == b.Version && a.Lifecycle == b.Lifecycle && stageNo(a) == stageNo(b) && a.Notes == b.Notes &&
		a.ManagerID == b.ManagerID && a.AccountantID == b.AccountantID && a.WarmerID == b.WarmerID && a.Number == b.Number
}
