package auth

import (
	"context"
	"sync/atomic"
	"time"
)

// Gate bounds how many password hashes run at once: each argon2id hash holds
// its whole memory cost (defaultParams.Memory) until it finishes, so without a
// bound a burst of logins takes gigabytes. Attempts beyond the running slots
// wait in a short line; beyond the line, or after MaxWait, they are refused.
type Gate struct {
	slots   chan struct{}
	waiting atomic.Int32
	line    int32
	maxWait time.Duration
}

// The default line: 32 attempts waiting at most 5 s.
const (
	GateLine    = 32
	GateMaxWait = 5 * time.Second
)

// GateSlots is how many hashes run at once on a machine with procs usable
// cores: one core is always left for the pages (with both cores of a 2-core
// office PC hashing, /healthz took up to 0.3 s under a login burst), and never
// more than 4.
func GateSlots(procs int) int { return max(1, min(procs-1, 4)) }

// NewGate makes a gate with n slots, a line of line waiting attempts and the
// longest wait.
func NewGate(n, line int, maxWait time.Duration) *Gate {
	return &Gate{slots: make(chan struct{}, n), line: int32(line), maxWait: maxWait}
}

// Enter takes a slot, waiting in line if needed; false means refused (the line
// is full, the wait ran out or ctx ended). Every true is followed by Leave.
func (g *Gate) Enter(ctx context.Context) bool {
	select {
	case g.slots <- struct{}{}:
		return true
	default:
	}
	if g.waiting.Add(1) > g.line {
		g.waiting.Add(-1)
		return false
	}
	defer g.waiting.Add(-1)
	t := time.NewTimer(g.maxWait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// Leave frees the slot taken by Enter.
func (g *Gate) Leave() { <-g.slots }
