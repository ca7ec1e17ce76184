package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

// Checking the database: a cheap check before serving, the full one after.
//
// PRAGMA quick_check reads every page of the file: on an office-decade database
// (8 GB) that is half an hour of one core, too long to keep the office waiting at
// start. So the start-up check (checkStart) is bounded: a database up to
// FullCheckAtStartMax is checked in full as before; a bigger one has its schema
// and the small tables every request reads (users, sessions, settings, the
// directories, the report's rollups) checked, and the server then runs the full
// check in the background (Store.CheckIntegrity), reporting damage on /healthz
// and to the owner and the administrators.

// FullCheckAtStartMax is the biggest database checked in full before serving
// (a few seconds of quick_check on a busy machine).
const FullCheckAtStartMax = 32 << 20

// startTables are the small tables checked before serving a bigger database:
// without them nobody can sign in, and a damaged one must stop the start.
var startTables = []string{
	"sqlite_schema", "schema_migrations", "settings", "users", "sessions",
	"banks", "contractors", "rollup_money", "rollup_stage", "rollup_stage_time",
}

// checkStart is the check before serving the database at path (through the
// normal connection, so a -wal beside it is read as SQLite reads it).
func checkStart(ctx context.Context, path, backupDir string) error {
	fi, err := os.Stat(path)
	if err != nil || fi.Size() == 0 {
		return nil // a new database
	}
	h, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return err
	}
	defer h.Close()
	h.SetMaxOpenConns(1)
	if fi.Size() <= FullCheckAtStartMax {
		err = quickCheck(ctx, h)
	} else {
		err = quickCheckTables(ctx, h, startTables)
	}
	if err != nil {
		return fmt.Errorf("refusing to serve %s: %w.\n%s", path, err, restoreHint(ctx, path, backupDir, false))
	}
	return nil
}

// StartCheckIsFull tells whether the start-up check of the database at path
// reads the whole file (so the background check has nothing to add).
func StartCheckIsFull(path string) bool {
	fi, err := os.Stat(path)
	return err != nil || fi.Size() <= FullCheckAtStartMax
}

// quickCheckTables runs quick_check on each of tables (with its indexes) that exists.
func quickCheckTables(ctx context.Context, h *sql.DB, tables []string) error {
	have := map[string]bool{"sqlite_schema": true}
	rows, err := h.QueryContext(ctx, "SELECT name FROM sqlite_schema WHERE type = 'table'")
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return fmt.Errorf("integrity check: %w", err)
		}
		have[n] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	for _, t := range tables {
		if !have[t] {
			continue
		}
		if err := quickCheckOf(ctx, h, "PRAGMA quick_check("+t+")"); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
	}
	return nil
}

// Integrity is what the full background check found.
type Integrity struct {
	Err    error         // nil: the file passed
	Took   time.Duration // how long the check ran
	Backup string        // on damage: the newest checked backup ("" when there is none)
}

// CheckIntegrity runs PRAGMA quick_check over the whole file on a connection of
// its own, at a lower CPU priority where the system allows it, so the office is
// served meanwhile. It can take half an hour on an office-decade database; ctx
// stops it (the result is then ctx's error, not damage: see Damaged).
func (s *Store) CheckIntegrity(ctx context.Context, backupDir string) Integrity {
	start := time.Now()
	var res Integrity
	done := make(chan struct{})
	go func() {
		defer close(done)
		// The goroutine keeps its thread to the end, so the lowered thread exits
		// with it and never runs anything else.
		runtime.LockOSThread()
		lowerThreadPriority()
		h, err := sql.Open("sqlite", dsn(s.path, true))
		if err != nil {
			res.Err = err
			return
		}
		defer h.Close()
		h.SetMaxOpenConns(1)
		res.Err = quickCheck(ctx, h)
	}()
	<-done
	res.Took = time.Since(start)
	if res.Damaged(ctx) {
		if list, _ := ListBackups(backupDir); len(list) > 0 {
			res.Backup = list[0].Path
		}
	}
	return res
}

// Damaged tells whether the check found damage (not just stopped with ctx).
func (r Integrity) Damaged(ctx context.Context) bool {
	return r.Err != nil && ctx.Err() == nil && !strings.Contains(r.Err.Error(), "interrupted")
}
