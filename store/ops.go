package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
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
// VACUUM INTO reads a consistent snapshot while the server keeps writing. The copy
// is checked under a temporary name before it gets its own.
func BackupFile(ctx context.Context, path, dst string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	h, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return err
	}
	defer h.Close()
	return writeBackup(ctx, h, dst)
}

// BackupName is the file name of a backup made at t: office-local time, so the
// names sort by time and tell the office day at a glance.
func BackupName(t time.Time, loc *time.Location) string {
	return "kartoteka-" + t.In(loc).Format("20060102-150405") + ".db"
}

// PruneBackups keeps the newest keep backups in dir (files named like BackupName).
func PruneBackups(dir string, keep int) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range ents {
		if IsBackupName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names) // names carry a sortable office-local timestamp
	for i := 0; i < len(names)-keep; i++ {
		if err := os.Remove(filepath.Join(dir, names[i])); err != nil {
			return err
		}
	}
	return nil
}
