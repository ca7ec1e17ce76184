package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"
)

// kept runs fn on the reader connection c's statement cache.
func kept(t *testing.T, c *sql.Conn, fn func(cc *cachingConn)) {
	t.Helper()
	if err := c.Raw(func(dc any) error {
		cc, ok := dc.(*cachingConn)
		if !ok {
			return fmt.Errorf("reader connection is %T, not the statement cache", dc)
		}
		fn(cc)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestReaderKeepsPreparedStatements(t *testing.T) {
	f := newFixture(t)
	ctx := f.ctx
	c, err := f.st.reader.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const q = "SELECT COUNT(*) FROM users WHERE role = ?"
	n := func(role string) (n int) {
		t.Helper()
		if err := c.QueryRowContext(ctx, q, role).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := n("manager"); got != 2 {
		t.Fatalf("managers: %d, want 2", got)
	}
	var first *cachedStmt
	kept(t, c, func(cc *cachingConn) { first = cc.stmts[q] })
	if first == nil {
		t.Fatal("the query's statement was not kept")
	}
	// The kept statement is run again with other arguments, and it reads what
	// was written since (a statement holds no snapshot between runs).
	addUser(t, f.st, "manager3", "manager")
	if got := n("manager"); got != 3 {
		t.Fatalf("managers after adding one: %d, want 3", got)
	}
	if got := n("warmer"); got != 2 {
		t.Fatalf("warmers: %d, want 2", got)
	}
	kept(t, c, func(cc *cachingConn) {
		if cc.stmts[q] != first {
			t.Error("the statement was prepared again")
		}
	})

	// Two open results of the same query on one connection: the second runs
	// on a statement of its own, and both read their whole result.
	tx, err := c.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	const all = "SELECT id FROM users WHERE role = ? ORDER BY id"
	outer, err := tx.QueryContext(ctx, all, "manager")
	if err != nil {
		t.Fatal(err)
	}
	outerN := 0
	for outer.Next() {
		outerN++
		inner, err := tx.QueryContext(ctx, all, "warmer")
		if err != nil {
			t.Fatal(err)
		}
		innerN := 0
		for inner.Next() {
			innerN++
		}
		if err := inner.Close(); err != nil {
			t.Fatal(err)
		}
		if innerN != 2 {
			t.Fatalf("nested query: %d warmers, want 2", innerN)
		}
	}
	if err := outer.Err(); err != nil {
		t.Fatal(err)
	}
	outer.Close()
	tx.Rollback()
	if outerN != 3 {
		t.Fatalf("outer query: %d managers, want 3", outerN)
	}

	// A statement its context's deadline interrupted runs again.
	short, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	const slow = "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < ?) SELECT COUNT(*) FROM r"
	var got int
	if err := c.QueryRowContext(short, slow, 1_000_000_000).Scan(&got); err == nil {
		t.Fatal("a billion rows counted within a millisecond")
	} else if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(short.Err(), context.DeadlineExceeded) {
		t.Fatal(err)
	}
	if err := c.QueryRowContext(ctx, slow, 1000).Scan(&got); err != nil || got != 1000 {
		t.Fatalf("after the interrupt: %d, %v; want 1000", got, err)
	}

	// Past the bound the least recently used statements go; the results stay right.
	for i := range stmtCacheSize + 10 {
		var v int
		if err := c.QueryRowContext(ctx, fmt.Sprintf("SELECT %d + ?", i), 1).Scan(&v); err != nil || v != i+1 {
			t.Fatalf("query %d: %d, %v", i, v, err)
		}
	}
	kept(t, c, func(cc *cachingConn) {
		if len(cc.stmts) != stmtCacheSize {
			t.Errorf("%d statements kept, want %d", len(cc.stmts), stmtCacheSize)
		}
		if cc.stmts[q] != nil {
			t.Error("the least recently used statement is still kept")
		}
	})
	if got := n("manager"); got != 3 {
		t.Fatalf("managers after the cache turned over: %d, want 3", got)
	}
}
