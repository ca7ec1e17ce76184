package store

import (
	"context"
	"fmt"
	"kartoteka/store/db"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestAutoTaskPlans: every combination of the «Автозадачи» filters (card, stage,
// person, each status, a period or half of one, the next page, "own cards" walked or
// listed) reads its page from the index picked for it, in the order of that index —
// sorting only the few rows of a card, an open status or a person's cancelled tasks.
// Slow before (issue 10): stage 3 + a manager, stage 8 + overdue, stage 9 +
// cancelled, a period five years back or wide, until five years ago.
func TestAutoTaskPlans(t *testing.T) {
	s := openTB(t)
	ctx := context.Background()
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	if err := s.Generate(ctx, GenerateOptions{StdTasks: 300, Archived: 50, InWork: 20, Transactions: 100, AutoTasks: 1500, PasswordHash: "x", Now: now}, nil); err != nil {
		t.Fatal(err)
	}
	var warmer, manager, task int64
	if err := s.Reader().QueryRow(`SELECT warmer_id, manager_id, (SELECT MAX(id) / 2 FROM auto_tasks) FROM cards LIMIT 1`).Scan(&warmer, &manager, &task); err != nil {
		t.Fatal(err)
	}
	from, to := now.AddDate(-5, 0, 0), now.AddDate(-4, 0, 0)
	defer func(n, m int) { autoTaskUserScan, autoTaskShared = n, m }(autoTaskUserScan, autoTaskShared)
	n := 0
	for _, scan := range []int{2000, 0} { // own cards (and shared cards) listed, or walked
		autoTaskUserScan, autoTaskShared = scan, scan
		for _, card := range []int64{0, 7} {
			for _, stage := range []int64{0, 3, 8, 9} {
				for _, person := range []int64{0, warmer, manager} {
					for _, status := range []string{"", "new", "in_progress", "done", "cancelled", "open", "overdue"} {
						for _, period := range [][2]*time.Time{{}, {&from, &to}, {&from, nil}, {nil, &to}} {
							for _, own := range []int64{0, warmer} {
								for _, before := range []int64{0, task} {
									f := AutoTaskFilter{CardID: card, Stage: stage, AssigneeID: person, Status: status,
										From: period[0], To: period[1], OnlyUser: own, BeforeID: before, Now: now}
									checkAutoTaskPlan(t, s, f)
									n++
								}
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d combinations", n)
}

func checkAutoTaskPlan(t *testing.T, s *Store, f AutoTaskFilter) {
	t.Helper()
	plan, err := s.AutoTasksPlan(context.Background(), f)
	if err != nil {
		t.Fatalf("%+v: %v", f, err)
	}
	index := autoTaskIndex(f)
	listed := f.OnlyUser > 0 && autoTaskUserScan > 0 && f.CardID == 0 // autoTaskShared is set alike
	if listed {
		index = "auto_tasks_card"
	}
	first := strings.SplitN(plan, "\n", 2)[0]
	if !strings.Contains(first, "INDEX "+index+" ") && !strings.HasSuffix(first, "INDEX "+index) {
		t.Errorf("%s: reads %q, want index %s\n%s", desc(f), first, index, plan)
	}
	// A sort is only for the few rows of a card, of someone's own few cards, of an
	// open status, or of a person's cancelled tasks.
	sorts := strings.Contains(plan, "TEMP B-TREE")
	few := f.CardID > 0 || listed || f.Status == "open" || f.Status == "overdue" || smallStatus(f.Status) && f.AssigneeID > 0 && f.Stage > 0
	if sorts && !few && !(smallStatus(f.Status) && f.AssigneeID > 0) {
		t.Errorf("%s: sorts\n%s", desc(f), plan)
	}
	for _, line := range strings.Split(plan, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "SCAN") && !strings.Contains(line, "INDEX") {
			t.Errorf("%s: %s\n%s", desc(f), line, plan)
		}
		// Walking the history for "own cards", each task's card is looked up on the
		// narrow index of its people (migration 16), not in the cards table.
		if strings.Contains(line, "SEARCH o ") && !strings.Contains(line, "COVERING INDEX cards_people (id=?)") {
			t.Errorf("%s: the card's people: %s\n%s", desc(f), line, plan)
		}
	}
	if f.OnlyUser > 0 && !listed && f.CardID == 0 && !strings.Contains(plan, "COVERING INDEX cards_people") {
		t.Errorf("%s: own cards not checked on cards_people\n%s", desc(f), plan)
	}
	// The walk for "own cards" alone, with a stage or with a status reads each
	// task's card_id from the index itself (migration 18), unless a filter the
	// index lacks needs the task's row anyway.
	wide := index == "auto_tasks_deadline" || index == "auto_tasks_stage_dl" && f.Status == "" || index == "auto_tasks_status_dl" && f.Stage == 0
	if f.OnlyUser > 0 && !listed && f.CardID == 0 && wide && f.AssigneeID == 0 && !strings.Contains(first, "COVERING INDEX "+index) {
		t.Errorf("%s: own cards walk reads the tasks' rows: %q\n%s", desc(f), first, plan)
	}
}

func desc(f AutoTaskFilter) string {
	s := fmt.Sprintf("card %d stage %d person %d status %q own %d before %d", f.CardID, f.Stage, f.AssigneeID, f.Status, f.OnlyUser, f.BeforeID)
	if f.From != nil {
		s += " from"
	}
	if f.To != nil {
		s += " to"
	}
	return s
}

// TestArchivePlanCombinations: every combination of the archive's filters (a number
// four ways, a contact's name short or long or its phone, the five people and places,
// "only mine") counts and pages on indexes: typed text on the search index alone, in
// its order (no sort, no card read, the other filters terms of its MATCH, a long text
// matched by three trigrams and checked), or checked on the few cards the ids find
// (their archive indexes, then each card by its id); without text on the cards'
// archive indexes, no step reading the cards table whole. Slow before (issue 10): a
// full name, a first name or «ова» with the biggest bank or "only mine", all seven;
// then a whole first name with or without a bank (now on the word index).
func TestArchivePlanCombinations(t *testing.T) {
	s := openTB(t)
	ctx := context.Background()
	if err := s.Generate(ctx, GenerateOptions{StdTasks: 300, Archived: 50, InWork: 5, Transactions: 100, AutoTasks: 600, PasswordHash: "x",
		Now: time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)}, nil); err != nil {
		t.Fatal(err)
	}
	defer func(c, i int, w bool) { archiveCheckSet, archiveIDSet, archiveWords = c, i, w }(archiveCheckSet, archiveIDSet, archiveWords)
	explain := func(f ArchiveFilter, what, q string, args ...any) []string {
		plan, err := s.Explain(ctx, q, args...)
		if err != nil {
			t.Fatalf("%+v %s: %v", f, what, err)
		}
		lines := strings.Split(strings.TrimSpace(plan), "\n")
		for _, l := range lines {
			whole := strings.HasPrefix(l, "SCAN") && !strings.Contains(l, "INDEX") && !strings.Contains(l, "VIRTUAL TABLE") &&
				!strings.HasPrefix(l, "SCAN (subquery") && l != "SCAN CONSTANT ROW"
			if whole || strings.Contains(l, "(lifecycle=?)") { // every archived card
				t.Errorf("%+v %s: %s\n%s", f, what, l, plan)
			}
		}
		return lines
	}
	n := 0
	// Long text by its rarest trigrams, then checked, text on the few cards the ids
	// find, a word on the word index, several words' cards from it, checked; or none
	// of them: the whole phrase, always the trigrams; or only one word on the word index.
	for _, set := range [][3]int{{2000, 200, 1}, {-1, -1, 0}, {-1, -1, 1}} {
		archiveCheckSet, archiveIDSet, archiveWords = set[0], set[1], set[2] == 1
		for _, number := range []string{"", "123", "1234", "4276123412341234", "27612", "2761234"} {
			for _, contact := range []string{"", "ова", "Иванов", "Наталья", "Иванова Анна Петровна", "912345"} {
				for _, ids := range [][5]int64{{}, {1, 0, 0, 0, 0}, {0, 2, 0, 0, 0}, {0, 0, 3, 0, 0}, {0, 0, 0, 4, 0}, {0, 0, 0, 0, 5}, {1, 0, 0, 4, 0}, {1, 2, 3, 4, 5}} {
					for _, own := range []int64{0, 4} {
						f := ArchiveFilter{Number: number, Contact: contact, BankID: ids[0], SupplierID: ids[1], WarmerID: ids[2],
							ManagerID: ids[3], AccountID: ids[4], OnlyUser: own, Offset: 100, Limit: 25}
						q, err := s.archiveQuery(ctx, f)
						if err != nil {
							t.Fatal(err)
						}
						text := (number != "" || contact != "") && len(number) < 13
						few := text && ids != [5]int64{} && set[1] >= 0 // the generated office is small: the ids find few cards
						if few {
							idq, idArgs, check := f.fewCardsQueries(2)
							explain(f, "ids", idq, append(idArgs, 201)...)
							_, wargs := f.where()
							for _, l := range explain(f, "check", check, append([]any{1, 2}, wargs...)...) {
								if l != "SEARCH c USING INTEGER PRIMARY KEY (rowid=?)" && l != "USE TEMP B-TREE FOR ORDER BY" {
									t.Errorf("%+v: the ids' cards are not read by id: %s", f, l)
								}
							}
							if q.ids == nil || q.match != "" {
								t.Errorf("%+v: not checked on the ids' cards: MATCH %q", f, q.match)
							}
							n += 2
							continue
						}
						// Several words with no part of a number or three digits: the cards
						// their terms find on the word index (few here), each read by id.
						if archiveWords && set[0] > 0 && contactWord(contact) == "" && contactWords(contact) != nil &&
							(number == "" || number == "1234" || number == "123") {
							count, check := wordCardsQueries()
							for what, sql := range map[string]string{"word count": count, "word check": check} {
								for _, l := range explain(f, what, sql, "words: \"анна\" *", 2001) {
									if !strings.HasPrefix(l, "SCAN cards_words VIRTUAL TABLE") && !strings.HasPrefix(l, "CO-ROUTINE") &&
										!strings.HasPrefix(l, "SCAN (subquery") && l != "SEARCH c USING INTEGER PRIMARY KEY (rowid=?)" {
										t.Errorf("%+v %s: not the word index, each card by id: %s", f, what, l)
									}
								}
							}
							if q.ids == nil || q.match != "" {
								t.Errorf("%+v: not checked on the words' cards: MATCH %q", f, q.match)
							}
							n += 2
							continue
						}
						if text != (q.match != "") {
							t.Errorf("%+v: MATCH %q", f, q.match)
						}
						// A word with no part of a number or three digits: the word index, nothing checked.
						word := archiveWords && contactWord(contact) != "" && (number == "" || number == "1234" || number == "123")
						if index := map[bool]string{true: "cards_words", false: "cards_search"}[word]; text && q.index != index {
							t.Errorf("%+v: MATCH %q on %s, want %s", f, q.match, q.index, index)
						}
						long := !word && (len([]rune(contact)) > 5 || len(number) > 5 && len(number) < 13)
						if text && (long && set[0] > 0) != (q.check != "") {
							t.Errorf("%+v: MATCH %q, check %q", f, q.match, q.check)
						}
						cq, cargs := q.count()
						pq, pargs := q.page(false)
						for what, sql := range map[string]string{"count": cq, "page": pq} {
							args := cargs
							if what == "page" {
								args = append(pargs, 25, 100)
							}
							for _, l := range explain(f, what, sql, args...) {
								if text && !strings.HasPrefix(l, "SCAN "+q.index+" VIRTUAL TABLE") && !strings.HasPrefix(l, "CO-ROUTINE") && !strings.HasPrefix(l, "SCAN (subquery") {
									t.Errorf("%+v %s: not the search index alone, in its order: %s", f, what, l)
								}
							}
							n++
						}
					}
				}
			}
		}
	}
	t.Logf("%d plans", n)
}

// TestCardCounts: the tab counts, read from indexes only, equal a plain count, for
// everyone and for each person (counted once when they hold two roles of a card).
func TestCardCounts(t *testing.T) {
	s := openTB(t)
	ctx := context.Background()
	if err := s.Generate(ctx, GenerateOptions{Archived: 30, InWork: 40, Transactions: 50, AutoTasks: 800, PasswordHash: "x",
		Now: time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)}, nil); err != nil {
		t.Fatal(err)
	}
	// Someone holding two roles of a card, and cards in every tab.
	if _, err := s.writer.Exec(`UPDATE cards SET manager_id = warmer_id WHERE id IN (SELECT id FROM cards WHERE lifecycle = 'in_work' LIMIT 3)`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.writer.Exec(`UPDATE cards SET lifecycle = 'worked_out', stage = NULL WHERE id IN (SELECT id FROM cards WHERE lifecycle = 'in_work' LIMIT 5 OFFSET 10)`); err != nil {
		t.Fatal(err)
	}
	var people []int64
	rows, err := s.reader.Query(`SELECT id FROM users`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		people = append(people, id)
	}
	rows.Close()
	for _, who := range append([]*int64{nil}, func() (ps []*int64) {
		for i := range people {
			ps = append(ps, &people[i])
		}
		return
	}()...) {
		got, err := s.CardCounts(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.Q.CardCountByLifecycle(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		wm := map[string]int64{}
		for _, r := range want {
			wm[r.Lifecycle] = r.N
		}
		if fmt.Sprint(got) != fmt.Sprint(wm) {
			t.Errorf("user %v: %v, want %v", who, got, wm)
		}
		// A tab's page without a search (ids from the index, then joined) is the
		// searched query's page with an empty search, and its count is the badge.
		var onlyUser int64
		if who != nil {
			onlyUser = *who
		}
		for _, l := range []string{"new", "in_work", "worked_out"} {
			for _, off := range []int{0, 7, 35} {
				f := CardListFilter{Lifecycle: l, OnlyUser: onlyUser, Limit: 7, Offset: off}
				page, err := s.CardPageRows(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				from, args := f.from()
				want, err := s.cardRows(ctx, cardRowCols+from+` ORDER BY c.id DESC LIMIT ? OFFSET ?`, append(args, 7, off)...)
				if err != nil {
					t.Fatal(err)
				}
				_, n, err := s.CardPage(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(page, want) || n != got[l] {
					t.Errorf("user %v, %s, offset %d: page %d rows (count %d), want %d (count %d)", who, l, off, len(page), n, len(want), got[l])
				}
			}
		}
	}
	// Everyone's tab page walks the live cards' index newest first and stops after the page.
	plan, err := s.Explain(ctx, "SELECT c.id FROM cards c INDEXED BY cards_live_id WHERE c.lifecycle = ? AND c.lifecycle <> 'archived' ORDER BY c.id DESC LIMIT 100 OFFSET 0", "in_work")
	if err != nil || !strings.Contains(plan, "COVERING INDEX cards_live_id") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("a tab's page is not an index walk: %v\n%s", err, plan)
	}
	for _, who := range []*int64{nil, &people[10]} {
		q := "SELECT lifecycle, COUNT(*) FROM cards INDEXED BY cards_lifecycle WHERE lifecycle IN ('new', 'in_work', 'worked_out') GROUP BY lifecycle"
		var args []any
		if who != nil {
			q = strings.Replace(q, "INDEXED BY cards_lifecycle WHERE", "INDEXED BY cards_warmer WHERE warmer_id = ? AND", 1)
			args = []any{*who}
		}
		plan, err := s.Explain(ctx, q, args...)
		if err != nil || !strings.Contains(plan, "COVERING INDEX") {
			t.Errorf("counts read the cards: %v\n%s", err, plan)
		}
	}
}

// TestTrackerRows: the tracker's rows and counts, read from the open tasks'
// indexes, equal the plain queries' for everyone and for each person.
func TestTrackerRows(t *testing.T) {
	s := openTB(t)
	ctx := context.Background()
	if err := s.Generate(ctx, GenerateOptions{Archived: 30, InWork: 60, Transactions: 50, AutoTasks: 1200, PasswordHash: "x",
		Now: time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)}, nil); err != nil {
		t.Fatal(err)
	}
	whos := []*int64{nil}
	for id := int64(1); id <= 50; id++ {
		whos = append(whos, &id)
	}
	seen := 0
	for _, who := range whos {
		got, err := s.TrackerCounts(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.Q.AutoTaskStageCounts(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		wm := map[int64]int64{}
		for _, r := range want {
			wm[r.Stage] = r.N
		}
		if fmt.Sprint(got) != fmt.Sprint(wm) {
			t.Errorf("counts of %v: %v, want %v", who, got, wm)
		}
		for st := int64(1); st <= 9; st++ {
			rows, err := s.TrackerRows(ctx, st, who)
			if err != nil {
				t.Fatal(err)
			}
			want, err := s.Q.AutoTaskTracker(ctx, db.AutoTaskTrackerParams{Stage: st, AssigneeID: who})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(rows) != fmt.Sprint(want) {
				t.Errorf("stage %d of %v: %d rows, want %d", st, who, len(rows), len(want))
			}
			if who != nil && *who%10 != 0 {
				continue
			}
			// Pages of 7 put together are the same rows in the same order.
			var paged []db.AutoTaskTrackerRow
			for off := 0; off <= len(want); off += 7 {
				p, err := s.TrackerPage(ctx, st, who, 7, off)
				if err != nil {
					t.Fatal(err)
				}
				paged = append(paged, p...)
			}
			if fmt.Sprint(paged) != fmt.Sprint(want) {
				t.Errorf("stage %d of %v in pages: %d rows, want %d", st, who, len(paged), len(want))
			}
			// Pages of 7 cards put together: each card's stage task in the stage's
			// order, followed by its warming tasks by deadline; every open task once.
			var cards []db.AutoTaskTrackerRow
			for off := 0; off <= len(want); off += 7 {
				p, err := s.TrackerCardsPage(ctx, st, who, 7, off)
				if err != nil {
					t.Fatal(err)
				}
				cards = append(cards, p...)
			}
			var wantCards []db.AutoTaskTrackerRow
			for _, r := range want {
				if r.Kind != "stage" {
					continue
				}
				wantCards = append(wantCards, r)
				for _, w := range want {
					if w.Kind == "warming" && w.CardID == r.CardID {
						wantCards = append(wantCards, w)
					}
				}
			}
			if fmt.Sprint(cards) != fmt.Sprint(wantCards) || len(cards) != len(want) {
				t.Errorf("stage %d of %v in pages of cards: %d rows, want %d (of %d open tasks)", st, who, len(cards), len(wantCards), len(want))
			}
			warming := 0
			for _, r := range cards {
				if r.Kind == "warming" {
					warming++
				}
			}
			if st == 3 && who == nil && warming == 0 {
				t.Error("no open warming task generated: the pages of cards are not tested with any")
			}
			seen += len(rows)
		}
	}
	if seen == 0 {
		t.Error("no open tasks generated")
	}
	// A page's ids are read in order from the index alone and the walk stops after
	// the page: no table row is read and the stage is not sorted before the cut.
	for _, q := range []struct {
		index, cond string
		args        []any
	}{{"auto_tasks_open_page", "", []any{3}}, {"auto_tasks_open_page_assignee", " AND assignee_id = ?", []any{3, 7}},
		// stage 3's page of cards: its stage tasks, from the same index
		{"auto_tasks_open_page", " AND kind = 'stage'", []any{3}}, {"auto_tasks_open_page_assignee", " AND kind = 'stage' AND assignee_id = ?", []any{3, 7}}} {
		plan, err := s.Explain(ctx, `SELECT id, deadline FROM auto_tasks INDEXED BY `+q.index+`
	WHERE status IN ('new', 'in_progress') AND kind IN ('stage', 'warming') AND stage = ?`+q.cond+` ORDER BY deadline, id LIMIT 200 OFFSET 0`, q.args...)
		if err != nil || !strings.Contains(plan, "USING COVERING INDEX "+q.index) || strings.Contains(plan, "USE TEMP B-TREE FOR ORDER BY") {
			t.Errorf("the tracker page's ids are not an index walk cut at the page: %v\n%s", err, plan)
		}
	}
}

// TestArchivePairIndexes: the archive's id filters without typed text — each of the
// 32 sets of the five, with and without "only mine" — count and page on the index
// of the two that narrow the most (supplier, bank, manager, warmer, accountant;
// an arm of "only mine" with its person and the best other), both as equalities,
// newest first without a sort (migration 15). Before it, two filters walked the
// whole list of one checking the other (a bank's 25,000 cards for its ~125).
func TestArchivePairIndexes(t *testing.T) {
	s := openTB(t)
	ctx := context.Background()
	if err := s.Generate(ctx, GenerateOptions{Archived: 40, InWork: 5, Transactions: 10, AutoTasks: 50, PasswordHash: "x",
		Now: time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)}, nil); err != nil {
		t.Fatal(err)
	}
	canon := []string{"bank", "supplier", "warmer", "manager", "accountant"}
	narrowing := []string{"supplier", "bank", "manager", "warmer", "accountant"}
	// want is the index and its two equality columns for the filters in set, with fixed first.
	want := func(set map[string]bool, fixed string) (string, []string) {
		var two []string
		if fixed != "" {
			two = append(two, fixed)
		}
		for _, d := range narrowing {
			if len(two) < 2 && set[d] && d != fixed {
				two = append(two, d)
			}
		}
		if len(two) == 1 {
			return "cards_arch_" + two[0], []string{two[0] + "_id=?"}
		}
		slices.SortFunc(two, func(a, b string) int { return slices.Index(canon, a) - slices.Index(canon, b) })
		return "cards_arch_" + two[0] + "_" + two[1], []string{two[0] + "_id=? AND " + two[1] + "_id=?"}
	}
	n := 0
	for mask := 1; mask < 64; mask++ {
		own := mask&32 != 0
		set := map[string]bool{}
		ids := [5]int64{}
		for i := range 5 {
			if mask&(1<<i) != 0 {
				set[canon[i]], ids[i] = true, int64(i+1)
			}
		}
		f := ArchiveFilter{BankID: ids[0], SupplierID: ids[1], WarmerID: ids[2], ManagerID: ids[3], AccountID: ids[4], Limit: 25, Offset: 25}
		var wants [][2]string // index, its equalities
		if own {
			f.OnlyUser = 7
			for _, p := range []string{"warmer", "manager", "accountant"} {
				ix, eq := want(set, p)
				wants = append(wants, [2]string{ix, eq[0]})
			}
		} else if len(set) > 0 {
			ix, eq := want(set, "")
			wants = append(wants, [2]string{ix, eq[0]})
		} else {
			continue
		}
		q, err := s.archiveQuery(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		cq, cargs := q.count()
		pq, pargs := q.page(false)
		for what, sql := range map[string]string{"count": cq, "page": pq} {
			args := cargs
			if what == "page" {
				args = append(pargs, 25, 25)
			}
			plan, err := s.Explain(ctx, sql, args...)
			if err != nil {
				t.Fatal(err)
			}
			var searches []string
			for _, l := range strings.Split(strings.TrimSpace(plan), "\n") {
				if strings.HasPrefix(l, "SEARCH c ") || strings.HasPrefix(l, "SCAN c") {
					searches = append(searches, l)
				}
				if strings.Contains(l, "TEMP B-TREE") && !own {
					t.Errorf("%v own=%v %s: sorted: %s\n%s", set, own, what, l, plan)
				}
			}
			if len(searches) != len(wants) {
				t.Fatalf("%v own=%v %s: %d index steps, want %d:\n%s", set, own, what, len(searches), len(wants), plan)
			}
			for i, w := range wants {
				if !strings.Contains(searches[i], "INDEX "+w[0]+" ("+w[1]) {
					t.Errorf("%v own=%v %s: %s, want %s (%s…)", set, own, what, searches[i], w[0], w[1])
				}
			}
			n++
		}
	}
	t.Logf("%d plans", n)
}

// TestCardPagePlans: a card's page reads its tasks and transactions from the
// indexes that hold their whole rows by card (migration 19), one or two pages a
// card, never the big tables' rows scattered over the years nor a sort.
func TestCardPagePlans(t *testing.T) {
	s := openTB(t)
	for name, index := range map[string]string{"AutoTaskListCard": "auto_tasks_card", "TransactionList": "transactions_card"} {
		plan, err := s.Explain(context.Background(), namedQuery(t, name), int64(1))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		first := strings.SplitN(plan, "\n", 2)[0]
		if !strings.Contains(first, "USING COVERING INDEX "+index+" ") || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%s: %s", name, plan)
		}
	}
}

// namedQuery is the SQL of the sqlc query name in queries/*.sql.
func namedQuery(t *testing.T, name string) string {
	t.Helper()
	files, _ := filepath.Glob("../queries/*.sql")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		_, rest, ok := strings.Cut(string(b), "-- name: "+name+" ")
		if !ok {
			continue
		}
		_, q, _ := strings.Cut(rest, "\n")
		q, _, _ = strings.Cut(q, ";")
		return q
	}
	t.Fatalf("no query %s in queries/", name)
	return ""
}
