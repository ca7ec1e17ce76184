package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"kartoteka/app/money"
	"kartoteka/app/pipeline"
	"kartoteka/store"
	"kartoteka/store/db"
)

// cardTabs are the four tabs of «Карты»: query value, label, lifecycle.
var cardTabs = []struct{ Tab, Label, Lifecycle string }{
	{"new", "Новые карты", "new"}, {"work", "В работе", "in_work"}, {"done", "Отработаны", "worked_out"}, {"archive", "Архив", "archived"},
}

func actorOf(c *fiber.Ctx) store.Actor {
	u := userOf(c)
	return store.Actor{ID: u.ID, Privileged: u.Role.SeesAll()}
}

// onlyMine is the user filter for lists: nil for owner/admin (they see everything).
func onlyMine(c *fiber.Ctx) *int64 {
	u := userOf(c)
	if u.Role.SeesAll() {
		return nil
	}
	return &u.ID
}

func (s *Server) cards(c *fiber.Ctx) error {
	tab := c.Query("tab", "new")
	lifecycle := tabLifecycle(tab)
	if lifecycle == "" {
		return fiber.ErrNotFound
	}
	data := fiber.Map{"Tab": tab, "Tabs": cardTabs}
	cm, err := s.cardCounts(c)
	if err != nil {
		return err
	}
	data["Counts"] = cm
	if tab == "archive" {
		if c.Query("part") == "table" {
			if err := s.archiveFilters(c, data); err != nil {
				return err
			}
			return c.Render("cards/table", Page{User: userOf(c), CSRF: csrfOf(c), Data: data, Server: s, Form: NewForm(nil)})
		}
		// The archive's page is its filters (the rows come from /cards/archive):
		// kept until the next notice (a bank, a supplier, a person, a card changed).
		return s.keptPage(c, "cards|archive", func() ([]byte, time.Time, error) {
			if err := s.archiveFilters(c, data); err != nil {
				return nil, time.Time{}, err
			}
			b, err := s.renderBytes(c, "cards/list", "Карты", "cards", nil, data)
			return b, time.Time{}, err
		})
	}
	f := cardListFilterOf(c, lifecycle)
	data["Q"], data["PageNo"] = f.Search, f.Offset/cardPageSize+1
	var b []byte
	var etag string
	if f.Search == "" {
		// Without a search the table is the same for everyone of the role and scope:
		// rendered once, kept until the next notice (nothing in it follows the clock).
		key := "cardtable|" + string(userOf(c).Role) + "|" + lifecycle + "|" + i64s(f.OnlyUser) + "|" + strconv.Itoa(f.Offset)
		b, etag, err = s.renderedUntil(key, "cards/table", func() (Page, time.Time, error) {
			d := fiber.Map{"Tab": tab, "Q": "", "PageNo": data["PageNo"]}
			err := s.cardRows(c, f, cm, d)
			return s.sharedPage(c, d), time.Time{}, err
		})
		if err != nil {
			return err
		}
		b, etag = s.withCSRF(c, b, etag)
	} else {
		if err := s.cardRows(c, f, cm, data); err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := s.app.Config().Views.Render(&buf, "cards/table", Page{User: userOf(c), CSRF: csrfOf(c), Data: data, Server: s, Form: NewForm(nil)}); err != nil {
			return err
		}
		b = buf.Bytes()
	}
	if c.Query("part") == "table" {
		return sendCached(c, b, etag)
	}
	frame := "" // a search's page is drawn whole: searches are rarely asked twice
	if f.Search == "" {
		frame = "cards|" + tab + "|" + strconv.Itoa(f.Offset)
	}
	return s.framedPage(c, frame, "cards/list", "Карты", "cards", data, b)
}

// tabLifecycle is the lifecycle of a «Карты» tab ("" for an unknown tab).
func tabLifecycle(tab string) string {
	for _, t := range cardTabs {
		if t.Tab == tab {
			return t.Lifecycle
		}
	}
	return ""
}

// cardCounts are the tab badges of «Карты», per scope, kept until the next notice.
func (s *Server) cardCounts(c *fiber.Ctx) (map[string]int64, error) {
	who := onlyMine(c)
	key := "cardcounts|all"
	if who != nil {
		key = "cardcounts|" + i64s(*who)
	}
	v, _, err := s.cachedUntil(key, func() (any, time.Time, error) { // nothing in them follows the clock
		cm, err := s.st.CardCounts(c.Context(), who)
		return cm, time.Time{}, err
	})
	if err != nil {
		return nil, err
	}
	return v.(map[string]int64), nil
}

// cardPageSize is how many cards a tab shows at once.
const cardPageSize = 100

// cardRows reads the tab's page: server-side search and pages, so the owner's
// «В работе» costs a page, not all 5,000 cards in work (SPEC section 10).
// Without a search the tab's size is its badge (counts).
func (s *Server) cardRows(c *fiber.Ctx, f store.CardListFilter, counts map[string]int64, data fiber.Map) error {
	var rows []store.CardRow
	var total int64
	var err error
	if f.Search == "" {
		total = counts[f.Lifecycle]
		rows, err = s.st.CardPageRows(c.Context(), f)
	} else {
		rows, total, err = s.st.CardPage(c.Context(), f)
	}
	if err != nil && !errors.Is(err, store.ErrTooBroad) {
		return err
	}
	page := f.Offset/cardPageSize + 1
	pages := int((total + cardPageSize - 1) / cardPageSize)
	data["Rows"], data["Lifecycle"], data["Q"], data["PageNo"], data["Pages"], data["Total"] = rows, f.Lifecycle, f.Search, page, pages, total
	if err != nil {
		data["TooBroad"] = err.Error()
	}
	if len(rows) > 0 {
		data["From"], data["To"] = f.Offset+1, f.Offset+len(rows)
	}
	return nil
}

// cardListFilterOf reads a card tab's search and page from the query string: the
// one reading of them (the page, its live refetch, anything exporting the list).
func cardListFilterOf(c *fiber.Ctx, lifecycle string) store.CardListFilter {
	f := store.CardListFilter{Lifecycle: lifecycle, Search: strings.TrimSpace(c.Query("q")), Limit: cardPageSize}
	if p := int(qInt(c, "page")); p > 1 {
		f.Offset = (p - 1) * cardPageSize
	}
	if m := onlyMine(c); m != nil {
		f.OnlyUser = *m
	}
	return f
}

// archiveFilters gives the archive tab its select options.
func (s *Server) archiveFilters(c *fiber.Ctx, data fiber.Map) error {
	banks, err := s.st.Q.BankList(c.Context())
	if err != nil {
		return err
	}
	sup, err := s.st.Q.ContractorList(c.Context())
	if err != nil {
		return err
	}
	users, err := s.st.Q.UserList(c.Context())
	if err != nil {
		return err
	}
	byRole := map[string][]db.User{}
	for _, u := range users {
		byRole[u.Role] = append(byRole[u.Role], u)
	}
	data["Banks"], data["Suppliers"], data["ByRole"] = banks, sup, byRole
	return nil
}

func qInt(c *fiber.Ctx, name string) int64 {
	n, _ := strconv.ParseInt(c.Query(name), 10, 64)
	return n
}

// cardsArchive answers DataTables' server-side requests for the archive tab.
func (s *Server) cardsArchive(c *fiber.Ctx) error {
	f := archiveFilterOf(c)
	// The answer for this scope (OnlyUser) and filter is kept until the next
	// notice (in the room of answers mostly asked for once): nothing in it follows
	// the clock. Only DataTables' draw counter is each request's own.
	key := fmt.Sprintf("archive|%d|%q|%q|%d|%d|%d|%d|%d|%d|%d|%t", f.OnlyUser, f.Number, f.Contact, f.BankID, f.SupplierID,
		f.WarmerID, f.ManagerID, f.AccountID, f.Offset, f.Limit, f.SortAsc)
	v, _, err := s.cachedOnce(key, func() (any, time.Time, error) { return s.archiveAnswer(c, f) })
	if err != nil {
		return err
	}
	b := v.([]byte) // {"capped":…} without the draw
	c.Type("json")
	return c.Send(append([]byte(`{"draw":`+strconv.FormatInt(qInt(c, "draw"), 10)+","), b[1:]...))
}

// archiveAnswer is the archive's JSON answer for f without DataTables' draw, and
// until when it holds with the clock: a refusal for a broad filter (maybe the
// moment's load) for the clock's step only, anything else until a notice.
func (s *Server) archiveAnswer(c *fiber.Ctx, f store.ArchiveFilter) ([]byte, time.Time, error) {
	// The archive's size in this scope is the same under every filter: kept
	// until the next notice (it changes only when a card is archived).
	if v, _, err := s.cachedUntil("archivetotal|"+i64s(f.OnlyUser), func() (any, time.Time, error) {
		n, err := s.st.ArchiveTotal(c.Context(), f.OnlyUser)
		return n, time.Time{}, err
	}); err == nil {
		f.Total = v.(int64)
	}
	// What the filter finds is the same on every page and in either order: kept
	// until the next notice, so paging through a filter counts it once. The first
	// asker's answer is made while counting; later ones read their page with it.
	var p store.ArchivePage
	made := false
	v, _, err := s.cachedUntil(fmt.Sprintf("archivefound|%d|%q|%q|%d|%d|%d|%d|%d", f.OnlyUser, f.Number, f.Contact,
		f.BankID, f.SupplierID, f.WarmerID, f.ManagerID, f.AccountID), func() (any, time.Time, error) {
		var err error
		p, err = s.st.Archive(c.Context(), f)
		made = true
		return store.ArchiveFound{N: p.Filtered, Capped: p.Capped}, time.Time{}, err
	})
	if err == nil && !made {
		found := v.(store.ArchiveFound)
		f.Found = &found
		p, err = s.st.Archive(c.Context(), f)
	}
	if errors.Is(err, store.ErrShortText) || errors.Is(err, store.ErrTooBroad) {
		// DataTables wants its answer: no rows, and the reason under the filters.
		var until time.Time
		if errors.Is(err, store.ErrTooBroad) {
			until = s.clockStep()
		}
		b, jerr := json.Marshal(fiber.Map{"recordsTotal": 0, "recordsFiltered": 0, "data": [][]string{}, "message": err.Error()})
		return b, until, jerr
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	rows := make([][]string, 0, len(p.Rows))
	for _, r := range p.Rows {
		at := ""
		if r.ArchivedAt != nil {
			at = s.inTZ(*r.ArchivedAt).Format("02.01.2006")
		}
		rows = append(rows, []string{i64s(r.ID), maskNumber(r.Last4), r.ContactName, r.ContactPhone, r.Bank, r.Supplier,
			r.Warmer, r.Manager, r.Accountant, at})
	}
	b, err := json.Marshal(fiber.Map{"recordsTotal": p.Total, "recordsFiltered": p.Filtered, "capped": p.Capped, "data": rows})
	return b, time.Time{}, err
}

// archiveFilterOf reads the archive's filters, paging and sorting from the query
// string: the one reading of them (the page and anything exporting the same list).
func archiveFilterOf(c *fiber.Ctx) store.ArchiveFilter {
	f := store.ArchiveFilter{
		Number: c.Query("number"), Contact: c.Query("contact"), BankID: qInt(c, "bank"), SupplierID: qInt(c, "supplier"),
		WarmerID: qInt(c, "warmer"), ManagerID: qInt(c, "manager"), AccountID: qInt(c, "accountant"),
		Offset: int(qInt(c, "start")), Limit: int(qInt(c, "length")), SortAsc: c.Query("order[0][dir]") == "asc",
	}
	if m := onlyMine(c); m != nil {
		f.OnlyUser = *m
	}
	return f
}

// ---- create and edit

var cardFields = []string{"number", "bank_id", "supplier_id", "contact_name", "contact_phone", "warmer_id", "manager_id",
	"accountant_id", "commission_rate", "warming_days", "warming_every_days", "notes", "version"}

func formInt(f *Form, name string) int64 {
	n, _ := strconv.ParseInt(f.Get(name), 10, 64)
	return n
}

// parseCard validates the card form into a store input.
func parseCard(f *Form) (store.CardInput, bool) {
	var in store.CardInput
	f.Require("Выберите из списка", "bank_id", "supplier_id", "warmer_id", "manager_id", "accountant_id")
	if f.Get("number") == "" {
		f.Fail("number", "Укажите номер карты")
	} else if n, ok := pipeline.NormalizeCardNumber(f.Get("number")); !ok {
		f.Fail("number", "Номер карты — от 13 до 19 цифр")
	} else {
		in.Number = n
	}
	in.BankID, in.SupplierID = formInt(f, "bank_id"), formInt(f, "supplier_id")
	in.WarmerID, in.ManagerID, in.AccountantID = formInt(f, "warmer_id"), formInt(f, "manager_id"), formInt(f, "accountant_id")
	in.ContactName = f.Get("contact_name")
	f.MaxLen("contact_name", 200)
	in.ContactPhone = phoneField(f, "contact_phone")
	if r, err := money.ParseRate(f.Get("commission_rate")); err != nil {
		f.Fail("commission_rate", err.Error())
	} else {
		in.Rate = r
	}
	in.WarmingDays = intField(f, "warming_days", 1, 90)
	in.WarmingEveryDays = intField(f, "warming_every_days", 1, 30)
	in.Notes = f.Get("notes")
	f.MaxLen("notes", 4000)
	return in, f.OK()
}

// cardFormData gives the form its choices: active people of each role, banks, suppliers,
// plus the ones already on the card even if inactive now.
func (s *Server) cardFormData(c *fiber.Ctx, card *db.Card) (fiber.Map, error) {
	users, err := s.st.Q.UserList(c.Context())
	if err != nil {
		return nil, err
	}
	keep := map[int64]bool{}
	if card != nil {
		keep[card.WarmerID], keep[card.ManagerID], keep[card.AccountantID] = true, true, true
	}
	byRole := map[string][]Option{}
	for _, u := range users {
		if u.Active == 1 || keep[u.ID] {
			byRole[u.Role] = append(byRole[u.Role], Option{i64s(u.ID), u.Name})
		}
	}
	banks, err := s.st.Q.BankList(c.Context())
	if err != nil {
		return nil, err
	}
	var bo []Option
	for _, b := range banks {
		if b.Active == 1 || (card != nil && card.BankID == b.ID) {
			bo = append(bo, Option{i64s(b.ID), b.Name})
		}
	}
	sup, err := s.st.Q.ContractorList(c.Context())
	if err != nil {
		return nil, err
	}
	var so []Option
	rates := map[string]string{}
	for _, x := range sup {
		if x.Active == 1 || (card != nil && card.SupplierID == x.ID) {
			so = append(so, Option{i64s(x.ID), x.Name})
			if x.CommissionRate != nil {
				rates[i64s(x.ID)] = x.CommissionRate.Input()
			}
		}
	}
	return fiber.Map{"Card": card, "Warmers": byRole["warmer"], "Managers": byRole["manager"], "Accountants": byRole["accountant"],
		"Banks": bo, "Suppliers": so, "Rates": rates}, nil
}

// noStore keeps a page showing a full card number out of the browser's and any
// proxy's cache (SPEC section 3).
func noStore(c *fiber.Ctx) { c.Set(fiber.HeaderCacheControl, "no-store") }

func (s *Server) cardFormPage(c *fiber.Ctx, f *Form, card *db.Card) error {
	noStore(c)
	data, err := s.cardFormData(c, card)
	if err != nil {
		return err
	}
	title := "Новая карта"
	if card != nil {
		title = "Карта № " + i64s(card.ID)
		data["Tx"], err = s.txData(c, *card, nil)
		if err != nil {
			return err
		}
	}
	if !f.OK() {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return s.render(c, "cards/form", title, "cards", f, data)
}

func (s *Server) cardNew(c *fiber.Ctx) error {
	st := s.Settings()
	f := NewForm(map[string]string{"warming_days": i64s(st.WarmingDays), "warming_every_days": i64s(st.WarmingEveryDays), "commission_rate": "0"})
	return s.cardFormPage(c, f, nil)
}

func (s *Server) cardCreate(c *fiber.Ctx) error {
	f := formFrom(c, cardFields...)
	in, ok := parseCard(f)
	if ok {
		id, err := s.st.CreateCard(c.Context(), actorOf(c), in)
		if fieldError(f, err) != nil {
			return err
		}
		if f.OK() {
			s.publish("cards")
			return redirectNotices(c, "/cards/"+i64s(id), Notice{NoticeOK, "Карта № " + i64s(id) + " зарегистрирована"}, luhnWarning(in.Number))
		}
	}
	return s.cardFormPage(c, f, nil)
}

// luhnWarning is the saved card's warning when its number fails the Luhn check
// (no notice when it passes): saved all the same, but worth a second look.
func luhnWarning(number string) Notice {
	if pipeline.Luhn(number) {
		return Notice{}
	}
	return Notice{NoticeWarn, "Номер карты не проходит проверку по алгоритму Луна — сверьте цифры с картой"}
}

// loadCard reads the card of the :id param and checks the user may see it.
func (s *Server) loadCard(c *fiber.Ctx) (db.Card, error) {
	id, err := idParam(c, "id")
	if err != nil {
		return db.Card{}, err
	}
	return s.cardFor(c, id)
}

func cardForm(card db.Card) *Form {
	return NewForm(map[string]string{
		"number": card.Number, "bank_id": i64s(card.BankID), "supplier_id": i64s(card.SupplierID),
		"contact_name": card.ContactName, "contact_phone": card.ContactPhone, "warmer_id": i64s(card.WarmerID),
		"manager_id": i64s(card.ManagerID), "accountant_id": i64s(card.AccountantID), "commission_rate": card.CommissionRate.Input(),
		"warming_days": i64s(card.WarmingDays), "warming_every_days": i64s(card.WarmingEveryDays), "notes": card.Notes,
		"version": i64s(card.Version),
	})
}

func (s *Server) cardEdit(c *fiber.Ctx) error {
	card, err := s.loadCard(c)
	if err != nil {
		return err
	}
	if card.Lifecycle == "archived" {
		return fiber.NewError(fiber.StatusConflict, "Карта в архиве: её нельзя изменить")
	}
	return s.cardFormPage(c, cardForm(card), &card)
}

func (s *Server) cardUpdate(c *fiber.Ctx) error {
	card, err := s.loadCard(c)
	if err != nil {
		return err
	}
	f := formFrom(c, cardFields...)
	in, ok := parseCard(f)
	if ok {
		err := s.st.UpdateCard(c.Context(), actorOf(c), card.ID, formInt(f, "version"), in)
		if errors.Is(err, store.ErrConflict) {
			f.Fail("version", msgStale)
			c.Status(fiber.StatusConflict)
			fresh, _ := s.st.Q.CardGet(c.Context(), card.ID)
			f.Values["version"] = i64s(fresh.Version)
			return s.cardFormPage409(c, f, &fresh)
		}
		if fieldError(f, err) != nil {
			return err
		}
		if f.OK() {
			s.publish("cards", "tracker", cardTopic(card.ID))
			return redirectNotices(c, "/cards/"+i64s(card.ID), Notice{NoticeOK, "Изменения сохранены"}, luhnWarning(in.Number))
		}
	}
	return s.cardFormPage(c, f, &card)
}

// cardFormPage409 re-renders the edit form after a conflict, keeping what was typed.
func (s *Server) cardFormPage409(c *fiber.Ctx, f *Form, card *db.Card) error {
	noStore(c)
	data, err := s.cardFormData(c, card)
	if err != nil {
		return err
	}
	if data["Tx"], err = s.txData(c, *card, nil); err != nil {
		return err
	}
	return s.render(c, "cards/form", "Карта № "+i64s(card.ID), "cards", f, data)
}

const msgStale = "Карта уже изменена другим пользователем"

func cardTopic(id int64) string { return "card:" + i64s(id) }

// cardStart is «Запустить»: the card enters stage 1 and the person stays where
// they pressed it — the card page shows the card in stage 1, the «Новые карты»
// tab (its search kept) the next card to start. A second press (a double click,
// a stale tab) lands there too and says what the card is doing now.
func (s *Server) cardStart(c *fiber.Ctx) error {
	card, err := s.loadCard(c)
	if err != nil {
		return err
	}
	back := startBack(c.FormValue("back"), card.ID)
	version, _ := strconv.ParseInt(c.FormValue("version"), 10, 64)
	err = s.st.StartCard(c.Context(), actorOf(c), card.ID, version)
	if errors.Is(err, store.ErrConflict) {
		if c.Get("HX-Request") != "" {
			return fiber.NewError(fiber.StatusConflict, msgStale)
		}
		fresh, ferr := s.st.Q.CardGet(c.Context(), card.ID)
		if ferr != nil {
			return ferr
		}
		return redirectFlash(c, back, startConflict(fresh))
	}
	if err != nil {
		return err
	}
	s.publish("cards", "tracker", cardTopic(card.ID))
	if c.Get("HX-Request") != "" {
		return c.SendStatus(fiber.StatusNoContent)
	}
	return redirectFlash(c, back, "Карта № "+i64s(card.ID)+" запущена: этап 1 «"+pipeline.AccessRebind.Label()+"»")
}

// startBack is where «Запустить» returns: the list it was pressed on (a «Карты»
// address of this site), else the card's page.
func startBack(back string, id int64) string {
	if (back == "/cards" || strings.HasPrefix(back, "/cards?")) && safeNext(back) == back {
		return back
	}
	return "/cards/" + i64s(id)
}

// startConflict says why a start was refused: the card is already on its way, or
// it changed since the page was drawn.
func startConflict(c db.Card) string {
	no := "Карта № " + i64s(c.ID)
	switch {
	case c.Lifecycle == "in_work" && c.Stage != nil:
		return no + " уже запущена: сейчас этап " + stageName(*c.Stage)
	case c.Lifecycle == "new":
		return no + " изменена другим пользователем: проверьте её и запустите ещё раз"
	default:
		return no + " уже не новая: запускать нечего"
	}
}

func (s *Server) cardsToArchive(c *fiber.Ctx) error {
	args := c.Context().PostArgs().PeekMulti("id")
	var ids []int64
	for _, a := range args {
		if id, err := strconv.ParseInt(string(a), 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return redirectNotices(c, "/cards?tab=done", Notice{NoticeWarn, "Ничего не отправлено: отметьте карты, которые нужно отправить в архив"})
	}
	n, err := s.st.ArchiveCards(c.Context(), actorOf(c), ids)
	if err != nil {
		return err
	}
	topics := []string{"cards"}
	for _, id := range ids {
		topics = append(topics, cardTopic(id))
	}
	s.publish(topics...)
	return redirectFlash(c, "/cards?tab=done", "Отправлено в архив: "+pipeline.Count(int64(n), "карта", "карты", "карт"))
}

// ---- card page

func (s *Server) cardPage(c *fiber.Ctx) error {
	card, err := s.loadCard(c) // who may see the card: checked on every request
	if err != nil {
		return err
	}
	noStore(c)
	// The card's part of the page is the same for everyone of the role (owner,
	// admin) or for the one person (anyone else: their buttons, their money), kept
	// until the next notice, the office's midnight (the transaction form's date) or
	// the moment the warming period opens the stage; in the room of answers mostly
	// asked for once (a random card), so they never push out the tabs.
	u := userOf(c)
	who := string(u.Role)
	if !u.Role.SeesAll() {
		who += "|" + i64s(u.ID)
	}
	key := "cardpage|" + i64s(card.ID) + "|" + who + "|" + c.Query("scope")
	v, _, err := s.cachedOnce(key, s.markedCSRF(c, func() (any, time.Time, error) {
		data, err := s.cardPageData(c, card)
		if err != nil {
			return nil, time.Time{}, err
		}
		now := s.now()
		office := s.office()
		until := office.Day(now).AddDate(0, 0, 1)
		if t, ok := data["OpenTask"].(db.AutoTask); ok && data["OpensOn"] != "" {
			until = earliest(until, office.WarmingOpensAt(t.Deadline))
		}
		data["ChangesAt"] = changesAt(until)
		var b bytes.Buffer
		if err := s.app.Config().Views.Render(&b, "cards/card_main", s.sharedPage(c, data)); err != nil {
			return nil, time.Time{}, err
		}
		return b.Bytes(), until, nil
	}))
	if err != nil {
		return err
	}
	main, _ := s.withCSRF(c, v.([]byte), "")
	if c.Query("part") == "main" {
		c.Type("html", "utf-8")
		return c.Send(main)
	}
	// Around it: the correction form (owner, admin), from the card as read now.
	data := fiber.Map{"Card": card, "StageOpts": stageOptions, "MainHTML": template.HTML(main)}
	return s.render(c, "cards/card", "Карта № "+i64s(card.ID), "cards", nil, data)
}

// TimelineItem is one line of a card's history: a stage task or an event.
type TimelineItem struct {
	At       string
	Title    string
	Who      string
	Lines    []pipeline.Line
	Text     string
	Kind     string // "task", "open", "correction", "event"
	Deadline string
	Rolls    int64
	sortKey  int64
}

func (s *Server) cardPageData(c *fiber.Ctx, card db.Card) (fiber.Map, error) {
	noStore(c)
	view, err := s.st.Q.CardView(c.Context(), card.ID)
	if err != nil {
		return nil, err
	}
	tl, err := s.timeline(c, card.ID)
	if err != nil {
		return nil, err
	}
	tx, err := s.txData(c, card, nil)
	if err != nil {
		return nil, err
	}
	u := userOf(c)
	data := fiber.Map{"Card": view, "Timeline": timelineHTML(tl), "Tx": tx,
		"ShowNumber": u.Role.SeesAll() || store.Responsible(card, u.ID),
		"StageOpts":  stageOptions, "EarlyTargets": pipeline.EarlyCloseTargets}
	if card.Stage != nil {
		data["StageLabel"] = pipeline.Stage(*card.Stage).Label()
		if t, err := s.st.Q.AutoTaskOpenStage(c.Context(), card.ID); err == nil {
			data["OpenTask"] = t
			data["CanComplete"] = u.Role.SeesAll() || t.AssigneeID == u.ID
			data["OpensOn"] = warmingOpensOn(u, s.office(), pipeline.Stage(*card.Stage), t.Kind, t.Deadline, s.now())
		}
	}
	return data, nil
}
