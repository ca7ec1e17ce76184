// Package e2e drives the real Kartoteka binary with a headless Chromium.
//
// Each test starts its own app (fresh database, free port) with startApp and
// opens one or more isolated browser sessions with newBrowser (each session is
// its own Chromium browser context, so it has its own cookies). All sessions
// share one Chromium process per test binary.
//
//	go test ./e2e/                                   # skips without Chromium
//	KARTOTEKA_E2E=1 go test ./e2e/ -count=1 -v       # no Chromium is a failure
//	KARTOTEKA_E2E_SHOTS=/tmp/shots go test ./e2e/    # keep screenshots
//	KARTOTEKA_E2E_CHROME=/path/to/chrome              # use this browser
//
// Every console error, uncaught exception or browser-log error (CSP
// violations, failed sub-resource loads) fails the test that caused it.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const (
	testTimeout = 60 * time.Second // one browser session, whole test
	stepTimeout = 10 * time.Second // one helper call
	viewportW   = 1280             // wide enough for the expanded navbar (lg)
	viewportH   = 900
)

var (
	binPath    string // the kartoteka binary built by TestMain
	chromePath string
	skipReason string // non-empty: every test skips with this message

	browserOnce sync.Once
	browserCtx  context.Context // first tab of the shared Chromium; parent of all sessions
	browserErr  error
	stopBrowser = func() {}
)

// TestMain finds Chromium, builds the binary once, runs the tests and stops
// the shared browser.
func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	required := os.Getenv("KARTOTEKA_E2E") == "1"
	switch {
	case testing.Short():
		skipReason = "browser tests are skipped under -short"
	default:
		chromePath = findChromium()
		if chromePath == "" {
			msg := "no Chromium found; install it (apt-get install -y chromium) or set KARTOTEKA_E2E=1 to make this a failure"
			if required {
				fmt.Fprintln(os.Stderr, "e2e: KARTOTEKA_E2E=1 but no Chromium found (looked for $KARTOTEKA_E2E_CHROME, /usr/bin/chromium, chromium, chromium-browser, google-chrome on PATH); install it: apt-get install -y chromium")
				return 1
			}
			skipReason = msg
		}
	}
	if skipReason == "" {
		dir, err := os.MkdirTemp("", "kartoteka-e2e-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		if binPath, err = buildApp(dir); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: building kartoteka:", err)
			return 1
		}
	}
	code := m.Run()
	stopBrowser()
	return code
}

// findChromium returns $KARTOTEKA_E2E_CHROME if set (and present), else the
// first of /usr/bin/chromium, chromium, chromium-browser, google-chrome.
func findChromium() string {
	if p := os.Getenv("KARTOTEKA_E2E_CHROME"); p != "" {
		if p, err := exec.LookPath(p); err == nil {
			return p
		}
		return ""
	}
	if st, err := os.Stat("/usr/bin/chromium"); err == nil && !st.IsDir() {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// buildApp builds the module root (the nearest parent with go.mod) into dir.
func buildApp(dir string) (string, error) {
	root, err := filepath.Abs("..")
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			return "", errors.New("no go.mod above the e2e directory")
		}
		root = parent
	}
	bin := filepath.Join(dir, "kartoteka")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%w\n%s", err, out)
	}
	return bin, nil
}

// ---------------------------------------------------------------- the app

// App is one running kartoteka process with its own database.
type App struct {
	BaseURL string // http://127.0.0.1:PORT
	DBPath  string
	Dir     string // temp dir holding the database and backups

	cmd   *exec.Cmd
	out   *lockedBuffer
	done  chan struct{} // closed when the process exits
	ready bool          // /healthz answered
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startApp starts the binary (with extra flags, e.g. "--demo") on a free port with an empty database and waits
// until /healthz answers. It is stopped (SIGTERM) when the test ends; its
// output is logged if the test failed.
func startApp(t *testing.T, extra ...string) *App {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
	dir := t.TempDir()
	addr := freeAddr(t)
	a := &App{
		BaseURL: "http://" + addr,
		DBPath:  filepath.Join(dir, "k.db"),
		Dir:     dir,
		out:     &lockedBuffer{},
		done:    make(chan struct{}),
	}
	args := append([]string{"--addr", addr, "--db", a.DBPath, "--backup-dir", filepath.Join(dir, "b")}, extra...)
	a.cmd = exec.Command(binPath, args...)
	a.cmd.Stdout, a.cmd.Stderr = a.out, a.out
	if err := a.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", binPath, err)
	}
	go func() { _ = a.cmd.Wait(); close(a.done) }()
	t.Cleanup(func() { a.stop(t) })

	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(a.BaseURL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				a.ready = true
				return a
			}
		}
		select {
		case <-a.done:
			t.Fatalf("kartoteka exited before /healthz answered: %v", a.cmd.ProcessState)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("kartoteka: /healthz did not answer 200 within 15s (last error: %v)", err)
		}
	}
}

func (a *App) stop(t *testing.T) {
	select {
	case <-a.done:
		if a.ready {
			t.Errorf("kartoteka exited during the test: %v", a.cmd.ProcessState)
		}
	default:
		_ = a.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-a.done:
		case <-time.After(10 * time.Second):
			t.Errorf("kartoteka did not stop within 10s of SIGTERM; killed")
			_ = a.cmd.Process.Kill()
			<-a.done
		}
	}
	if t.Failed() {
		out := a.out.String()
		if len(out) > 16000 {
			out = "…" + out[len(out)-16000:]
		}
		t.Logf("kartoteka output:\n%s", out)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// ------------------------------------------------------------ the browser

// startBrowser starts the one Chromium process of this test binary.
func startBrowser() {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromePath),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("accept-lang", "ru-RU,ru"), // navigator.language and Accept-Language
		chromedp.WindowSize(viewportW, viewportH),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	// No timeout here: the first Run binds the browser's life to this context.
	if err := chromedp.Do(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		browserErr = fmt.Errorf("starting %s: %w", chromePath, err)
		return
	}
	browserCtx = ctx
	stopBrowser = func() { cancelCtx(); cancelAlloc() }
}

// Browser is one isolated browser session (own cookies) with one tab, bound
// to an App. Its methods fail the test on error, so tests read linearly.
type Browser struct {
	t    *testing.T
	app  *App
	name string
	ctx  context.Context // the tab; carries the per-test timeout

	mu        sync.Mutex
	console   []string        // console errors, exceptions, browser-log errors
	badDocs   map[string]bool // documents that answered >= 400 (their network log line is expected)
	allowed   []*regexp.Regexp
	shotCount int
}

// harmlessConsole lists console messages that never indicate a bug. Keep it short.
var harmlessConsole = []*regexp.Regexp{
	// Chromium asks for /favicon.ico on pages without <link rel=icon> (e.g. /healthz JSON).
	regexp.MustCompile(`status of 404 .*\(https?://[^/]+/favicon\.ico\)$`),
}

// newBrowser opens a new isolated session. name labels its screenshots and
// messages ("owner", "manager"). At the end of the test it fails the test on
// any console error, and takes a screenshot if the test failed.
func newBrowser(t *testing.T, app *App, name string) *Browser {
	t.Helper()
	if skipReason != "" {
		t.Skip(skipReason)
	}
	browserOnce.Do(startBrowser)
	if browserErr != nil {
		t.Fatal(browserErr)
	}
	b := &Browser{t: t, app: app, name: name, badDocs: map[string]bool{}}

	tctx, cancelTimeout := context.WithTimeout(browserCtx, testTimeout)
	ctx, cancelTab := chromedp.NewContext(tctx,
		chromedp.WithNewBrowserContext(),
		chromedp.WithListener(b.onEvent))
	b.ctx = ctx
	t.Cleanup(func() {
		if t.Failed() {
			b.shot("FAILED")
			b.t.Logf("[%s] page at failure: %s", b.name, b.url())
		}
		b.checkConsole()
		cancelTab()
		cancelTimeout()
	})
	// The first Do creates the browser context and the tab.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(viewportW, viewportH), officeLocale); err != nil {
		t.Fatalf("[%s] opening a tab: %v", name, err)
	}
	return b
}

// officeLocale makes the tab's JavaScript behave like an office PC: Russian
// Intl/toLocaleString and Moscow time. (Headless Chromium still draws
// <input type=date|time> widgets in en-US: mm/dd/yyyy, 06:00 PM.)
var officeLocale = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	if _, err := cdp.Call(ctx, t, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: "ru_RU"}); err != nil {
		return err
	}
	_, err := cdp.Call(ctx, t, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Europe/Moscow"})
	return err
})

// onEvent runs on the tab's read loop: record problems, return fast.
func (b *Browser) onEvent(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		var parts []string
		for _, a := range ev.Args {
			parts = append(parts, remoteText(a))
		}
		msg = "console." + string(ev.Type) + ": " + strings.Join(parts, " ")
		if st := ev.StackTrace; st != nil && len(st.CallFrames) > 0 {
			f := st.CallFrames[0]
			msg += fmt.Sprintf(" (%s:%d)", f.URL, f.LineNumber+1)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg = "exception: " + d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		msg += fmt.Sprintf(" (%s:%d)", d.URL, d.LineNumber+1)
	case *cdplog.EventEntryAdded:
		e := ev.Entry
		if e.Level != cdplog.EntryLevelError {
			return
		}
		msg = fmt.Sprintf("browser log [%s] %s", e.Source, e.Text)
		if e.URL != "" {
			msg += " (" + e.URL + ")"
		}
		if e.Source == cdplog.EntrySourceNetwork {
			msg = "network\x00" + e.URL + "\x00" + msg // filtered against badDocs later
		}
	default:
		return
	}
	b.mu.Lock()
	b.console = append(b.console, msg)
	b.mu.Unlock()
}

func remoteText(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	if len(o.Value) > 0 {
		var s string
		if json.Unmarshal(o.Value, &s) == nil {
			return s
		}
		return string(o.Value)
	}
	if o.Description != "" {
		return o.Description
	}
	return string(o.Type)
}

// allowConsole ignores console errors matching the regular expression for the
// rest of this session. Use only for a message the test provokes on purpose.
func (b *Browser) allowConsole(re string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.allowed = append(b.allowed, regexp.MustCompile(re))
}

// consoleProblems returns (and forgets) the console errors so far that are
// not expected: not allowed, and not the network line of a main document that
// answered 4xx/5xx (the test sees that status itself).
func (b *Browser) consoleProblems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, m := range b.console {
		if strings.HasPrefix(m, "network\x00") {
			parts := strings.SplitN(m, "\x00", 3)
			if b.badDocs[parts[1]] {
				continue
			}
			m = parts[2]
		}
		allowed := slices.ContainsFunc(append(slices.Clip(harmlessConsole), b.allowed...), func(re *regexp.Regexp) bool { return re.MatchString(m) })
		if !allowed {
			out = append(out, m)
		}
	}
	b.console = nil
	return out
}

// checkConsole fails the test for every unexpected console error so far. It
// runs by itself when the test ends; call it to fail at a precise step.
func (b *Browser) checkConsole() {
	b.t.Helper()
	for _, m := range b.consoleProblems() {
		b.t.Errorf("[%s] browser console: %s", b.name, m)
	}
}

// step gives one helper call its own timeout.
func (b *Browser) step() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, stepTimeout)
}

func (b *Browser) fatalf(format string, args ...any) {
	b.t.Helper()
	b.t.Fatalf("[%s] "+format, append([]any{b.name}, args...)...)
}

// do runs steps that return nothing, failing the test on error.
func (b *Browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fatalf("%s: %v (page %s)", what, err, b.url())
	}
}

// run runs one action that returns a value, failing the test on error.
func run[T any](b *Browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.fatalf("%s: %v (page %s)", what, err, b.url())
	}
	return v
}

// eval evaluates a JavaScript expression. Build it with js() for arguments.
func eval[T any](b *Browser, expr string) T {
	b.t.Helper()
	return run(b, "evaluating "+expr, chromedp.Evaluate[T](expr))
}

// js quotes a Go value as a JavaScript literal.
func js(v any) string {
	out, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(out)
}

// ------------------------------------------------------------ navigation

// open loads a path (or absolute URL) and returns the HTTP status of the
// document after redirects.
func (b *Browser) open(path string) int {
	b.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = b.app.BaseURL + path
	}
	resp := run(b, "opening "+path, chromedp.NavigateResponse(u))
	return b.noteStatus(resp.URL, int(resp.Status))
}

func (b *Browser) noteStatus(docURL string, status int) int {
	if status >= 400 {
		b.mu.Lock()
		b.badDocs[docURL] = true
		b.mu.Unlock()
	}
	return status
}

// URL is the current page address ("" if unknown); it never fails the test.
func (b *Browser) url() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	u, _ := chromedp.Run(ctx, chromedp.Location())
	return u
}

// Path is the path (with query) of the current page, e.g. "/tracker".
func (b *Browser) path() string {
	b.t.Helper()
	u, err := url.Parse(b.url())
	if err != nil {
		b.fatalf("parsing the page URL: %v", err)
	}
	if u.RawQuery != "" {
		return u.Path + "?" + u.RawQuery
	}
	return u.Path
}

// ------------------------------------------------------------------ forms

// fill types values into the named fields of the form (CSS selector). Text
// inputs and textareas are cleared and typed into (insertText); selects,
// checkboxes ("1"/"" for checked), hidden inputs and date/time inputs
// (value as "2025-01-31": typing into them is locale-dependent in headless
// Chromium) are set by script with input/change events.
func (b *Browser) fill(form string, fields map[string]string) {
	b.t.Helper()
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		value := fields[name]
		sel := fmt.Sprintf(`%s [name=%q]`, form, name)
		kind := eval[string](b, fmt.Sprintf(`(() => {
			const el = document.querySelector(%s);
			if (!el) return "missing";
			const tag = el.tagName.toLowerCase(), type = (el.type || "").toLowerCase();
			if (tag === "select" || ["checkbox", "radio", "hidden", "date", "time", "datetime-local"].includes(type)) {
				if (type === "checkbox" || type === "radio") el.checked = %s !== "";
				else {
					el.value = %s;
					if (el.value !== %s) return (tag === "select" ? "no option " : "value not accepted: ") + %s;
				}
				el.dispatchEvent(new Event("input", {bubbles: true}));
				el.dispatchEvent(new Event("change", {bubbles: true}));
				return "set";
			}
			el.value = "";
			return "type";
		})()`, js(sel), js(value), js(value), js(value), js(value)))
		switch kind {
		case "missing":
			b.fatalf("form %s has no field %q", form, name)
		case "type":
			if value != "" {
				b.do("typing into "+sel, chromedp.Focus(chromedp.CSS(sel)), insertText(value))
			}
		case "set":
		default:
			b.fatalf("field %s: %s", sel, kind)
		}
	}
}

// insertText types text into the focused element in one go (CDP
// Input.insertText: one input event, like a paste), far faster than
// key-by-key SendKeys; use SendKeys where single keystrokes matter.
func insertText(text string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: text})
		return err
	})
}

// clickButton clicks the button (or submit input) whose text is exactly
// text, inside scope (a CSS selector; "" for the whole page), waits for the
// page that loads, and returns its HTTP status.
func (b *Browser) clickButton(scope, text string) int {
	b.t.Helper()
	if scope == "" {
		scope = "body"
	}
	found := eval[bool](b, fmt.Sprintf(`(() => {
		document.querySelectorAll("[data-e2e-click]").forEach(e => e.removeAttribute("data-e2e-click"));
		for (const root of document.querySelectorAll(%s))
			for (const el of root.querySelectorAll("button, input[type=submit]"))
				if ((el.tagName === "BUTTON" ? el.textContent : el.value).trim() === %s) {
					el.setAttribute("data-e2e-click", "1");
					return true;
				}
		return false;
	})()`, js(scope), js(text)))
	if !found {
		b.fatalf("no button «%s» in %s", text, scope)
	}
	ctx, cancel := b.step()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS("[data-e2e-click]")))
	if err != nil {
		b.fatalf("clicking «%s»: %v (page %s)", text, err, b.url())
	}
	if resp == nil {
		b.fatalf("clicking «%s» loaded no page", text)
	}
	return b.noteStatus(resp.URL, int(resp.Status))
}

// click clicks the first element matching the CSS selector and does not
// wait for a page load: use it for buttons handled by JavaScript or htmx, and
// follow it with a wait helper. For a button that loads a page use clickButton.
func (b *Browser) click(sel string) {
	b.t.Helper()
	b.do("clicking "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// fillAndSubmit fills the form and clicks its button with the given text;
// it returns the HTTP status of the page that answers (after redirects).
func (b *Browser) fillAndSubmit(form string, fields map[string]string, button string) int {
	b.t.Helper()
	b.fill(form, fields)
	return b.clickButton(form, button)
}

// postForm posts fields to path from the current page with fetch, the way the
// page's own form would (session cookie, CSRF token), following redirects.
// It is for test fixtures whose form the test does not need to see; it
// returns the final status and path.
func (b *Browser) postForm(path string, fields map[string]string) (int, string) {
	b.t.Helper()
	type answer struct {
		Status int    `json:"status"`
		Path   string `json:"path"`
	}
	a := run(b, "posting to "+path, chromedp.Evaluate[answer](fmt.Sprintf(`(async () => {
		const csrf = document.querySelector("meta[name=csrf-token]")?.content || "";
		const body = new URLSearchParams(Object.assign({_csrf: csrf}, %s));
		const r = await fetch(%s, {method: "POST", body, headers: {"X-CSRF-Token": csrf}});
		const u = new URL(r.url);
		return {status: r.status, path: u.pathname + u.search};
	})()`, js(fields), js(path)), chromedp.EvalAwaitPromise))
	return a.Status, a.Path
}

// ------------------------------------------------------------------- reads

// Text is the visible text (innerText) of the first element matching the CSS
// selector, trimmed. It waits for the element to exist.
func (b *Browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(run(b, "reading text of "+sel, chromedp.Text(chromedp.CSS(sel), chromedp.NodeReady)))
}

// textContent is the textContent of the first match, including hidden parts
// (e.g. closed dropdown menus), with whitespace collapsed.
func (b *Browser) textContent(sel string) string {
	b.t.Helper()
	s := run(b, "reading textContent of "+sel, chromedp.TextContent(chromedp.CSS(sel)))
	return strings.Join(strings.Fields(s), " ")
}

// texts is the trimmed innerText of every element matching the selector
// (none: empty slice). It does not wait.
func (b *Browser) texts(sel string) []string {
	b.t.Helper()
	return eval[[]string](b, fmt.Sprintf(`Array.from(document.querySelectorAll(%s), e => e.innerText.trim())`, js(sel)))
}

// count is the number of elements matching the selector now. It does not wait.
func (b *Browser) count(sel string) int {
	b.t.Helper()
	return eval[int](b, fmt.Sprintf(`document.querySelectorAll(%s).length`, js(sel)))
}

// exists reports whether an element matches the selector now. It does not wait.
func (b *Browser) exists(sel string) bool { b.t.Helper(); return b.count(sel) > 0 }

// Value is the current value of the form control matching the selector.
func (b *Browser) value(sel string) string {
	b.t.Helper()
	return run(b, "reading value of "+sel, chromedp.Value(chromedp.CSS(sel)))
}

// attr is the attribute value of the first match ("" if absent).
func (b *Browser) attr(sel, name string) string {
	b.t.Helper()
	return run(b, "reading "+name+" of "+sel, chromedp.AttributeValue(chromedp.CSS(sel), name)).Value
}

// hasClass reports whether the first match has the CSS class.
func (b *Browser) hasClass(sel, class string) bool {
	b.t.Helper()
	return slices.Contains(strings.Fields(b.attr(sel, "class")), class)
}

// WaitVisible waits (up to the step timeout) until the selector is visible.
func (b *Browser) waitVisible(sel string) {
	b.t.Helper()
	b.do("waiting for "+sel+" to be visible", chromedp.WaitVisible(chromedp.CSS(sel)))
}

// waitGone waits until nothing matches the selector.
func (b *Browser) waitGone(sel string) {
	b.t.Helper()
	b.do("waiting for "+sel+" to go away", chromedp.WaitNotPresent(chromedp.CSS(sel)))
}

// waitText waits until the selector's innerText contains substr.
func (b *Browser) waitText(sel, substr string) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	expr := fmt.Sprintf(`(() => { const e = document.querySelector(%s); return !!e && e.innerText.includes(%s); })()`, js(sel), js(substr))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		got := ""
		if b.exists(sel) {
			got = b.text(sel)
		}
		b.fatalf("waiting for %s to contain %q: %v; it has %q", sel, substr, err, got)
	}
}

// waitJS waits until the JavaScript expression is truthy; what names the
// condition in the failure message.
func (b *Browser) waitJS(what, expr string) {
	b.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		b.fatalf("waiting for %s: %v (page %s)", what, err, b.url())
	}
}

// screenshot saves a full-page PNG as $KARTOTEKA_E2E_SHOTS/<Test>-<nn>-<browser>-<name>.png
// when that variable is set; otherwise it does nothing.
func (b *Browser) screenshot(name string) { b.t.Helper(); b.shot(name) }

func (b *Browser) shot(name string) {
	dir := os.Getenv("KARTOTEKA_E2E_SHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("[%s] screenshot %q: %v", b.name, name, err)
		return
	}
	b.mu.Lock()
	b.shotCount++
	n := b.shotCount
	b.mu.Unlock()
	file := fmt.Sprintf("%s-%02d-%s-%s.png", safeName(b.t.Name()), n, b.name, safeName(name))
	if err := os.MkdirAll(dir, 0o755); err == nil {
		err = os.WriteFile(filepath.Join(dir, file), png, 0o644)
	}
	if err != nil {
		b.t.Logf("[%s] screenshot %q: %v", b.name, name, err)
	}
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(s string) string { return unsafeChars.ReplaceAllString(s, "_") }

// ------------------------------------------------------------ app flows

// setupOwner fills /setup on a fresh app and checks that it lands signed in.
func (b *Browser) setupOwner(name, login, password string) {
	b.t.Helper()
	b.open("/")
	if p := b.path(); p != "/setup" {
		b.fatalf("a fresh app should redirect to /setup, got %s", p)
	}
	status := b.fillAndSubmit(`form[action="/setup"]`, map[string]string{
		"name": name, "login": login, "password": password, "password_confirm": password,
	}, "Создать владельца")
	if status != http.StatusOK || b.path() == "/setup" || b.path() == "/login" {
		b.fatalf("setup did not sign in: status %d at %s; errors: %v", status, b.path(), b.texts(".invalid-feedback"))
	}
}

// Login signs in through /login and checks that it left the login page.
func (b *Browser) login(login, password string) {
	b.t.Helper()
	status := b.tryLogin(login, password)
	if status != http.StatusOK || b.path() == "/login" {
		b.fatalf("login as %q failed: status %d at %s; page says %q", login, status, b.path(), b.text("main"))
	}
}

// tryLogin submits the login form and returns the status; it does not check
// the outcome.
func (b *Browser) tryLogin(login, password string) int {
	b.t.Helper()
	b.open("/login")
	return b.fillAndSubmit(`form[action="/login"]`, map[string]string{"login": login, "password": password}, "Войти")
}

// logout clicks «Выйти» in the navbar and checks that it landed on /login.
func (b *Browser) logout() {
	b.t.Helper()
	b.clickButton(`nav form[action="/logout"]`, "Выйти")
	if p := b.path(); !strings.HasPrefix(p, "/login") {
		b.fatalf("after logout expected /login, got %s", p)
	}
}

// navText is all text of the navbar, including closed dropdowns.
func (b *Browser) navText() string {
	b.t.Helper()
	if !b.exists("nav.navbar") {
		return ""
	}
	return b.textContent("nav.navbar")
}

// fieldError is the text of the validation message for a form field ("" if none).
func (b *Browser) fieldError(field string) string {
	b.t.Helper()
	texts := b.texts(fmt.Sprintf(`[data-error-for=%q]`, field))
	return strings.Join(texts, " ")
}
