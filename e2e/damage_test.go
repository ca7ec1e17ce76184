package e2e

import (
	"database/sql"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// restartOn stops the app and starts the binary again on the same database and
// folders; it returns once /healthz answers at all (a damaged database may
// already answer 503).
func (a *App) restart(t *testing.T, prepare func()) {
	t.Helper()
	a.ready = false
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.done:
	case <-time.After(15 * time.Second):
		t.Fatal("kartoteka did not stop within 15 s")
	}
	prepare()
	args := a.cmd.Args[1:]
	a.cmd = exec.Command(binPath, args...)
	a.cmd.Stdout, a.cmd.Stderr = a.out, a.out
	a.done = make(chan struct{})
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := a.done
	go func() { _ = a.cmd.Wait(); close(done) }()
	for deadline := time.Now().Add(30 * time.Second); ; {
		if resp, err := http.Get(a.BaseURL + "/healthz"); err == nil {
			resp.Body.Close()
			a.ready = true
			return
		}
		select {
		case <-a.done:
			t.Fatalf("kartoteka exited on restart: %v", a.cmd.ProcessState)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("/healthz did not answer within 30 s of the restart")
		}
	}
}

// TestDamagedDatabaseBanner: an office database too big for the full check at
// start (40 MB of history) with damaged pages in the middle is served; the
// background check finds the damage, /healthz turns 503 and the owner sees the
// red banner with what to do, at the desktop and the phone width; a manager
// does not.
func TestDamagedDatabaseBanner(t *testing.T) {
	app := startApp(t, "--demo")
	ownerPW, managerPW := demoPassword(t, app, "owner"), demoPassword(t, app, "manager")
	app.restart(t, func() {
		h, err := sql.Open("sqlite", "file:"+app.DBPath+"?_pragma=journal_mode(WAL)")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.Exec(`CREATE TABLE history_filler(b BLOB);
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 640)
			INSERT INTO history_filler SELECT randomblob(65536) FROM n;
			ANALYZE history_filler; PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			t.Fatal(err)
		}
		h.Close()
		fi, _ := os.Stat(app.DBPath)
		f, err := os.OpenFile(app.DBPath, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt([]byte(strings.Repeat("\x0d\xff\xff\x7f", 16*4096/4)), fi.Size()/2/4096*4096); err != nil {
			t.Fatal(err)
		}
		f.Close()
	})
	for deadline := time.Now().Add(60 * time.Second); ; {
		resp, err := http.Get(app.BaseURL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(string(body), "damaged") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz still %d %s after 60 s", resp.StatusCode, body)
		}
		time.Sleep(100 * time.Millisecond)
	}

	b := newBrowser(t, app, "owner")
	b.login("owner", ownerPW)
	b.open("/tracker")
	b.waitVisible("#kt-damage")
	if txt := b.text("#kt-damage"); !strings.Contains(txt, "База данных повреждена") || !strings.Contains(txt, "kartoteka restore") {
		t.Errorf("banner: %q", txt)
	}
	b.shotWidths("damage-banner")

	m := newBrowser(t, app, "manager")
	m.login("manager", managerPW)
	m.open("/tracker")
	if m.exists("#kt-damage") {
		t.Error("a manager sees the damage banner")
	}
}
