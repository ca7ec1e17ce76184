package web

import "testing"

// TestHumanSize: backup sizes as people read them.
func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 Б", 812: "812 Б", 1023: "1023 Б", 1024: "1 КБ", 1536: "1,5 КБ", 10239: "10 КБ", 442368: "432 КБ",
		1048064: "1 МБ", 1048575: "1 МБ", 1048576: "1 МБ", 1288490189: "1,2 ГБ", 10 << 30: "10 ГБ", 1<<40 + 1<<39: "1,5 ТБ",
	} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
}
