package e2e

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	_ "modernc.org/sqlite"
)

// markup is what a hostile name looks like: live elements if any page writes it as HTML.
func markup(tag string) string {
	return `<img src=x class=pwn data-f=` + tag + `><a href="/pwn" class=pwn>Сеанс истёк — войдите</a><b class=pwn>` + tag + `</b>`
}

// noMarkup is a JavaScript check on a document (or a parsed fragment): the
// planted markup became no element.
const noMarkup = `.querySelectorAll('.pwn, img[src="x"], a[href="/pwn"]').length`

// TestMarkupInNamesIsText (issue 8 item 3): markup planted in every name and
// text field — contact, bank, supplier, its contact person, employee, notes,
// comments, task titles — shows as text everywhere: lists, the archive
// (DataTables server-side cells), the tracker, card pages, modals, tasks,
// the change log and the report.
func TestMarkupInNamesIsText(t *testing.T) {
	app := startApp(t, "--demo")
	b := newBrowser(t, app, "owner")
	b.login("owner", demoPassword(t, app, "owner"))

	// Through the forms: the change log then holds the markup too.
	if st, _ := b.postForm("/directory/banks/1", map[string]string{"name": "Банк " + markup("bank-form")}); st != 200 {
		t.Fatalf("bank edit: %d", st)
	}
	if st, _ := b.postForm("/directory/contractors/1", map[string]string{"name": "Поставщик " + markup("supplier-form"),
		"contact_name": markup("supplier-contact-form")}); st != 200 {
		t.Fatalf("supplier edit: %d", st)
	}

	// Straight into the database: every other row of every name column.
	db, err := sql.Open("sqlite", "file:"+app.DBPath+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`UPDATE banks SET name = name || ' ' || '` + markup("bank") + `' WHERE id > 1`,
		`UPDATE contractors SET name = name || ' ' || '` + markup("supplier") + `', contact_name = '` + markup("supplier-contact") + `' WHERE id > 1`,
		`UPDATE users SET name = name || ' ' || '` + markup("employee") + `'`,
		`UPDATE cards SET contact_name = contact_name || ' ' || '` + markup("contact") + `', notes = '` + markup("notes") + `'`,
		`UPDATE transactions SET comment = '` + markup("tx-comment") + `'`,
		`UPDATE card_events SET text = text || ' ' || '` + markup("event") + `' WHERE text <> ''`,
		`UPDATE tasks SET title = substr('Задача ` + markup("task") + `', 1, 200), description = '` + markup("task-description") + `'`,
		`UPDATE task_comments SET body = '` + markup("task-comment") + `'`,
	} {
		if _, err := db.Exec(q); err != nil && !strings.Contains(err.Error(), "no such table") {
			t.Fatalf("%s: %v", q, err)
		}
	}
	ids := func(q string) []int64 {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int64
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			out = append(out, id)
		}
		return out
	}
	stage6 := ids(`SELECT id FROM cards WHERE lifecycle = 'in_work' AND stage = 6 LIMIT 1`)
	cards := append(stage6, ids(`SELECT MIN(id) FROM cards GROUP BY lifecycle`)...)
	if len(stage6) == 0 {
		t.Fatal("the demo has no card at stage 6")
	}

	pages := []string{"/", "/cards?tab=new", "/cards?tab=work", "/cards?tab=done", "/tasks", "/tasks?tab=auto",
		"/report", "/audit?entity=bank", "/audit?entity=contractor", "/directory/employees", "/directory/banks", "/directory/contractors", "/cards/new",
		"/profile", "/settings"}
	for st := 1; st <= 9; st++ {
		pages = append(pages, fmt.Sprintf("/tracker?stage=%d", st))
	}
	for _, id := range cards {
		pages = append(pages, fmt.Sprintf("/cards/%d", id), fmt.Sprintf("/tasks?tab=auto&card=%d", id))
	}
	pages = append(pages, fmt.Sprintf("/cards/%d/edit", stage6[0]))
	// One browser session lasts testTimeout: a fresh one for every few pages (this
	// machine may be slow).
	session := func(name string) *Browser {
		s := newBrowser(t, app, name)
		s.login("owner", demoPassword(t, app, "owner"))
		return s
	}
	shown := 0
	for i := 0; i < len(pages); i += 8 {
		s := session(fmt.Sprintf("owner-%d", i/8))
		for _, p := range pages[i:min(i+8, len(pages))] {
			if st := s.open(p); st >= 400 {
				if st == 404 {
					continue // a page another version does not have
				}
				t.Errorf("%s: %d", p, st)
				continue
			}
			if n := eval[int](s, `document`+noMarkup); n > 0 {
				s.screenshot("markup" + strings.NewReplacer("/", "-", "?", "-", "=", "-", "&", "-").Replace(p))
				t.Errorf("%s: %d elements made of a planted name", p, n)
			}
			shown += eval[int](s, `(document.body.innerText.match(/Сеанс истёк — войдите/g) || []).length`)
		}
		s.checkConsole()
	}
	if shown == 0 {
		t.Fatal("the planted names are shown nowhere: the test checks nothing")
	}
	b = session("owner-archive")

	// The archive: DataTables' server-side cells.
	b.open("/cards?tab=archive")
	b.waitJS("archive rows", `document.querySelectorAll('#archive-table tbody tr td a').length > 0`)
	if !strings.Contains(b.textContent("#archive-table tbody"), "Сеанс истёк — войдите") {
		t.Error("the archive does not show the planted contact as text")
	}
	if n := eval[int](b, `document`+noMarkup); n > 0 {
		b.screenshot("markup-archive")
		t.Errorf("archive: %d elements made of planted names", n)
	}

	// Modal and htmx fragments, parsed as the page would insert them.
	frags := []string{fmt.Sprintf("/cards/%d/stage", stage6[0]), fmt.Sprintf("/cards/%d/transactions", stage6[0]), "/nav/counters"}
	for _, f := range frags {
		n := run(b, "fetching "+f, chromedp.Evaluate[int](`fetch(`+js(f)+`, {headers: {'HX-Request': 'true'}}).then(r => r.text()).then(h => new DOMParser().parseFromString(h, 'text/html')`+noMarkup+`)`, chromedp.EvalAwaitPromise))
		if n > 0 {
			t.Errorf("%s: %d elements made of planted names", f, n)
		}
	}
	b.checkConsole()
}
