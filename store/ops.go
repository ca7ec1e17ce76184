package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// InitTimezone sets the office time zone of a database whose settings were never saved.
func (s *Store) InitTimezone(ctx context.Context, tz string) error {
	if _, err := time.LoadLocation(tz); err != nil {
		return fmt.Errorf("time zone %q: %w", tz, err)
	}
	return s.InTx(ctx, func(tx *Tx) error {
		_, err := tx.Raw.ExecContext(ctx, "UPDATE settings SET timezone = ? WHERE id = 1 AND updated_at IS NULL", tz)
		return err
	})
}

// BackupFile copies the database at path to dst without taking the server's lock:
// VACUUM INTO reads a consistent snapshot while the server keeps writing.
func BackupFile(ctx context.Context, path, dst string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("backup: %s already exists", dst)
	}
	h, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return err
	}
	defer h.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	if _, err := h.ExecContext(ctx, "VACUUM INTO ?", dst); err != nil {
		return fmt.Errorf("backup to %s: %w", dst, err)
	}
	return nil
}

// BackupName is the file name of a backup made at t: office-local time, so the
// names sort by time and tell the office day at a glance.
func BackupName(t time.Time, loc *time.Location) string {
	return "kartoteka-" + t.In(loc).Format("20060102-150405") + ".db"
}

// PruneBackups keeps the newest keep files named kartoteka-*.db in dir.
func PruneBackups(dir string, keep int) error {
	names, err := filepath.Glob(filepath.Join(dir, "kartoteka-*.db"))
	if err != nil {
		return err
	}
	sort.Strings(names) // names carry a sortable UTC timestamp
	for i := 0; i < len(names)-keep; i++ {
		if strings.HasPrefix(filepath.Base(names[i]), "kartoteka-") {
			if err := os.Remove(names[i]); err != nil {
				return err
			}
		}
	}
	return nil
}
