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
	mu sync.Mutex
	m  map[string]fragEntry
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
	s.frags.mu.Unlock()
	if ok && e.seq == seq && e.step == step {
		return e.val, e.etag, nil
	}
	v, err := mk()
	if err != nil {
		return nil, "", err
	}
	e = fragEntry{seq: seq, step: step, val: v}
	if b, ok := v.([]byte); ok {
		h := fnv.New64a()
		h.Write(b)
		e.etag = `"` + strconv.FormatUint(h.Sum64(), 36) + `"`
	}
	s.frags.mu.Lock()
	if len(s.frags.m) >= fragCacheMax { // drop what is stale; start over only if all is fresh
		for k, x := range s.frags.m {
			if x.seq != seq || x.step != step {
				delete(s.frags.m, k)
			}
		}
	}
	if s.frags.m == nil || len(s.frags.m) >= fragCacheMax {
		s.frags.m = map[string]fragEntry{}
	}
	s.frags.m[key] = e
	s.frags.mu.Unlock()
	return v, e.etag, nil
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
