package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"kartoteka/store"
)

// TestFragmentCache: with the cache on (as the server runs), the «Карты» counts and
// the tracker table are kept until a notice: a write the hub was not told of is not
// seen, the notice makes the next request read again; a refetch with the table's
// ETag gets 304 and no body.
func TestFragmentCache(t *testing.T) {
	ts := newTestServer(t, withCache())
	badge := func() string {
		_, body := ts.do(t, owner, "GET", "/cards?tab=new", nil)
		i := strings.Index(body, `Новые карты <span class="badge text-bg-secondary">`)
		if i < 0 {
			t.Fatalf("no count on the tab:\n%s", body)
		}
		rest := body[i+len(`Новые карты <span class="badge text-bg-secondary">`):]
		return rest[:strings.Index(rest, "<")]
	}
	if n := badge(); n != "0" {
		t.Fatalf("new cards %s, want 0", n)
	}
	if _, err := ts.st.CreateCard(context.Background(), store.Actor{ID: ts.users[owner], Privileged: true}, store.CardInput{
		Number: "4111111111111111", BankID: ts.bankID, SupplierID: ts.contractorID, WarmerID: ts.users[warmer],
		ManagerID: ts.users[manager], AccountantID: ts.users[accountant], Rate: 1000, WarmingDays: 14, WarmingEveryDays: 1}); err != nil {
		t.Fatal(err)
	}
	if n := badge(); n != "0" {
		t.Errorf("before the notice: %s new cards, want the kept 0", n)
	}
	ts.hub.Publish("cards")
	if n := badge(); n != "1" {
		t.Errorf("after the notice: %s new cards, want 1", n)
	}

	resp, body := ts.do(t, owner, "GET", "/tracker?stage=1&part=table", nil)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || etag == "" || !strings.Contains(body, "tracker-table") {
		t.Fatalf("tracker table: %d, ETag %q", resp.StatusCode, etag)
	}
	req := httptest.NewRequest("GET", "/tracker?stage=1&part=table", nil)
	req.Header.Set("If-None-Match", etag)
	req.AddCookie(ts.login(t, owner).Cookie)
	resp, body = ts.send(t, req)
	if resp.StatusCode != http.StatusNotModified || body != "" {
		t.Errorf("refetch with the ETag: %d, %d bytes; want 304 and no body", resp.StatusCode, len(body))
	}
}

// TestCardTabPages: a card tab shows a page of 100 cards with the way to the next,
// and searches on the server (number, contact, bank, people) across all pages.
func TestCardTabPages(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	for i := range 105 {
		if _, err := ts.st.CreateCard(ctx, store.Actor{ID: ts.users[owner], Privileged: true}, store.CardInput{
			Number: luhnNumber(fmt.Sprintf("411100000%06d", i)), BankID: ts.bankID, SupplierID: ts.contractorID,
			ContactName: fmt.Sprintf("Клиент %03d", i), WarmerID: ts.users[warmer], ManagerID: ts.users[manager],
			AccountantID: ts.users[accountant], Rate: 1000, WarmingDays: 14, WarmingEveryDays: 1}); err != nil {
			t.Fatal(err)
		}
	}
	rows := func(body string) int { return strings.Count(body, `<tr data-card="`) }
	_, body := ts.do(t, owner, "GET", "/cards?tab=new", nil)
	if n := rows(body); n != 100 || !strings.Contains(body, "Карты 1–100 из 105") || !strings.Contains(body, "page=2") {
		t.Errorf("first page: %d rows", n)
	}
	_, body = ts.do(t, owner, "GET", "/cards?tab=new&page=2", nil)
	if n := rows(body); n != 5 || !strings.Contains(body, "Карты 101–105 из 105") {
		t.Errorf("second page: %d rows", n)
	}
	_, body = ts.do(t, owner, "GET", "/cards?tab=new&q="+url.QueryEscape("клиент 017"), nil)
	if n := rows(body); n != 1 || !strings.Contains(body, "Клиент 017") {
		t.Errorf("search: %d rows", n)
	}
	_, body = ts.do(t, manager, "GET", "/cards?tab=new&part=table&q=nothing-like-this", nil)
	if n := rows(body); n != 0 || !strings.Contains(body, "карт нет") {
		t.Errorf("search with no match: %d rows", n)
	}
}

// luhnNumber appends the check digit to 15 digits.
func luhnNumber(d string) string {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if (len(d)-1-i)%2 == 0 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return d + string(rune('0'+(10-sum%10)%10))
}
