// Package live fans "what changed" notices out to every open browser stream.
// It knows nothing of HTTP: the web layer writes the notices as server-sent events.
package live

import (
	"strings"
	"sync"
)

// Notice says which parts of the pages changed; browsers refetch what they show.
type Notice struct {
	ID     uint64
	Topics []string // e.g. "tracker", "cards", "card:12", "tasks"
}

// Data is the notice as one SSE data line.
func (n Notice) Data() string { return strings.Join(n.Topics, " ") }

// Hub is the fan-out point. Its zero value is not usable: call NewHub.
type Hub struct {
	mu   sync.Mutex
	seq  uint64
	subs map[chan Notice]struct{}
}

// NewHub makes an empty hub.
func NewHub() *Hub { return &Hub{subs: map[chan Notice]struct{}{}} }

// Subscribe opens a stream; the returned function closes it.
func (h *Hub) Subscribe() (<-chan Notice, func()) {
	ch := make(chan Notice, 16)
	h.mu.Lock()
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs, ch)
		h.mu.Unlock()
	}
}

// Publish tells every open stream that topics changed. A stream too slow to keep up
// gets a "all" notice instead of piling up: it refetches everything.
func (h *Hub) Publish(topics ...string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	n := Notice{ID: h.seq, Topics: topics}
	for ch := range h.subs {
		select {
		case ch <- n:
		default:
			// Full: drop the oldest and ask for a full refresh.
			select {
			case <-ch:
			default:
			}
			select {
			case ch <- Notice{ID: h.seq, Topics: []string{"all"}}:
			default:
			}
		}
	}
}

// Seq is the id of the last notice, so a reconnecting browser can tell it missed some.
func (h *Hub) Seq() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seq
}

// Subscribers counts open streams (for tests and health).
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}
