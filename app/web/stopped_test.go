package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// TestRequestCutByStop: a request the server's stop cuts short (its context
// canceled, as fasthttp does on shutdown) answers 503 and is logged as stopped,
// not as a failure at ERROR («archive count: context canceled» on every stop
// under load). A real failure still is.
func TestRequestCutByStop(t *testing.T) {
	var log bytes.Buffer
	s := &Server{cfg: Config{Log: slog.New(slog.NewTextHandler(&log, nil))}}
	app := fiber.New(fiber.Config{ErrorHandler: s.errorHandler})
	app.Get("/stopped", func(*fiber.Ctx) error { return fmt.Errorf("archive count: %w", context.Canceled) })
	app.Get("/broken", func(*fiber.Ctx) error { return fmt.Errorf("archive count: disk I/O error") })
	for path, want := range map[string]struct {
		code  int
		level string
	}{"/stopped": {503, "level=INFO"}, "/broken": {500, "level=ERROR"}} {
		log.Reset()
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("HX-Request", "true")
		resp, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want.code || !strings.Contains(log.String(), want.level) {
			t.Errorf("%s: %d %q, log %q; want %d and %s", path, resp.StatusCode, body, log.String(), want.code, want.level)
		}
	}
}
