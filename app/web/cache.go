package web

import (
	"bytes"
	"cmp"
	"fmt"
	"hash/fnv"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// fragCache keeps rendered fragments, pages and counts per scope (SPEC section 10):
// the tracker table a browser refetches after every notice, the «Карты» tabs, a
// card's page, the report. An entry is good while no notice has been published
// since it was made (the hub's sequence: every write publishes what changed), nor
// the office settings reloaded (time zone, working day), and
// the clock has not reached the entry's "until": the first moment its content
// would read differently (an overdue mark flips at a deadline, a day ends), or the
// end of the current two-second step for content that does not say. Only when
// Config.Cache is set (the server; tests that write behind the hub's back leave it
// off). Bounded: fragCacheMax entries and fragCacheBytes of rendered bytes, in two
// rooms (fragRoom): what people repeat, and answers most often asked for once (a
// random card's page, a typed archive filter), so that a stream of those never
// pushes out the tabs and tracker tables everyone comes back to.
type fragCache struct {
	mu     sync.Mutex
	m      map[string]*fragEntry
	bytes  [2]int               // per room
	tick   uint64               // counts uses: an entry's "used" orders what goes first when full
	flight map[string]*fragCall // being made now: later askers wait for it
}

// A fragRoom is a part of the cache's bytes; an entry makes room only in its own.
type fragRoom int

const (
	roomRepeated fragRoom = iota // tabs, tracker tables, counts, a person's kept pages
	roomOnce                     // a card's page, an archive answer: mostly asked for once
)

// roomBytes is each room's share of fragCacheBytes.
var roomBytes = [2]int{fragCacheBytes - fragOnceBytes, fragOnceBytes}

// fragCall is one making of an entry; the browsers that refetch the same fragment
// after a notice (a hundred at once) wait for it instead of each rendering it.
type fragCall struct {
	seq  uint64
	done chan struct{}
	e    *fragEntry
	err  error
}

type fragEntry struct {
	room  fragRoom
	seq   uint64
	until time.Time
	val   any
	etag  string
	size  int
	used  uint64
}

// fragCacheBytes holds what 64 sessions of every role come back to on the full
// data set (PERFORMANCE.md): each person's tracker tables (up to 80 KB a stage),
// «Карты» tables, «Задачи» tabs and page frames — 17 MB at most in the mix. At 16
// MB they pushed each other out and every other view drew its table again (0.29 ms
// of CPU per view of those pages against 0.13 with room for them all).
const (
	fragCacheMax   = 8192     // entries
	fragCacheBytes = 28 << 20 // rendered bytes kept at most
	fragOnceBytes  = 2 << 20  // of which roomOnce's
	fragEntrySize  = 256      // what a value that is not bytes is counted as
)

// clockStep is the end of the current two-second step: how long content that does
// not say when it changes with the clock is kept.
func (s *Server) clockStep() time.Time {
	return time.Unix((s.now().Unix()/2+1)*2, 0)
}

// cached returns the value under key, making it with mk when missing or stale;
// it is kept until the next notice or the clock's next two-second step.
func (s *Server) cached(key string, mk func() (any, error)) (any, string, error) {
	return s.cachedUntil(key, func() (any, time.Time, error) {
		v, err := mk()
		return v, s.clockStep(), err
	})
}

// cachedUntil is cached for content that knows when the clock changes it: mk
// returns the value and the first moment it would read differently (zero: never).
func (s *Server) cachedUntil(key string, mk func() (any, time.Time, error)) (any, string, error) {
	return s.cachedIn(roomRepeated, key, mk)
}

// cachedOnce is cachedUntil for answers most often asked for once (roomOnce): a
// refetch after a notice still finds them, a stream of them stays in its room.
func (s *Server) cachedOnce(key string, mk func() (any, time.Time, error)) (any, string, error) {
	return s.cachedIn(roomOnce, key, mk)
}

// cachedIn is cachedUntil keeping the value in the given room.
func (s *Server) cachedIn(room fragRoom, key string, mk func() (any, time.Time, error)) (any, string, error) {
	if !s.cfg.Cache {
		v, _, err := mk()
		return v, "", err
	}
	// Read before making: a notice (or new settings) meanwhile leaves the entry
	// stale. Both counters only grow, so their sum changes when either does.
	seq := s.settingsN.Load()
	if s.cfg.Hub != nil {
		seq += s.cfg.Hub.Seq()
	}
	now := s.now()
	f := &s.frags
	f.mu.Lock()
	if e, ok := f.m[key]; ok && e.seq == seq && now.Before(e.until) {
		f.tick++
		e.used = f.tick
		f.mu.Unlock()
		return e.val, e.etag, nil
	}
	if call := f.flight[key]; call != nil && call.seq == seq {
		f.mu.Unlock()
		<-call.done
		if call.err != nil {
			return nil, "", call.err
		}
		return call.e.val, call.e.etag, nil
	}
	call := &fragCall{seq: seq, done: make(chan struct{})}
	if f.flight == nil {
		f.flight = map[string]*fragCall{}
	}
	f.flight[key] = call
	f.mu.Unlock()

	call.e, call.err = makeEntry(room, seq, mk)
	f.mu.Lock()
	if f.flight[key] == call {
		delete(f.flight, key)
	}
	if call.err == nil {
		f.put(key, call.e, seq, now)
	}
	f.mu.Unlock()
	close(call.done)
	if call.err != nil {
		return nil, "", call.err
	}
	return call.e.val, call.e.etag, nil
}

// makeEntry makes a value with its ETag (for rendered bytes) and size.
func makeEntry(room fragRoom, seq uint64, mk func() (any, time.Time, error)) (*fragEntry, error) {
	v, until, err := mk()
	if err != nil {
		return nil, err
	}
	if until.IsZero() {
		until = time.Unix(1<<40, 0)
	}
	e := &fragEntry{room: room, seq: seq, until: until, val: v, size: fragEntrySize}
	if b, ok := v.([]byte); ok {
		b = bytes.Clone(b) // a rendering buffer has room to spare: kept, it costs what it holds
		e.val = b
		h := fnv.New64a()
		h.Write(b)
		e.etag = `"` + strconv.FormatUint(h.Sum64(), 36) + `"`
		e.size += len(b)
	}
	return e, nil
}

// put stores e under key (mu held); past the bounds it drops what is stale, then
// the entries of e's room used least recently (of any room when there are too
// many entries) until a quarter of the room is free again.
func (f *fragCache) put(key string, e *fragEntry, seq uint64, now time.Time) {
	room := roomBytes[e.room]
	if e.size > room/16 {
		return // one value never takes the room of many
	}
	if f.m == nil {
		f.m = map[string]*fragEntry{}
	}
	if old, ok := f.m[key]; ok {
		f.bytes[old.room] -= old.size
		delete(f.m, key)
	}
	if len(f.m)+1 > fragCacheMax || f.bytes[e.room]+e.size > room {
		for k, x := range f.m {
			if x.seq != seq || !now.Before(x.until) {
				f.bytes[x.room] -= x.size
				delete(f.m, k)
			}
		}
		many := len(f.m) >= fragCacheMax*3/4
		if many || f.bytes[e.room]+e.size > room*3/4 {
			keys := make([]string, 0, len(f.m))
			for k, x := range f.m {
				if many || x.room == e.room {
					keys = append(keys, k)
				}
			}
			slices.SortFunc(keys, func(a, b string) int { return cmp.Compare(f.m[a].used, f.m[b].used) })
			for _, k := range keys {
				if len(f.m) < fragCacheMax*3/4 && f.bytes[e.room]+e.size <= room*3/4 {
					break
				}
				f.bytes[f.m[k].room] -= f.m[k].size
				delete(f.m, k)
			}
		}
	}
	f.tick++
	e.used = f.tick
	f.m[key] = e
	f.bytes[e.room] += e.size
}

// renderCached sends the template name rendered with p, from the cache under key;
// a refetch whose ETag still matches gets 304 Not Modified without a body.
func (s *Server) renderCached(c *fiber.Ctx, key, name string, p Page) error {
	v, etag, err := s.renderedCached(key, name, p)
	if err != nil {
		return err
	}
	return sendCached(c, v, etag)
}

// sendCached sends kept HTML with its ETag (304 when the browser has it).
func sendCached(c *fiber.Ctx, b []byte, etag string) error {
	c.Type("html", "utf-8")
	if etag != "" {
		c.Set(fiber.HeaderCacheControl, "private, no-cache")
		c.Set(fiber.HeaderETag, etag)
		if c.Get(fiber.HeaderIfNoneMatch) == etag {
			return c.SendStatus(fiber.StatusNotModified)
		}
	}
	return c.Send(b)
}

// renderedCached is the template name rendered with p, kept under key (the
// bytes a fragment refetch is sent, and a full page can hold).
func (s *Server) renderedCached(key, name string, p Page) ([]byte, string, error) {
	return s.renderedUntil(key, name, func() (Page, time.Time, error) { return p, s.clockStep(), nil })
}

// renderedUntil is renderedCached for content that knows when the clock changes
// it: mk gives the page data and that moment (zero: never), only on a miss.
func (s *Server) renderedUntil(key, name string, mk func() (Page, time.Time, error)) ([]byte, string, error) {
	v, etag, err := s.cachedUntil(key, func() (any, time.Time, error) {
		p, until, err := mk()
		if err != nil {
			return nil, until, err
		}
		var b bytes.Buffer
		if err := s.app.Config().Views.Render(&b, name, p); err != nil {
			return nil, until, err
		}
		return b.Bytes(), until, nil
	})
	if err != nil {
		return nil, "", err
	}
	return v.([]byte), etag, nil
}

// earliest is the earlier of two moments, zero meaning "never".
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// sharedPage is the page a fragment kept for a whole scope is rendered with: the
// session's CSRF token is csrfMark, replaced by each session's own on sending
// (withCSRF), so one rendering serves every session that may see it.
func (s *Server) sharedPage(c *fiber.Ctx, data fiber.Map) Page {
	return Page{User: userOf(c), CSRF: s.csrfMark, Data: data, Server: s, Form: NewForm(nil)}
}

// markedCSRF runs mk as the session with csrfMark for its CSRF token, so that
// nothing mk renders or keeps (a form's hidden field, TxData.CSRF) holds the
// session's own token: what it makes may be sent to another session.
func (s *Server) markedCSRF(c *fiber.Ctx, mk func() (any, time.Time, error)) func() (any, time.Time, error) {
	return func() (any, time.Time, error) {
		u := userOf(c)
		m := *u
		m.CSRF = s.csrfMark
		c.Locals("user", &m)
		defer c.Locals("user", u)
		return mk()
	}
}

// withCSRF puts the session's CSRF token into bytes rendered by sharedPage, and
// makes the ETag the session's own.
func (s *Server) withCSRF(c *fiber.Ctx, b []byte, etag string) ([]byte, string) {
	if !bytes.Contains(b, []byte(s.csrfMark)) {
		return b, etag // nothing of the session's in it: the same bytes for everyone
	}
	tok := csrfOf(c)
	out := bytes.ReplaceAll(b, []byte(s.csrfMark), []byte(tok))
	if etag != "" {
		h := fnv.New32a()
		h.Write([]byte(tok))
		etag = etag[:len(etag)-1] + "." + strconv.FormatUint(uint64(h.Sum32()), 36) + `"`
	}
	return out, etag
}

// keptPage sends a whole page kept for its person (personKept). A request with a
// message to show (a flash) draws the page anew, and so does HEAD.
func (s *Server) keptPage(c *fiber.Ctx, key string, draw func() ([]byte, time.Time, error)) error {
	var b []byte
	var err error
	if c.Cookies(flashCookie) != "" {
		b, _, err = draw()
	} else {
		b, err = s.personKept(c, key, draw)
	}
	if err != nil {
		return err
	}
	c.Type("html", "utf-8")
	return c.Send(b)
}

// personKept is the page kept for its person (their id and role are added to key)
// until the next notice or the moment draw says (zero: a notice only), with the
// session's CSRF token in it; draw renders it (renderBytes) with csrfMark for the token.
func (s *Server) personKept(c *fiber.Ctx, key string, draw func() ([]byte, time.Time, error)) ([]byte, error) {
	u := userOf(c)
	v, _, err := s.cachedUntil("page|"+i64s(u.ID)+"|"+string(u.Role)+"|"+key, s.markedCSRF(c, func() (any, time.Time, error) { return draw() }))
	if err != nil {
		return nil, err
	}
	b, _ := s.withCSRF(c, v.([]byte), "")
	return b, nil
}

// framedPage sends a page whose big part (a table) is kept for a whole scope: the
// page around it — the navigation, the title, the tabs — is kept for its person
// (personKept) with partMark where the part goes, and the part is put in its place
// on sending. Drawing the frame for every view cost more than sending the kept
// table. data["TableHTML"] is where the template puts the part. A request with a
// message to show (a flash), or an empty key (a page not worth keeping, e.g. a
// search), draws the page anew.
func (s *Server) framedPage(c *fiber.Ctx, key, name, title, nav string, data fiber.Map, part []byte) error {
	if key == "" || c.Cookies(flashCookie) != "" {
		data["TableHTML"] = template.HTML(part)
		return s.render(c, name, title, nav, nil, data)
	}
	frame, err := s.personKept(c, "frame|"+key, func() ([]byte, time.Time, error) {
		data["TableHTML"] = template.HTML(s.partMark)
		b, err := s.renderBytes(c, name, title, nav, nil, data)
		return b, time.Time{}, err
	})
	if err != nil {
		return err
	}
	before, after, ok := bytes.Cut(frame, []byte(s.partMark))
	if !ok {
		return fmt.Errorf("page %s: the frame has no place for its part", name)
	}
	out := make([]byte, 0, len(before)+len(part)+len(after))
	c.Type("html", "utf-8")
	return c.Send(append(append(append(out, before...), part...), after...))
}

// renderBytes is render into bytes: the page with the session's user, token and
// the flash message (cleared) if there is one.
func (s *Server) renderBytes(c *fiber.Ctx, name, title, nav string, form *Form, data fiber.Map) ([]byte, error) {
	s.drawn.Add(1)
	p := Page{Title: title, Nav: nav, User: userOf(c), CSRF: csrfOf(c), Form: form, Data: data, Server: s}
	if p.Form == nil {
		p.Form = NewForm(nil)
	}
	if fl := c.Cookies(flashCookie); fl != "" {
		raw, _ := url.QueryUnescape(fl)
		p.Flash = readNotices(raw)
		c.Cookie(&fiber.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(1, 0), HTTPOnly: true, SameSite: "Lax"})
	}
	var b bytes.Buffer
	if err := s.app.Config().Views.Render(&b, name, p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
