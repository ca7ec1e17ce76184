package main

import (
	"context"
	"database/sql"
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
	c.wait(t, 10*time.Second)
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
