// Command kartoteka runs the office CRM: one binary holding the web app, its
// templates, assets and migrations, over one SQLite file.
package main

import (
	"bufio"
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // office time zones on machines without zoneinfo

	"golang.org/x/term"

	"kartoteka/app/auth"
	"kartoteka/app/jobs"
	"kartoteka/app/live"
	"kartoteka/app/web"
	"kartoteka/store"
)

//go:embed views
var viewsFS embed.FS

//go:embed static
var staticFS embed.FS

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

type config struct {
	addr, db, tz, backupDir string
	demo                    bool
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "kartoteka:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprint(os.Stderr, `Картотека — CRM офиса.

Usage:
  kartoteka [serve] [flags]          run the server (default)
  kartoteka demo [flags]             fill an empty database with a demo office, then serve
  kartoteka migrate [flags]          apply database migrations and exit
  kartoteka user add --login L --name N --role R [flags]
                                     add a user; the password is asked or read from stdin
  kartoteka backup FILE [flags]      write a consistent copy of the database to FILE
  kartoteka restore FILE [flags]     put a backup in place of the database (server stopped);
                                     the file is checked, the old database kept aside
  kartoteka generate [--archived N --in-work N --transactions N --auto-tasks N --tasks N] [flags]
                                     fill an empty database with the SPEC's ten-year
                                     data set (for measuring speed); password generated-1
  kartoteka rollups --rebuild [flags]
                                     recompute the report's rollups from the rows (repair)
  kartoteka version                  print the version

Flags (and environment):
  --addr        KARTOTEKA_ADDR        listen address (default :8080)
  --db          KARTOTEKA_DB          database file (default ./data/kartoteka.db)
  --tz          KARTOTEKA_TZ          office time zone for a new database (default Europe/Moscow)
  --backup-dir  KARTOTEKA_BACKUP_DIR  nightly backups folder (default ./data/backups)
  --demo                              same as the demo command
`)
}

func flags(name string, cfg *config) *flag.FlagSet {
	fset := flag.NewFlagSet(name, flag.ContinueOnError)
	fset.Usage = usage
	fset.StringVar(&cfg.addr, "addr", env("KARTOTEKA_ADDR", ":8080"), "listen address")
	fset.StringVar(&cfg.db, "db", env("KARTOTEKA_DB", "./data/kartoteka.db"), "database file")
	fset.StringVar(&cfg.tz, "tz", env("KARTOTEKA_TZ", "Europe/Moscow"), "office time zone")
	fset.StringVar(&cfg.backupDir, "backup-dir", env("KARTOTEKA_BACKUP_DIR", "./data/backups"), "backups folder")
	fset.BoolVar(&cfg.demo, "demo", false, "fill an empty database with demo data")
	return fset
}

func run(args []string) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var cfg config
	switch cmd {
	case "version":
		fmt.Println("kartoteka", version, "schema", store.SchemaVersion())
		return nil
	case "help":
		usage()
		return nil
	case "user":
		if len(args) == 0 || args[0] != "add" {
			return errors.New("usage: kartoteka user add --login L --name N --role R")
		}
		return userAdd(args[1:])
	case "backup":
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			return errors.New("usage: kartoteka backup FILE")
		}
		dst := args[0]
		if err := flags(cmd, &cfg).Parse(args[1:]); err != nil {
			return err
		}
		return backup(cfg, dst)
	case "restore":
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			return errors.New("usage: kartoteka restore FILE (with the server stopped)")
		}
		src := args[0]
		if err := flags(cmd, &cfg).Parse(args[1:]); err != nil {
			return err
		}
		return restore(cfg, src)
	case "generate":
		return generate(args)
	case "rollups":
		return rollups(args)
	case "serve", "demo", "migrate":
	default:
		usage()
		return fmt.Errorf("unknown command %q", cmd)
	}
	if err := flags(cmd, &cfg).Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if cmd == "demo" {
		cfg.demo = true
	}
	ctx := context.Background()
	open := openStore
	if cmd != "migrate" {
		open = openServing
	}
	st, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	if cmd == "migrate" {
		v, _ := st.Version()
		fmt.Println("database", cfg.db, "is at schema version", v)
		return st.Close()
	}
	return serve(st, cfg)
}

// openStore opens the database; a new database takes the configured office time zone.
func openStore(ctx context.Context, cfg config) (*store.Store, error) {
	return withTZ(ctx, cfg)(store.Open(ctx, cfg.db))
}

// openServing opens the database for the server: one that fails its start-up
// check, or has lost its users while a backup has them, is refused. The start-up
// check reads the whole file only for a small database; a bigger one gets its
// full check in the background once the server is up (checkInBackground).
func openServing(ctx context.Context, cfg config) (*store.Store, error) {
	log := slog.New(slog.NewTextHandler(os.Stdout, nil))
	start := time.Now()
	what := "PRAGMA quick_check of the whole file"
	if !store.StartCheckIsFull(cfg.db) {
		what = "PRAGMA quick_check of the schema and the small tables; the whole file is checked in the background"
	}
	log.Info("checking the database before serving", "db", cfg.db, "check", what)
	st, err := withTZ(ctx, cfg)(store.OpenForServing(ctx, cfg.db, cfg.backupDir))
	if err == nil {
		log.Info("database checked", "ms", time.Since(start).Milliseconds())
	}
	return st, err
}

// checkInBackground runs the full integrity check of a database too big to
// check at start, while the office works; damage turns /healthz to 503, shows
// the owner and the administrators a banner, and is logged.
func checkInBackground(ctx context.Context, st *store.Store, srv *web.Server, cfg config, log *slog.Logger) {
	if store.StartCheckIsFull(st.Path()) {
		return
	}
	log.Info("checking the whole database in the background (PRAGMA quick_check)", "db", cfg.db)
	res := st.CheckIntegrity(ctx, cfg.backupDir)
	switch {
	case res.Damaged(ctx):
		srv.DatabaseDamaged(res.Err, res.Backup)
		log.Error("THE DATABASE IS DAMAGED: the background integrity check failed; stop the server and restore the latest checked backup (kartoteka restore FILE)",
			"db", cfg.db, "err", res.Err, "latest_backup", res.Backup, "took", res.Took.Round(time.Second))
	case res.Err != nil:
		log.Info("background integrity check stopped", "err", res.Err)
	default:
		log.Info("background integrity check passed", "took", res.Took.Round(time.Second))
	}
}

// withTZ sets the configured office time zone on a database whose settings were never saved.
func withTZ(ctx context.Context, cfg config) func(*store.Store, error) (*store.Store, error) {
	return func(st *store.Store, err error) (*store.Store, error) {
		if err != nil {
			return nil, err
		}
		if err := st.InitTimezone(ctx, cfg.tz); err != nil {
			st.Close()
			return nil, err
		}
		return st, nil
	}
}

// serveMemoryLimit is the Go heap's soft limit when GOMEMLIMIT is not set: the
// garbage collector works harder near it instead of letting the heap double
// (SPEC section 10: RSS at most 200 MB under load). SQLite's page caches, the
// threads' stacks and the mapped binary — 50–80 MB under load — are outside it: at
// 140 MB a second mix on a warm server, its 64 logins first, reached 210 MB of
// RSS; at 120 MB, 198 (the live heap stays near 45 MB, so it rarely binds).
const serveMemoryLimit = 120 << 20

func serve(st *store.Store, cfg config) error {
	log := slog.New(slog.NewTextHandler(os.Stdout, nil))
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemoryLimit)
	}
	// KARTOTEKA_CPUPROFILE=FILE records a CPU profile until the server stops
	// (`go tool pprof FILE`; PERFORMANCE.md).
	if path := os.Getenv("KARTOTEKA_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil && pprof.StartCPUProfile(f) == nil {
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.demo {
		accounts, err := st.Demo(ctx, auth.HashPassword)
		if err != nil {
			st.Close()
			return fmt.Errorf("demo: %w", err)
		}
		printAccounts(accounts)
	}
	views, _ := fs.Sub(viewsFS, "views")
	static, _ := fs.Sub(staticFS, "static")
	done := make(chan struct{})
	hub := live.NewHub()
	srv, err := web.New(web.Config{Store: st, Hub: hub, Views: views, Static: static, Log: log,
		Version: version, BackupDir: cfg.backupDir, Done: done, Cache: true})
	if err != nil {
		st.Close()
		return err
	}
	sched, err := jobs.Start(st, hub, log, cfg.backupDir)
	if err != nil {
		st.Close()
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.App().Listen(cfg.addr) }()
	log.Info("kartoteka started", "addr", cfg.addr, "db", cfg.db, "version", version, "url", localURL(cfg.addr))
	checkCtx, stopCheck := context.WithCancel(ctx)
	checked := make(chan struct{})
	go func() { defer close(checked); checkInBackground(checkCtx, st, srv, cfg, log) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
		log.Info("stopping")
		close(done) // live streams end first, so shutdown does not wait on them
		err = srv.Shutdown(10 * time.Second)
	}
	stopCheck() // interrupts the check: its reader would hold up the last checkpoint
	<-checked
	sched.Stop()
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	log.Info("stopped")
	return err
}

func localURL(addr string) string {
	if strings.HasPrefix(addr, ":") {
		return "http://localhost" + addr
	}
	return "http://" + addr
}

func printAccounts(accounts []store.DemoAccount) {
	if len(accounts) == 0 {
		fmt.Println("demo: the database is not empty; nothing added")
		return
	}
	fmt.Println("Демо-офис создан. Учётные записи (логин / пароль):")
	for _, a := range accounts {
		fmt.Printf("  %-14s %-10s %s\n", auth.Role(a.Role).Label(), a.Login, a.Password)
	}
}

func backup(cfg config, dst string) error {
	if !filepath.IsAbs(dst) {
		if abs, err := filepath.Abs(dst); err == nil {
			dst = abs
		}
	}
	ctx := context.Background()
	// Works beside a running server: VACUUM INTO reads a consistent snapshot.
	if err := store.BackupFile(ctx, cfg.db, dst); err != nil {
		return err
	}
	fmt.Println("backup written to", dst)
	return nil
}

// rollups recomputes the report's rollups (`kartoteka rollups --rebuild`).
func rollups(args []string) error {
	var cfg config
	var rebuild bool
	fset := flags("rollups", &cfg)
	fset.BoolVar(&rebuild, "rebuild", false, "recompute every rollup from the rows")
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if !rebuild {
		return errors.New("usage: kartoteka rollups --rebuild")
	}
	ctx := context.Background()
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	started := time.Now()
	if err := st.RebuildRollups(ctx); err != nil {
		return err
	}
	fmt.Println("rollups rebuilt in", time.Since(started).Round(time.Millisecond))
	return nil
}

func restore(cfg config, src string) error {
	r, err := store.Restore(context.Background(), cfg.db, src, time.Now())
	if err != nil {
		return err
	}
	fmt.Printf("restored %s into %s (schema %d, %d users)\n", src, cfg.db, r.Check.Schema, r.Check.Users)
	for _, a := range r.Aside {
		fmt.Println("the previous file is kept as", a)
	}
	return nil
}

// generatePassword is every generated employee's password.
const generatePassword = "generated-1"

// generate fills an empty database with the office-decade data set (SPEC section 10).
func generate(args []string) error {
	var cfg config
	var o store.GenerateOptions
	fset := flags("generate", &cfg)
	fset.IntVar(&o.Archived, "archived", 1_000_000, "archived cards")
	fset.IntVar(&o.InWork, "in-work", 5_000, "cards in work")
	fset.IntVar(&o.Transactions, "transactions", 10_000_000, "transactions")
	fset.IntVar(&o.AutoTasks, "auto-tasks", 20_000_000, "auto-task rows")
	fset.IntVar(&o.StdTasks, "tasks", 200_000, "standard tasks («Задачи»)")
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	hash, err := auth.HashPassword(generatePassword)
	if err != nil {
		return err
	}
	o.PasswordHash = hash
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Println("generating into", cfg.db)
	// KARTOTEKA_CPUPROFILE=FILE records a CPU profile of the generator too.
	if path := os.Getenv("KARTOTEKA_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil && pprof.StartCPUProfile(f) == nil {
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	if err := st.Generate(ctx, o, func(msg string) { fmt.Println(" ", msg) }); err != nil {
		return err
	}
	counts, err := st.Counts(ctx)
	if err != nil {
		return err
	}
	for _, c := range counts {
		fmt.Printf("  %-13s %d\n", c.Table, c.Rows)
	}
	users, err := st.Q.UserList(ctx)
	if err != nil {
		return err
	}
	sort.Slice(users, func(i, j int) bool { return users[i].Login < users[j].Login })
	fmt.Printf("Сотрудники (пароль у всех %s):\n", generatePassword)
	for _, u := range users {
		fmt.Printf("  %-8s %-12s %s\n", u.Login, auth.Role(u.Role).Label(), u.Name)
	}
	return nil
}

func userAdd(args []string) error {
	var cfg config
	var login, name, role string
	fset := flags("user add", &cfg)
	fset.StringVar(&login, "login", "", "login")
	fset.StringVar(&name, "name", "", "full name")
	fset.StringVar(&role, "role", "", "owner|admin|accountant|warmer|manager")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if login == "" || name == "" || !auth.Role(role).Valid() {
		return errors.New("need --login, --name and --role (owner, admin, accountant, warmer, manager)")
	}
	pw, err := readPassword(os.Stdin)
	if err != nil {
		return err
	}
	if msg := auth.ValidatePassword(pw); msg != "" {
		return errors.New(msg)
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	ctx := context.Background()
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.CreateUser(ctx, 0, store.UserInput{Login: login, Name: name, Role: role}, hash)
	if err != nil {
		return err
	}
	fmt.Printf("user %s (%s) added with id %d\n", u.Login, auth.Role(u.Role).Label(), u.ID)
	return nil
}

// readPassword asks on a terminal (twice, without echo) or reads one line from a pipe.
func readPassword(in *os.File) (string, error) {
	if term.IsTerminal(int(in.Fd())) {
		fmt.Fprint(os.Stderr, "Пароль: ")
		a, err := term.ReadPassword(int(in.Fd()))
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(os.Stderr, "Пароль ещё раз: ")
		b, err := term.ReadPassword(int(in.Fd()))
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("passwords do not match")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
