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
	if filepath.Base(files[0]) != "kartoteka-20260107-233000.db" {
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
	if err := Due(context.Background(), st, nil, nil); err != nil {
		t.Fatal(err)
	}
}
