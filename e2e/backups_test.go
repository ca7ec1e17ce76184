package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestSettingsBackups: the owner makes a backup from «Настройки»; it is listed as
// checked with a readable size and a download link; a bad second folder is refused
// next to the field keeping what was typed; a good one is saved and the next
// backup lands there too. Desktop and phone widths.
func TestSettingsBackups(t *testing.T) {
	app := startApp(t)
	b := newBrowser(t, app, "owner")
	b.setupOwner("Ольга Владелец", "owner", "owner-pass-1")
	b.open("/settings")
	if st := b.clickButton(`form[action="/settings/backup"]`, "Сделать копию сейчас"); st != http.StatusOK {
		t.Fatalf("backup now: %d", st)
	}
	if flash := strings.Join(b.texts(".alert-success"), " "); !strings.Contains(flash, "проверена") {
		t.Errorf("flash after the backup: %q", flash)
	}
	row := b.text("table tbody tr")
	for _, want := range []string{"kartoteka-", "проверена", "КБ"} {
		if !strings.Contains(row, want) {
			t.Errorf("backup row %q lacks %q", row, want)
		}
	}
	if href := b.attr("table tbody tr a", "href"); !strings.HasPrefix(href, "/settings/backups/kartoteka-") {
		t.Errorf("download link %q", href)
	}
	b.screenshot("backup-listed")

	bad := filepath.Join(app.Dir, "нет-такой-папки")
	if st := b.fillAndSubmit(`form[action="/settings/backup-copy"]`, map[string]string{"backup_copy_dir": bad}, "Сохранить папку"); st != http.StatusUnprocessableEntity {
		t.Errorf("bad second folder: status %d", st)
	}
	if msg := b.fieldError("backup_copy_dir"); !strings.Contains(msg, "не найдена") {
		t.Errorf("error next to the field: %q", msg)
	}
	if v := b.value("#f-backup_copy_dir"); v != bad {
		t.Errorf("the form lost what was typed: %q", v)
	}
	b.screenshot("second-folder-refused")

	usb := filepath.Join(app.Dir, "usb")
	os.Mkdir(usb, 0o750)
	if st := b.fillAndSubmit(`form[action="/settings/backup-copy"]`, map[string]string{"backup_copy_dir": usb}, "Сохранить папку"); st != http.StatusOK {
		t.Fatalf("good second folder: status %d %v", st, b.texts(".invalid-feedback"))
	}
	if st := b.clickButton(`form[action="/settings/backup"]`, "Сделать копию сейчас"); st != http.StatusOK {
		t.Fatalf("second backup: %d", st)
	}
	if names, _ := filepath.Glob(filepath.Join(usb, "kartoteka-*.db")); len(names) != 1 {
		t.Errorf("copies in the second folder: %v", names)
	}
	if !strings.Contains(b.text("table tbody"), "вторая папка") {
		t.Errorf("the list does not mark the backup copied to the second folder")
	}
	b.screenshot("second-folder-desktop")
	b.do("phone width", chromedp.EmulateViewport(400, 860))
	b.open("/settings")
	b.screenshot("second-folder-phone")
}
