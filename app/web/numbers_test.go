package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"kartoteka/app/pipeline"
)

// TestNoFullNumberInLists (issue 8 item 5): no list, search answer, export or
// fragment carries a card's full number, for any role, in any attribute; the
// pages that do show it are not cached.
func TestNoFullNumberInLists(t *testing.T) {
	f := newCardFixture(t)
	numbers := map[int64]string{}
	newCard := func() int64 { id, n := f.newCard(); numbers[id] = n; return id }
	newCard() // new
	working := newCard()
	f.walk(working, pipeline.Processing)
	f.addTx(working)
	done := newCard()
	f.walk(done, 10)
	archived := newCard()
	f.walk(archived, 10)
	if _, err := f.ts.st.ArchiveCards(f.ctx, f.priv, []int64{archived}); err != nil {
		t.Fatal(err)
	}
	f.signIn()

	paths := []string{"/", "/nav/counters", "/cards?tab=new", "/cards?tab=work", "/cards?tab=done", "/cards?tab=archive",
		"/cards?tab=work&part=table", "/cards/archive?start=0&length=100", "/tasks", "/tasks?tab=auto",
		"/export/cards?tab=work&format=csv", "/export/cards?tab=archive&format=csv", "/export/tasks?tab=auto&format=csv"}
	for st := 1; st <= 9; st++ {
		paths = append(paths, "/tracker?stage="+string(rune('0'+st)))
	}
	for _, n := range numbers {
		// Searching by the full number or a part finds the card but answers masked.
		paths = append(paths, "/cards/archive?start=0&length=100&number="+n, "/cards/archive?start=0&length=100&number="+n[4:12],
			"/cards?tab=work&q="+n[4:12]) // a part: the search box echoes what was typed
	}
	for _, key := range cardActorKeys {
		a := f.actors[key]
		for _, p := range paths {
			resp, body := f.ts.doAs(t, a.s, http.MethodGet, p, nil)
			if resp.StatusCode >= 500 {
				t.Errorf("%s %s: %d", key, p, resp.StatusCode)
			}
			for id, n := range numbers {
				if strings.Contains(body, n) || strings.Contains(body, spaced(n)) {
					t.Errorf("%s: %s carries the full number of card %d", key, p, id)
				}
			}
		}
	}
	// The card page shows the full number to its people: never cached.
	resp, body := f.ts.doAs(t, f.actors["card-manager"].s, http.MethodGet, "/cards/"+itoa(working), nil)
	if !strings.Contains(body, "data-full-number") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("card page: full number shown %v, Cache-Control %q, want no-store", strings.Contains(body, "data-full-number"),
			resp.Header.Get("Cache-Control"))
	}
	if resp, _ := f.ts.doAs(t, f.actors["owner"].s, http.MethodGet, "/cards/"+itoa(working)+"/edit", nil); resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("card edit form: Cache-Control %q, want no-store", resp.Header.Get("Cache-Control"))
	}
}

// spaced is a number as the card page groups it: "4111 0000 0070 0001".
func spaced(n string) string {
	var b strings.Builder
	for i, r := range n {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
