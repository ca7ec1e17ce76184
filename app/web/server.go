// Package web is Kartoteka's HTTP face: one route table with the roles each route
// admits, thin handlers, and the middleware for sessions, CSRF and errors.
package web

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/template/html/v2"

	"kartoteka/app/auth"
	"kartoteka/app/live"
	"kartoteka/app/pipeline"
	"kartoteka/store"
	"kartoteka/store/db"
)

// Config is what the server is built from.
type Config struct {
	Store       *store.Store
	Hub         *live.Hub
	Views       fs.FS // the views folder
	Static      fs.FS // the static folder
	Log         *slog.Logger
	Version     string
	BackupDir   string
	IdleTimeout time.Duration
	// Cache keeps rendered fragments and counts until the hub announces a change
	// (fragCache); off in tests that write to the store behind the hub's back.
	Cache bool
	// Done closes when the server is shutting down: live streams end on it.
	Done <-chan struct{}
}

// Server holds the fiber app and what handlers share.
type Server struct {
	cfg       Config
	st        *store.Store
	app       *fiber.App
	throttle  *auth.Throttle
	gate      *auth.Gate // bounds the password hashes running at once
	routes    []Route
	conns     conns
	hasUsers  atomic.Bool
	damage    atomic.Pointer[Damage] // set when the background integrity check fails
	frags     fragCache
	topics    topicMemo     // who may hear of the cards and tasks of the latest notice
	exports   chan struct{} // slots of the exports running now (export.go)
	csrfMark  string        // stands for the session's CSRF token in kept fragments (sharedPage)
	partMark  string        // stands for the part kept for a whole scope in a person's kept frame (framedPage)
	drawn     atomic.Int64  // pages drawn whole by renderBytes (tests: a kept frame is not drawn again)
	settingsN atomic.Uint64 // counts settings reloads: a kept fragment made before one is stale

	mu       sync.RWMutex
	settings db.Setting
	loc      *time.Location
	offc     pipeline.Office // the settings as the deadline rules read them
}

// New builds the server: templates parsed (an error stops the start), routes registered.
func New(cfg Config) (*Server, error) {
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 12 * time.Hour
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	s := &Server{cfg: cfg, st: cfg.Store, throttle: auth.NewThrottle(), exports: make(chan struct{}, maxExports),
		csrfMark: "csrf" + auth.NewCSRF(),
		partMark: "part" + auth.NewCSRF(),
		gate:     auth.NewGate(auth.GateSlots(runtime.GOMAXPROCS(0)), auth.GateLine, auth.GateMaxWait)}
	if err := s.ReloadSettings(context.Background()); err != nil {
		return nil, err
	}
	engine := html.NewFileSystem(http.FS(cfg.Views), ".html")
	engine.AddFuncMap(s.funcs())
	if err := engine.Load(); err != nil {
		return nil, err
	}
	s.app = fiber.New(fiber.Config{
		Views:                 engine,
		ErrorHandler:          s.errorHandler,
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		BodyLimit:             2 << 20,
		Immutable:             true, // values outlive the request (throttle keys, goroutines)
	})
	s.app.Server().ConnState = s.conns.state
	s.app.Use(recover.New())
	s.app.Use(s.logRequests, s.securityHeaders)
	s.app.Use("/static", filesystem.New(filesystem.Config{
		Root: http.FS(cfg.Static), MaxAge: 3600,
	}))
	s.app.Use(s.loadSession, s.firstRun, s.checkCSRF)
	s.routes = s.routeTable()
	for _, r := range s.routes {
		if !auth.Known(r.Section) {
			return nil, errors.New("route " + r.Method + " " + r.Path + " declares no known section")
		}
		s.app.Add(r.Method, r.Path, s.guard(r.Section), r.Handler)
		if r.Method == fiber.MethodGet { // HEAD answers like GET, without the body (monitoring probes)
			s.app.Add(fiber.MethodHead, r.Path, s.guard(r.Section), r.Handler)
		}
	}
	s.app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	return s, nil
}

// App is the fiber app, for Listen and tests.
func (s *Server) App() *fiber.App { return s.app }

// Routes lists the registered route table, for the access test.
func (s *Server) Routes() []Route { return s.routes }

// ReloadSettings reads the office settings (time zone and the rest) after a change.
func (s *Server) ReloadSettings(ctx context.Context) error {
	st, err := s.st.Q.SettingsGet(ctx)
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(st.Timezone)
	if err != nil {
		loc = time.UTC
	}
	s.mu.Lock()
	s.settings, s.loc, s.offc = st, loc, store.OfficeOf(st)
	s.mu.Unlock()
	s.settingsN.Add(1) // the time zone, the working day: kept fragments are drawn again
	return nil
}

// Settings is the cached office settings.
func (s *Server) Settings() db.Setting {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.settings
}

// Loc is the office time zone.
func (s *Server) Loc() *time.Location {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.loc
}

// office is the office's time zone, working day and deadlines (kept with the
// settings: reading the time zone is a file read).
func (s *Server) office() pipeline.Office {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.offc
}

func (s *Server) inTZ(t time.Time) time.Time { return t.In(s.Loc()) }

func (s *Server) now() time.Time { return s.st.Now() }

func (s *Server) logRequests(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		var fe *fiber.Error
		if errors.As(err, &fe) {
			status = fe.Code
		} else if status < 400 {
			status = s.statusOf(err)
		}
	}
	if c.Path() != "/events" || err != nil {
		s.cfg.Log.Info("request", "method", c.Method(), "path", c.Path(), "status", status,
			"ms", float64(time.Since(start).Microseconds())/1000)
	}
	return err
}

func (s *Server) securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
		"connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	return c.Next()
}

// firstRun sends everyone to /setup until the first owner exists.
func (s *Server) firstRun(c *fiber.Ctx) error {
	if s.hasUsers.Load() {
		return c.Next()
	}
	n, err := s.st.Q.UserCount(c.Context())
	if err != nil {
		return err
	}
	if n > 0 {
		s.hasUsers.Store(true)
		return c.Next()
	}
	switch c.Path() {
	case "/setup", "/healthz":
		return c.Next()
	}
	return c.Redirect("/setup", fiber.StatusSeeOther)
}

// guard admits only the roles of the route's section.
func (s *Server) guard(sec auth.Section) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if sec == auth.Public {
			return c.Next()
		}
		u := userOf(c)
		if u == nil {
			if (c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead) && c.Path() != "/events" && c.Get("HX-Request") == "" {
				return c.Redirect("/login?next="+urlEscape(c.OriginalURL()), fiber.StatusSeeOther)
			}
			return fiber.NewError(fiber.StatusUnauthorized, "Войдите в систему")
		}
		if !auth.Can(u.Role, sec) {
			return store.ErrForbidden
		}
		return c.Next()
	}
}
