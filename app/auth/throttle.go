package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"time"
)

// Login throttling policy. A login and a remote address are tracked as two
// independent keys; a request must pass both.
//
// For a login key: the first FreeFailures failures within FailWindow cost
// nothing; each further failure forces a pause of BaseDelay<<(n-FreeFailures)
// after it (2s, 4s, 8s, 16s for failures 6..9); the LockFailures-th failure
// locks the key for LockFor counted from that failure. Failures older than
// FailWindow are forgotten.
//
// An address key allows AddrFactor times as many failures (15 free, lock at
// 30), and its delay doubles every AddrFactor failures instead of every one.
const (
	FreeFailures = 5
	LockFailures = 10
	FailWindow   = 15 * time.Minute
	LockFor      = 15 * time.Minute
	BaseDelay    = time.Second
	AddrFactor   = 3

	// MaxEntries is the number of tracked keys (logins + addresses) above
	// which Fail prunes immediately instead of waiting for pruneInterval.
	MaxEntries = 10000
)

const (
	pruneInterval = time.Minute
	maxKeyBytes   = 128 // longer keys are stored as their SHA-256
)

type policy struct {
	free  int // failures that impose no delay
	lock  int // failure count that triggers a LockFor lock
	scale int // delay doubles every `scale` failures past free
}

var (
	loginPolicy = policy{free: FreeFailures, lock: LockFailures, scale: 1}
	addrPolicy  = policy{free: FreeFailures * AddrFactor, lock: LockFailures * AddrFactor, scale: AddrFactor}
)

// delay is the pause required after the n-th recent failure (n > free).
func (p policy) delay(n int) time.Duration {
	k := n - p.free
	if k <= 0 {
		return 0
	}
	exp := (k + p.scale - 1) / p.scale
	if exp > 20 {
		return LockFor
	}
	return min(BaseDelay<<exp, LockFor)
}

type entry struct {
	fails       []time.Time // failures within FailWindow (fewer than policy.lock)
	lockedUntil time.Time   // zero if not locked
}

// recent returns the number of failures within FailWindow before now and the
// latest of them.
func (e *entry) recent(now time.Time) (n int, last time.Time) {
	for _, f := range e.fails {
		if now.Sub(f) < FailWindow {
			n++
			if f.After(last) {
				last = f
			}
		}
	}
	return n, last
}

func (e *entry) dropExpired(now time.Time) {
	kept := e.fails[:0]
	for _, f := range e.fails {
		if now.Sub(f) < FailWindow {
			kept = append(kept, f)
		}
	}
	clear(e.fails[len(kept):])
	e.fails = kept
	if !e.lockedUntil.IsZero() && !now.Before(e.lockedUntil) {
		e.lockedUntil = time.Time{}
	}
}

func (e *entry) wait(p policy, now time.Time) time.Duration {
	if now.Before(e.lockedUntil) {
		return e.lockedUntil.Sub(now)
	}
	n, last := e.recent(now)
	if n <= p.free {
		return 0
	}
	if d := last.Add(p.delay(n)).Sub(now); d > 0 {
		return d
	}
	return 0
}

type bucket struct {
	pol policy
	m   map[string]*entry
}

func (b *bucket) wait(key string, now time.Time) time.Duration {
	if key == "" {
		return 0
	}
	e := b.m[key]
	if e == nil {
		return 0
	}
	return e.wait(b.pol, now)
}

func (b *bucket) fail(key string, now time.Time) {
	if key == "" {
		return
	}
	e := b.m[key]
	if e == nil {
		e = &entry{}
		b.m[key] = e
	}
	e.dropExpired(now)
	if now.Before(e.lockedUntil) {
		// Failure while locked (caller skipped Check, or raced it):
		// the lock runs LockFor from the latest failure.
		e.lockedUntil = now.Add(LockFor)
		return
	}
	e.fails = append(e.fails, now)
	if len(e.fails) >= b.pol.lock {
		e.lockedUntil = now.Add(LockFor)
		e.fails = nil // all of them predate the lock's end anyway
	}
}

// prune drops expired entries. If the map is still over MaxEntries it also
// drops entries that currently impose no restriction (at most `free` recent
// failures): this loses a little history but bounds memory under a flood of
// distinct keys. Locked and delayed entries are always kept.
func (b *bucket) prune(now time.Time) {
	for k, e := range b.m {
		e.dropExpired(now)
		if len(e.fails) == 0 && e.lockedUntil.IsZero() {
			delete(b.m, k)
		}
	}
	if len(b.m) <= MaxEntries {
		return
	}
	for k, e := range b.m {
		if e.lockedUntil.IsZero() && len(e.fails) <= b.pol.free {
			delete(b.m, k)
		}
	}
}

// Throttle tracks failed login attempts in memory. All methods are safe for
// concurrent use; every access to the maps happens under mu.
//
// Typical use:
//
//	if d := t.Check(login, ip, now); d > 0 { refuse, tell the user to wait d }
//	if CheckPassword(...) { t.Succeed(login, ip) } else { t.Fail(login, ip, now) }
//
// Empty login or address values are not tracked.
type Throttle struct {
	mu        sync.Mutex
	logins    bucket
	addrs     bucket
	lastPrune time.Time
}

// NewThrottle returns an empty Throttle.
func NewThrottle() *Throttle {
	return &Throttle{
		logins: bucket{pol: loginPolicy, m: make(map[string]*entry)},
		addrs:  bucket{pol: addrPolicy, m: make(map[string]*entry)},
	}
}

// Check returns 0 if a login attempt for (login, addr) is allowed at now,
// otherwise how long the caller must wait. It does not record anything.
func (t *Throttle) Check(login, addr string, now time.Time) (wait time.Duration) {
	lk, ak := loginKey(login), addrKey(addr)
	t.mu.Lock()
	defer t.mu.Unlock()
	return max(t.logins.wait(lk, now), t.addrs.wait(ak, now))
}

// Fail records a failed attempt for both the login and the address.
func (t *Throttle) Fail(login, addr string, now time.Time) {
	lk, ak := loginKey(login), addrKey(addr)
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.logins.m)+len(t.addrs.m) > MaxEntries ||
		now.Sub(t.lastPrune) >= pruneInterval || now.Before(t.lastPrune) {
		t.logins.prune(now)
		t.addrs.prune(now)
		t.lastPrune = now
	}
	t.logins.fail(lk, now)
	t.addrs.fail(ak, now)
}

// Succeed forgets all failures recorded for the login and for the address.
func (t *Throttle) Succeed(login, addr string) {
	lk, ak := loginKey(login), addrKey(addr)
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.logins.m, lk)
	delete(t.addrs.m, ak)
}

// loginKey normalises a login: trimmed and lowercased, so "Ivanov " and
// "ivanov" share one counter.
func loginKey(login string) string {
	return boundKey(strings.ToLower(strings.TrimSpace(login)))
}

func addrKey(addr string) string { return boundKey(strings.TrimSpace(addr)) }

// boundKey keeps attacker-chosen keys from costing unbounded memory.
func boundKey(k string) string {
	if len(k) <= maxKeyBytes {
		return strings.Clone(k) // the key outlives the call; fiber strings alias a reused request buffer
	}
	sum := sha256.Sum256([]byte(k))
	return "#sha256:" + hex.EncodeToString(sum[:])
}
