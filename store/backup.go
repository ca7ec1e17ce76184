package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"kartoteka/store/db"
)

// A backup is written as <name>.tmp beside its final name, checked with
// PRAGMA quick_check, synced, and only then renamed: a file named like a backup
// is always a complete, checked copy. A process killed half-way leaves only a
// .tmp (and maybe its -journal), which nothing lists and CleanStaleTemps removes.

// tmpSuffix marks a backup still being written or checked.
const tmpSuffix = ".tmp"

// StaleAfter is how long an untouched temporary backup file is kept before it is
// taken for the remains of a killed run (a running VACUUM INTO keeps writing it).
const StaleAfter = 15 * time.Minute

// backupNameRe matches the names BackupName gives (and a same-second suffix).
var backupNameRe = regexp.MustCompile(`^kartoteka-\d{8}-\d{6}(-\d+)?\.db$`)

// IsBackupName tells whether name is a backup's file name (not a path).
func IsBackupName(name string) bool { return backupNameRe.MatchString(name) }

// FileCheck is what checking a database file found.
type FileCheck struct {
	Schema uint  // migration version recorded in the file
	Users  int64 // rows in users
}

// roDSN opens a file read-only without touching it: no -wal, -shm or journal is
// created or read beside it.
func roDSN(path string) string {
	v := url.Values{}
	v.Add("mode", "ro")
	v.Add("immutable", "1")
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_time_format", "sqlite")
	v.Add("_timezone", "UTC")
	return "file:" + path + "?" + v.Encode()
}

// CheckFile checks that path is a complete Kartoteka database this binary can
// serve: SQLite's quick_check passes, the schema is clean and not newer than the
// binary. It reads the file only.
func CheckFile(ctx context.Context, path string) (FileCheck, error) {
	return checkFile(ctx, path, true)
}

// checkFile is CheckFile; without full, a file bigger than FullCheckAtStartMax
// skips quick_check (for listed backups at start: each was checked in full
// before it got its name, and re-reading gigabytes would keep the office waiting).
func checkFile(ctx context.Context, path string, full bool) (FileCheck, error) {
	var fc FileCheck
	fi, err := os.Stat(path)
	if err != nil {
		return fc, err
	}
	if !fi.Mode().IsRegular() {
		return fc, fmt.Errorf("%s is not a file", path)
	}
	if err := checkHeader(path, fi.Size()); err != nil {
		return fc, err
	}
	h, err := sql.Open("sqlite", roDSN(path))
	if err != nil {
		return fc, err
	}
	defer h.Close()
	h.SetMaxOpenConns(1)
	if full || fi.Size() <= FullCheckAtStartMax {
		if err := quickCheck(ctx, h); err != nil {
			return fc, fmt.Errorf("%s: %w", path, err)
		}
	}
	var dirty bool
	if err := h.QueryRowContext(ctx, "SELECT version, dirty FROM schema_migrations LIMIT 1").Scan(&fc.Schema, &dirty); err != nil {
		return fc, fmt.Errorf("%s is not a Kartoteka database (no schema version): %w", path, err)
	}
	if dirty {
		return fc, fmt.Errorf("%s: migration %d failed part-way in this copy (schema is dirty)", path, fc.Schema)
	}
	if fc.Schema > SchemaVersion() {
		return fc, fmt.Errorf("%s has schema version %d, newer than this binary knows (%d)", path, fc.Schema, SchemaVersion())
	}
	if err := h.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&fc.Users); err != nil {
		return fc, fmt.Errorf("%s: %w", path, err)
	}
	return fc, nil
}

// quickCheck runs PRAGMA quick_check and turns anything but "ok" into an error.
func quickCheck(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) error {
	return quickCheckOf(ctx, q, "PRAGMA quick_check(5)")
}

// quickCheckOf runs one quick_check pragma (of the whole file or of one table).
func quickCheckOf(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, pragma string) error {
	rows, err := q.QueryContext(ctx, pragma)
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("integrity check: %w", err)
		}
		found = append(found, s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if len(found) != 1 || found[0] != "ok" {
		return fmt.Errorf("integrity check failed: %s", strings.Join(found, "; "))
	}
	return nil
}

// checkHeader is the cheap test run before any SQL: the SQLite magic, and a file
// size that is the whole number of pages the header declares.
func checkHeader(path string, size int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var h [100]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		return fmt.Errorf("%s is not an SQLite database (too short)", path)
	}
	if string(h[:16]) != "SQLite format 3\x00" {
		return fmt.Errorf("%s is not an SQLite database", path)
	}
	pageSize := int64(h[16])<<8 | int64(h[17])
	if pageSize == 1 {
		pageSize = 65536
	}
	pages := int64(h[28])<<24 | int64(h[29])<<16 | int64(h[30])<<8 | int64(h[31])
	change, validFor := h[24:28], h[92:96]
	if pages > 0 && string(change) == string(validFor) && pages*pageSize != size {
		return fmt.Errorf("%s is incomplete: %d bytes, the header declares %d", path, size, pages*pageSize)
	}
	return nil
}

// writeBackup copies the database behind h to dst through a checked temporary file.
func writeBackup(ctx context.Context, h *sql.DB, dst string) error {
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("backup: %s already exists", dst)
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("backup folder: %w", err)
	}
	CleanStaleTemps(dir)
	tmp := dst + tmpSuffix
	removeTemp(tmp) // an earlier failed run of this very name
	if _, err := h.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		removeTemp(tmp)
		return fmt.Errorf("backup to %s: %w", dst, err)
	}
	if err := finishCopy(ctx, tmp, dst); err != nil {
		removeTemp(tmp)
		return err
	}
	return nil
}

// finishCopy checks the written temporary file, makes it durable and gives it its name.
func finishCopy(ctx context.Context, tmp, dst string) error {
	if _, err := CheckFile(ctx, tmp); err != nil {
		return fmt.Errorf("backup %s failed its check: %w", dst, err)
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("backup %s: %w", dst, err)
	}
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("backup: %s already exists", dst)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("backup %s: %w", dst, err)
	}
	return syncDir(filepath.Dir(dst))
}

// CopyBackup copies a checked backup into another folder (a USB disk, a network
// share) under the same name, through a temporary name there too.
func CopyBackup(ctx context.Context, src, dir string) (string, error) {
	dst := filepath.Join(dir, filepath.Base(src))
	if _, err := os.Stat(dst); err == nil {
		return dst, nil // already copied
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("second backup folder %s is not available", dir)
	}
	CleanStaleTemps(dir)
	tmp := dst + tmpSuffix
	if err := copyFile(src, tmp); err != nil {
		removeTemp(tmp)
		return "", fmt.Errorf("copy backup to %s: %w", dir, err)
	}
	if err := finishCopy(ctx, tmp, dst); err != nil {
		removeTemp(tmp)
		return "", err
	}
	return dst, nil
}

// copyFile copies src to a new file dst and syncs it.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes a rename in dir durable (a no-op where directories cannot be synced).
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer d.Close()
	_ = d.Sync()
	return nil
}

func removeTemp(tmp string) {
	for _, p := range []string{tmp, tmp + "-journal", tmp + "-wal", tmp + "-shm"} {
		_ = os.Remove(p)
	}
}

// CleanStaleTemps removes what killed backup runs left in dir: temporary files
// (with their journals) untouched for StaleAfter, and backups of older versions
// that still have a -journal beside them (an unfinished VACUUM INTO).
func CleanStaleTemps(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	now := time.Now()
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, "kartoteka-") {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		switch {
		case strings.HasSuffix(name, tmpSuffix) || strings.HasSuffix(name, tmpSuffix+"-journal"):
			if now.Sub(info.ModTime()) >= StaleAfter {
				_ = os.Remove(filepath.Join(dir, name))
			}
		case strings.HasSuffix(name, ".db-journal") && IsBackupName(strings.TrimSuffix(name, "-journal")):
			if now.Sub(info.ModTime()) >= StaleAfter {
				_ = os.Remove(filepath.Join(dir, strings.TrimSuffix(name, "-journal")))
				_ = os.Remove(filepath.Join(dir, name))
			}
		}
	}
}

// Backup is one checked backup on disk.
type Backup struct {
	Name string
	Path string
	Size int64
	At   time.Time // when it was written (the file's time)
}

// ListBackups lists dir's backups, newest first: only files named like a backup,
// with a sound header and no journal beside them. Every such file was checked
// before it got its name; this listing repeats only the cheap part of the check.
func ListBackups(dir string) ([]Backup, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	have := map[string]bool{}
	for _, e := range ents {
		have[e.Name()] = true
	}
	var out []Backup
	for _, e := range ents {
		name := e.Name()
		if !IsBackupName(name) || have[name+"-journal"] {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		p := filepath.Join(dir, name)
		if checkHeader(p, info.Size()) != nil {
			continue
		}
		out = append(out, Backup{Name: name, Path: p, Size: info.Size(), At: info.ModTime()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name > out[j].Name })
	return out, nil
}

// FindBackup returns the listed backup called name in dir.
func FindBackup(dir, name string) (Backup, bool) {
	if !IsBackupName(name) {
		return Backup{}, false
	}
	list, _ := ListBackups(dir)
	for _, b := range list {
		if b.Name == name {
			return b, true
		}
	}
	return Backup{}, false
}

// Restored is what Restore did.
type Restored struct {
	Check FileCheck
	Aside []string // the previous database and its -wal/-shm, kept under new names
}

// Restore puts the backup file in place of the database at path. The server must
// be stopped (the lock is taken). The file is checked (integrity, schema version)
// and copied beside the database under a temporary name and checked again; then
// the current database with its -wal and -shm is moved aside with a timestamp,
// and the copy renamed into place. A stale -wal can therefore never be replayed
// onto the restored file. Migrations bring an older copy up to this binary.
func Restore(ctx context.Context, path, file string, now time.Time) (Restored, error) {
	var r Restored
	lock, err := lockFile(path + ".lock")
	if err != nil {
		return r, fmt.Errorf("%w: stop the server before restoring", err)
	}
	defer func() {
		lock.Close()
		os.Remove(lock.Name())
	}()
	if r.Check, err = CheckFile(ctx, file); err != nil {
		return r, fmt.Errorf("not restored, the database is unchanged: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return r, err
	}
	tmp := path + ".restore" + tmpSuffix
	removeTemp(tmp)
	if err := copyFile(file, tmp); err != nil {
		removeTemp(tmp)
		return r, fmt.Errorf("not restored, the database is unchanged: copy %s: %w", file, err)
	}
	if _, err := CheckFile(ctx, tmp); err != nil {
		removeTemp(tmp)
		return r, fmt.Errorf("not restored, the database is unchanged: the copy failed its check: %w", err)
	}
	stamp := path + ".before-restore-" + now.Format("20060102-150405")
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		if _, err := os.Stat(path + suffix); err != nil {
			continue
		}
		if err := os.Rename(path+suffix, stamp+suffix); err != nil {
			removeTemp(tmp)
			return r, fmt.Errorf("move %s aside: %w (already moved: %v)", path+suffix, err, r.Aside)
		}
		r.Aside = append(r.Aside, stamp+suffix)
	}
	if err := os.Rename(tmp, path); err != nil {
		return r, fmt.Errorf("install %s: %w (the previous database is %v)", path, err, r.Aside)
	}
	_ = syncDir(filepath.Dir(path))
	if err := Migrate(path); err != nil {
		return r, fmt.Errorf("restored, but migrating it failed: %w (the previous database is %v)", err, r.Aside)
	}
	return r, nil
}

// checkUsers refuses a database without users when a backup has some.
func (s *Store) checkUsers(ctx context.Context, backupDir string) error {
	n, err := s.Q.UserCount(ctx)
	if err != nil || n > 0 {
		return err
	}
	if _, b := latestGood(ctx, backupDir, true); b.Path == "" {
		return nil // a new office: /setup creates the owner
	}
	return fmt.Errorf("refusing to serve %s: it has no users, but a backup has them — "+
		"the database was emptied or replaced by an incomplete file (serving it would let anyone create an owner at /setup).\n%s",
		s.path, restoreHint(ctx, s.path, backupDir, true))
}

// latestGood is the newest backup in dir that passes CheckFile (and, if
// withUsers, has users); a big one is not read in full again (see checkFile).
func latestGood(ctx context.Context, dir string, withUsers bool) (FileCheck, Backup) {
	list, _ := ListBackups(dir)
	for _, b := range list {
		fc, err := checkFile(ctx, b.Path, false)
		if err == nil && (!withUsers || fc.Users > 0) {
			return fc, b
		}
	}
	return FileCheck{}, Backup{}
}

func restoreHint(ctx context.Context, path, backupDir string, withUsers bool) string {
	fc, b := latestGood(ctx, backupDir, withUsers)
	if b.Path == "" {
		return fmt.Sprintf("No good backup found in %s. Repair the database file by hand, or move it away to start a new one.", backupDir)
	}
	return fmt.Sprintf("The latest good backup is %s (%s, %d users).\n"+
		"To restore it, with the server stopped: kartoteka restore %s --db %s",
		b.Path, b.At.Format("2006-01-02 15:04"), fc.Users, b.Path, path)
}

// SetBackupCopyDir saves the second backup folder ("" turns it off); the caller
// has checked the folder.
func (s *Store) SetBackupCopyDir(ctx context.Context, actor int64, dir string) error {
	return s.InTx(ctx, func(tx *Tx) error {
		old, err := tx.SettingsGet(ctx)
		if err != nil {
			return err
		}
		if err := tx.SettingsSetBackupCopyDir(ctx, db.SettingsSetBackupCopyDirParams{BackupCopyDir: dir, Now: &tx.Now}); err != nil {
			return fmt.Errorf("save second backup folder: %w", err)
		}
		return tx.Audit(actor, "settings", 1, "update",
			map[string]any{"backup_copy_dir": old.BackupCopyDir}, map[string]any{"backup_copy_dir": dir})
	})
}

// CopyToSecond copies the checked backup src into the second backup folder when
// one is set, and keeps the newest N there as in the main folder. It returns the
// copy's path, "" when no second folder is set.
func (s *Store) CopyToSecond(ctx context.Context, src string) (string, error) {
	set, err := s.Q.SettingsGet(ctx)
	if err != nil || set.BackupCopyDir == "" {
		return "", err
	}
	dst, err := CopyBackup(ctx, src, set.BackupCopyDir)
	if err != nil {
		return "", err
	}
	return dst, PruneBackups(set.BackupCopyDir, int(set.BackupRetention))
}
