package web

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// conns tracks the open client connections, so a stop can end the ones that are
// only waiting: fasthttp's shutdown waits for every connection to go idle, and a
// client that sent half a request keeps its connection busy until ReadTimeout.
type conns struct {
	mu sync.Mutex
	m  map[net.Conn]struct{}
}

func (cs *conns) state(c net.Conn, st fasthttp.ConnState) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	switch st {
	case fasthttp.StateNew:
		if cs.m == nil {
			cs.m = map[net.Conn]struct{}{}
		}
		cs.m[c] = struct{}{}
	case fasthttp.StateClosed, fasthttp.StateHijacked:
		delete(cs.m, c)
	}
}

// stopReading makes every pending and future read on the open connections fail at
// once. A request still being received is dropped (it was not yet handled); a
// handler already running, and the response it writes, are not affected: reads and
// writes have separate deadlines, and fasthttp reads the whole request first.
func (cs *conns) stopReading() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	past := time.Unix(1, 0)
	for c := range cs.m {
		_ = c.SetReadDeadline(past)
	}
}

// Shutdown stops taking requests, lets the running ones finish (up to timeout),
// and drops connections that only wait or hold an unfinished request.
func (s *Server) Shutdown(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	stopped := make(chan struct{})
	go func() {
		// Repeat: a connection that finishes a response may start reading again
		// (fasthttp sets a fresh deadline per request) before it sees the stop.
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			s.conns.stopReading()
			select {
			case <-stopped:
				return
			case <-t.C:
			}
		}
	}()
	defer close(stopped)
	return s.app.ShutdownWithContext(ctx)
}
