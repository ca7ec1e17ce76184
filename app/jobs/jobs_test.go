package jobs

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kartoteka/store"
)

func TestNightlyBackupOncePerDayWithRetention(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	backups := filepath.Join(dir, "backups")
	ctx := context.Background()
	day := time.Date(2026, 1, 1, 23, 30, 0, 0, time.UTC)
	// 20 nights, each run twice: one file a night, and only the newest 14 (the default) kept.
	for i := 0; i < 20; i++ {
		now := day.AddDate(0, 0, i)
		for run := 0; run < 2; run++ {
			if err := NightlyBackup(ctx, st, backups, now.Add(time.Duration(run)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
	}
	files, _ := filepath.Glob(filepath.Join(backups, "kartoteka-*.db"))
	if len(files) != 14 {
		t.Fatalf("%d backups kept, want 14", len(files))
	}
	if filepath.Base(files[0]) != "kartoteka-20260108-023000.db" { // 23:30 UTC is 02:30 the next day in Moscow
		t.Errorf("oldest kept %s", filepath.Base(files[0]))
	}
	if fi, err := os.Stat(files[len(files)-1]); err != nil || fi.Size() == 0 {
		t.Errorf("newest backup empty: %v", err)
	}
}

func TestDueOnEmptyDatabase(t *testing.T) {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := Due(context.Background(), st, nil, nil, ""); err != nil {
		t.Fatal(err)
	}
}

func TestBackupWaitsForTheNightThenCatchesUp(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	backups := filepath.Join(dir, "backups")
	msk, _ := time.LoadLocation("Europe/Moscow")
	ctx := context.Background()
	// 01:00 in Moscow: not yet.
	if err := NightlyBackup(ctx, st, backups, time.Date(2026, 3, 2, 1, 0, 0, 0, msk)); err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(backups, "*.db")); len(files) != 0 {
		t.Fatalf("backup before 02:30: %v", files)
	}
	// The office computer was off at night and starts at 09:10: the day's backup is made then, once.
	st.Now = func() time.Time { return time.Date(2026, 3, 2, 9, 10, 0, 0, msk) }
	for i := 0; i < 3; i++ {
		if err := Due(ctx, st, nil, nil, backups); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(backups, "*.db"))
	if len(files) != 1 || filepath.Base(files[0]) != "kartoteka-20260302-091000.db" {
		t.Fatalf("catch-up backups: %v", files)
	}
}

// TestNightlyBackupCopiedToSecondFolder: with a second folder set, the day's
// checked backup is copied there (a folder that was unavailable gets it at the
// next run), with the same retention; an unavailable folder does not stop the job.
func TestNightlyBackupCopiedToSecondFolder(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "k.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	backups, usb := filepath.Join(dir, "backups"), filepath.Join(dir, "usb")
	if err := st.SetBackupCopyDir(ctx, 0, usb); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 1, 1, 23, 30, 0, 0, time.UTC)
	st.Now = func() time.Time { return day }
	// The disk is not plugged in: the main backup is made, the copy is not.
	if err := NightlyBackup(ctx, st, backups, day); err == nil {
		t.Error("no error for an unavailable second folder")
	}
	if err := Due(ctx, st, nil, nil, backups); err != nil {
		t.Errorf("Due failed because of the second folder: %v", err)
	}
	if l, _ := store.ListBackups(backups); len(l) != 1 {
		t.Fatalf("main backups %v", l)
	}
	os.Mkdir(usb, 0o750)
	for i := 0; i < 16; i++ {
		if err := NightlyBackup(ctx, st, backups, day.AddDate(0, 0, i).Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	main, _ := store.ListBackups(backups)
	copies, _ := store.ListBackups(usb)
	if len(main) != 14 || len(copies) != 14 || main[0].Name != copies[0].Name {
		t.Fatalf("main %d, second folder %d (newest %s / %s)", len(main), len(copies), main[0].Name, copies[0].Name)
	}
	if _, err := store.CheckFile(ctx, copies[0].Path); err != nil {
		t.Error(err)
	}
}
