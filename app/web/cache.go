package web

import (
	"bytes"
	"hash/fnv"
	"strconv"
	"sync"

	"github.com/gofiber/fiber/v2"
)

// fragCache keeps rendered fragments and counts per scope (SPEC section 10): the
// tracker table a browser refetches after every notice, the «Карты» tab counts.
// An entry is good while no notice has been published since it was made (the hub's
// sequence: every write publishes what changed) and the clock is in the same
// two-second step (overdue marks follow the time). Only when Config.Cache is set
// (the server; tests that write behind the hub's back leave it off).
type fragCache struct {
	mu     sync.Mutex
	m      map[string]fragEntry
	flight map[string]*fragCall // being made now: later askers wait for it
}

// fragCall is one making of an entry; the browsers that refetch the same fragment
// after a notice (a hundred at once) wait for it instead of each rendering it.
type fragCall struct {
	seq  uint64
	step int64
	done chan struct{}
	e    fragEntry
	err  error
}

type fragEntry struct {
	seq  uint64
	step int64
	val  any
	etag string
}

const fragCacheMax = 512 // entries; past it the cache starts over (bounded memory)

// stamp is what an entry must match to be good: the hub's last notice, the clock's step.
func (s *Server) stamp() (uint64, int64) {
	var seq uint64
	if s.cfg.Hub != nil {
		seq = s.cfg.Hub.Seq()
	}
	return seq, s.now().Unix() / 2
}

// cached returns the value under key, making it with mk when missing or stale.
func (s *Server) cached(key string, mk func() (any, error)) (any, string, error) {
	if !s.cfg.Cache {
		v, err := mk()
		return v, "", err
	}
	seq, step := s.stamp()
	s.frags.mu.Lock()
	e, ok := s.frags.m[key]
	if ok && e.seq == seq && e.step == step {
		s.frags.mu.Unlock()
		return e.val, e.etag, nil
	}
	if call := s.frags.flight[key]; call != nil && call.seq == seq && call.step == step {
		s.frags.mu.Unlock()
		<-call.done
		return call.e.val, call.e.etag, call.err
	}
	call := &fragCall{seq: seq, step: step, done: make(chan struct{})}
	if s.frags.flight == nil {
		s.frags.flight = map[string]*fragCall{}
	}
	s.frags.flight[key] = call
	s.frags.mu.Unlock()

	call.e, call.err = makeEntry(seq, step, mk)
	s.frags.mu.Lock()
	if s.frags.flight[key] == call {
		delete(s.frags.flight, key)
	}
	if call.err == nil {
		s.frags.store(key, call.e, seq, step)
	}
	s.frags.mu.Unlock()
	close(call.done)
	return call.e.val, call.e.etag, call.err
}

// makeEntry makes a value with its ETag (for rendered bytes).
func makeEntry(seq uint64, step int64, mk func() (any, error)) (fragEntry, error) {
	v, err := mk()
	if err != nil {
		return fragEntry{}, err
	}
	e := fragEntry{seq: seq, step: step, val: v}
	if b, ok := v.([]byte); ok {
		h := fnv.New64a()
		h.Write(b)
		e.etag = `"` + strconv.FormatUint(h.Sum64(), 36) + `"`
	}
	return e, nil
}

// store keeps e under key (mu held), within fragCacheMax entries.
func (f *fragCache) store(key string, e fragEntry, seq uint64, step int64) {
	if len(f.m) >= fragCacheMax { // drop what is stale; start over only if all is fresh
		for k, x := range f.m {
			if x.seq != seq || x.step != step {
				delete(f.m, k)
			}
		}
	}
	if f.m == nil || len(f.m) >= fragCacheMax {
		f.m = map[string]fragEntry{}
	}
	f.m[key] = e
}

// renderCached sends the template name rendered with p, from the cache under key;
// a refetch whose ETag still matches gets 304 Not Modified without a body.
func (s *Server) renderCached(c *fiber.Ctx, key, name string, p Page) error {
	v, etag, err := s.renderedCached(key, name, p)
	if err != nil {
		return err
	}
	c.Type("html", "utf-8")
	if etag != "" {
		c.Set(fiber.HeaderCacheControl, "private, no-cache")
		c.Set(fiber.HeaderETag, etag)
		if c.Get(fiber.HeaderIfNoneMatch) == etag {
			return c.SendStatus(fiber.StatusNotModified)
		}
	}
	return c.Send(v)
}

// renderedCached is the template name rendered with p, kept under key (the
// bytes a fragment refetch is sent, and a full page can hold).
func (s *Server) renderedCached(key, name string, p Page) ([]byte, string, error) {
	v, etag, err := s.cached(key, func() (any, error) {
		var b bytes.Buffer
		if err := s.app.Config().Views.Render(&b, name, p); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	})
	if err != nil {
		return nil, "", err
	}
	return v.([]byte), etag, nil
}
