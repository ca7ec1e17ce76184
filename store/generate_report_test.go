package store

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"
)

// TestGenerateReport: the generator sums the report while it writes the rows;
// (and every foreign key holds, and the file is back in WAL mode with full syncs
// after the load);
// its confirmed profits must be what the rows say (every card past stage 8 has its
// stage-8 answer, as migration 000004 derives them) and its rollups exactly what
// `kartoteka rollups --rebuild` computes from the rows.
func TestGenerateReport(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if err := s.Generate(ctx, GenerateOptions{Archived: 400, InWork: 90, Transactions: 3000, AutoTasks: 8000, StdTasks: 50,
		PasswordHash: "x", Now: time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)}, nil); err != nil {
		t.Fatal(err)
	}
	// The load ran without a journal and syncs: the file is a normal WAL database again.
	for name, pool := range map[string]*sql.DB{"writer": s.writer, "reader": s.reader} {
		c, err := pool.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		checkPragmas(t, name, c)
		c.Close()
	}
	// The load ran without foreign key checks: every reference must hold.
	fk, err := s.Reader().Query("PRAGMA foreign_key_check")
	if err != nil {
		t.Fatal(err)
	}
	for fk.Next() {
		var table, parent string
		var row, i any
		if err := fk.Scan(&table, &row, &parent, &i); err != nil {
			t.Fatal(err)
		}
		t.Errorf("%s row %v: no %s", table, row, parent)
	}
	fk.Close()
	f := &fixture{t: t, st: s, ctx: ctx}
	f.checkConfirmations()
	derived := `SELECT t.card_id, t.id, json_extract(t.fields, '$.answered_on'), CAST(json_extract(t.fields, '$.confirmed_amount') AS INTEGER)
FROM auto_tasks t JOIN cards c ON c.id = t.card_id
WHERE t.kind = 'stage' AND t.stage = 8 AND t.status = 'done'
  AND json_extract(t.fields, '$.answered') = 'yes'
  AND (c.stage = 9 OR c.lifecycle IN ('worked_out', 'archived'))
  AND t.id = (SELECT MAX(id) FROM auto_tasks m WHERE m.card_id = t.card_id AND m.kind = 'stage' AND m.stage = 8 AND m.status = 'done')`
	for _, q := range []string{
		`(` + derived + ` EXCEPT SELECT card_id, task_id, answered_on, amount FROM card_confirmations)`,
		`(SELECT card_id, task_id, answered_on, amount FROM card_confirmations EXCEPT ` + derived + `)`,
	} {
		if n := count(t, s, q); n != 0 {
			t.Errorf("%d confirmations differ from the rows: %s", n, q)
		}
	}
	if n := count(t, s, "card_confirmations f JOIN cards c ON c.id = f.card_id WHERE c.stage = 9"); n == 0 {
		t.Error("no confirmation of a card in stage 9")
	}
	if n := count(t, s, "card_confirmations WHERE amount = 0"); n == 0 {
		t.Error("no «no» answer")
	}
	before := f.rollupDump()
	if err := s.RebuildRollups(ctx); err != nil {
		t.Fatal(err)
	}
	if after := f.rollupDump(); after != before {
		t.Errorf("the generator's rollups differ from the rebuilt ones:\n--- generated\n%.3000s--- rebuilt\n%.3000s", before, after)
	}
}

// TestGenerateSearchInOnePiece: the generator writes a search index once, as one
// segment (ftsFill), instead of in pieces of FTS5's default 1 MB that are merged
// again and again and then optimized: the segment is the first one ever written
// (a merge writes a new one), and the index's settings are left as a migrated
// database has them.
func TestGenerateSearchInOnePiece(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	config := func() string {
		var out string
		if err := s.Reader().QueryRow(`SELECT group_concat(k || '=' || v, ' ') FROM (SELECT k, v FROM tasks_search_config ORDER BY k)`).Scan(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	migrated := config()
	g := &gen{s: s}
	// ~4 MB of terms: four pieces and merges at FTS5's default.
	if err := g.ftsFill(ctx, "tasks_search", `INSERT INTO tasks_search (rowid, title)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000)
SELECT i, 'Позвонить в банк по карте № ' || (i * 7919 % 100000) || ' ' || hex(randomblob(8)) FROM n`); err != nil {
		t.Fatal(err)
	}
	var segments, first int
	if err := s.Reader().QueryRow(`SELECT COUNT(DISTINCT segid), MIN(segid) FROM tasks_search_idx`).Scan(&segments, &first); err != nil {
		t.Fatal(err)
	}
	if segments != 1 || first != 1 {
		t.Errorf("%d segments, the first %d; want the one first segment", segments, first)
	}
	if got := config(); got != migrated {
		t.Errorf("settings %q, a migrated database has %q", got, migrated)
	}
	if n := count(t, s, "tasks_search WHERE tasks_search MATCH '\"карте № 7919\"'"); n == 0 {
		t.Error("the index finds nothing")
	}
}

// TestGenerateLiterals: the generator writes its values into the statement's
// text; each is stored exactly as the driver stores the value bound (a time in
// the store's format and zone), in a TIMESTAMP and a TEXT column.
func TestGenerateLiterals(t *testing.T) {
	s := openTest(t)
	if _, err := s.writer.Exec(`CREATE TEMP TABLE lit (n INTEGER, x TIMESTAMP, y TEXT)`); err != nil {
		t.Fatal(err)
	}
	msk := time.FixedZone("MSK", 3*3600)
	for i, v := range []any{nil, int64(-42), 7, int64(1) << 40, "", "Иванов", "O'Brien ''x'", `{"a":"b'"}`, "100", "2019-05-02",
		time.Date(2019, 5, 2, 18, 59, 59, 0, time.UTC), time.Date(2019, 5, 2, 21, 59, 59, 0, msk),
		time.Date(2019, 1, 2, 3, 4, 5, 600_000_000, time.UTC), time.Date(99, 1, 2, 3, 4, 5, 0, time.UTC)} {
		lit, err := appendSQLValue(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.writer.Exec(`INSERT INTO lit VALUES (?, ?, ?)`, 2*i, v, v); err != nil {
			t.Fatal(err)
		}
		if _, err := s.writer.Exec(fmt.Sprintf(`INSERT INTO lit VALUES (%d, %s, %[2]s)`, 2*i+1, lit)); err != nil {
			t.Fatalf("%v as %s: %v", v, lit, err)
		}
		var bound, literal string
		q := `SELECT quote(x) || ' ' || typeof(x) || ' ' || quote(y) || ' ' || typeof(y) FROM lit WHERE n = ?`
		if err := s.writer.QueryRow(q, 2*i).Scan(&bound); err != nil {
			t.Fatal(err)
		}
		if err := s.writer.QueryRow(q, 2*i+1).Scan(&literal); err != nil {
			t.Fatal(err)
		}
		if literal != bound {
			t.Errorf("%v: written as %s, stored %s; bound: %s", v, lit, literal, bound)
		}
	}
}
