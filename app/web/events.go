package web

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"kartoteka/app/auth"
	"kartoteka/app/live"
	"kartoteka/app/tasks"
	"kartoteka/store"
	"kartoteka/store/db"
)

// heartbeat keeps proxies from closing an idle stream and finds gone browsers.
const heartbeat = 15 * time.Second

// sessionCheck is how often a stream checks that its session still exists: a
// stream ends within it after a logout, a deactivation, a role change, a
// password reset or the idle timeout (one primary-key read per stream).
const sessionCheck = 500 * time.Millisecond

// sessionAlive tells whether a stream's session may go on (a database error
// keeps it: the next check decides).
func (s *Server) sessionAlive(tokenHash string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	row, err := s.st.Session(ctx, tokenHash)
	if err != nil {
		return !isNoRows(err) && !errors.Is(err, store.ErrNotFound)
	}
	return s.now().Sub(row.LastSeenAt) <= s.cfg.IdleTimeout
}

// visibleTopics keeps the topics of a notice the user may know about: someone
// who does not see every card hears of card N only when they are on it, and of
// a standard task only when they may see it. The card or task is read once per
// notice for all the open streams (topicMemo), not once per stream.
func (s *Server) visibleTopics(u *User, n live.Notice) []string {
	out := n.Topics[:0:0]
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, t := range n.Topics {
		if t == "report" && !auth.Can(u.Role, auth.Report) {
			continue // the money changed: only for those who see «Отчёт»
		}
		if id, ok := topicID(t, "card:"); ok && !u.Role.SeesAll() {
			e := s.topics.entry(n.ID, t)
			e.once.Do(func() { e.card, e.err = s.st.Q.CardGet(ctx, id) })
			if e.err != nil || !store.Responsible(e.card, u.ID) {
				continue
			}
		}
		if id, ok := topicID(t, "task:"); ok && u.Role != auth.Owner {
			e := s.topics.entry(n.ID, t)
			e.once.Do(func() { e.task, e.err = s.st.Q.TaskView(ctx, id) })
			if e.err != nil || !tasks.CanSee(tasks.Person{ID: u.ID, Admin: u.Role == auth.Admin}, ruleOf(e.task)) {
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

// topicMemo holds, for the latest notice, the cards and tasks it names as read
// for deciding who may hear of them.
type topicMemo struct {
	mu sync.Mutex
	id uint64
	m  map[string]*topicRow
}

type topicRow struct {
	once sync.Once
	card db.Card
	task db.TaskViewRow
	err  error
}

// entry is topic's row for notice id; a stream still on an older notice reads its own.
func (m *topicMemo) entry(id uint64, topic string) *topicRow {
	m.mu.Lock()
	defer m.mu.Unlock()
	if id < m.id {
		return &topicRow{}
	}
	if id > m.id || m.m == nil {
		m.id, m.m = id, map[string]*topicRow{}
	}
	e := m.m[topic]
	if e == nil {
		e = &topicRow{}
		m.m[topic] = e
	}
	return e
}

func topicID(topic, prefix string) (int64, bool) {
	n, ok := strings.CutPrefix(topic, prefix)
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(n, 10, 64)
	return id, err == nil
}

// events is the live stream: each notice names the topics that changed; the page
// refetches the parts that show them. A browser that reconnects having missed
// notices (Last-Event-ID behind) is told to refresh everything.
func (s *Server) events(c *fiber.Ctx) error {
	c.Set("Content-Type", "text/event-stream")
	c.Set("Cache-Control", "no-cache")
	c.Set("X-Accel-Buffering", "no")
	if c.Method() == fiber.MethodHead { // a probe: the headers say it is a stream
		return nil
	}
	last, _ := strconv.ParseUint(c.Get("Last-Event-ID"), 10, 64)
	hub, done := s.cfg.Hub, s.cfg.Done
	u := *userOf(c) // c is recycled when the handler returns
	reqDone := c.Context().Done()
	ch, stop := hub.Subscribe()
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer stop()
		seq := hub.Seq()
		fmt.Fprintf(w, "retry: 2000\nid: %d\nevent: hello\ndata: %d\n\n", seq, seq)
		if last > 0 && last != seq { // missed notices, or the server restarted
			fmt.Fprintf(w, "id: %d\ndata: all\n\n", seq)
		}
		if w.Flush() != nil {
			return
		}
		tick := time.NewTicker(heartbeat)
		defer tick.Stop()
		alive := time.NewTicker(sessionCheck)
		defer alive.Stop()
		for {
			select {
			case <-done:
				return
			case <-reqDone:
				return
			case <-alive.C:
				if !s.sessionAlive(u.TokenHash) {
					return // logged out, deactivated, role changed, password reset or idle
				}
				continue
			case n := <-ch:
				topics := s.visibleTopics(&u, n)
				if len(topics) == 0 {
					continue
				}
				fmt.Fprintf(w, "id: %d\ndata: %s\n\n", n.ID, strings.Join(topics, " "))
			case <-tick.C:
				fmt.Fprint(w, ": ping\n\n")
			}
			if w.Flush() != nil {
				return
			}
		}
	})
	return nil
}
