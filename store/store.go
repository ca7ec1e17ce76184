// Package store owns the SQLite database: opening it with the right pragmas,
// migrations, and every multi-step write inside one transaction.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // cgo-free SQLite driver

	"kartoteka/store/db"
)

// Errors the web layer maps to HTTP answers.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("stale version")
	ErrForbidden = errors.New("forbidden")
)

// Store is the application's database: one writer connection and a pool of readers.
type Store struct {
	path   string
	writer *sql.DB
	reader *sql.DB
	lock   *os.File
	// Q runs read queries on the reader pool.
	Q *db.Queries
	// Now is the clock; tests and the demo move it.
	Now func() time.Time

	sessions sessionCache
	rarity   gramRarity // the archive's trigram estimates (rareGrams)
}

// dsn builds a connection string that sets every pragma on every pooled connection.
func dsn(path string, readOnly bool) string {
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "foreign_keys(1)")
	v.Add("_pragma", "synchronous(FULL)")
	if readOnly {
		v.Add("_pragma", "query_only(1)")
	}
	v.Add("_time_format", "sqlite")
	v.Add("_timezone", "UTC")
	v.Add("_txlock", "immediate")
	return "file:" + path + "?" + v.Encode()
}

// Open opens (creating if needed) the database at path, takes the process lock,
// and applies the embedded migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	return open(ctx, path, "", false)
}

// OpenForServing is Open for the server: it refuses a database that fails
// its start-up check (checkStart: PRAGMA quick_check, bounded for a big file),
// or one without users while a backup in backupDir has them
// (an emptied or half-restored file would send everyone to /setup), naming the
// latest good backup and how to restore it.
func OpenForServing(ctx context.Context, path, backupDir string) (*Store, error) {
	return open(ctx, path, backupDir, true)
}

func open(ctx context.Context, path, backupDir string, check bool) (*Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
	}
	lock, err := lockFile(path + ".lock")
	if err != nil {
		return nil, err
	}
	if check {
		if err := checkStart(ctx, path, backupDir); err != nil {
			lock.Close()
			return nil, err
		}
	}
	if err := Migrate(path); err != nil {
		lock.Close()
		return nil, err
	}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	r, err := openReaders(dsn(path, true))
	if err != nil {
		w.Close()
		lock.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		lock.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// Keep the planner's statistics fresh so it picks the most selective archive
	// index (bounded work: analysis_limit samples, only tables that need it).
	if _, err := w.ExecContext(ctx, "PRAGMA analysis_limit=1000; PRAGMA optimize=0x10002"); err != nil {
		w.Close()
		r.Close()
		lock.Close()
		return nil, fmt.Errorf("optimize %s: %w", path, err)
	}
	s := &Store{path: path, writer: w, reader: r, lock: lock, Q: db.New(r), Now: time.Now}
	// A database from before the report's rollups (or a bulk load that skipped them) gets them now.
	if missing, err := s.rollupsMissing(ctx); err != nil || missing {
		if err == nil {
			err = s.RebuildRollups(ctx)
		}
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("report rollups of %s: %w", path, err)
		}
	}
	if check {
		if err := s.checkUsers(ctx, backupDir); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close checkpoints the WAL into the main file and releases the lock.
func (s *Store) Close() error {
	_, _ = s.writer.Exec("PRAGMA analysis_limit=1000; PRAGMA optimize")
	_, _ = s.writer.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	err := errors.Join(s.reader.Close(), s.writer.Close())
	if s.lock != nil {
		s.lock.Close()
		os.Remove(s.lock.Name())
	}
	return err
}

// Path is the database file, for backups and messages.
func (s *Store) Path() string { return s.path }

// Reader gives the read pool for hand-written queries (the archive).
func (s *Store) Reader() *sql.DB { return s.reader }

// Tx is what a write sees: typed queries on the open transaction plus the raw handle.
type Tx struct {
	*db.Queries
	Raw *sql.Tx
	Now time.Time
	c   context.Context
}

func (tx *Tx) ctx() context.Context { return tx.c }

// InTx runs fn in one IMMEDIATE transaction on the writer connection and commits
// only if fn returns nil.
func (s *Store) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	raw, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer raw.Rollback() // no-op after Commit; frees the only writer if fn panics
	tx := &Tx{Queries: db.New(raw), Raw: raw, Now: s.Now().UTC(), c: ctx}
	if err := fn(tx); err != nil {
		_ = raw.Rollback()
		return err
	}
	if err := raw.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Ping checks the database answers, for /healthz.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.reader.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Backup writes a consistent copy of the live database to dst with VACUUM INTO,
// through a checked temporary file (see writeBackup).
func (s *Store) Backup(ctx context.Context, dst string) error {
	return writeBackup(ctx, s.writer, dst)
}

// notFound turns sql.ErrNoRows into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
