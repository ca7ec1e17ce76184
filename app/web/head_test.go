package web_test

import (
	"net/http"
	"testing"

	"kartoteka/app/auth"
)

// TestHeadLikeGet: monitoring tools probe with HEAD. Every GET page (and /healthz,
// and the static files) answers HEAD with GET's status and headers and no body,
// for an anonymous visitor and for every role.
func TestHeadLikeGet(t *testing.T) {
	ts := newTestServer(t)
	ts.endStreams()
	paths := []string{"/static/css/app.css"}
	for _, rt := range ts.srv.Routes() {
		if rt.Method == http.MethodGet {
			p, _ := ts.fillPath(rt.Path)
			paths = append(paths, p)
		}
	}
	for _, role := range append([]auth.Role{anon}, auth.Roles...) {
		s := ts.login(t, role)
		for _, p := range paths {
			get, _ := ts.doAs(t, s, http.MethodGet, p, nil)
			head, body := ts.doAs(t, s, http.MethodHead, p, nil)
			if head.StatusCode != get.StatusCode {
				t.Errorf("HEAD %s as %s → %d, GET → %d", p, roleName(role), head.StatusCode, get.StatusCode)
			}
			if body != "" {
				t.Errorf("HEAD %s as %s sent a body of %d bytes", p, roleName(role), len(body))
			}
			if g, h := get.Header.Get("Content-Type"), head.Header.Get("Content-Type"); g != h {
				t.Errorf("HEAD %s as %s: Content-Type %q, GET %q", p, roleName(role), h, g)
			}
			if g, h := location(get), location(head); g != h {
				t.Errorf("HEAD %s as %s: Location %q, GET %q", p, roleName(role), h, g)
			}
		}
	}
}
