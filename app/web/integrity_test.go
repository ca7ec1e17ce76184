package web_test

import (
	"errors"
	"strings"
	"testing"

	"kartoteka/app/auth"
)

// TestDamagedDatabaseBannerAndHealthz: once the background integrity check has
// failed, /healthz answers 503 and the owner and the administrators see a Russian
// banner on every page naming the newest backup and the restore command; the
// other roles do not (they cannot act on it), and before any damage nobody does.
func TestDamagedDatabaseBannerAndHealthz(t *testing.T) {
	ts := newTestServer(t)
	for _, r := range auth.Roles {
		if _, body := ts.do(t, r, "GET", "/profile", nil); strings.Contains(body, "kt-damage") {
			t.Fatalf("%s sees the damage banner on a sound database", r)
		}
	}
	ts.srv.DatabaseDamaged(errors.New("integrity check failed: Tree 12 page 4711: btreeInitPage() returns error code 11"),
		"/srv/backups/kartoteka-20260310-023000.db")

	resp, body := ts.do(t, anon, "GET", "/healthz", nil)
	if resp.StatusCode != 503 || !strings.Contains(body, `"damaged"`) || !strings.Contains(body, "page 4711") {
		t.Errorf("/healthz after damage: %d %s", resp.StatusCode, body)
	}
	for _, r := range auth.Roles {
		for _, p := range []string{"/tracker", "/cards", "/profile"} {
			_, body := ts.do(t, r, "GET", p, nil)
			shown := strings.Contains(body, `id="kt-damage"`)
			if want := r == auth.Owner || r == auth.Admin; shown != want {
				t.Errorf("%s %s: banner shown %v, want %v", r, p, shown, want)
				continue
			}
			if shown && (!strings.Contains(body, "База данных повреждена") || !strings.Contains(body, "kartoteka-20260310-023000.db") ||
				!strings.Contains(body, "kartoteka restore") || strings.Contains(body, "/srv/backups")) {
				t.Errorf("%s %s: the banner does not say what happened and what to do:\n%s", r, p, body)
			}
		}
	}
}
