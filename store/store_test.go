package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"kartoteka/store/db"
)

// openTest opens a migrated store in t.TempDir(), closed when the test ends.
func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "kartoteka.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// addUser creates an active user (the hash is not checked here).
func addUser(t *testing.T, s *Store, login, role string) db.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), 0, UserInput{Login: login, Name: "Имя " + login, Role: role}, "hash")
	if err != nil {
		t.Fatalf("create user %s: %v", login, err)
	}
	return u
}

func countRows(t *testing.T, q interface {
	QueryRow(string, ...any) *sql.Row
}, from string, args ...any) int {
	t.Helper()
	var n int
	if err := q.QueryRow("SELECT COUNT(*) FROM "+from, args...).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", from, err)
	}
	return n
}

// pragmas reads the durability pragmas through one connection.
func pragmas(ctx context.Context, c *sql.Conn) (journal string, fk, sync, busy int, err error) {
	if err = c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&journal); err != nil {
		return
	}
	if err = c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return
	}
	if err = c.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		return
	}
	err = c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy)
	return
}

func checkPragmas(t *testing.T, name string, c *sql.Conn) {
	t.Helper()
	journal, fk, syncMode, busy, err := pragmas(context.Background(), c)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if journal != "wal" || fk != 1 || syncMode != 2 || busy < 1000 {
		t.Errorf("%s: journal_mode=%s foreign_keys=%d synchronous=%d busy_timeout=%d; want wal, 1, 2 (FULL), ≥1000",
			name, journal, fk, syncMode, busy)
	}
}

// TestOpenPragmas: WAL, foreign keys and synchronous=FULL hold on the writer and
// on every connection of the reader pool, not just the first one.
func TestOpenPragmas(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()

	w, err := s.writer.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkPragmas(t, "writer", w)
	w.Close()

	// Hold several reader connections at once so the pool must open distinct ones.
	const n = 6
	conns := make([]*sql.Conn, n)
	for i := range conns {
		if conns[i], err = s.Reader().Conn(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			checkPragmas(t, "reader "+string(rune('1'+i)), c)
		}()
	}
	wg.Wait()
	for _, c := range conns {
		c.Close()
	}
	if st := s.Reader().Stats(); st.OpenConnections < n {
		t.Errorf("reader pool has %d open connections, want ≥ %d: the test did not reach several", st.OpenConnections, n)
	}

	// And through the pool as handlers use it, in parallel.
	var fails sync.Map
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var fk, syncMode int
			if err := s.Reader().QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
				fails.Store("foreign_keys", fk)
			}
			if err := s.Reader().QueryRow("PRAGMA synchronous").Scan(&syncMode); err != nil || syncMode != 2 {
				fails.Store("synchronous", syncMode)
			}
		}()
	}
	wg.Wait()
	fails.Range(func(k, v any) bool { t.Errorf("parallel reader: %v = %v", k, v); return true })
}

// TestReaderIsReadOnly: the reader pool refuses writes; only InTx writes.
func TestReaderIsReadOnly(t *testing.T) {
	s := openTest(t)
	_, err := s.Reader().Exec("INSERT INTO banks (name, created_at, updated_at) VALUES ('x', 0, 0)")
	if err == nil {
		t.Fatal("a write through the reader pool succeeded")
	}
}

// TestForeignKeysEnforced: a row pointing to a missing user is refused by the writer.
func TestForeignKeysEnforced(t *testing.T) {
	s := openTest(t)
	err := s.StartSession(context.Background(), "h", "c", 9999, "", "")
	if err == nil {
		t.Fatal("a session of a missing user was stored: foreign keys are off")
	}
}

// TestSecondOpenFails: two processes must not serve one file; the message says so.
func TestSecondOpenFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kartoteka.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Open(context.Background(), path)
	if err == nil {
		s2.Close()
		t.Fatal("a second Open of the same file succeeded")
	}
	if !strings.Contains(err.Error(), "another") || !strings.Contains(err.Error(), "process") {
		t.Errorf("second Open: %q, want a message about another process", err)
	}
	// Once the first is closed the file opens again.
	s.Close()
	s3, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	s3.Close()
}

func TestInTxRollsBack(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	boom := errors.New("boom")
	err := s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.BankCreate(ctx, db.BankCreateParams{Name: "Откат", Now: tx.Now}); err != nil {
			return err
		}
		if err := tx.Audit(0, "bank", 1, "create", nil, nil); err != nil {
			return err
		}
		// Inside the transaction the row is there.
		if n := countRows(t, tx.Raw, "banks"); n != 1 {
			t.Errorf("inside the transaction: %d banks, want 1", n)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v, want the fn's error", err)
	}
	if n := countRows(t, s.Reader(), "banks"); n != 0 {
		t.Errorf("after rollback: %d banks, want 0", n)
	}
	if n := countRows(t, s.Reader(), "audit_log"); n != 0 {
		t.Errorf("after rollback: %d audit rows, want 0", n)
	}
	// The writer is usable afterwards (the connection was given back).
	if _, err := s.SaveBank(ctx, 0, 0, BankInput{Name: "После"}); err != nil {
		t.Fatalf("write after a rollback: %v", err)
	}
	if n := countRows(t, s.Reader(), "banks"); n != 1 {
		t.Errorf("after a committed write: %d banks, want 1", n)
	}
}

// TestInTxRollsBackOnPanic: a panic in fn (fiber's recover middleware keeps the
// server up) must not leave the only writer connection inside an open transaction:
// every later write would wait for it for ever.
func TestInTxRollsBackOnPanic(t *testing.T) {
	// No t.Cleanup Close: with the bug, Close itself would wait for the writer.
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "kartoteka.db"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	func() {
		defer func() { _ = recover() }()
		_ = s.InTx(ctx, func(tx *Tx) error {
			if _, err := tx.BankCreate(ctx, db.BankCreateParams{Name: "Паника", Now: tx.Now}); err != nil {
				return err
			}
			panic("handler bug")
		})
	}()
	wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := s.SaveBank(wctx, 0, 0, BankInput{Name: "После паники"}); err != nil {
		t.Fatalf("after a panic inside InTx the writer stays busy; next write: %v", err)
	}
	defer s.Close()
	if n := countRows(t, s.Reader(), "banks WHERE name = 'Паника'"); n != 0 {
		t.Errorf("the panicking transaction was committed")
	}
}

// TestReadersSeeCommittedOnly: in WAL mode a reader is not blocked by an open
// write transaction and does not see its rows until commit.
func TestReadersSeeCommittedOnly(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	err := s.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.BankCreate(ctx, db.BankCreateParams{Name: "Пока не видно", Now: tx.Now}); err != nil {
			return err
		}
		rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		var n int
		if err := s.Reader().QueryRowContext(rctx, "SELECT COUNT(*) FROM banks").Scan(&n); err != nil {
			t.Errorf("reader during a write transaction: %v", err)
		} else if n != 0 {
			t.Errorf("reader sees %d uncommitted banks", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s.Reader(), "banks"); n != 1 {
		t.Errorf("after commit: %d banks, want 1", n)
	}
}

func auditRows(t *testing.T, s *Store, entity string, id int64) []AuditRow {
	t.Helper()
	var out []AuditRow
	err := s.AuditEach(context.Background(), AuditFilter{Entity: &entity}, 100, 0, func(r AuditRow) error {
		if r.EntityID == id {
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAuditUserCreateUpdate(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	owner := addUser(t, s, "owner", "owner")
	u, err := s.CreateUser(ctx, owner.ID, UserInput{Login: "anna", Name: "Анна", Role: "manager", Phone: "+79120000000"}, "secret-hash")
	if err != nil {
		t.Fatal(err)
	}
	rows := auditRows(t, s, "user", u.ID)
	if len(rows) != 1 {
		t.Fatalf("audit rows after create: %d, want 1", len(rows))
	}
	c := rows[0]
	if c.Action != "create" || c.UserID == nil || *c.UserID != owner.ID || c.Before != "" {
		t.Errorf("create row = %+v", c)
	}
	var after map[string]any
	if err := json.Unmarshal([]byte(c.After), &after); err != nil {
		t.Fatalf("after is not JSON: %q", c.After)
	}
	if after["login"] != "anna" || after["role"] != "manager" || after["active"] != true {
		t.Errorf("create after = %v", after)
	}
	if strings.Contains(c.After, "secret-hash") || strings.Contains(strings.ToLower(c.After), "password") {
		t.Errorf("the audit log keeps the password hash: %s", c.After)
	}

	if err := s.UpdateUser(ctx, owner.ID, u.ID, UserInput{Login: "anna", Name: "Анна Петровна", Role: "accountant"}); err != nil {
		t.Fatal(err)
	}
	rows = auditRows(t, s, "user", u.ID)
	if len(rows) != 2 {
		t.Fatalf("audit rows after update: %d, want 2", len(rows))
	}
	up := rows[0] // newest first
	var before map[string]any
	_ = json.Unmarshal([]byte(up.Before), &before)
	after = nil
	_ = json.Unmarshal([]byte(up.After), &after)
	if up.Action != "update" || before["name"] != "Анна" || before["role"] != "manager" ||
		after["name"] != "Анна Петровна" || after["role"] != "accountant" {
		t.Errorf("update row: action %s, before %v, after %v", up.Action, before, after)
	}
	if up.UserName != owner.Name {
		t.Errorf("update row names %q as the author, want %q", up.UserName, owner.Name)
	}

	if err := s.SetUserActive(ctx, owner.ID, u.ID, false); err != nil {
		t.Fatal(err)
	}
	if rows = auditRows(t, s, "user", u.ID); len(rows) != 3 || rows[0].Action != "deactivate" {
		t.Errorf("after deactivation the newest audit row is %+v", rows[0])
	}
	// A refused write leaves no audit row.
	if err := s.SetUserActive(ctx, owner.ID, owner.ID, false); err == nil {
		t.Error("the last active owner was deactivated")
	}
	if rows = auditRows(t, s, "user", owner.ID); len(rows) != 1 {
		t.Errorf("audit rows of the owner after a refused deactivation: %d, want 1 (the create)", len(rows))
	}
}

func TestFieldErrors(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	addUser(t, s, "owner", "owner")
	_, err := s.CreateUser(ctx, 0, UserInput{Login: "OWNER", Name: "x", Role: "manager"}, "h")
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "login" || !strings.Contains(fe.Msg, "уже") {
		t.Errorf("duplicate login (other case): %v, want a FieldError on login", err)
	}
	if _, err := s.SaveBank(ctx, 0, 0, BankInput{Name: "Альфа"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.SaveBank(ctx, 0, 0, BankInput{Name: "Альфа"})
	if !errors.As(err, &fe) || fe.Field != "name" {
		t.Errorf("duplicate bank: %v, want a FieldError on name", err)
	}
	if err := s.SetBankActive(ctx, 0, 9999, false); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown bank: %v, want ErrNotFound", err)
	}
}

func TestBackup(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	for _, l := range []string{"owner", "admin", "warmer"} {
		addUser(t, s, l, map[string]string{"owner": "owner", "admin": "admin", "warmer": "warmer"}[l])
	}
	dst := filepath.Join(t.TempDir(), "sub", "copy.db")
	if err := s.Backup(ctx, dst); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if err := s.Backup(ctx, dst); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("a second backup over the same file: %v, want an 'already exists' error", err)
	}
	b, err := Open(ctx, dst)
	if err != nil {
		t.Fatalf("open the backup: %v", err)
	}
	defer b.Close()
	if n, m := countRows(t, b.Reader(), "users"), countRows(t, s.Reader(), "users"); n != m || n != 3 {
		t.Errorf("backup has %d users, live database %d, want 3", n, m)
	}
	if v, err := b.Version(); err != nil || v != SchemaVersion() {
		t.Errorf("backup schema version %d (%v), want %d", v, err, SchemaVersion())
	}
	var check string
	if err := b.Reader().QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("backup integrity_check: %q %v", check, err)
	}
}

// reopenAfter closes s, runs sql on the file with a plain handle, and opens it again.
func reopenAfter(t *testing.T, s *Store, stmt string) error {
	t.Helper()
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	h, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Exec(stmt); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	h.Close()
	s2, err := Open(context.Background(), path)
	if err == nil {
		s2.Close()
	}
	return err
}

func TestDirtySchemaStopsOpen(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "kartoteka.db"))
	if err != nil {
		t.Fatal(err)
	}
	err = reopenAfter(t, s, "UPDATE schema_migrations SET dirty = 1")
	if err == nil || !strings.Contains(err.Error(), "dirty") {
		t.Fatalf("Open of a dirty database: %v, want an error mentioning 'dirty'", err)
	}
	if !strings.Contains(err.Error(), "backup") {
		t.Errorf("the dirty-schema message should say what to do (restore a backup): %v", err)
	}
}

func TestNewerSchemaStopsOpen(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "kartoteka.db"))
	if err != nil {
		t.Fatal(err)
	}
	err = reopenAfter(t, s, "UPDATE schema_migrations SET version = 999")
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Open of a newer database: %v, want an error mentioning 'newer'", err)
	}
}

func TestVersionAndPing(t *testing.T) {
	s := openTest(t)
	if err := s.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	v, err := s.Version()
	if err != nil || v != SchemaVersion() || v == 0 {
		t.Errorf("Version() = %d, %v; SchemaVersion() = %d", v, err, SchemaVersion())
	}
}

func TestSessions(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	u := addUser(t, s, "owner", "owner")
	t0 := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	now := t0
	s.Now = func() time.Time { return now }
	if err := s.StartSession(ctx, "hash-1", "csrf-1", u.ID, "10.0.0.1", strings.Repeat("u", 500)); err != nil {
		t.Fatal(err)
	}
	row, err := s.Q.SessionGet(ctx, "hash-1")
	if err != nil || row.Csrf != "csrf-1" || row.ID != u.ID || !row.LastSeenAt.Equal(t0) {
		t.Fatalf("SessionGet = %+v, %v", row, err)
	}
	var ua string
	_ = s.Reader().QueryRow("SELECT user_agent FROM sessions WHERE token_hash = 'hash-1'").Scan(&ua)
	if len(ua) != 300 {
		t.Errorf("user agent stored with %d characters, want it cut to 300", len(ua))
	}
	now = t0.Add(time.Hour)
	if err := s.TouchSession(ctx, "hash-1"); err != nil {
		t.Fatal(err)
	}
	if row, _ := s.Q.SessionGet(ctx, "hash-1"); !row.LastSeenAt.Equal(now) {
		t.Errorf("after Touch last_seen_at = %v, want %v", row.LastSeenAt, now)
	}
	if err := s.EndSession(ctx, "hash-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Q.SessionGet(ctx, "hash-1"); !IsNoRows(err) {
		t.Errorf("after EndSession: %v, want no rows", err)
	}
}
