package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bigOffice makes a migrated database with one user and mb megabytes in a
// history-like table, bigger than FullCheckAtStartMax, and returns its path.
func bigOffice(t *testing.T, mb int) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, 0, UserInput{Login: "owner", Name: "Владелец", Role: "owner"}, "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.writer.Exec(`CREATE TABLE history_filler(b BLOB);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < ?)
		INSERT INTO history_filler SELECT randomblob(65536) FROM n;
		ANALYZE history_filler`, mb*16); err != nil { // analysed: the start's PRAGMA optimize leaves it alone
		t.Fatal(err)
	}
	if err := st.Close(); err != nil { // checkpoints: everything is in the main file
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Size() <= FullCheckAtStartMax {
		t.Fatalf("%d bytes: not bigger than the full start-up check's limit", fi.Size())
	}
	return path
}

// damagePages overwrites n pages of the file at path from page first (1-based).
func damagePages(t *testing.T, path string, first, n int64) {
	t.Helper()
	h, err := sql.Open("sqlite", roDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	var pageSize int64
	err = h.QueryRow("PRAGMA page_size").Scan(&pageSize)
	h.Close()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	junk := []byte(strings.Repeat("\x0d\xff\xff\x7f", int(pageSize*n/4))) // impossible page numbers and counts
	if _, err := f.WriteAt(junk, (first-1)*pageSize); err != nil {
		t.Fatal(err)
	}
}

// rootPage is table's first b-tree page.
func rootPage(t *testing.T, path, table string) int64 {
	t.Helper()
	h, err := sql.Open("sqlite", roDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var root int64
	if err := h.QueryRow("SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = ?", table).Scan(&root); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestStartCheckIsBoundedAndTheFullCheckFindsDamage: a database bigger than
// FullCheckAtStartMax opens for serving after checking only its small tables, so
// damage in a history table is found by the background check (CheckIntegrity,
// naming the newest backup), while damage in a table every request reads (users)
// still refuses the start.
func TestStartCheckIsBoundedAndTheFullCheckFindsDamage(t *testing.T) {
	ctx := context.Background()
	path := bigOffice(t, 40)
	backups := filepath.Join(filepath.Dir(path), "backups")
	if StartCheckIsFull(path) {
		t.Fatal("a 40 MB database is checked in full at start")
	}

	// Sound: opens, and the full check passes.
	st, err := OpenForServing(ctx, path, backups)
	if err != nil {
		t.Fatal(err)
	}
	if res := st.CheckIntegrity(ctx, backups); res.Err != nil || res.Damaged(ctx) {
		t.Fatalf("a sound database failed the full check: %v", res.Err)
	}
	if err := st.Backup(ctx, filepath.Join(backups, "kartoteka-20260310-023000.db")); err != nil {
		t.Fatal(err)
	}
	st.Close()

	// A damaged history table: the start goes on, the full check finds it.
	fi, _ := os.Stat(path)
	damagePages(t, path, fi.Size()/4096/2, 16) // the middle of the history table's pages
	st, err = OpenForServing(ctx, path, backups)
	if err != nil {
		t.Fatalf("the start-up check read the big table: %v", err)
	}
	res := st.CheckIntegrity(ctx, backups)
	if !res.Damaged(ctx) || !strings.Contains(res.Err.Error(), "integrity check failed") {
		t.Errorf("the full check did not report the damage: %v", res.Err)
	}
	if filepath.Base(res.Backup) != "kartoteka-20260310-023000.db" {
		t.Errorf("the newest backup is %q", res.Backup)
	}
	// A stopped check is not damage.
	stopped, cancel := context.WithCancel(ctx)
	cancel()
	if res := st.CheckIntegrity(stopped, backups); res.Damaged(stopped) {
		t.Errorf("a cancelled check reported damage: %v", res.Err)
	}
	st.Close()

	// A damaged users table stops the start, as before.
	path = bigOffice(t, 40)
	damagePages(t, path, rootPage(t, path, "users"), 1)
	if st, err := OpenForServing(ctx, path, backups); err == nil {
		st.Close()
		t.Fatal("a big database with a damaged users table was opened for serving")
	} else if !strings.Contains(err.Error(), "users: integrity check") {
		t.Errorf("the refusal does not name the table and the check: %v", err)
	}
}
