package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"kartoteka/app/money"
	"kartoteka/app/pipeline"
	"kartoteka/store/db"
)

// BenchmarkBig measures the SPEC section 10 pages on a generated database
// (`kartoteka generate --db PATH`): the archive with each filter, a few pairs and a
// deep page; «Автозадачи» with each filter; the tracker's queries. Each query
// reports its median and 95th percentile in milliseconds; -v logs the plans.
// Skipped unless KARTOTEKA_BENCH_DB names the file (the server must not hold it).
//
//	KARTOTEKA_BENCH_DB=/tmp/office.db go test ./store/ -run XXX -bench Big -benchtime 40x -v
func BenchmarkBig(b *testing.B) {
	ctx := context.Background()
	s := benchStore(b)
	r := s.Reader()

	// A card from the middle of the archive supplies the typed values and the people.
	var c seedCard
	if err := r.QueryRow(`SELECT id, number, last4, contact_name, contact_phone, bank_id, supplier_id, warmer_id, manager_id, accountant_id
		FROM cards WHERE lifecycle = 'archived' AND contact_phone <> '' AND id >= (SELECT MAX(id) / 2 FROM cards) ORDER BY id LIMIT 1`).
		Scan(&c.id, &c.number, &c.last4, &c.contact, &c.phone, &c.bank, &c.supplier, &c.warmer, &c.manager, &c.accountant); err != nil {
		b.Fatal(err)
	}
	// The biggest bank and supplier are the slowest equality filters (most rows to count).
	biggest := func(col string) int64 {
		var id int64
		if err := r.QueryRow(`SELECT ` + col + ` FROM cards WHERE lifecycle = 'archived' GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1`).Scan(&id); err != nil {
			b.Fatal(err)
		}
		return id
	}
	bigBank, bigSup := biggest("bank_id"), biggest("supplier_id")
	var archived int64
	if err := r.QueryRow(`SELECT COUNT(*) FROM cards WHERE lifecycle = 'archived'`).Scan(&archived); err != nil {
		b.Fatal(err)
	}
	first := strings.Fields(c.contact)[1] // a first name: thousands of matches
	b.Logf("sample card %d %s %q %s; bank %d, supplier %d; %d archived", c.id, c.number, c.contact, c.phone, bigBank, bigSup, archived)

	type archCase struct {
		name string
		f    ArchiveFilter
	}
	archive := []archCase{
		{"none", ArchiveFilter{}},
		{"number_last4", ArchiveFilter{Number: c.last4}},
		{"number_full", ArchiveFilter{Number: c.number}},
		{"number_part", ArchiveFilter{Number: c.number[5:11]}},
		{"contact_name_first", ArchiveFilter{Contact: first}},
		{"contact_name_full", ArchiveFilter{Contact: c.contact}},
		{"contact_surname", ArchiveFilter{Contact: strings.Fields(c.contact)[0]}},
		{"contact_name_part", ArchiveFilter{Contact: "ова"}},
		{"contact_phone", ArchiveFilter{Contact: c.phone[5:12]}},
		{"bank_biggest", ArchiveFilter{BankID: bigBank}},
		{"supplier_biggest", ArchiveFilter{SupplierID: bigSup}},
		{"warmer", ArchiveFilter{WarmerID: c.warmer}},
		{"manager", ArchiveFilter{ManagerID: c.manager}},
		{"accountant", ArchiveFilter{AccountID: c.accountant}},
		{"bank+manager", ArchiveFilter{BankID: bigBank, ManagerID: c.manager}},
		{"supplier+warmer", ArchiveFilter{SupplierID: bigSup, WarmerID: c.warmer}},
		{"last4+bank", ArchiveFilter{Number: c.last4, BankID: c.bank}},
		{"contact+bank", ArchiveFilter{Contact: first, BankID: bigBank}},
		{"contact+supplier", ArchiveFilter{Contact: first, SupplierID: bigSup}},
		{"number_3+contact", ArchiveFilter{Number: "123", Contact: first}},
		{"number_5+contact", ArchiveFilter{Number: c.number[3:8], Contact: first}},
		{"all_five_ids", ArchiveFilter{BankID: c.bank, SupplierID: c.supplier, WarmerID: c.warmer, ManagerID: c.manager, AccountID: c.accountant}},
		{"only_user", ArchiveFilter{OnlyUser: c.manager}},
		{"only_user_warmer", ArchiveFilter{OnlyUser: c.warmer}},
		{"only_user+bank", ArchiveFilter{OnlyUser: c.manager, BankID: bigBank}},
		{"only_user+contact", ArchiveFilter{OnlyUser: c.manager, Contact: first}},
		{"only_user+last4", ArchiveFilter{OnlyUser: c.manager, Number: c.last4}},
		{"only_user_deep_page", ArchiveFilter{OnlyUser: c.manager, Offset: 20_000}},
		{"deep_page", ArchiveFilter{Offset: int(archived / 2)}},
		{"last_page", ArchiveFilter{Offset: int(archived) - 25}},
		{"bank_deep_page", ArchiveFilter{BankID: bigBank, Offset: 10_000}},
		{"contact_ova+bank", ArchiveFilter{Contact: "ова", BankID: bigBank}},
		{"contact_ova+bank_deep", ArchiveFilter{Contact: "ова", BankID: bigBank, Offset: 5000}},
		{"seven_broad", ArchiveFilter{Number: "123", Contact: "ова", BankID: bigBank, SupplierID: bigSup, WarmerID: c.warmer, ManagerID: c.manager, AccountID: c.accountant}},
		{"only_user+contact_ova", ArchiveFilter{OnlyUser: c.manager, Contact: "ова"}},
		{"number_3", ArchiveFilter{Number: "123"}},
	}
	for _, a := range archive {
		p, err := s.Archive(ctx, a.f)
		if errors.Is(err, ErrTooBroad) { // a measured result: the budget stopped it
			b.Logf("archive %-18s REFUSED: %v", a.name, err)
			continue
		}
		if err != nil {
			b.Fatalf("%s: %v", a.name, err)
		}
		cplan, _ := s.ArchivePlan(ctx, a.f)
		aq, err := s.archiveQuery(ctx, a.f)
		if err != nil {
			b.Fatal(err)
		}
		pq, pargs := aq.page(false)
		b.Logf("archive %-18s %7d rows | count: %s | page: %s", a.name, p.Filtered,
			strings.ReplaceAll(strings.TrimSpace(cplan), "\n", "; "),
			strings.ReplaceAll(strings.TrimSpace(plan(b, s, pq, append(pargs, 25, a.f.Offset)...)), "\n", "; "))
	}
	for _, a := range archive {
		timed(b, "archive/"+a.name, func() error { _, err := s.Archive(ctx, a.f); return err })
	}

	now := time.Now().UTC()
	monthAgo, yearsAgo := now.AddDate(0, -1, 0), now.AddDate(-5, 0, 0)
	yearsAgoEnd, yearAfter, future := yearsAgo.AddDate(0, 1, 0), yearsAgo.AddDate(1, 0, 0), now.AddDate(0, 3, 0)
	var owner, firstNew int64
	if err := r.QueryRow(`SELECT MIN(id) FROM users WHERE role = 'owner'`).Scan(&owner); err != nil {
		b.Fatal(err)
	}
	if err := r.QueryRow(`SELECT id FROM auto_tasks WHERE status = 'new' ORDER BY id LIMIT 1 OFFSET 20`).Scan(&firstNew); err != nil {
		b.Fatal(err)
	}
	var midTask int64
	if err := r.QueryRow(`SELECT MAX(id) / 2 FROM auto_tasks`).Scan(&midTask); err != nil {
		b.Fatal(err)
	}
	// Another manager and another warmer than the seed card's: people who share no
	// card (or few) with it, picked by a warmer or manager as the assignee.
	var otherManager, otherWarmer int64
	if err := r.QueryRow(`SELECT (SELECT id FROM users WHERE role = 'manager' AND id <> ? ORDER BY id LIMIT 1),
		(SELECT id FROM users WHERE role = 'warmer' AND id <> ? ORDER BY id LIMIT 1)`, c.manager, c.warmer).Scan(&otherManager, &otherWarmer); err != nil {
		b.Fatal(err)
	}
	tasks := []struct {
		name string
		f    AutoTaskFilter
	}{
		{"none", AutoTaskFilter{}},
		{"card", AutoTaskFilter{CardID: c.id}},
		{"stage", AutoTaskFilter{Stage: 6}},
		{"assignee", AutoTaskFilter{AssigneeID: c.manager}},
		{"status_overdue", AutoTaskFilter{Status: "overdue"}},
		{"status_open", AutoTaskFilter{Status: "open"}},
		{"status_cancelled", AutoTaskFilter{Status: "cancelled"}},
		{"period_last_month", AutoTaskFilter{From: &monthAgo, To: &now}},
		{"period_5y_ago", AutoTaskFilter{From: &yearsAgo, To: &yearsAgoEnd}},
		{"period_year_5y_ago", AutoTaskFilter{From: &yearsAgo, To: &yearAfter}},
		{"until_5y_ago", AutoTaskFilter{To: &yearsAgo}},
		{"since_5y_ago", AutoTaskFilter{From: &yearsAgo}},
		{"period_future", AutoTaskFilter{From: &now, To: &future}},
		{"stage+assignee", AutoTaskFilter{Stage: 3, AssigneeID: c.warmer}},
		{"assignee+overdue", AutoTaskFilter{AssigneeID: c.manager, Status: "overdue"}},
		{"assignee+period_5y", AutoTaskFilter{AssigneeID: c.manager, From: &yearsAgo, To: &yearsAgoEnd}},
		{"only_user", AutoTaskFilter{OnlyUser: c.manager}},
		{"only_user+stage", AutoTaskFilter{OnlyUser: c.manager, Stage: 9}},
		{"only_user+period_5y", AutoTaskFilter{OnlyUser: c.manager, From: &yearsAgo, To: &yearsAgoEnd}},
		{"only_user_no_cards", AutoTaskFilter{OnlyUser: owner}},
		{"only_user+self", AutoTaskFilter{OnlyUser: c.manager, AssigneeID: c.manager}},
		{"only_user+other_manager", AutoTaskFilter{OnlyUser: c.manager, AssigneeID: otherManager}},
		{"only_user+other_mgr+stage", AutoTaskFilter{OnlyUser: c.manager, AssigneeID: otherManager, Stage: 6}},
		{"only_user+warmer", AutoTaskFilter{OnlyUser: c.manager, AssigneeID: c.warmer}},
		{"only_user+warmer+stage9", AutoTaskFilter{OnlyUser: c.manager, AssigneeID: c.warmer, Stage: 9}},
		{"only_user+other_warmer", AutoTaskFilter{OnlyUser: c.manager, AssigneeID: otherWarmer}},
		{"warmer+other_warmer", AutoTaskFilter{OnlyUser: c.warmer, AssigneeID: otherWarmer}},
		{"warmer+manager", AutoTaskFilter{OnlyUser: c.warmer, AssigneeID: c.manager}},
		{"warmer+other_manager", AutoTaskFilter{OnlyUser: c.warmer, AssigneeID: otherManager}},
		{"warmer+owner+period_5y", AutoTaskFilter{OnlyUser: c.warmer, AssigneeID: owner, From: &yearsAgo, To: &yearAfter}},
		{"status_new_last_page", AutoTaskFilter{Status: "new", BeforeID: firstNew}},
		{"next_page_mid", AutoTaskFilter{BeforeID: midTask}},
		{"stage_next_page_mid", AutoTaskFilter{Stage: 6, BeforeID: midTask}},
		{"stage3+manager", AutoTaskFilter{Stage: 3, AssigneeID: c.manager}},
		{"stage8+overdue", AutoTaskFilter{Stage: 8, Status: "overdue"}},
		{"stage9+cancelled", AutoTaskFilter{Stage: 9, Status: "cancelled"}},
		{"to_5y_ago", AutoTaskFilter{To: &yearsAgo}},
		{"period_5y_wide", AutoTaskFilter{From: &yearsAgo, To: &now}},
		{"assignee+cancelled", AutoTaskFilter{AssigneeID: c.warmer, Status: "cancelled"}},
		{"owner+period_5y", AutoTaskFilter{AssigneeID: owner, From: &yearsAgo, To: &yearAfter}},
	}
	for _, t := range tasks {
		t.f.Now = now
		rows, _, err := s.AutoTasks(ctx, t.f)
		if err != nil {
			b.Fatalf("%s: %v", t.name, err)
		}
		plan, err := s.AutoTasksPlan(ctx, t.f)
		if err != nil {
			b.Fatalf("%s: %v", t.name, err)
		}
		b.Logf("autotasks %-20s %2d rows | %s", t.name, len(rows), strings.ReplaceAll(strings.TrimSpace(plan), "\n", "; "))
	}
	for _, t := range tasks {
		t.f.Now = now
		timed(b, "autotasks/"+t.name, func() error { _, _, err := s.AutoTasks(ctx, t.f); return err })
	}

	var mgr int64
	if err := r.QueryRow(`SELECT assignee_id FROM auto_tasks WHERE status IN ('new', 'in_progress') GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1`).Scan(&mgr); err != nil {
		b.Fatal(err)
	}
	timed(b, "tracker/stage_counts", func() error { _, err := s.TrackerCounts(ctx, nil); return err })
	timed(b, "tracker/stage_counts_user", func() error { _, err := s.TrackerCounts(ctx, &mgr); return err })
	// What the tracker reads: one page of a stage (most urgent first); the old
	// whole-stage query for comparison.
	timed(b, "tracker/stage6", func() error { _, err := s.TrackerPage(ctx, 6, nil, 200, 0); return err })
	timed(b, "tracker/stage3_warming", func() error { _, err := s.TrackerPage(ctx, 3, nil, 200, 0); return err })
	// Stage 3 as the tracker reads it: a page of cards, each with its warming tasks.
	timed(b, "tracker/stage3_cards", func() error { _, err := s.TrackerCardsPage(ctx, 3, nil, 200, 0); return err })
	timed(b, "tracker/stage3_cards_page5", func() error { _, err := s.TrackerCardsPage(ctx, 3, nil, 200, 800); return err })
	timed(b, "tracker/stage3_page5", func() error { _, err := s.TrackerPage(ctx, 3, nil, 200, 800); return err })
	timed(b, "tracker/stage3_user", func() error { _, err := s.TrackerPage(ctx, 3, &mgr, 200, 0); return err })
	timed(b, "tracker/stage3_whole_stage_before", func() error {
		_, err := s.Q.AutoTaskTracker(ctx, db.AutoTaskTrackerParams{Stage: 3})
		return err
	})
	timed(b, "tracker/user_counts", func() error {
		_, err := s.Q.AutoTaskUserCounts(ctx, db.AutoTaskUserCountsParams{Now: now, AssigneeID: mgr})
		return err
	})
	timed(b, "tracker/page", func() error { // what /tracker runs: the counts, one stage's page, the user's counters
		if _, err := s.TrackerCounts(ctx, nil); err != nil {
			return err
		}
		if _, err := s.TrackerPage(ctx, 6, nil, 200, 0); err != nil {
			return err
		}
		_, err := s.Q.AutoTaskUserCounts(ctx, db.AutoTaskUserCountsParams{Now: now, AssigneeID: mgr})
		return err
	})

}

// timed runs fn as a sub-benchmark and reports its median and 95th percentile,
// wall-clock and CPU time of the process (on a shared machine the wall clock is
// mostly waiting for a core).
func timed(b *testing.B, name string, fn func() error) {
	b.Run(name, func(b *testing.B) {
		var took, cpu []time.Duration
		refused := 0
		for b.Loop() {
			t, c := time.Now(), cpuTime()
			if err := fn(); errors.Is(err, ErrTooBroad) {
				refused++ // the query budget stopped it: timed like an answer, and counted
			} else if err != nil {
				b.Fatal(err)
			}
			took, cpu = append(took, time.Since(t)), append(cpu, cpuTime()-c)
		}
		if refused > 0 {
			b.ReportMetric(float64(refused), "too-broad")
		}
		slices.Sort(took)
		slices.Sort(cpu)
		ms := func(d []time.Duration, q int) float64 { return float64(d[(len(d)-1)*q/100].Microseconds()) / 1000 }
		b.ReportMetric(ms(took, 50), "p50-ms")
		b.ReportMetric(ms(took, 95), "p95-ms")
		b.ReportMetric(ms(cpu, 50), "cpu-p50-ms")
		b.ReportMetric(ms(cpu, 95), "cpu-p95-ms")
	})
}

// genTaskRow is a task as the brute-force «Автозадачи» filter sees it.
type genTaskRow struct {
	id, card, stage, assignee   int64
	warmer, manager, accountant int64
	status                      string
	deadline                    time.Time
}

// TestGenerate makes a small office-decade and checks what the generator promises,
// then checks every «Автозадачи» filter against a brute-force reading, with the
// walks made short so every way to a page (newest first, from the period's newest
// task, the sort; own cards walked or listed) is taken.
func TestGenerate(t *testing.T) {
	s := openTB(t)
	ctx := context.Background()
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	o := GenerateOptions{StdTasks: 300, Archived: 300, InWork: 45, Transactions: 4000, AutoTasks: 7000, PasswordHash: "x", Now: now}
	var reports int
	if err := s.Generate(ctx, o, func(string) { reports++ }); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		var n int
		if err := s.Reader().QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	for q, want := range map[string]int{
		"SELECT COUNT(*) FROM users":                                          50,
		"SELECT COUNT(*) FROM users WHERE role = 'owner'":                     2,
		"SELECT COUNT(*) FROM users WHERE role = 'admin'":                     3,
		"SELECT COUNT(*) FROM users WHERE role = 'accountant'":                10,
		"SELECT COUNT(*) FROM users WHERE role = 'warmer'":                    10,
		"SELECT COUNT(*) FROM users WHERE role = 'manager'":                   25,
		"SELECT COUNT(*) FROM banks":                                          40,
		"SELECT COUNT(*) FROM contractors":                                    200,
		"SELECT COUNT(*) FROM cards WHERE lifecycle = 'archived'":             300,
		"SELECT COUNT(*) FROM cards WHERE lifecycle = 'in_work'":              45,
		"SELECT COUNT(*) FROM cards_search":                                   300,
		"SELECT COUNT(*) FROM cards_words":                                    300,
		"SELECT COUNT(*) FROM auto_tasks":                                     7000,
		"SELECT COUNT(*) FROM transactions":                                   4000,
		"SELECT COUNT(DISTINCT number) FROM cards":                            345,
		"SELECT COUNT(DISTINCT stage) FROM cards WHERE lifecycle = 'in_work'": 9,
		// one open stage task per card in work, at its stage; none on archived cards
		`SELECT COUNT(*) FROM auto_tasks t JOIN cards c ON c.id = t.card_id
			WHERE t.kind = 'stage' AND t.status IN ('new', 'in_progress') AND c.stage = t.stage`: 45,
		`SELECT COUNT(*) FROM auto_tasks t JOIN cards c ON c.id = t.card_id
			WHERE t.kind = 'stage' AND t.status IN ('new', 'in_progress')`: 45,
		// every archived card went through the nine stages
		`SELECT COUNT(*) FROM (SELECT card_id FROM auto_tasks WHERE kind = 'stage' AND status = 'done'
			GROUP BY card_id HAVING COUNT(*) = 9)`: 300,
		// transactions only on cards that reached stage 7, dated in stage 6
		`SELECT COUNT(*) FROM transactions x JOIN cards c ON c.id = x.card_id WHERE c.stage < 7`: 0,
		// rows were written in the order they were created
		`SELECT COUNT(*) FROM auto_tasks a JOIN auto_tasks b ON b.id = a.id + 1 WHERE b.created_at < a.created_at`:     0,
		`SELECT COUNT(*) FROM transactions a JOIN transactions b ON b.id = a.id + 1 WHERE b.created_at < a.created_at`: 0,
		`SELECT COUNT(*) FROM auto_tasks WHERE fields NOT LIKE '{%}' OR json_valid(fields) = 0`:                        0,
		`SELECT COUNT(*) FROM cards WHERE created_at > ?`:                                                              0,
		// the report: every archived card has its bank answer, and the rollups add up to the rows
		`SELECT COUNT(*) FROM card_confirmations f JOIN cards c ON c.id = f.card_id WHERE c.lifecycle = 'archived'`:                                        300,
		`SELECT (SELECT SUM(amount) FROM rollup_money WHERE dim = 3 AND length(period) = 7) = (SELECT SUM(amount) FROM transactions)`:                      1,
		`SELECT (SELECT SUM(confirmed) FROM rollup_money WHERE dim = 1 AND length(period) = 10) = (SELECT SUM(amount) FROM card_confirmations)`:            1,
		`SELECT (SELECT SUM(entered) FROM rollup_stage WHERE user_id = 0 AND length(period) = 4) = (SELECT COUNT(*) FROM auto_tasks WHERE kind = 'stage')`: 1,
	} {
		if strings.Contains(q, "?") {
			var n int
			if err := s.Reader().QueryRow(q, now).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Errorf("%s: %d, want %d", q, n, want)
			}
			continue
		}
		if n := count(q); n != want {
			t.Errorf("%s: %d, want %d", strings.Join(strings.Fields(q), " "), n, want)
		}
	}
	if reports < 1 {
		t.Error("no progress reported")
	}
	// The word index finds what the trigrams find.
	if w, tr := count(`SELECT COUNT(*) FROM cards_words WHERE cards_words MATCH 'words: "иванов" *'`),
		count(`SELECT COUNT(*) FROM cards_search WHERE cards_search MATCH 'contact: "иванов"'`); w != tr || w == 0 {
		t.Errorf("«иванов»: %d cards on the word index, %d on the trigrams", w, tr)
	}
	rows, err := s.Reader().Query("SELECT number, last4 FROM cards")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n, l4 string
		if err := rows.Scan(&n, &l4); err != nil {
			t.Fatal(err)
		}
		if !pipeline.Luhn(n) || (len(n) != 16 && len(n) != 19) || l4 != n[len(n)-4:] {
			t.Errorf("card number %s (last four %s)", n, l4)
		}
	}
	rows.Close()
	rows, err = s.Reader().Query("SELECT amount, commission_rate, commission, net FROM transactions")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a, r, c, n int64
		if err := rows.Scan(&a, &r, &c, &n); err != nil {
			t.Fatal(err)
		}
		if lt := money.LineTotals(money.Line{Amount: money.Kopecks(a), Rate: money.Rate(r)}); int64(lt.Commission) != c || int64(lt.Net) != n {
			t.Errorf("transaction %d at %d: %d/%d, want %+v", a, r, c, n, lt)
		}
	}
	rows.Close()
	if err := s.Generate(ctx, o, nil); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("second run: %v", err)
	}

	// «Автозадачи», brute force. Two cards change hands first: the tasks done on
	// them keep the people who did them, who are no longer on the card.
	var moved [2]seedCard
	for i, q := range []string{"SELECT id, warmer_id, manager_id FROM cards WHERE lifecycle = 'archived' ORDER BY id LIMIT 1",
		"SELECT id, warmer_id, manager_id FROM cards WHERE lifecycle = 'archived' ORDER BY id DESC LIMIT 1"} {
		if err := s.Reader().QueryRow(q).Scan(&moved[i].id, &moved[i].warmer, &moved[i].manager); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.writer.Exec(`UPDATE cards SET warmer_id = (SELECT id FROM users WHERE role = 'warmer' AND id <> cards.warmer_id LIMIT 1)
		WHERE id = ?`, moved[0].id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.writer.Exec(`UPDATE cards SET manager_id = (SELECT id FROM users WHERE role = 'manager' AND id <> cards.manager_id LIMIT 1)
		WHERE id = ?`, moved[1].id); err != nil {
		t.Fatal(err)
	}
	var otherManager int64
	if err := s.Reader().QueryRow("SELECT id FROM users WHERE role = 'manager' AND id <> ? LIMIT 1", moved[0].manager).Scan(&otherManager); err != nil {
		t.Fatal(err)
	}
	var all []genTaskRow
	rows, err = s.Reader().Query(`SELECT t.id, t.card_id, t.stage, t.assignee_id, c.warmer_id, c.manager_id, c.accountant_id, t.status, t.deadline
		FROM auto_tasks t JOIN cards c ON c.id = t.card_id ORDER BY t.id DESC`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r genTaskRow
		if err := rows.Scan(&r.id, &r.card, &r.stage, &r.assignee, &r.warmer, &r.manager, &r.accountant, &r.status, &r.deadline); err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
	}
	rows.Close()
	mid, oldRow := all[len(all)/2], all[len(all)*3/4]
	old := oldRow.deadline
	od := all[0]
	for _, r := range all {
		if (r.status == "new" || r.status == "in_progress") && r.deadline.Before(now) {
			od = r
			break
		}
	}
	oldFrom, oldTo := old.AddDate(0, 0, -10), old.AddDate(0, 0, 10)
	recent := now.AddDate(0, -1, 0)
	far := now.AddDate(5, 0, 0)
	before := now.AddDate(-20, 0, 0)
	var owner int64
	if err := s.Reader().QueryRow("SELECT id FROM users WHERE role = 'owner' LIMIT 1").Scan(&owner); err != nil {
		t.Fatal(err)
	}
	filters := map[string]AutoTaskFilter{
		"none":              {},
		"card":              {CardID: mid.card},
		"stage":             {Stage: 3},
		"assignee":          {AssigneeID: mid.assignee},
		"new":               {Status: "new"},
		"done":              {Status: "done"},
		"cancelled":         {Status: "cancelled"},
		"open":              {Status: "open"},
		"overdue":           {Status: "overdue"},
		"period recent":     {From: &recent, To: &now},
		"period old":        {From: &oldFrom, To: &oldTo},
		"from old":          {From: &oldFrom},
		"to old":            {To: &oldTo},
		"period future":     {From: &now, To: &far},
		"period before":     {From: &before, To: &oldFrom},
		"period empty":      {From: &before, To: &before},
		"stage+period old":  {Stage: int64(mid.stage), From: &oldFrom, To: &oldTo},
		"assignee+old":      {AssigneeID: oldRow.assignee, From: &oldFrom, To: &oldTo},
		"own warmer":        {OnlyUser: mid.warmer},
		"own manager":       {OnlyUser: mid.manager},
		"own accountant":    {OnlyUser: mid.accountant},
		"own none":          {OnlyUser: owner},
		"own+stage":         {OnlyUser: mid.manager, Stage: 9},
		"own+period old":    {OnlyUser: oldRow.manager, From: &oldFrom, To: &oldTo},
		"own+overdue":       {OnlyUser: od.manager, Status: "overdue"},
		"own+card":          {OnlyUser: mid.manager, CardID: mid.card},
		"own other's card":  {OnlyUser: mid.warmer + 1000, CardID: mid.card},
		"stage+assignee":    {Stage: 3, AssigneeID: mid.warmer},
		"card+period":       {CardID: oldRow.card, From: &oldFrom, To: &oldTo},
		"open+period":       {Status: "open", From: &recent},
		"no such assignee":  {AssigneeID: 99999},
		"cancelled+from":    {Status: "cancelled", From: &oldFrom},
		"stage 9 of warmer": {Stage: 9, AssigneeID: mid.warmer},
		"own+warmer":        {OnlyUser: mid.manager, AssigneeID: mid.warmer},
		"own+accountant":    {OnlyUser: mid.warmer, AssigneeID: mid.accountant},
		"own+other manager": {OnlyUser: moved[0].manager, AssigneeID: otherManager},
		"own+self":          {OnlyUser: mid.manager, AssigneeID: mid.manager},
		"own+warmer+stage":  {OnlyUser: mid.manager, AssigneeID: mid.warmer, Stage: 3},
		"own+warmer+period": {OnlyUser: oldRow.manager, AssigneeID: oldRow.warmer, From: &oldFrom, To: &oldTo},
		"own+warmer left":   {OnlyUser: moved[0].manager, AssigneeID: moved[0].warmer},
		"own+manager left":  {OnlyUser: moved[1].warmer, AssigneeID: moved[1].manager},
	}
	match := func(r genTaskRow, f AutoTaskFilter) bool {
		switch {
		case f.CardID > 0 && r.card != f.CardID,
			f.Stage > 0 && r.stage != f.Stage,
			f.AssigneeID > 0 && r.assignee != f.AssigneeID,
			f.From != nil && r.deadline.Before(*f.From),
			f.To != nil && !r.deadline.Before(*f.To),
			f.OnlyUser > 0 && r.warmer != f.OnlyUser && r.manager != f.OnlyUser && r.accountant != f.OnlyUser:
			return false
		}
		open := r.status == "new" || r.status == "in_progress"
		switch f.Status {
		case "open":
			return open
		case "overdue":
			return open && r.deadline.Before(f.Now)
		case "":
			return true
		}
		return r.status == f.Status
	}
	// The history is ordered by deadline, latest first, then id.
	slices.SortStableFunc(all, func(a, b genTaskRow) int {
		if c := b.deadline.Compare(a.deadline); c != 0 {
			return c
		}
		return int(b.id - a.id)
	})
	defer func(n, m int) { autoTaskUserScan, autoTaskShared = n, m }(autoTaskUserScan, autoTaskShared)
	for _, knobs := range []int{2000, 5, 100000, 0} {
		autoTaskUserScan, autoTaskShared = knobs, knobs
		for name, f := range filters {
			f.Now, f.Limit = now, 50
			var want []int64
			for _, r := range all {
				if match(r, f) {
					want = append(want, r.id)
				}
			}
			var got []int64
			for page := 0; ; page++ {
				rows, more, err := s.AutoTasks(ctx, f)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for _, r := range rows {
					got = append(got, r.ID)
				}
				if !more || len(rows) == 0 || page > 200 {
					break
				}
				f.BeforeID = rows[len(rows)-1].ID
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("walk %v, %s: %d ids %v…, want %d %v…", knobs, name, len(got), head(got), len(want), head(want))
			}
		}
	}
}

func head(ids []int64) []int64 { return ids[:min(len(ids), 5)] }

// TestGenerateArchive reads the generated archive page by page, both ways, with
// "only mine" (its three arms, or a term of the search index with typed text),
// typed text short and long (its rarest trigrams, then checked) and the jump to
// the far end, against the brute-force filter.
func TestGenerateArchive(t *testing.T) {
	s := openTB(t)
	ctx := context.Background()
	o := GenerateOptions{StdTasks: 300, Archived: 600, InWork: 20, Transactions: 700, AutoTasks: 6000, PasswordHash: "x",
		Now: time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)}
	if err := s.Generate(ctx, o, nil); err != nil {
		t.Fatal(err)
	}
	var cards []seedCard
	rows, err := s.Reader().Query(`SELECT id, number, last4, contact_name, contact_phone, bank_id, supplier_id,
		warmer_id, manager_id, accountant_id, lifecycle FROM cards ORDER BY id DESC`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c seedCard
		if err := rows.Scan(&c.id, &c.number, &c.last4, &c.contact, &c.phone, &c.bank, &c.supplier, &c.warmer, &c.manager, &c.accountant, &c.lifecycle); err != nil {
			t.Fatal(err)
		}
		cards = append(cards, c)
	}
	rows.Close()
	c := cards[len(cards)/2]
	first := strings.Fields(c.contact)[1]
	defer func(c, i int) { archiveCheckSet, archiveIDSet = c, i }(archiveCheckSet, archiveIDSet)
	// Long text by its rarest trigrams, text checked on the cards the ids find: when
	// they find few cards; never; always.
	for _, set := range []int{-1, 1 << 30} {
		archiveCheckSet, archiveIDSet = set, set
		archiveFilterWalk(t, s, cards, c, first)
	}
	archiveCheckSet, archiveIDSet = 2000, 200
	archiveFilterWalk(t, s, cards, c, first)
	archiveEdits(t, s, c)
}

func archiveFilterWalk(t *testing.T, s *Store, cards []seedCard, c seedCard, first string) {
	ctx := context.Background()
	for name, f := range map[string]ArchiveFilter{
		"none":               {},
		"bank":               {BankID: c.bank},
		"manager+bank":       {ManagerID: c.manager, BankID: c.bank},
		"own manager":        {OnlyUser: c.manager},
		"own warmer":         {OnlyUser: c.warmer},
		"own accountant":     {OnlyUser: c.accountant},
		"own+bank":           {OnlyUser: c.manager, BankID: c.bank},
		"own+supplier":       {OnlyUser: c.warmer, SupplierID: c.supplier},
		"own+last4":          {OnlyUser: c.manager, Number: c.last4},
		"own+number part":    {OnlyUser: c.accountant, Number: c.number[6:9]},
		"own+contact":        {OnlyUser: c.manager, Contact: first},
		"own+other manager":  {OnlyUser: c.warmer, ManagerID: c.manager},
		"own of nobody":      {OnlyUser: 1},
		"contact":            {Contact: first},
		"contact phone":      {Contact: c.phone[3:8]},
		"number part":        {Number: c.number[5:10]},
		"number+contact":     {Number: c.number[5:10], Contact: c.contact[:6]},
		"contact+accountant": {Contact: first, AccountID: c.accountant},
		// long text: its rarest trigrams, then checked
		"full contact":            {Contact: c.contact},
		"full contact lower":      {Contact: strings.ToLower(c.contact)},
		"full contact upper+bank": {Contact: strings.ToUpper(c.contact), BankID: c.bank},
		"long number part":        {Number: c.number[2:12]},
		"long number+own":         {Number: c.number[3:11], OnlyUser: c.warmer},
		"full phone":              {Contact: "8" + c.phone[2:]},
		"first name lower+bank":   {Contact: strings.ToLower(first), BankID: c.bank},
		"two names+supplier":      {Contact: strings.Join(strings.Fields(c.contact)[1:], " "), SupplierID: c.supplier},
		// the last four digits with others; a full number with a contact
		"last4+bank":          {Number: c.last4, BankID: c.bank},
		"last4+own":           {Number: c.last4, OnlyUser: c.manager},
		"full number+contact": {Number: c.number, Contact: first},
		"full number+own":     {Number: c.number, OnlyUser: c.accountant},
		"all seven":           {Number: c.number[4:7], Contact: string([]rune(first)[1:4]), BankID: c.bank, SupplierID: c.supplier, WarmerID: c.warmer, ManagerID: c.manager, AccountID: c.accountant},
		"all seven long":      {Number: c.number[4:12], Contact: c.contact, BankID: c.bank, SupplierID: c.supplier, WarmerID: c.warmer, ManagerID: c.manager, AccountID: c.accountant, OnlyUser: c.manager},
	} {
		var want []int64
		for _, x := range cards {
			if bruteMatch(x, f) {
				want = append(want, x.id)
			}
		}
		for _, asc := range []bool{false, true} {
			exp := slices.Clone(want)
			if asc {
				slices.Reverse(exp)
			}
			for _, limit := range []int{7, 25, 100} {
				var got []int64
				for off := 0; off < len(want)+limit; off += limit {
					g := f
					g.Offset, g.Limit, g.SortAsc = off, limit, asc
					pg, err := s.Archive(ctx, g)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if pg.Filtered != int64(len(want)) {
						t.Fatalf("%s: %d filtered, want %d", name, pg.Filtered, len(want))
					}
					for _, r := range pg.Rows {
						got = append(got, r.ID)
					}
				}
				if !slices.Equal(got, exp) {
					t.Errorf("%s (asc %v, by %d): %d ids %v…, want %d %v…", name, asc, limit, len(got), head(got), len(exp), head(exp))
				}
			}
		}
		if len(want) == 0 && name != "own of nobody" {
			t.Errorf("%s matches nothing", name)
		}
		// The export holds the same cards in the same order.
		var each []int64
		if err := s.ArchiveEach(ctx, f, func(r ArchiveRow) error { each = append(each, r.ID); return nil }); err != nil || !slices.Equal(each, want) {
			t.Errorf("%s exported: %d ids %v…, want %d %v… (%v)", name, len(each), head(each), len(want), head(want), err)
		}
		if f.OnlyUser > 0 {
			pg, err := s.Archive(ctx, ArchiveFilter{OnlyUser: f.OnlyUser})
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, x := range cards {
				if bruteMatch(x, ArchiveFilter{OnlyUser: f.OnlyUser}) {
					n++
				}
			}
			if pg.Total != int64(n) {
				t.Errorf("%s: total %d, want %d", name, pg.Total, n)
			}
		}
	}

}

func archiveEdits(t *testing.T, s *Store, c seedCard) {
	ctx := context.Background()
	// The search index follows an archived card's edit and its leaving the archive.
	found := func(f ArchiveFilter) []int64 {
		pg, err := s.Archive(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range pg.Rows {
			ids = append(ids, r.ID)
		}
		return ids
	}
	exec := func(q string, args ...any) {
		if err := s.InTx(ctx, func(tx *Tx) error { _, err := tx.Raw.ExecContext(ctx, q, args...); return err }); err != nil {
			t.Fatal(err)
		}
	}
	exec("UPDATE cards SET contact_name = 'Зиновий Аркадьевич' WHERE id = ?", c.id)
	if got := found(ArchiveFilter{Contact: "зиновий"}); !slices.Equal(got, []int64{c.id}) {
		t.Errorf("edited contact: %v", got)
	}
	if got := found(ArchiveFilter{Contact: c.contact}); slices.Contains(got, c.id) {
		t.Errorf("old contact still finds card %d", c.id)
	}
	// …and an edit of its bank, people or number: the other filters are terms of the same index.
	var bank, user int64
	if err := s.Reader().QueryRow(`SELECT (SELECT MAX(id) FROM banks WHERE id <> ?), (SELECT MAX(id) FROM users WHERE id NOT IN (?, ?, ?))`,
		c.bank, c.warmer, c.manager, c.accountant).Scan(&bank, &user); err != nil {
		t.Fatal(err)
	}
	exec("UPDATE cards SET bank_id = ?, manager_id = ?, number = '2200123456785555', last4 = '5555' WHERE id = ?", bank, user, c.id)
	for _, f := range []ArchiveFilter{{Contact: "зиновий", BankID: bank}, {Contact: "Зиновий Аркадьевич", OnlyUser: user},
		{Number: "5555", ManagerID: user}, {Number: "0012345678", BankID: bank}} {
		if got := found(f); !slices.Equal(got, []int64{c.id}) {
			t.Errorf("edited card, %+v: %v", f, got)
		}
	}
	old := []ArchiveFilter{{Contact: "зиновий", BankID: c.bank}, {Number: c.last4, Contact: "зиновий"}}
	if c.manager != c.warmer && c.manager != c.accountant { // else still his card
		old = append(old, ArchiveFilter{Contact: "зиновий", OnlyUser: c.manager})
	}
	for _, f := range old {
		if got := found(f); len(got) != 0 {
			t.Errorf("the card's old values still find it, %+v: %v", f, got)
		}
	}
	exec("UPDATE cards SET lifecycle = 'worked_out', archived_at = NULL WHERE id = ?", c.id)
	if got := found(ArchiveFilter{Contact: "зиновий"}); len(got) != 0 {
		t.Errorf("a card out of the archive is still found: %v", got)
	}
	exec("UPDATE cards SET lifecycle = 'archived', archived_at = CURRENT_TIMESTAMP WHERE id = ?", c.id)
	if got := found(ArchiveFilter{Contact: "зиновий", BankID: bank}); !slices.Equal(got, []int64{c.id}) {
		t.Errorf("archived again: %v", got)
	}
	// The index holds exactly the archived cards, each as cards_search_rows reads it.
	var fts, archived, same int
	if err := s.Reader().QueryRow(`SELECT (SELECT COUNT(*) FROM cards_search_docsize), (SELECT COUNT(*) FROM cards WHERE lifecycle = 'archived'),
		(SELECT COUNT(*) FROM cards_search s JOIN cards_search_rows r ON r.id = s.rowid WHERE s.number = r.number AND s.contact = r.contact
			AND s.bank = r.bank AND s.supplier = r.supplier AND s.warmer = r.warmer AND s.manager = r.manager AND s.accountant = r.accountant
			AND s.last4 = r.last4)`).Scan(&fts, &archived, &same); err != nil || fts != archived || same != archived {
		t.Errorf("search index %d rows (%d as the archive reads), archive %d (%v)", fts, same, archived, err)
	}
}

// benchStore opens the generated database KARTOTEKA_BENCH_DB names, or skips.
func benchStore(b *testing.B) *Store {
	path := os.Getenv("KARTOTEKA_BENCH_DB")
	if path == "" {
		b.Skip("KARTOTEKA_BENCH_DB is not set")
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}
