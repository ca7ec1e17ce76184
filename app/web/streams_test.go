package web_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"kartoteka/app/pipeline"
)

// stream is an open /events stream read line by line.
type stream struct {
	data   chan string   // the data lines of notices
	closed chan struct{} // closed when the server ends the stream
	cancel context.CancelFunc
}

func openStream(t *testing.T, base string, s *session) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/events", nil)
	req.AddCookie(s.Cookie)
	resp, err := fromAddr(1, false).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("/events: %d", resp.StatusCode)
	}
	st := &stream{data: make(chan string, 100), closed: make(chan struct{}), cancel: cancel}
	hello := make(chan struct{})
	go func() {
		defer close(st.closed)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "event: hello") {
				close(hello)
			}
			if d, ok := strings.CutPrefix(line, "data: "); ok && !strings.HasPrefix(line, "data: 0") {
				st.data <- d
			}
		}
	}()
	select {
	case <-hello:
	case <-time.After(5 * time.Second):
		t.Fatal("no hello on the stream")
	}
	return st
}

// TestStreamEndsWithSession (issue 8 item 6): a deactivated user's, a logged-out
// user's, a re-roled user's and an idle session's open stream closes within a second.
func TestStreamEndsWithSession(t *testing.T) {
	f := newCardFixture(t)
	f.signIn()
	base := f.ts.listen(t)
	cases := []struct {
		name string
		who  string
		end  func()
	}{
		{"deactivation", "stranger-warmer", func() {
			f.ts.doAs(t, f.actors["owner"].s, http.MethodPost, fmt.Sprintf("/directory/employees/%d/active", f.actors["stranger-warmer"].id), vals("active", "0"))
		}},
		{"logout", "card-manager", func() {
			f.ts.doAs(t, f.actors["card-manager"].s, http.MethodPost, "/logout", nil)
		}},
		{"role change", "stranger-accountant", func() {
			f.ts.doAs(t, f.actors["owner"].s, http.MethodPost, fmt.Sprintf("/directory/employees/%d", f.actors["stranger-accountant"].id),
				vals("name", "Чужая Бухгалтер", "login", "stranger-accountant", "role", "manager"))
		}},
		{"idle timeout", "admin", func() { f.ts.clock.Advance(13 * time.Hour) }}, // last: every session is idle after it
	}
	for _, c := range cases {
		st := openStream(t, base, f.actors[c.who].s)
		start := time.Now()
		c.end()
		select {
		case <-st.closed:
			if d := time.Since(start); d > 1500*time.Millisecond {
				t.Errorf("%s: the stream closed after %v, want within a second", c.name, d)
			}
		case <-time.After(3 * time.Second):
			t.Errorf("%s: the stream is still open 3 s later", c.name)
		}
	}
}

// TestStreamTopicsPerUser (issue 8 item 6): a manager's stream hears of card N
// only when they are on card N; the card's own manager and the owner do; only the
// owner hears that the report's figures changed.
func TestStreamTopicsPerUser(t *testing.T) {
	f := newCardFixture(t)
	id, _ := f.newCard()
	f.walk(id, pipeline.Processing)
	f.signIn()
	base := f.ts.listen(t)
	mine := openStream(t, base, f.actors["card-manager"].s)
	other := openStream(t, base, f.actors["stranger-manager"].s)
	boss := openStream(t, base, f.actors["owner"].s)
	if resp, _ := f.ts.doAs(t, f.actors["owner"].s, http.MethodPost, fmt.Sprintf("/cards/%d/transactions", id),
		vals("occurred_on", f.today(), "amount", "1000", "commission_rate", "10")); resp.StatusCode != 200 {
		t.Fatalf("add transaction: %d", resp.StatusCode)
	}
	topic := fmt.Sprintf("card:%d", id)
	wait := func(s *stream) string {
		select {
		case d := <-s.data:
			return d
		case <-time.After(3 * time.Second):
			return ""
		}
	}
	// The money changed: «Отчёт» refreshes, for the owner only (the one who sees it).
	if d := wait(mine); !strings.Contains(d, topic) || strings.Contains(d, "report") {
		t.Errorf("the card's manager got %q, want %s and no report", d, topic)
	}
	if d := wait(boss); !strings.Contains(d, topic) || !strings.Contains(d, "report") {
		t.Errorf("the owner got %q, want %s and report", d, topic)
	}
	select {
	case d := <-other.data:
		t.Errorf("another manager's stream got %q", d)
	case <-time.After(500 * time.Millisecond):
	}
}
