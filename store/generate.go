package store

import (
	"cmp"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"kartoteka/app/money"
	"kartoteka/app/pipeline"
	"kartoteka/store/db"
)

// GenerateOptions sizes the generated office: SPEC section 10's "office-decade"
// data set by default. A zero count takes the default, a negative one means none.
type GenerateOptions struct {
	Employees, Suppliers, Banks int
	Archived, InWork            int       // cards
	Transactions, AutoTasks     int       // rows
	StdTasks                    int       // standard tasks («Задачи»)
	PasswordHash                string    // every generated employee's password hash (argon2id, made by the caller)
	Seed                        uint64    // math/rand/v2 seed; the same seed and Now give the same data
	Now                         time.Time // the end of the ten years; zero: the store's clock
}

func (o *GenerateOptions) defaults() {
	for _, x := range []struct {
		v   *int
		def int
	}{{&o.Employees, 50}, {&o.Suppliers, 200}, {&o.Banks, 40}, {&o.Archived, 1_000_000}, {&o.InWork, 5_000},
		{&o.Transactions, 10_000_000}, {&o.AutoTasks, 20_000_000}, {&o.StdTasks, 200_000}} {
		switch {
		case *x.v == 0:
			*x.v = x.def
		case *x.v < 0:
			*x.v = 0
		}
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
}

const (
	genBatchRows  = 50_000  // rows per generator transaction
	genReportRows = 100_000 // progress every so many rows
)

// Generate fills an empty database with a decade of office life (SPEC section 10):
// employees of every role, banks, suppliers, archived cards that went through all
// nine stages (their stage and warming tasks, their transactions), and cards in
// work spread over the stages with their done tasks and one open task each.
//
// Rows are written in the order the office would have created them (a card, then
// over the following weeks its tasks and transactions, interleaved with other
// cards'), so ids follow time as in a real database. One goroutine decides the
// rows while the caller's writes them (generate_write.go); the report's rollups are
// summed as the rows are decided. Progress is reported every ~100,000 rows and at
// the end of each phase, with its time. Standard tasks come last (stdTasks); the
// change log and card events are not generated.
func (s *Store) Generate(ctx context.Context, o GenerateOptions, progress func(string)) error {
	o.defaults()
	if o.PasswordHash == "" {
		return errors.New("generate: no password hash")
	}
	if o.Employees < 8 {
		return errors.New("generate: need at least 8 employees (2 owners, 3 admins, one of each other role)")
	}
	if o.Banks < 1 || o.Suppliers < 1 {
		return errors.New("generate: need at least one bank and one supplier")
	}
	if progress == nil {
		progress = func(string) {}
	}
	for _, table := range []string{"cards", "users", "banks", "contractors"} {
		var n int64
		if err := s.writer.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		if n > 0 {
			return fmt.Errorf("generate: the database is not empty (%d rows in %s)", n, table)
		}
	}
	set, err := db.New(s.writer).SettingsGet(ctx)
	if err != nil {
		return fmt.Errorf("generate: settings: %w", err)
	}
	if o.Now.IsZero() {
		o.Now = s.Now()
	}
	g := &gen{s: s, o: o, r: rand.New(rand.NewPCG(o.Seed, 0x6b617274)), office: OfficeOf(set),
		progress: progress, started: time.Now(), now: o.Now.UTC().Truncate(time.Second)}
	g.from = g.now.AddDate(-10, 0, 0)
	g.sums = newRollupSums(g.office)
	restore, err := g.fast(ctx)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	err = g.phases(ctx)
	if rerr := restore(); err == nil && rerr != nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	progress(fmt.Sprintf("done in %s: %d rows (%d cards, %d auto tasks, %d transactions, %d standard tasks)",
		time.Since(g.started).Round(time.Second), g.rows, g.nCards, g.nTasks, g.nMoney, g.nStd))
	return nil
}

// phases writes the office, each phase timed in the progress report.
func (g *gen) phases(ctx context.Context) error {
	phase := func(name string, fn func(context.Context) error) error {
		t := time.Now()
		if err := fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		g.progress(fmt.Sprintf("%s: %s (%s since the start)", name, time.Since(t).Round(100*time.Millisecond),
			time.Since(g.started).Round(time.Second)))
		return nil
	}
	if err := phase("people, banks, suppliers", g.people); err != nil {
		return err
	}
	g.planInWork()
	// The big tables' secondary indexes and the search indexes' insert triggers are
	// dropped for the load and made after it: an index built from sorted keys at the
	// end costs a fraction of one kept up to date row by row under random keys
	// (deadlines, names, numbers), and FTS5 writes a segment at every statement that
	// fires its trigger — SPEC section 10 wants the whole set in 15 minutes.
	indexes, err := g.dropIndexes(ctx, "cards", "auto_tasks", "transactions", "tasks", "task_comments")
	if err != nil {
		return err
	}
	triggers, err := g.dropTriggers(ctx, "cards_search_insert", "cards_words_insert", "tasks_search_insert")
	if err != nil {
		return err
	}
	if err := phase("cards, auto tasks, transactions", g.decade); err != nil {
		return err
	}
	if err := phase("standard tasks", g.stdTasks); err != nil {
		return err
	}
	if err := phase("search indexes", func(ctx context.Context) error { return g.searchIndexes(ctx, triggers) }); err != nil {
		return err
	}
	if err := phase(fmt.Sprintf("%d indexes", len(indexes)), func(ctx context.Context) error {
		for _, sql := range indexes {
			t := time.Now()
			if _, err := g.s.writer.ExecContext(ctx, sql); err != nil {
				return err
			}
			g.progress(fmt.Sprintf("  %s: %s", sql[:strings.Index(sql, " ON ")], time.Since(t).Round(100*time.Millisecond)))
		}
		return nil
	}); err != nil {
		return err
	}
	if err := phase("report rollups", g.report); err != nil {
		return err
	}
	return nil
}

// report writes the cards' confirmed profits and the rollups summed while writing
// the rows (what `kartoteka rollups --rebuild` computes from them).
func (g *gen) report(ctx context.Context) error {
	slices.SortFunc(g.confirms, func(a, b genConfirm) int { return cmp.Compare(a.card, b.card) })
	return g.s.InTx(ctx, func(tx *Tx) error {
		ins := bulkInsert{tx: tx, head: "INSERT INTO card_confirmations (card_id, task_id, answered_on, amount) VALUES ", cols: 4}
		for _, f := range g.confirms {
			if err := ins.add(ctx, f.card, f.task, f.day, f.amount); err != nil {
				return err
			}
		}
		if err := ins.flush(ctx); err != nil {
			return err
		}
		return g.sums.write(ctx, tx)
	})
}

// genPragmas are the writer's settings while generating, restored after: the
// database is new and thrown away if the generator fails, so no journal, no syncs
// (one fsync at the end) and no foreign key checks (TestGenerateReport checks
// them after); the index builds' sorts on four threads, their runs kept in
// memory instead of temporary files, and the file read through a memory map
// instead of a read call per page (one 20 M-row auto-task index: 58 → 34 s of
// CPU); a 256 MB page cache for the archive's search index. A bigger cache does
// not pay: filling it and giving it back is slow in modernc.org/sqlite (1 GB:
// ~15 s of CPU to give back).
var genPragmas = []struct{ name, value string }{
	{"journal_mode", "OFF"}, {"synchronous", "OFF"}, {"foreign_keys", "OFF"}, {"threads", "4"}, {"cache_size", "-262144"},
	{"temp_store", "MEMORY"}, {"mmap_size", "68719476736"},
}

// fast sets genPragmas and returns the function that restores the previous
// settings (the file a normal WAL database again) and syncs the file.
func (g *gen) fast(ctx context.Context) (restore func() error, err error) {
	// Out of WAL only with no other connection open: close the idle readers.
	g.s.reader.SetMaxIdleConns(0)
	defer g.s.reader.SetMaxIdleConns(8)
	var olds []string
	restore = func() error {
		ctx := context.WithoutCancel(ctx)
		var errs []error
		for i := len(olds) - 1; i >= 0; i-- {
			if _, err := g.s.writer.ExecContext(ctx, "PRAGMA "+genPragmas[i].name+" = "+olds[i]); err != nil {
				errs = append(errs, err)
			}
		}
		f, err := os.Open(g.s.path)
		if err == nil {
			err = errors.Join(f.Sync(), f.Close())
		}
		return errors.Join(append(errs, err)...)
	}
	for _, p := range genPragmas {
		var old, now string
		if err := g.s.writer.QueryRowContext(ctx, "PRAGMA "+p.name).Scan(&old); err != nil {
			return nil, errors.Join(err, restore())
		}
		if err := g.s.writer.QueryRowContext(ctx, "PRAGMA "+p.name+" = "+p.value).Scan(&now); err != nil && !isNoRows(err) {
			return nil, errors.Join(err, restore())
		}
		olds = append(olds, old)
		if p.name == "journal_mode" && !strings.EqualFold(now, p.value) {
			return nil, errors.Join(fmt.Errorf("journal mode %s, not %s: another connection is open", now, p.value), restore())
		}
	}
	return restore, nil
}

// dropIndexes drops the tables' secondary indexes (not the ones behind a UNIQUE or
// PRIMARY KEY constraint) and returns the statements that make them again, in the
// order they were made: SQLite's planner breaks ties between equal-looking indexes
// by schema order, so a generated database must keep a migrated one's order.
func (g *gen) dropIndexes(ctx context.Context, tables ...string) ([]string, error) {
	return g.drop(ctx, "index", `tbl_name IN ('`+strings.Join(tables, "', '")+`')`)
}

// dropTriggers drops the named triggers and returns the statements that make them again.
func (g *gen) dropTriggers(ctx context.Context, names ...string) ([]string, error) {
	return g.drop(ctx, "trigger", `name IN ('`+strings.Join(names, "', '")+`')`)
}

func (g *gen) drop(ctx context.Context, kind, where string) ([]string, error) {
	rows, err := g.s.writer.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL AND `+where+` ORDER BY rowid`, kind)
	if err != nil {
		return nil, err
	}
	var names, sqls []string
	for rows.Next() {
		var n, q string
		if err := rows.Scan(&n, &q); err != nil {
			rows.Close()
			return nil, err
		}
		names, sqls = append(names, n), append(sqls, q)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, n := range names {
		if _, err := g.s.writer.ExecContext(ctx, `DROP `+kind+` "`+n+`"`); err != nil {
			return nil, err
		}
	}
	return sqls, nil
}

// searchIndexes fills the archive's and the tasks' search indexes as their insert
// triggers would have (one INSERT … SELECT each, the triggers' own rows), each
// written in one piece (ftsFill), and makes the triggers again.
func (g *gen) searchIndexes(ctx context.Context, triggers []string) error {
	for _, f := range []struct{ table, insert string }{
		{"cards_search", `INSERT INTO cards_search (rowid, number, contact, bank, supplier, warmer, manager, accountant, last4) SELECT * FROM cards_search_rows`},
		{"cards_words", `INSERT INTO cards_words (rowid, words, number, bank, supplier, warmer, manager, accountant, last4) SELECT * FROM cards_words_rows`},
		{"tasks_search", `INSERT INTO tasks_search (rowid, title) SELECT id, title FROM tasks`},
	} {
		if err := g.ftsFill(ctx, f.table, f.insert); err != nil {
			return fmt.Errorf("%s: %w", f.table, err)
		}
	}
	for _, q := range triggers {
		if _, err := g.s.writer.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// ftsHashSize is the FTS5 'hashsize' while the generator fills a search index:
// the terms of all rows stay in memory (a million archived cards: ~0.5 GB) and
// are written once, as one segment. With FTS5's default 1 MB the index is
// written in ~250 pieces that FTS5 merges again and again as they pile up
// (automerge), and an 'optimize' merges the dozen left into one.
const ftsHashSize = 1 << 30

// ftsFill runs insert, which fills the FTS5 index table, with the index written
// in one piece (ftsHashSize), as migration 000011's 'optimize' leaves the
// archive's; the 'optimize' after it merges only if the terms outgrew the hash.
// The table's settings are left as a migrated database has them (no 'hashsize'
// row: FTS5's default).
func (g *gen) ftsFill(ctx context.Context, table, insert string) error {
	for _, q := range []string{
		fmt.Sprintf(`INSERT INTO %s (%[1]s, rank) VALUES ('hashsize', %d)`, table, ftsHashSize),
		insert,
		fmt.Sprintf(`INSERT INTO %s (%[1]s) VALUES ('optimize')`, table),
		fmt.Sprintf(`INSERT INTO %s (%[1]s, rank) VALUES ('hashsize', %d)`, table, 1<<20), // FTS5's default, for this connection
		fmt.Sprintf(`DELETE FROM %s_config WHERE k = 'hashsize'`, table),
	} {
		if _, err := g.s.writer.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// TableCount is one table's row count.
type TableCount struct {
	Table string
	Rows  int64
}

// Counts counts the rows of the main tables (for the generator's summary).
func (s *Store) Counts(ctx context.Context) ([]TableCount, error) {
	var out []TableCount
	for _, t := range []string{"users", "banks", "contractors", "cards", "auto_tasks", "transactions", "tasks", "task_comments"} {
		var n int64
		if err := s.reader.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		out = append(out, TableCount{t, n})
	}
	return out, nil
}

type gen struct {
	s        *Store
	o        GenerateOptions
	r        *rand.Rand
	office   pipeline.Office
	progress func(string)
	started  time.Time
	now      time.Time // end of the decade
	from     time.Time // its start

	rows, reported                int64
	nCards, nTasks, nMoney, nStd  int64
	phase                         string
	owners, admins                []int64
	warmers, managers, accountant []int64
	pickWarmer, pickManager       picker
	pickAccountant                picker
	banks, sups                   []int64
	bankBIN                       []string
	supRate                       []int64
	pickBank, pickSup             picker
	inWork                        []genCard

	queue               genQueue // tasks and transactions not yet due, by creation time
	seq                 uint64
	cards, tasks, money *genWriter
	sums                *rollupSums  // the report's rollups of the rows written
	confirms            []genConfirm // the cards' confirmed profits
}

// picker draws an index with fixed weights (a few big banks and suppliers, most small).
type picker []int

func newPicker(n int, weight func(i int) int) picker {
	p := make(picker, n)
	sum := 0
	for i := range p {
		sum += weight(i)
		p[i] = sum
	}
	return p
}

func (p picker) pick(r *rand.Rand) int {
	x := r.IntN(p[len(p)-1])
	return sort.SearchInts(p, x+1)
}

func (g *gen) pickOf(r *rand.Rand, ids []int64, p picker) int64 { return ids[p.pick(r)] }

// add counts written rows and reports every ~100,000.
func (g *gen) add() {
	g.rows++
	if g.rows-g.reported >= genReportRows {
		g.reported = g.rows
		el := time.Since(g.started)
		g.progress(fmt.Sprintf("%s: %d cards, %d auto tasks, %d transactions — %d rows in %s (%.0f rows/s)",
			g.phase, g.nCards, g.nTasks, g.nMoney, g.rows, el.Round(time.Second), float64(g.rows)/el.Seconds()))
	}
}

// ---- people, banks, suppliers ----

var (
	genMaleNames = []string{"Александр", "Алексей", "Андрей", "Антон", "Артём", "Борис", "Вадим", "Валерий", "Василий",
		"Виктор", "Виталий", "Владимир", "Дмитрий", "Евгений", "Егор", "Игорь", "Кирилл", "Константин", "Максим",
		"Михаил", "Никита", "Николай", "Олег", "Павел", "Роман", "Руслан", "Сергей", "Станислав", "Тимур", "Юрий"}
	genFemaleNames = []string{"Александра", "Алина", "Анастасия", "Анна", "Валентина", "Валерия", "Вера", "Виктория",
		"Галина", "Дарья", "Евгения", "Екатерина", "Елена", "Елизавета", "Ирина", "Кристина", "Ксения", "Лариса",
		"Людмила", "Марина", "Мария", "Наталья", "Надежда", "Оксана", "Ольга", "Полина", "Светлана", "София",
		"Татьяна", "Юлия"}
	// Surnames in the masculine form; the feminine adds "а" (all end in -ов, -ев, -ин, -ёв).
	genSurnames = []string{"Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
		"Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
		"Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов",
		"Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев",
		"Королёв", "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов",
		"Медведев", "Антонов", "Тарасов"}
	// Patronymics in the masculine form; the feminine swaps the final "ич" for "на".
	genPatronymics = []string{"Александрович", "Алексеевич", "Андреевич", "Борисович", "Васильевич", "Викторович",
		"Владимирович", "Дмитриевич", "Евгеньевич", "Иванович", "Игоревич", "Константинович", "Михайлович",
		"Николаевич", "Олегович", "Павлович", "Петрович", "Сергеевич", "Юрьевич", "Геннадьевич"}
	genBanks = []string{"Сбербанк", "ВТБ", "Т-Банк", "Альфа-Банк", "Газпромбанк", "Райффайзенбанк", "Россельхозбанк",
		"Совкомбанк", "Промсвязьбанк", "Почта Банк", "МТС Банк", "Росбанк", "Уралсиб", "Банк Открытие", "Хоум Банк",
		"Ак Барс", "Банк Санкт-Петербург", "ОТП Банк", "Ренессанс Банк", "Русский Стандарт", "МКБ", "Юникредит",
		"Ситибанк", "Банк Зенит", "Абсолют Банк", "Локо-Банк", "Экспобанк", "Банк Дом.РФ", "Новикомбанк",
		"Металлинвестбанк", "Свой Банк", "Кредит Европа Банк", "Фора-Банк", "Авангард", "Солидарность",
		"Центр-инвест", "Кубань Кредит", "БКС Банк", "Левобережный", "Примсоцбанк"}
	genFirmWords = []string{"Карт", "Финанс", "Север", "Юг", "Восток", "Запад", "Альфа", "Гарант", "Капитал", "Меридиан",
		"Вектор", "Стандарт", "Прайм", "Инвест", "Партнёр", "Ресурс", "Платина", "Аврора", "Базис", "Импульс"}
	genFirmTails = []string{"Сервис", "Групп", "Консалт", "Плюс", "Трейд", "Холдинг", "Центр", "Проект", "Системс", "Лайн"}
	genComments  = []string{"", "", "", "", "", "Всё штатно", "Созвонились с клиентом", "Сделано с задержкой, клиент не отвечал",
		"Проверено", "Документы в папке", "Клиент просил перезвонить вечером", "Без замечаний"}
	genNotes = []string{"Вход в приложение, проверка баланса", "Перевод между своими счетами", "Оплата мобильной связи",
		"Покупка в продуктовом магазине", "Оплата ЖКХ", "Пополнение через банкомат", "Просмотр выписки",
		"Оплата проезда", "Покупка на маркетплейсе", "Перевод по номеру телефона"}
	genTxComments = []string{"", "", "", "", "", "", "", "", "СБП", "Перевод", "Оплата по счёту", "Снятие наличных", "Повтор"}
)

// person is a plausible Russian full name: surname, name, patronymic.
func person(r *rand.Rand) string {
	sur, pat := genSurnames[r.IntN(len(genSurnames))], genPatronymics[r.IntN(len(genPatronymics))]
	if r.IntN(2) == 0 {
		return sur + " " + genMaleNames[r.IntN(len(genMaleNames))] + " " + pat
	}
	return sur + "а " + genFemaleNames[r.IntN(len(genFemaleNames))] + " " + strings.TrimSuffix(pat, "ич") + "на"
}

// mobile is a Russian mobile number as stored: +79XXXXXXXXX.
func mobile(r *rand.Rand) string {
	return "+79" + fmt.Sprintf("%09d", r.IntN(1_000_000_000))
}

func (g *gen) people(ctx context.Context) error {
	g.phase = "people"
	o, r, t := g.o, g.r, g.from
	e := o.Employees
	roles := map[string]int{"owner": 2, "admin": 3, "accountant": max(1, e/5), "warmer": max(1, e/5)}
	return g.s.InTx(ctx, func(tx *Tx) error {
		names := map[string]bool{}
		for i := 1; i <= e; i++ {
			role := "manager"
			switch {
			case i <= roles["owner"]:
				role = "owner"
			case i <= roles["owner"]+roles["admin"]:
				role = "admin"
			case i <= roles["owner"]+roles["admin"]+roles["accountant"]:
				role = "accountant"
			case i <= roles["owner"]+roles["admin"]+roles["accountant"]+roles["warmer"]:
				role = "warmer"
			}
			name := person(r)
			for names[name] {
				name = person(r)
			}
			names[name] = true
			res, err := tx.Raw.ExecContext(ctx, `INSERT INTO users (login, name, role, phone, password_hash, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, fmt.Sprintf("user%02d", i), name, role, mobile(r), o.PasswordHash, t, t)
			if err != nil {
				return fmt.Errorf("user %d: %w", i, err)
			}
			id, _ := res.LastInsertId()
			switch role {
			case "owner":
				g.owners = append(g.owners, id)
			case "admin":
				g.admins = append(g.admins, id)
			case "accountant":
				g.accountant = append(g.accountant, id)
			case "warmer":
				g.warmers = append(g.warmers, id)
			default:
				g.managers = append(g.managers, id)
			}
		}
		mild := func(i int) int { return 2 + i%3 } // some people carry more cards than others
		g.pickWarmer, g.pickManager, g.pickAccountant = newPicker(len(g.warmers), mild), newPicker(len(g.managers), mild), newPicker(len(g.accountant), mild)
		for i := 0; i < o.Banks; i++ {
			name := genBanks[i%len(genBanks)]
			if i >= len(genBanks) {
				name += " " + strconv.Itoa(i/len(genBanks)+1)
			}
			res, err := tx.Raw.ExecContext(ctx, `INSERT INTO banks (name, created_at, updated_at) VALUES (?, ?, ?)`, name, t, t)
			if err != nil {
				return fmt.Errorf("bank %q: %w", name, err)
			}
			id, _ := res.LastInsertId()
			g.banks = append(g.banks, id)
			// A bank's card numbers start with its BIN: МИР 220…, Visa 4…, Mastercard 5….
			g.bankBIN = append(g.bankBIN, fmt.Sprintf("%s%04d", []string{"22", "42", "55"}[i%3], (i*7919+1234)%10000))
		}
		g.pickBank = newPicker(o.Banks, func(i int) int { return 4*o.Banks/(i+1) + 4 }) // a few big banks
		firms := map[string]bool{}
		for i := 0; i < o.Suppliers; i++ {
			var name string
			for name == "" || firms[name] {
				switch k := r.IntN(10); {
				case k < 3:
					p := person(r)
					f := strings.Fields(p)
					name = "ИП " + f[0] + " " + string([]rune(f[1])[:1]) + ". " + string([]rune(f[2])[:1]) + "."
				default:
					name = []string{"ООО", "ООО", "ООО", "АО"}[r.IntN(4)] + " «" + genFirmWords[r.IntN(len(genFirmWords))] +
						"-" + genFirmTails[r.IntN(len(genFirmTails))] + "»"
				}
				if firms[name] && r.IntN(4) == 0 {
					name += " " + strconv.Itoa(2+r.IntN(9))
				}
			}
			firms[name] = true
			var rate any
			rv := int64(800 + 50*r.IntN(35)) // 8–25 %
			if r.IntN(8) > 0 {
				rate = rv
			}
			res, err := tx.Raw.ExecContext(ctx, `INSERT INTO contractors (name, contact_name, phone, commission_rate, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?)`, name, person(r), mobile(r), rate, t, t)
			if err != nil {
				return fmt.Errorf("supplier %q: %w", name, err)
			}
			id, _ := res.LastInsertId()
			g.sups = append(g.sups, id)
			g.supRate = append(g.supRate, rv)
		}
		g.pickSup = newPicker(o.Suppliers, func(i int) int { return 4*o.Suppliers/(i+1) + 4 })
		g.rows += int64(e + o.Banks + o.Suppliers)
		return nil
	})
}

// ---- cards ----

// genCard is one card's whole story, decided before it is written.
type genCard struct {
	number, last4, contact, phone string
	bank, supplier                int
	warmer, manager, accountant   int64
	rate                          int64
	warmingDays, every, warmings  int
	created                       time.Time
	enter                         [11]time.Time // enter[s]: entered stage s; enter[10]: worked out
	stage                         int           // current stage (in work) or 0 (archived)
	archivedAt                    time.Time
	rolls                         int // stage 8 «no answer yet» rolls
	moneyRows                     int // transactions to write
	openStatus                    string
	decisionNo                    bool
	admin                         int64 // who archived / corrected
	stageTasks, warmingTasks      int
}

// luhnComplete appends the check digit that makes body a valid card number.
func luhnComplete(body []byte) string {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		n := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 { // doubled: every second digit from the check digit's left neighbour
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return string(append(body, byte('0'+(10-sum%10)%10)))
}

// cardNumber is card k's number: the bank's BIN, an account part that is a
// bijection of k (so every generated number is unique), and the Luhn digit.
// One in ten is a 19-digit number.
func (g *gen) cardNumber(k int, bank int, long bool) string {
	b := make([]byte, 0, 19)
	b = append(b, g.bankBIN[bank]...)
	if long {
		const m = 1_000_000_000_000
		v := (uint64(k)*824_633_720_837 + 271_828_182_845) % m // odd, not a multiple of 5: a permutation mod 10^12
		b = strconv.AppendUint(b, v+m, 10)
		b = append(b[:6], b[7:]...) // drop the leading 1 of v+m (zero padding)
	} else {
		const m = 1_000_000_000
		v := (uint64(k)*738_219_371 + 12_345_677) % m
		b = strconv.AppendUint(b, v+m, 10)
		b = append(b[:6], b[7:]...)
	}
	return luhnComplete(b)
}

func (g *gen) newCard(r *rand.Rand, k int, created time.Time) genCard {
	c := genCard{created: created, admin: g.admins[r.IntN(len(g.admins))]}
	c.bank, c.supplier = g.pickBank.pick(r), g.pickSup.pick(r)
	c.number = g.cardNumber(k, c.bank, r.IntN(10) == 0)
	c.last4 = c.number[len(c.number)-4:]
	c.contact = person(r)
	if r.IntN(30) > 0 {
		c.phone = mobile(r)
	}
	c.warmer = g.pickOf(r, g.warmers, g.pickWarmer)
	c.manager = g.pickOf(r, g.managers, g.pickManager)
	c.accountant = g.pickOf(r, g.accountant, g.pickAccountant)
	c.rate = g.supRate[c.supplier]
	if r.IntN(5) == 0 {
		c.rate = int64(800 + 50*r.IntN(35))
	}
	c.openStatus = "new"
	return c
}

// setWarming gives the card n warming tasks (0–90): warming days and their step.
func (c *genCard) setWarming(r *rand.Rand, n int) {
	n = min(max(n, 0), 90)
	c.warmings, c.every, c.warmingDays = n, 1, max(n, 1)
	if n > 0 && n <= 45 && r.IntN(5) == 0 {
		c.every, c.warmingDays = 2, 2*n-r.IntN(2) // ceil(days/2) = n
	}
	if n == 0 {
		c.warmingDays, c.every = 1+r.IntN(3), 30 // no budget for warming tasks
	}
}

// hours is a random duration between lo and hi hours.
func hours(r *rand.Rand, lo, hi int) time.Duration {
	return time.Duration(lo)*time.Hour + time.Duration(r.Int64N(int64(hi-lo)*int64(time.Hour)))
}

// officeHour is a moment of the working day (10:00–18:00 office time) on t's office date plus days.
func (g *gen) officeHour(r *rand.Rand, t time.Time, days int) time.Time {
	d := g.office.Day(t).AddDate(0, 0, days)
	return d.Add(10*time.Hour + time.Duration(r.Int64N(int64(8*time.Hour)))).UTC().Truncate(time.Second)
}

// walk decides when the card entered each stage up to last (and, for last = 10, when it was worked out).
func (g *gen) walk(r *rand.Rand, c *genCard, last int) {
	t := c.created.Add(hours(r, 1, 72))
	for s := 1; s <= last; s++ {
		c.enter[s] = t.Truncate(time.Second)
		if s == last {
			break
		}
		switch s {
		case 3: // the warming period, completed on its last day or a bit later
			t = g.officeHour(r, t, c.warmingDays+r.IntN(2))
		case 6: // processing
			t = t.Add(hours(r, 48, 14*24))
		case 8: // waiting for the bank, rolled daily
			c.rolls = 3 + r.IntN(30)
			t = g.officeHour(r, t, c.rolls)
		default:
			t = t.Add(hours(r, 1, 36))
		}
	}
}

// planInWork decides the cards in work up front (their rows count toward the
// auto-task budget). They were registered in the last months; their current
// stage was entered recently, so their open tasks are partly overdue.
func (g *gen) planInWork() {
	r := rand.New(rand.NewPCG(g.o.Seed, 2))
	n := g.o.InWork
	g.inWork = make([]genCard, n)
	for i := range g.inWork {
		c := g.newCard(r, g.o.Archived+i, g.now)
		c.stage = i%9 + 1
		wd := 3 + r.IntN(12)
		c.setWarming(r, wd)
		g.walk(r, &c, c.stage)
		// Shift the story so the current stage was entered a little before now.
		var ago time.Duration
		switch c.stage {
		case 3:
			ago = hours(r, 1, (c.warmingDays+1)*24)
		case 8:
			ago = hours(r, 1, 30*24)
		default:
			ago = hours(r, 1, 3*24)
		}
		// By whole office days, wall clock kept: each stage keeps its office dates
		// relative to the others, so stage 3 still ends on or after its period's last day.
		days := int(math.Floor(g.now.Add(-ago).Sub(c.enter[c.stage]).Hours() / 24))
		shift := func(t time.Time) time.Time { return t.In(g.office.Loc).AddDate(0, 0, days).UTC().Truncate(time.Second) }
		c.created = shift(c.created)
		for s := 1; s <= c.stage; s++ {
			c.enter[s] = shift(c.enter[s])
		}
		if c.stage == 8 {
			c.rolls = int(g.office.Day(g.now).Sub(g.office.Day(c.enter[8])).Hours()+12) / 24
		}
		if r.IntN(3) == 0 {
			c.openStatus = "in_progress"
		}
		c.stageTasks = c.stage
		switch {
		case c.stage > 3:
			c.warmingTasks = c.warmings
		case c.stage == 3:
			days := int(g.office.Day(g.now).Sub(g.office.Day(c.enter[3])).Hours()+12) / 24
			c.warmingTasks = min(c.warmings, days/c.every+1)
		}
		g.inWork[i] = c
	}
	slices.SortStableFunc(g.inWork, func(a, b genCard) int { return a.created.Compare(b.created) })
}

// share splits total over n cards: equal parts, with paired jitter (card 2k gets
// +j, card 2k+1 gets −j) so the sum stays exact, and no part below lo.
func share(total, n, i, lo, jitter int) int {
	if n == 0 {
		return 0
	}
	base, v := total/n, total/n
	if i < total%n {
		v++
	}
	if j := min(jitter, base-lo); j > 0 && !(n%2 == 1 && i == n-1) {
		h := uint64(i/2)*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019
		h ^= h >> 29
		d := int(h%uint64(2*j+1)) - j
		if i%2 == 0 {
			v += d
		} else {
			v -= d
		}
	}
	return max(v, lo)
}

// ---- the time-ordered queue of tasks and transactions ----

// genTask is an auto_tasks row; zero times and ids are NULL.
type genTask struct {
	card, assignee, doneBy             int64
	stage, rolls                       int
	kind, status, fields               string
	deadline, created, started, doneAt time.Time
	confirm                            *genConfirm
}

// genMoney is a transactions row, with its card's bank, supplier and manager (the report's keys).
type genMoney struct {
	card, by                      int64
	day, comment                  string
	amount, rate, commission, net int64
	created                       time.Time
	keys                          genKeys
}

// genKeys are a card's bank, supplier and manager: the report's breakdowns.
type genKeys struct{ bank, supplier, manager int64 }

// genConfirm is a card's confirmed profit (card_confirmations): its stage-8 answer,
// recorded when that task is written and its id known.
type genConfirm struct {
	card, task int64
	day        string
	amount     int64
	keys       genKeys
}

type genItem struct {
	at    time.Time
	seq   uint64
	task  *genTask
	money *genMoney
}

type genQueue []genItem

func (q genQueue) Len() int { return len(q) }
func (q genQueue) Less(i, j int) bool {
	if c := q[i].at.Compare(q[j].at); c != 0 {
		return c < 0
	}
	return q[i].seq < q[j].seq
}
func (q genQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *genQueue) Push(x any)   { *q = append(*q, x.(genItem)) }
func (q *genQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

func (g *gen) pushTask(t *genTask) {
	g.seq++
	heap.Push(&g.queue, genItem{at: t.created, seq: g.seq, task: t})
}

func (g *gen) pushMoney(m *genMoney) {
	g.seq++
	heap.Push(&g.queue, genItem{at: m.created, seq: g.seq, money: m})
}

func null[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

// next writes the next row of the queue.
func (g *gen) next() error {
	it := heap.Pop(&g.queue).(genItem)
	if t := it.task; t != nil {
		g.nTasks++
		g.add()
		id := g.nTasks // the table was empty
		if t.kind == "stage" {
			a := db.AutoTask{Stage: int64(t.stage), AssigneeID: t.assignee, Status: t.status, Deadline: t.deadline, CreatedAt: t.created}
			if !t.doneAt.IsZero() {
				a.DoneAt = &t.doneAt
			}
			g.sums.addTask(a)
		}
		if f := t.confirm; f != nil {
			f.task = id
			g.confirms = append(g.confirms, *f)
			g.sums.addMoney(moneyDelta{day: f.day, bank: f.keys.bank, supplier: f.keys.supplier, manager: f.keys.manager,
				confirmedN: 1, confirmed: f.amount})
		}
		return g.tasks.add(id, t.card, t.stage, t.kind, t.assignee, t.status, t.deadline, t.rolls, t.fields,
			t.created, null(t.started), null(t.doneAt), null(t.doneBy))
	}
	m := it.money
	g.nMoney++
	g.add()
	g.sums.addMoney(moneyDelta{day: m.day, bank: m.keys.bank, supplier: m.keys.supplier, manager: m.keys.manager,
		txN: 1, amount: m.amount, commission: m.commission, net: m.net})
	return g.money.add(g.nMoney, m.card, m.day, m.amount, m.rate, m.commission, m.net, m.comment, m.by, m.created)
}

// until writes the queued rows created up to t.
func (g *gen) until(t time.Time) error {
	for len(g.queue) > 0 && !g.queue[0].at.After(t) {
		if err := g.next(); err != nil {
			return err
		}
	}
	return nil
}

// ---- the decade ----

// decade writes the cards with their tasks and transactions.
func (g *gen) decade(ctx context.Context) error {
	return g.load(ctx, func(w map[*genTable]*genWriter) error {
		g.cards, g.tasks, g.money = w[genCardsTable], w[genTasksTable], w[genMoneyTable]
		return g.produceDecade()
	}, genCardsTable, genTasksTable, genMoneyTable)
}

func (g *gen) produceDecade() error {
	o := g.o
	inWorkTasks, inWorkMoneyCards := 0, 0
	for _, c := range g.inWork {
		inWorkTasks += c.stageTasks + c.warmingTasks
		if c.stage >= 7 {
			inWorkMoneyCards++
		}
	}
	warmBudget := max(0, o.AutoTasks-9*o.Archived-inWorkTasks)
	moneyCards := o.Archived + inWorkMoneyCards
	moneyLo := 0 // every card that reached stage 6 has a transaction, when there are enough
	if moneyCards > 0 && o.Transactions >= moneyCards {
		moneyLo = 1
	}
	g.progress(fmt.Sprintf("plan: %d archived cards (%d stage tasks, %d warming tasks), %d in work (%d tasks), %d transactions over %d cards",
		o.Archived, 9*o.Archived, warmBudget, o.InWork, inWorkTasks, o.Transactions, moneyCards))
	k := o.Archived // the in-work cards' share of the transactions follows the archived cards'
	for i := range g.inWork {
		if c := &g.inWork[i]; c.stage >= 7 {
			c.moneyRows = share(o.Transactions, moneyCards, k, moneyLo, 4)
			k++
		}
	}

	// Archived cards were registered evenly over the decade (the last one months
	// before now), each walked through all nine stages and archived some days after.
	// The cards in work came after them.
	span := g.now.Sub(g.from) - 150*24*time.Hour
	gap := span / time.Duration(max(o.Archived, 1))
	i, n := 0, o.Archived+len(g.inWork)
	g.phase = "archive"
	for ; i < n; i++ {
		var c genCard
		r := g.r
		if i < o.Archived {
			created := g.from.Add(gap * time.Duration(i)).Add(time.Duration(r.Int64N(int64(gap)))).Truncate(time.Second)
			c = g.newCard(r, i, created)
			c.setWarming(r, share(warmBudget, o.Archived, i, 0, 3))
			g.walk(r, &c, 10)
			c.archivedAt = c.enter[10].Add(hours(r, 1, 14*24)).Truncate(time.Second)
			c.moneyRows = share(o.Transactions, moneyCards, i, moneyLo, 4)
			c.decisionNo = r.IntN(12) == 0
		} else {
			g.phase = "in work"
			c = g.inWork[i-o.Archived]
		}
		if err := g.until(c.created); err != nil {
			return err
		}
		if err := g.card(r, &c); err != nil {
			return err
		}
	}
	g.phase = "the rest of the tasks"
	for len(g.queue) > 0 {
		if err := g.next(); err != nil {
			return err
		}
	}
	return nil
}

// card writes the card and queues its tasks and transactions.
func (g *gen) card(r *rand.Rand, c *genCard) error {
	last := 9 // archived: every stage done
	lifecycle, version := "archived", 12+r.IntN(3)
	var stage, entered, archived any
	updated := c.archivedAt
	if c.stage > 0 {
		last, lifecycle, version = c.stage, "in_work", 1+c.stage
		stage, entered, updated = c.stage, c.enter[c.stage], c.enter[c.stage]
	} else {
		archived = c.archivedAt
	}
	notes := ""
	if r.IntN(10) == 0 {
		notes = genComments[5+r.IntN(len(genComments)-5)]
	}
	g.nCards++
	g.add()
	id := g.nCards // the table was empty
	if err := g.cards.add(id, c.number, c.last4, g.banks[c.bank], g.sups[c.supplier], c.contact, c.phone,
		c.warmer, c.manager, c.accountant, c.rate, c.warmingDays, c.every, notes, lifecycle, stage, entered,
		version, c.admin, c.created, updated, archived); err != nil {
		return err
	}
	var net money.Kopecks
	for s := 1; s <= last; s++ {
		g.stageTask(r, c, id, s, net)
		if s == 3 {
			g.warmingTasks(r, c, id)
		}
		if s == 6 && s < last {
			net = g.transactions(r, c, id)
		}
	}
	return nil
}

func (g *gen) keysOf(c *genCard) genKeys {
	return genKeys{g.banks[c.bank], g.sups[c.supplier], c.manager}
}

// slotOf is who does a stage: the card's manager, accountant or warmer.
func (c *genCard) slotOf(s int) int64 {
	d, _ := pipeline.Get(pipeline.Stage(s))
	switch d.Slot {
	case pipeline.Warmer:
		return c.warmer
	case pipeline.Accountant:
		return c.accountant
	}
	return c.manager
}

// jsonFields writes key/value pairs as a JSON object (plain text; empty values left out).
func jsonFields(kv ...string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(kv[i]))
		b.WriteByte(':')
		b.WriteString(strconv.Quote(kv[i+1]))
	}
	b.WriteByte('}')
	return b.String()
}

// stageFields is a plausible completed form of stage s, done at t (profit: the card's net).
func (g *gen) stageFields(r *rand.Rand, c *genCard, s int, t time.Time, profit money.Kopecks) string {
	day := g.office.Today(t)
	comment := genComments[r.IntN(len(genComments))]
	switch pipeline.Stage(s) {
	case pipeline.WarmupTopup:
		return jsonFields("amount", strconv.Itoa((1000+500*r.IntN(9))*100), "done_on", day,
			"warming_days", strconv.Itoa(c.warmingDays), "warming_every_days", strconv.Itoa(c.every), "comment", comment)
	case pipeline.Warming:
		if r.IntN(10) == 0 {
			return jsonFields("result", "remarks", "comment", "Банк запросил подтверждение личности")
		}
		return jsonFields("result", "ok", "comment", comment)
	case pipeline.AccessTakeback:
		return jsonFields("done_on", day, "confirmed", "1", "comment", comment)
	case pipeline.WorkTopup:
		return jsonFields("amount", strconv.Itoa((20_000+5_000*r.IntN(37))*100), "done_on", day, "comment", comment)
	case pipeline.BankApplication:
		return jsonFields("done_on", day, "reference", fmt.Sprintf("Заявление № %d-%02d", 100+r.IntN(9900), r.IntN(100)), "comment", comment)
	case pipeline.BankWait:
		if c.decisionNo {
			return jsonFields("answered", "yes", "answered_on", day, "decision", "negative", "confirmed_amount", "0", "comment", comment)
		}
		return jsonFields("answered", "yes", "answered_on", day, "decision", "positive",
			"confirmed_amount", strconv.FormatInt(int64(profit), 10), "comment", comment)
	}
	return jsonFields("done_on", day, "comment", comment) // stages 1, 6, 9
}

// stageTask queues the task of stage s: done with its form, or the card's open one.
func (g *gen) stageTask(r *rand.Rand, c *genCard, cardID int64, s int, profit money.Kopecks) {
	t := &genTask{card: cardID, stage: s, kind: "stage", assignee: c.slotOf(s), status: "done", fields: "{}",
		created: c.enter[s], deadline: g.office.Deadline(pipeline.Stage(s), c.enter[s], c.warmingDays)}
	if s == 8 && c.rolls > 0 {
		t.rolls, t.deadline = c.rolls, g.office.EndOfDay(c.enter[8], c.rolls)
	}
	if s == c.stage { // open
		t.status = c.openStatus
		if t.status == "in_progress" {
			t.started = t.created.Add(hours(r, 0, 4)).Truncate(time.Second)
		}
	} else {
		end := c.enter[s+1]
		if r.IntN(2) == 0 {
			t.started = t.created.Add(time.Duration(r.Int64N(int64(end.Sub(t.created))/2 + 1))).Truncate(time.Second)
		}
		t.doneAt, t.doneBy = end, t.assignee
		if r.IntN(25) == 0 {
			t.doneBy = c.admin
		}
		t.fields = g.stageFields(r, c, s, end, profit)
		if s == 8 && (c.stage == 0 || c.stage == 9) { // the answer stands: confirmed (0 for «no»)
			t.confirm = &genConfirm{card: cardID, day: g.office.Today(end), keys: g.keysOf(c)}
			if !c.decisionNo {
				t.confirm.amount = int64(profit)
			}
		}
	}
	g.pushTask(t)
}

// warmingTasks queues the scheduler's tasks of stage 3, one per step of the
// warming period, created at the start of each due day; a card in stage 3 has
// today's still open.
func (g *gen) warmingTasks(r *rand.Rand, c *genCard, cardID int64) {
	n := c.warmings
	if c.stage == 3 {
		n = c.warmingTasks
	}
	day0 := g.office.Day(c.enter[3])
	for j := 0; j < n; j++ {
		day := day0.AddDate(0, 0, j*c.every)
		t := &genTask{card: cardID, stage: 3, kind: "warming", assignee: c.warmer, status: "done", fields: "{}",
			created: day.Add(9 * time.Hour).UTC(), deadline: g.office.EndOfDay(day, 0)}
		if t.created.Before(c.enter[3]) {
			t.created = c.enter[3]
		}
		switch {
		case c.stage == 3 && j == n-1: // today's, still open
			t.status = "new"
		case c.stage != 3 && j == n-1 && r.IntN(6) == 0: // left open, cancelled when the stage was completed
			t.status, t.doneAt, t.doneBy = "cancelled", c.enter[4], c.slotOf(3)
		default:
			t.doneAt, t.doneBy = g.officeHour(r, day, 0), c.warmer
			if !t.doneAt.After(t.created) {
				t.doneAt = t.created.Add(time.Minute)
			}
			t.fields = jsonFields("note", genNotes[r.IntN(len(genNotes))])
		}
		g.pushTask(t)
	}
}

// transactions queues the card's processing (stage 6) rows, dated within the
// stage, and returns their net total.
func (g *gen) transactions(r *rand.Rand, c *genCard, cardID int64) money.Kopecks {
	from, to := c.enter[6], c.enter[7]
	var net money.Kopecks
	step := to.Sub(from) / time.Duration(c.moneyRows+1)
	for j := 0; j < c.moneyRows; j++ {
		at := from.Add(step*time.Duration(j+1) + time.Duration(r.Int64N(int64(step)/2+1))).Truncate(time.Second)
		amount := money.Kopecks((500 + r.IntN(150_000)) * 100)
		if r.IntN(3) == 0 {
			amount += money.Kopecks(r.IntN(100))
		}
		rate := c.rate
		if r.IntN(15) == 0 {
			rate = int64(500 + 50*r.IntN(40))
		}
		t := money.LineTotals(money.Line{Amount: amount, Rate: money.Rate(rate)})
		net += t.Net
		g.pushMoney(&genMoney{card: cardID, day: g.office.Today(at), amount: int64(amount), rate: rate,
			commission: int64(t.Commission), net: int64(t.Net), comment: genTxComments[r.IntN(len(genTxComments))],
			by: c.manager, created: at.Add(hours(r, 0, 3)).Truncate(time.Second), keys: g.keysOf(c)})
	}
	return net
}
