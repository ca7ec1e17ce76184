// Command load measures a running Kartoteka on this computer (SPEC section 10):
// page views per second from N logged-in sessions of every role (mode "mix"),
// how fast a stage completion reaches N open browsers and their refetch
// (mode "fanout"), and the memory a burst of parallel logins costs (mode "login").
//
//	go run ./e2e/load -base http://127.0.0.1:18080 -db /work/data-big/k.db -pid $(pgrep -n kartoteka) -mode mix
//
// It only talks to a loopback address and stops after -duration or -requests,
// whichever comes first. Users, cards and reference ids are read from the
// database file (read-only); every generated user's password is "generated-1".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"runtime/debug"
	"time"
)

type config struct {
	base        string
	db          string
	pid         int
	mode        string
	sessions    int
	duration    time.Duration
	requests    int
	password    string
	browsers    int
	completions int
	logins      int
	seed        int64
	only        string // mix: only these views (comma-separated names), e.g. "tracker page"
	role        string // mix: only sessions of this role
}

func main() {
	var c config
	flag.StringVar(&c.base, "base", "http://127.0.0.1:8080", "server address (loopback only)")
	flag.StringVar(&c.db, "db", "", "the server's database file (read-only: users, cards, ids)")
	flag.IntVar(&c.pid, "pid", 0, "server process id, for VmRSS/VmHWM (0: not measured)")
	flag.StringVar(&c.mode, "mode", "mix", "mix | fanout | login")
	flag.IntVar(&c.sessions, "sessions", 64, "mix: concurrent sessions, spread over every role")
	flag.DurationVar(&c.duration, "duration", 30*time.Second, "mix: how long to run (at most 10m)")
	flag.IntVar(&c.requests, "requests", 200000, "mix: stop after this many requests")
	flag.StringVar(&c.password, "password", "generated-1", "every user's password")
	flag.IntVar(&c.browsers, "browsers", 100, "fanout: open /events streams")
	flag.IntVar(&c.completions, "completions", 20, "fanout: stage completions (one at a time)")
	flag.IntVar(&c.logins, "logins", 64, "login: parallel logins")
	flag.Int64Var(&c.seed, "seed", 1, "random seed")
	flag.StringVar(&c.only, "only", "", `mix: only these views, comma-separated (e.g. "tracker page,card page"); default all`)
	flag.StringVar(&c.role, "role", "", "mix: only sessions of this role (owner, admin, manager, warmer, accountant)")
	flag.Parse()
	// The tool shares the machine with the server it measures: its garbage collector
	// runs a quarter as often (its heap is a few megabytes of bodies read and dropped).
	debug.SetGCPercent(400)
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	if err := loopbackOnly(c.base); err != nil {
		return err
	}
	if c.db == "" {
		return errors.New("-db is required (users and cards are read from it)")
	}
	if c.duration > 10*time.Minute {
		c.duration = 10 * time.Minute
	}
	if c.requests <= 0 || c.requests > 5_000_000 {
		return errors.New("-requests must be between 1 and 5,000,000")
	}
	c.browsers, c.completions, c.logins, c.sessions = clamp(c.browsers, 1, 1000), clamp(c.completions, 1, 500), clamp(c.logins, 1, 256), clamp(c.sessions, 1, 512)
	w, err := readWorld(c.db)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.duration+5*time.Minute)
	defer cancel()
	switch c.mode {
	case "mix":
		return runMix(ctx, c, w)
	case "fanout":
		return runFanout(ctx, c, w)
	case "login":
		return runLogin(ctx, c, w)
	}
	return fmt.Errorf("unknown -mode %q (mix, fanout, login)", c.mode)
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }

// loopbackOnly refuses any server that is not this computer.
func loopbackOnly(base string) error {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return fmt.Errorf("-base %q: not an http address", base)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-base %q: only a loopback address (127.0.0.1, ::1, localhost) may be loaded", base)
	}
	return nil
}
