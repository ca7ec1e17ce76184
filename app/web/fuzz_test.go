package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

// badQueries are the seeds: what broke before (a NUL byte reaching FTS5 MATCH)
// and its relatives. More seeds live in testdata/fuzz.
var badQueries = []string{"a\x00b", "\x00", `"`, `a"b`, `"""`, "*", "a*", "NEAR(a b)", "a OR b", "a AND", "-a", "^a",
	"(", ")", "{a}", "col:a", "number:1", "'", "%", "_", `\`, "\u202e", "\ufffd", "\xff\xfe", "0", "-1",
	"99999999999999999999", "1e9", "  ", "ё"}

// FuzzArchiveQuery: no query string makes the archive or «Автозадачи» answer 500
// (issue 8 item 7). CI runs the seeds; `go test -fuzz FuzzArchiveQuery` explores.
func FuzzArchiveQuery(f *testing.F) {
	for _, s := range badQueries {
		f.Add(s, s, s)
	}
	f.Add("4111", "Иванов", "25")
	f.Add("411111111111", "+7 (912) 345-67-89", "0")
	ts := newTestServer(f)
	f.Fuzz(func(t *testing.T, number, contact, num string) {
		queries := []url.Values{
			{"number": {number}, "contact": {contact}, "start": {num}, "length": {num}, "bank": {num}, "draw": {num},
				"order[0][dir]": {contact}},
			{"contact": {number + contact}},
		}
		for _, q := range queries {
			for _, role := range []string{"owner", "manager"} {
				r := owner
				if role == "manager" {
					r = manager
				}
				if resp, body := ts.do(t, r, http.MethodGet, "/cards/archive?"+q.Encode(), nil); resp.StatusCode >= 500 {
					t.Fatalf("%s: /cards/archive?%s → %d %s", role, q.Encode(), resp.StatusCode, snippet(body))
				}
			}
		}
		tq := url.Values{"tab": {"auto"}, "card": {num}, "stage": {num}, "assignee": {num}, "status": {contact},
			"from": {number}, "to": {contact}, "before": {num}}
		for _, r := range []string{"owner", "manager"} {
			role := owner
			if r == "manager" {
				role = manager
			}
			if resp, body := ts.do(t, role, http.MethodGet, "/tasks?"+tq.Encode(), nil); resp.StatusCode >= 500 {
				t.Fatalf("%s: /tasks?%s → %d %s", r, tq.Encode(), resp.StatusCode, snippet(body))
			}
		}
	})
}
