package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckFileRefusesDamagedCopies: a complete backup passes; a truncated one, a
// damaged page, a non-database and a foreign SQLite file do not.
func TestCheckFileRefusesDamagedCopies(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "kartoteka-20250310-100000.db")
	if err := f.st.Backup(f.ctx, good); err != nil {
		t.Fatal(err)
	}
	fc, err := CheckFile(f.ctx, good)
	if err != nil {
		t.Fatalf("good backup: %v", err)
	}
	if fc.Users != 8 || fc.Schema != SchemaVersion() {
		t.Errorf("check found %+v", fc)
	}
	data, _ := os.ReadFile(good)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o640); err != nil {
			t.Fatal(err)
		}
		return p
	}
	damaged := append([]byte(nil), data...)
	for i := 4096 * 2; i < len(damaged) && i < 4096*6; i++ { // pages 3–6: tables and indexes
		damaged[i] ^= 0x5a
	}
	foreign := filepath.Join(dir, "foreign.db")
	h, err := Open(f.ctx, foreign) // migrated: make it foreign by dropping the version table
	if err != nil {
		t.Fatal(err)
	}
	h.writer.Exec("DROP TABLE schema_migrations")
	h.Close()
	for name, p := range map[string]string{
		"truncated": write("t.db", data[:len(data)/2]),
		"damaged":   write("d.db", damaged),
		"text":      write("x.db", []byte(strings.Repeat("not a database ", 100))),
		"empty":     write("e.db", nil),
		"foreign":   foreign,
	} {
		if _, err := CheckFile(f.ctx, p); err == nil {
			t.Errorf("%s file passed the check", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	if list, _ := ListBackups(dir); len(list) != 1 || list[0].Name != filepath.Base(good) {
		t.Errorf("listed %v", list)
	}
}
