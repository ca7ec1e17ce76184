package web_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"kartoteka/app/auth"
	"kartoteka/store"
)

// TestBackupsListedVerifiedWithDownloads: «Настройки» lists only checked backups
// (size in КБ/МБ/ГБ, office-time date, «проверена»), the remains of a killed run
// are not listed, and only the owner can download a backup, which streams the file.
func TestBackupsListedVerifiedWithDownloads(t *testing.T) {
	ts := newTestServer(t)
	if resp, _ := ts.do(t, owner, "POST", "/settings/backup", nil); resp.StatusCode != 303 {
		t.Fatalf("backup now: %d", resp.StatusCode)
	}
	list, err := store.ListBackups(ts.backupDir)
	if err != nil || len(list) != 1 {
		t.Fatalf("backups after the button: %v %v", list, err)
	}
	good := list[0]
	// What a killed run leaves: a temporary file with its journal, and (from an
	// older version) a backup-named partial file with a -journal beside it.
	partial := filepath.Join(ts.backupDir, "kartoteka-20200101-023000.db")
	for _, p := range []string{good.Path + "x.tmp", partial} {
		if err := os.WriteFile(p, []byte("SQLite format 3\x00partial"), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(partial+"-journal", []byte("j"), 0o640)
	os.WriteFile(filepath.Join(ts.backupDir, "kartoteka-20200102-023000.db"), []byte("garbage, not a database"), 0o640)

	_, page := ts.do(t, owner, "GET", "/settings", nil)
	if !strings.Contains(page, good.Name) {
		t.Fatalf("the checked backup %s is not listed", good.Name)
	}
	for _, bad := range []string{"20200101", "20200102", ".tmp"} {
		if strings.Contains(page, bad) {
			t.Errorf("settings lists an unchecked file (%s)", bad)
		}
	}
	if !strings.Contains(page, "проверена") {
		t.Error("settings does not say the backup was checked («проверена»)")
	}
	if !regexp.MustCompile(`\d+(,\d)? [КМГ]Б`).MatchString(page) {
		t.Error("backup size is not human-readable (КБ/МБ/ГБ)")
	}
	if want := good.At.In(ts.srv.Loc()).Format("02.01.2006 15:04"); !strings.Contains(page, want) {
		t.Errorf("backup date %q (office time) not shown", want)
	}
	link := "/settings/backups/" + good.Name
	if !strings.Contains(page, `href="`+link+`"`) {
		t.Fatalf("no download link %s", link)
	}

	want, _ := os.ReadFile(good.Path)
	for _, role := range append([]auth.Role{anon}, auth.Roles...) {
		resp, body := ts.do(t, role, "GET", link, nil)
		switch {
		case role == owner:
			if resp.StatusCode != 200 || sha256.Sum256([]byte(body)) != sha256.Sum256(want) {
				t.Errorf("owner download: %d, %d bytes (want the %d-byte file)", resp.StatusCode, len(body), len(want))
			}
			if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, good.Name) {
				t.Errorf("Content-Disposition %q", cd)
			}
		case role == anon:
			if resp.StatusCode != http.StatusSeeOther || strings.Contains(body, "SQLite") {
				t.Errorf("anonymous download: %d", resp.StatusCode)
			}
		default:
			if resp.StatusCode != http.StatusForbidden || strings.Contains(body, "SQLite") {
				t.Errorf("%s download: %d, want 403", role, resp.StatusCode)
			}
		}
	}
	// Anything that is not a listed backup is not served, even to the owner.
	for _, name := range []string{"kartoteka-20200101-023000.db", "kartoteka-20200102-023000.db",
		good.Name + "x.tmp", "..%2Fkartoteka.db", "%2E%2E%2F%2E%2E%2Fkartoteka.db"} {
		if resp, body := ts.do(t, owner, "GET", "/settings/backups/"+name, nil); resp.StatusCode != 404 || strings.Contains(body, "SQLite format") {
			t.Errorf("GET /settings/backups/%s → %d, want 404", name, resp.StatusCode)
		}
	}
}

// TestSecondBackupFolder: the owner names a second folder (checked: a full path to
// an existing, writable folder that is not the main one); each checked backup is
// then copied there under the same name. Bad paths are 422 next to the field,
// keep what was typed and save nothing; other roles get 403.
func TestSecondBackupFolder(t *testing.T) {
	ts := newTestServer(t)
	usb := t.TempDir()
	notDir := filepath.Join(usb, "file.txt")
	os.WriteFile(notDir, []byte("x"), 0o640)
	os.MkdirAll(ts.backupDir, 0o750)
	readOnly := filepath.Join(t.TempDir(), "ro")
	os.Mkdir(readOnly, 0o500)

	ts.do(t, owner, "GET", "/healthz", nil) // start the session before counting
	for _, bad := range []struct{ path, msg string }{
		{"usb/копии", "полный путь"},
		{filepath.Join(usb, "нет-такой"), "не найдена"},
		{notDir, "не найдена"},
		{ts.backupDir, "основная папка"},
		{usb + "\x00x", "управляющие символы"},
	} {
		before := ts.snapshot(t)
		resp, body := ts.do(t, owner, "POST", "/settings/backup-copy", vals("backup_copy_dir", bad.path))
		if resp.StatusCode != 422 || !has(body, bad.msg) {
			t.Errorf("second folder %q: %d, want 422 with %q; errors: %s", bad.path, resp.StatusCode, bad.msg, formErrors(body))
		}
		if !strings.Contains(body, "invalid-feedback") {
			t.Errorf("second folder %q: no message next to the field", bad.path)
		}
		if after := ts.snapshot(t); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("a refused folder wrote something")
		}
	}
	if os.Geteuid() != 0 { // root writes anywhere
		if resp, body := ts.do(t, owner, "POST", "/settings/backup-copy", vals("backup_copy_dir", readOnly)); resp.StatusCode != 422 || !has(body, "нельзя записать") {
			t.Errorf("read-only folder: %d", resp.StatusCode)
		}
	}
	for _, role := range []auth.Role{admin, accountant, warmer, manager} {
		if resp, _ := ts.do(t, role, "POST", "/settings/backup-copy", vals("backup_copy_dir", usb)); resp.StatusCode != 403 {
			t.Errorf("%s sets the second folder: %d, want 403", role, resp.StatusCode)
		}
	}
	if set := ts.srv.Settings(); set.BackupCopyDir != "" {
		t.Fatalf("saved %q after refusals", set.BackupCopyDir)
	}

	if resp, body := ts.do(t, owner, "POST", "/settings/backup-copy", vals("backup_copy_dir", usb)); resp.StatusCode != 303 {
		t.Fatalf("good folder: %d %s", resp.StatusCode, formErrors(body))
	}
	if resp, _ := ts.do(t, owner, "POST", "/settings/backup", nil); resp.StatusCode != 303 {
		t.Fatalf("backup now: %d", resp.StatusCode)
	}
	main, _ := store.ListBackups(ts.backupDir)
	copies, _ := store.ListBackups(usb)
	if len(main) != 1 || len(copies) != 1 || copies[0].Name != main[0].Name || copies[0].Size != main[0].Size {
		t.Fatalf("main %v, second folder %v", main, copies)
	}
	if _, err := store.CheckFile(context.Background(), copies[0].Path); err != nil {
		t.Errorf("the copy fails its check: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(usb, "*.tmp")); len(left) > 0 {
		t.Errorf("temporary files left in the second folder: %v", left)
	}
	_, page := ts.do(t, owner, "GET", "/settings", nil)
	if !strings.Contains(page, usb) {
		t.Error("settings does not show the second folder")
	}
	// Turning it off.
	if resp, _ := ts.do(t, owner, "POST", "/settings/backup-copy", vals("backup_copy_dir", "")); resp.StatusCode != 303 || ts.srv.Settings().BackupCopyDir != "" {
		t.Errorf("clearing the second folder: %d", resp.StatusCode)
	}
}
