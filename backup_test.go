package main

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kartoteka/app/jobs"
	"kartoteka/store"
)

// bigDB makes a migrated database with about mb megabytes of filler, so that
// writing a copy takes long enough to be killed half-way.
func bigDB(t *testing.T, mb int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "k.db")
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	h, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if _, err := h.Exec(`CREATE TABLE filler(b BLOB);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < ?)
		INSERT INTO filler SELECT randomblob(65536) FROM n`, mb*16); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBackupKilledHalfway: `kartoteka backup` killed while writing leaves nothing
// that is listed as a backup, the nightly job still makes the day's backup, and
// the remains are cleaned once stale.
func TestBackupKilledHalfway(t *testing.T) {
	db := bigDB(t, 48)
	dir := filepath.Join(filepath.Dir(db), "backups")
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC) // 12:00 in Moscow: the day's backup is due
	msk, _ := time.LoadLocation("Europe/Moscow")
	dst := filepath.Join(dir, store.BackupName(now.Add(-time.Hour), msk))
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}

	c := startChild(t, "backup", dst, "--db", db)
	killedAt := ""
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		if names, _ := filepath.Glob(dst + "*"); len(names) > 0 {
			_ = c.cmd.Process.Kill()
			killedAt = "while writing " + filepath.Base(names[0])
			break
		}
		select {
		case <-c.done:
			t.Fatalf("backup finished before it could be killed (code %d)", c.cmd.ProcessState.ExitCode())
		default:
		}
		time.Sleep(time.Millisecond)
	}
	if killedAt == "" {
		t.Fatal("no temporary backup file appeared")
	}
	c.wait(t, 30*time.Second)
	t.Log("killed", killedAt)
	if _, err := os.Stat(dst); err == nil {
		t.Fatalf("a killed backup left %s under the backup's own name", dst)
	}
	if list, err := store.ListBackups(dir); err != nil || len(list) != 0 {
		t.Fatalf("after the kill, listed backups: %v (%v), want none", list, err)
	}
	ents, _ := os.ReadDir(dir)
	var left []string
	for _, e := range ents {
		left = append(left, e.Name())
	}
	t.Logf("left in the folder: %v", left)

	// The nightly job does not take the remains for the day's backup.
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := jobs.NightlyBackup(context.Background(), st, dir, now); err != nil {
		t.Fatal(err)
	}
	list, _ := store.ListBackups(dir)
	if len(list) != 1 || !strings.HasPrefix(list[0].Name, "kartoteka-20260310-") {
		t.Fatalf("after the nightly job: %v, want the day's backup", list)
	}
	if _, err := store.CheckFile(context.Background(), list[0].Path); err != nil {
		t.Errorf("nightly backup fails its check: %v", err)
	}
	// Once stale, the remains go.
	old := time.Now().Add(-store.StaleAfter - time.Minute)
	for _, n := range left {
		os.Chtimes(filepath.Join(dir, n), old, old)
	}
	if err := jobs.NightlyBackup(context.Background(), st, dir, now.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	for _, n := range left {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			t.Errorf("stale %s was not cleaned", n)
		}
	}
	if list2, _ := store.ListBackups(dir); len(list2) != 1 {
		t.Errorf("backups after cleaning: %v", list2)
	}
}

// TestBackupCommandWritesCheckedCopy: the command's copy is complete and checked,
// and no temporary file is left.
func TestBackupCommandWritesCheckedCopy(t *testing.T) {
	db := bigDB(t, 1)
	dst := filepath.Join(filepath.Dir(db), "copy", "kartoteka-20260310-120000.db")
	if code, out := runChild(t, "backup", dst, "--db", db); code != 0 {
		t.Fatalf("backup: exit %d\n%s", code, out)
	}
	if _, err := store.CheckFile(context.Background(), dst); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dst + ".tmp"); err == nil {
		t.Error("temporary file left")
	}
	if code, out := runChild(t, "backup", dst, "--db", db); code == 0 || !strings.Contains(out, "already exists") {
		t.Errorf("backup over an existing file: exit %d\n%s", code, out)
	}
}

func addUser(t *testing.T, st *store.Store, login string) {
	t.Helper()
	if _, err := st.CreateUser(context.Background(), 0, store.UserInput{Login: login, Name: "Сотрудник " + login, Role: "owner"}, "x"); err != nil {
		t.Fatal(err)
	}
}

// dbWithUser opens a new database in a temporary folder with one user.
func dbWithUser(t *testing.T, login string) (dir, db string, st *store.Store) {
	t.Helper()
	dir = t.TempDir()
	db = filepath.Join(dir, "k.db")
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	addUser(t, st, login)
	return dir, db, st
}

func logins(t *testing.T, path string) []string {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	users, err := st.Q.UserList(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, u := range users {
		out = append(out, u.Login)
	}
	return out
}

// TestRestoreRoundTripWithStaleWAL: `kartoteka restore FILE` checks the copy, moves
// the current database and its -wal/-shm aside, and installs the copy; a stale
// -wal that was beside the old database does not reach the restored one. It is
// refused while the server runs and for a damaged file.
func TestRestoreRoundTripWithStaleWAL(t *testing.T) {
	ctx := context.Background()
	dir, db, st := dbWithUser(t, "before")
	backup := filepath.Join(dir, "backups", "kartoteka-20260310-023000.db")
	if err := st.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		addUser(t, st, "after"+string(rune('a'+i)))
	}
	// A -wal as a crash leaves it: frames for the newer state of the old database.
	wal, err := os.ReadFile(db + "-wal")
	if err != nil || len(wal) == 0 {
		t.Fatalf("no WAL to make stale: %v", err)
	}
	st.Close()
	if err := os.WriteFile(db+"-wal", wal, 0o640); err != nil {
		t.Fatal(err)
	}

	// Refused while a server holds the database.
	srv, _ := serveChild(t, db)
	if code, out := runChild(t, "restore", backup, "--db", db); code == 0 || !strings.Contains(out, "stop") {
		t.Errorf("restore beside a running server: exit %d\n%s", code, out)
	}
	srv.cmd.Process.Signal(os.Interrupt)
	srv.wait(t, 30*time.Second)
	// The server checkpointed the stale WAL into the old database; put it back.
	if err := os.WriteFile(db+"-wal", wal, 0o640); err != nil {
		t.Fatal(err)
	}

	// Refused for a damaged copy; nothing is moved.
	data, _ := os.ReadFile(backup)
	damaged := filepath.Join(dir, "damaged.db")
	os.WriteFile(damaged, data[:len(data)-4096], 0o640)
	if code, out := runChild(t, "restore", damaged, "--db", db); code == 0 || !strings.Contains(out, "incomplete") {
		t.Errorf("restore of a truncated file: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(db + "-wal"); err != nil {
		t.Fatalf("a refused restore moved the WAL: %v", err)
	}

	code, out := runChild(t, "restore", backup, "--db", db)
	if code != 0 {
		t.Fatalf("restore: exit %d\n%s", code, out)
	}
	t.Log(out)
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(db + suffix); err == nil {
			t.Errorf("%s left beside the restored database", suffix)
		}
	}
	aside, _ := filepath.Glob(db + ".before-restore-*")
	var haveDB, haveWAL bool
	for _, a := range aside {
		haveDB = haveDB || !strings.Contains(filepath.Base(a), "-wal") && !strings.Contains(filepath.Base(a), "-shm")
		haveWAL = haveWAL || strings.HasSuffix(a, "-wal")
	}
	if !haveDB || !haveWAL {
		t.Errorf("old database and WAL not kept aside: %v", aside)
	}
	if _, err := store.CheckFile(ctx, db); err != nil {
		t.Errorf("restored database: %v", err)
	}
	if got := logins(t, db); strings.Join(got, ",") != "before" {
		t.Errorf("restored users %v, want [before]", got)
	}
	// And the server starts on it.
	srv, _ = serveChild(t, db)
	srv.cmd.Process.Signal(os.Interrupt)
	if code := srv.wait(t, 30*time.Second); code != 0 {
		t.Errorf("server on the restored database exited %d", code)
	}
}

// refusesToServe starts the server and expects it to exit with an error before
// anyone can reach it; it returns the output.
func refusesToServe(t *testing.T, db string) string {
	t.Helper()
	addr := freeAddr(t)
	c := startChild(t, "serve", "--addr", addr, "--db", db, "--backup-dir", filepath.Join(filepath.Dir(db), "backups"))
	for {
		select {
		case <-c.done:
			if code := c.cmd.ProcessState.ExitCode(); code == 0 {
				t.Errorf("exit code 0, want a refusal")
			}
			return c.out.String()
		case <-time.After(20 * time.Millisecond):
		}
		for _, p := range []string{"/setup", "/healthz"} {
			if resp, err := http.Get("http://" + addr + p); err == nil {
				resp.Body.Close()
				c.cmd.Process.Kill()
				t.Fatalf("the server answered %s with %d on a database it must refuse", p, resp.StatusCode)
			}
		}
	}
}

// TestStartRefusesEmptiedOrDamagedDatabase: a database that has lost its users
// while a backup has them (a partial restore, a wrong file) is not served — nobody
// can reach /setup to create an owner — and neither is one that fails quick_check;
// the message names the latest good backup and how to restore it.
func TestStartRefusesEmptiedOrDamagedDatabase(t *testing.T) {
	ctx := context.Background()
	dir, db, st := dbWithUser(t, "owner")
	older := filepath.Join(dir, "backups", "kartoteka-20260309-023000.db")
	newest := filepath.Join(dir, "backups", "kartoteka-20260310-023000.db")
	for _, p := range []string{older, newest} {
		if err := st.Backup(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	good, _ := os.ReadFile(db)
	// The newest backup is damaged (after it was listed): the message names the older one.
	nb, _ := os.ReadFile(newest)
	for i := 4096 * 2; i < 4096*5; i++ {
		nb[i] ^= 0x5a
	}
	os.WriteFile(newest, nb, 0o640)

	// Emptied: a fresh database in its place.
	os.Remove(db)
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	out := refusesToServe(t, db)
	if !strings.Contains(out, "no users") || !strings.Contains(out, older) || !strings.Contains(out, "kartoteka restore") {
		t.Errorf("emptied database: the message does not say what happened and name %s:\n%s", older, out)
	}

	// Damaged: the right database with broken pages.
	os.Remove(db)
	for i := 4096 * 2; i < 4096*5; i++ {
		good[i] ^= 0x5a
	}
	os.WriteFile(db, good, 0o640)
	out = refusesToServe(t, db)
	if !strings.Contains(out, "integrity check") || !strings.Contains(out, older) {
		t.Errorf("damaged database: the message does not name the check and %s:\n%s", older, out)
	}

	// A new office (no backups with users) still starts at /setup.
	fresh := filepath.Join(t.TempDir(), "k.db")
	c, addr := serveChild(t, fresh)
	resp, err := http.Get("http://" + addr + "/setup")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("a new database: /setup %v %v", resp, err)
	}
	resp.Body.Close()
	c.cmd.Process.Signal(os.Interrupt)
	c.wait(t, 30*time.Second)
}

// TestBigDatabaseStartsAndTheBackgroundCheckReportsDamage: a database too big to
// check in full at start is served after the bounded check, and damage in a big
// table is then found by the background check: /healthz answers 503 and the log
// says what to do.
func TestBigDatabaseStartsAndTheBackgroundCheckReportsDamage(t *testing.T) {
	db := bigDB(t, 40)
	fi, err := os.Stat(db)
	if err != nil || fi.Size() <= store.FullCheckAtStartMax {
		t.Fatalf("%v bytes (%v): not above the full start-up check's limit", fi.Size(), err)
	}
	f, err := os.OpenFile(db, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	junk := []byte(strings.Repeat("\x0d\xff\xff\x7f", 16*4096/4)) // 16 pages of impossible page numbers
	if _, err := f.WriteAt(junk, fi.Size()/2/4096*4096); err != nil {
		t.Fatal(err)
	}
	f.Close()

	addr := freeAddr(t)
	c := startChild(t, "serve", "--addr", addr, "--db", db, "--backup-dir", filepath.Join(filepath.Dir(db), "backups"))
	served := false
	for deadline := time.Now().Add(90 * time.Second); ; {
		if time.Now().After(deadline) {
			t.Fatalf("/healthz did not turn 503 within 90 s (served before: %v)", served)
		}
		select {
		case <-c.done:
			t.Fatalf("the server exited (code %d): a big database must be served while it is checked", c.cmd.ProcessState.ExitCode())
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			served = true
			continue
		}
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"damaged"`) {
			t.Fatalf("/healthz %d %s", resp.StatusCode, body)
		}
		break
	}
	if out := c.out.String(); !strings.Contains(out, "THE DATABASE IS DAMAGED") || !strings.Contains(out, "kartoteka restore") {
		t.Errorf("the log does not report the damage:\n%s", out)
	}
	c.cmd.Process.Signal(os.Interrupt)
	if code := c.wait(t, 30*time.Second); code != 0 {
		t.Errorf("stop: exit %d", code)
	}
}
