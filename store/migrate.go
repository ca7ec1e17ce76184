package store

import (
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strconv"
	"strings"

	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/database/sqlite"
	"github.com/golang-migrate/migrate/v4/source/iofs"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// SchemaVersion is the newest migration this binary knows.
func SchemaVersion() uint {
	names, _ := fs.Glob(migrationsFS, "migrations/*.up.sql")
	sort.Strings(names)
	var v uint
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		i, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err == nil && uint(i) > v {
			v = uint(i)
		}
	}
	return v
}

// slowMigrations say what takes a while when an office's database is upgraded
// (logged before the migration runs; a new database has nothing to rebuild).
var slowMigrations = map[uint]string{
	9:  "rebuilding the archive's search index, about 1.5–2 minutes per million archived cards",
	11: "merging the archive's search index into one piece, about 20 seconds per million archived cards",
	12: "noting who has left which cards for «Автозадачи» (a read of every tracker task), about 2–4 minutes per 20 million tasks",
	13: "building the archive's word index, about 1–2 minutes per million archived cards",
	14: "adding the report's running sums, about 1.5–3 minutes for ten years of figures",
	15: "adding the archive's indexes of two filters at a time, about 15–30 seconds per million archived cards",
	16: "adding an index of each card's people, a few seconds per million cards",
	17: "building the archive's word index again with its prefixes, about 1 minute per million archived cards",
	18: "rebuilding three «Автозадачи» indexes with each task's card, about 2–3 minutes per 20 million tasks",
	19: "rebuilding the indexes by card with the whole rows of the tasks and transactions, about 3 minutes per 20 million tasks and 10 million transactions",
}

// Migrate applies the embedded migrations. It refuses a dirty schema or one newer
// than this binary with a message that says what to do.
func Migrate(path string) error {
	// migrate closes the handle it is given: it gets its own.
	h, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return fmt.Errorf("open database for migration: %w", err)
	}
	src, err := iofs.New(migrationsFS, "migrations")
	if err != nil {
		h.Close()
		return fmt.Errorf("migrations: %w", err)
	}
	drv, err := sqlite.WithInstance(h, &sqlite.Config{})
	if err != nil {
		h.Close()
		return fmt.Errorf("migrations on %s: %w", path, err)
	}
	m, err := migrate.NewWithInstance("iofs", src, "sqlite", drv)
	if err != nil {
		h.Close()
		return fmt.Errorf("migrations: %w", err)
	}
	defer m.Close()
	v, dirty, err := m.Version()
	if err != nil && !errors.Is(err, migrate.ErrNilVersion) {
		return fmt.Errorf("read schema version: %w", err)
	}
	if dirty {
		return fmt.Errorf("database %s: migration %d failed part-way (schema is dirty); restore the last backup "+
			"(stop, copy the backup over the database file, start) or repair it by hand", path, v)
	}
	if v > SchemaVersion() {
		return fmt.Errorf("database %s has schema version %d, newer than this binary knows (%d): run a newer kartoteka",
			path, v, SchemaVersion())
	}
	if err == nil {
		for next := v + 1; next <= SchemaVersion(); next++ {
			if note := slowMigrations[next]; note != "" {
				slog.Info("upgrading the database: "+note, "db", path, "migration", next)
			}
		}
	}
	if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("apply migrations to %s: %w", path, err)
	}
	return nil
}

// Version reports the schema version recorded in the database.
func (s *Store) Version() (uint, error) {
	var v uint
	var dirty bool
	err := s.reader.QueryRow("SELECT version, dirty FROM schema_migrations LIMIT 1").Scan(&v, &dirty)
	return v, err
}
