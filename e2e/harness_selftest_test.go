package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestHarnessSeesConsoleErrors proves that the console check catches what it
// promises (console.error, uncaught exceptions, CSP violations, failed
// sub-resource loads) and that a 4xx main document is not counted twice.
func TestHarnessSeesConsoleErrors(t *testing.T) {
	app := startApp(t)
	b := newBrowser(t, app, "probe")

	b.setupOwner("Ольга Владелец", "owner", "owner-pass-1")
	if got := b.consoleProblems(); len(got) != 0 {
		t.Fatalf("a clean page logged console errors: %q", got)
	}

	eval[bool](b, `(() => {
		console.error("e2e-probe", 42);
		setTimeout(() => { throw new Error("e2e-boom"); });
		const s = document.createElement("script");
		s.textContent = "window.e2eInline = 1"; // blocked by script-src 'self'
		document.body.appendChild(s);
		const img = new Image();
		img.src = "/static/e2e-missing.png";
		document.body.appendChild(img);
		return true;
	})()`)
	want := []string{"e2e-probe 42", "e2e-boom", "Content Security Policy", "e2e-missing.png"}
	var got []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		got = append(got, b.consoleProblems()...)
		if !slices.ContainsFunc(want, func(w string) bool { return !containsAny(got, w) }) {
			break
		}
	}
	for _, w := range want {
		if !containsAny(got, w) {
			t.Errorf("the console check missed %q; it saw %q", w, got)
		}
	}
	if eval[bool](b, `window.e2eInline === 1`) {
		t.Errorf("an inline script ran: the page has no CSP script-src")
	}

	// A 4xx page is reported by its status; its network console line is not a second failure.
	if st := b.open("/no-such-page"); st != http.StatusNotFound {
		t.Errorf("/no-such-page: status %d, want 404", st)
	}
	if got := b.consoleProblems(); len(got) != 0 {
		t.Errorf("a 404 document left console problems: %q", got)
	}
}

func containsAny(list []string, substr string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.Contains(s, substr) })
}
