package web_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"kartoteka/store"
	"kartoteka/store/db"
)

// TestTrackerPages: a stage with more open tasks than a page shows 200 of them,
// the most urgent first, with the way to the next page, which holds the rest in
// the same order; for everyone (one shared, cached entry) and for a person.
func TestTrackerPages(t *testing.T) {
	ts := newTestServer(t, withCache())
	ctx := context.Background()
	a := store.Actor{ID: ts.users[owner], Privileged: true}
	for i := range 205 {
		id, err := ts.st.CreateCard(ctx, a, store.CardInput{
			Number: luhnNumber(fmt.Sprintf("422200000%06d", i)), BankID: ts.bankID, SupplierID: ts.contractorID,
			WarmerID: ts.users[warmer], ManagerID: ts.users[manager], AccountantID: ts.users[accountant],
			Rate: 1000, WarmingDays: 14, WarmingEveryDays: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := ts.st.StartCard(ctx, a, id, 1); err != nil {
			t.Fatal(err)
		}
		if i%50 == 0 {
			ts.clock.Advance(-3 * 3600e9) // later cards get earlier deadlines: the order is not the ids'
		}
	}
	ts.hub.Publish("tracker")
	cardRe := regexp.MustCompile(`<tr class="[^"]*" data-card="(\d+)"`)
	cards := func(body string) []string {
		var out []string
		for _, m := range cardRe.FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		return out
	}
	var want []string
	rows, err := ts.st.Q.AutoTaskTracker(ctx, db.AutoTaskTrackerParams{Stage: 1}) // the plain query
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		want = append(want, fmt.Sprint(r.CardID))
	}
	if slices.IsSorted(want) || len(want) != 205 {
		t.Fatalf("the deadlines do not reorder the %d cards", len(want))
	}
	// The stage-1 tasks of the seeded manager (responsible for stage 1) are the same 205.
	for _, who := range []struct {
		role  string
		query string
	}{{"owner", ""}, {"manager", ""}, {"owner", "&part=table"}} {
		role := owner
		if who.role == "manager" {
			role = manager
		}
		_, p1 := ts.do(t, role, "GET", "/tracker?stage=1"+who.query, nil)
		_, p2 := ts.do(t, role, "GET", "/tracker?stage=1&page=2"+who.query, nil)
		got := append(cards(p1), cards(p2)...)
		if len(cards(p1)) != 200 || !strings.Contains(p1, "Задачи 1–200 из 205") || !strings.Contains(p1, "page=2") {
			t.Errorf("%s%s first page: %d rows", who.role, who.query, len(cards(p1)))
		}
		if len(cards(p2)) != 5 || !strings.Contains(p2, "Задачи 201–205 из 205") {
			t.Errorf("%s%s second page: %d rows", who.role, who.query, len(cards(p2)))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s%s: pages hold %v…, want the stage in deadline order %v…", who.role, who.query, got[:min(5, len(got))], want[:5])
		}
	}
}
