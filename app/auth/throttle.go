package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"time"
)

// Login throttling policy. Three keys are tracked for every attempt: the login,
// the remote address and the (login, address) pair; a request must pass all three.
//
// The pair: the first FreeFailures failures within FailWindow cost nothing; each
// further failure forces a pause of BaseDelay<<(n-FreeFailures) after it (2s, 4s,
// 8s, 16s for failures 6..9); the LockFailures-th failure locks the pair for
// LockFor counted from that failure. Only the pair locks: wrong passwords typed
// elsewhere never lock a login out of another computer.
//
// The login alone slows down like the pair but never locks: its pause stops
// growing at MaxLoginDelay, so guessing one password from many addresses stays
// slow while its owner can still sign in from their own computer.
//
// The address allows AddrFactor times as many failures (15 free), its pause
// doubles every AddrFactor failures and stops growing at MaxAddrDelay.
//
// Failures older than FailWindow are forgotten. An attempt is reserved (counted
// as a failure) before its password is hashed, so parallel attempts cannot slip
// past the limits while the hashes run.
const (
	FreeFailures  = 5
	LockFailures  = 10
	FailWindow    = 15 * time.Minute
	LockFor       = 15 * time.Minute
	BaseDelay     = time.Second
	AddrFactor    = 3
	MaxLoginDelay = 16 * time.Second
	MaxAddrDelay  = 32 * time.Second

	// MaxEntries is the number of tracked keys (logins + addresses + pairs) above
	// which Fail prunes immediately instead of waiting for pruneInterval.
	MaxEntries = 10000
)

const (
	pruneInterval = time.Minute
	maxKeyBytes   = 128 // longer keys are stored as their SHA-256
	maxFails      = 64  // failures kept per key that never locks
)

type policy struct {
	free     int           // failures that impose no delay
	lock     int           // failure count that triggers a LockFor lock; 0: never locks
	scale    int           // delay doubles every `scale` failures past free
	maxDelay time.Duration // longest pause
}

var (
	pairPolicy  = policy{free: FreeFailures, lock: LockFailures, scale: 1, maxDelay: LockFor}
	loginPolicy = policy{free: FreeFailures, scale: 1, maxDelay: MaxLoginDelay}
	addrPolicy  = policy{free: FreeFailures * AddrFactor, scale: AddrFactor, maxDelay: MaxAddrDelay}
)

// delay is the pause required after the n-th recent failure (n > free).
func (p policy) delay(n int) time.Duration {
	k := n - p.free
	if k <= 0 {
		return 0
	}
	exp := (k + p.scale - 1) / p.scale
	if exp > 20 {
		return p.maxDelay
	}
	return min(BaseDelay<<exp, p.maxDelay)
}

type entry struct {
	fails       []time.Time // failures within FailWindow (fewer than policy.lock)
	lockedUntil time.Time   // zero if not locked
	login, addr string      // the pair's parts (pair entries only)
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

func (b *bucket) get(key string) *entry {
	e := b.m[key]
	if e == nil {
		e = &entry{}
		b.m[key] = e
	}
	return e
}

// record counts a failure (or a reserved attempt) at now.
func (b *bucket) record(key string, now time.Time) *entry {
	if key == "" {
		return nil
	}
	e := b.get(key)
	e.dropExpired(now)
	if now.Before(e.lockedUntil) {
		// Failure while locked (caller skipped Check, or raced it):
		// the lock runs LockFor from the latest failure.
		e.lockedUntil = now.Add(LockFor)
		return e
	}
	e.fails = append(e.fails, now)
	if b.pol.lock == 0 && len(e.fails) > maxFails {
		e.fails = append(e.fails[:0], e.fails[len(e.fails)-maxFails:]...)
	}
	return e
}

// lockIfDue locks the key when its failures reached the policy's lock count and
// reports whether it did so now.
func (b *bucket) lockIfDue(key string, now time.Time) bool {
	e := b.m[key]
	if key == "" || e == nil || b.pol.lock == 0 || now.Before(e.lockedUntil) {
		return false
	}
	if len(e.fails) >= b.pol.lock {
		e.lockedUntil = now.Add(LockFor)
		e.fails = nil // all of them predate the lock's end anyway
		return true
	}
	return false
}

// unrecord takes back a reservation made at at.
func (b *bucket) unrecord(key string, at time.Time) {
	e := b.m[key]
	if key == "" || e == nil {
		return
	}
	for i := len(e.fails) - 1; i >= 0; i-- {
		if e.fails[i].Equal(at) {
			e.fails = append(e.fails[:i], e.fails[i+1:]...)
			break
		}
	}
	if len(e.fails) == 0 && e.lockedUntil.IsZero() {
		delete(b.m, key)
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
//	at, wait := t.Reserve(login, ip, now)
//	if wait > 0 { refuse, tell the user to wait }
//	if could not hash now { t.Cancel(login, ip, at) }
//	if CheckPassword(...) { t.Succeed(login, ip) } else if t.Fail(login, ip, at) { log the lock-out }
//
// Empty login or address values are not tracked.
type Throttle struct {
	mu        sync.Mutex
	logins    bucket
	addrs     bucket
	pairs     bucket
	lastPrune time.Time
}

// NewThrottle returns an empty Throttle.
func NewThrottle() *Throttle {
	return &Throttle{
		logins: bucket{pol: loginPolicy, m: make(map[string]*entry)},
		addrs:  bucket{pol: addrPolicy, m: make(map[string]*entry)},
		pairs:  bucket{pol: pairPolicy, m: make(map[string]*entry)},
	}
}

type keys struct{ login, addr, pair string }

func keysOf(login, addr string) keys {
	k := keys{login: loginKey(login), addr: addrKey(addr)}
	if k.login != "" {
		k.pair = boundKey(k.login + "\x00" + k.addr)
	}
	return k
}

func (t *Throttle) wait(k keys, now time.Time) time.Duration {
	return max(t.logins.wait(k.login, now), t.addrs.wait(k.addr, now), t.pairs.wait(k.pair, now))
}

// Check returns 0 if a login attempt for (login, addr) is allowed at now,
// otherwise how long the caller must wait. It does not record anything.
func (t *Throttle) Check(login, addr string, now time.Time) (wait time.Duration) {
	k := keysOf(login, addr)
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.wait(k, now)
}

// Reserve admits an attempt and counts it as a failure at once, before its
// password is hashed, or refuses it with the wait. The attempt then ends in
// Succeed, Fail(at) or Cancel(at).
func (t *Throttle) Reserve(login, addr string, now time.Time) (at time.Time, wait time.Duration) {
	k := keysOf(login, addr)
	t.mu.Lock()
	defer t.mu.Unlock()
	if w := t.wait(k, now); w > 0 {
		return now, w
	}
	t.maybePrune(now)
	t.record(k, now)
	return now, 0
}

// Cancel takes back a reservation whose password was never checked.
func (t *Throttle) Cancel(login, addr string, at time.Time) {
	k := keysOf(login, addr)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.logins.unrecord(k.login, at)
	t.addrs.unrecord(k.addr, at)
	t.pairs.unrecord(k.pair, at)
}

// Fail confirms a reserved attempt made at at as a failure. It reports whether
// this failure locked the (login, address) pair.
func (t *Throttle) Fail(login, addr string, at time.Time) (locked bool) {
	k := keysOf(login, addr)
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pairs.lockIfDue(k.pair, at)
}

// FailNow records a failure that was not reserved (and locks the pair when due).
func (t *Throttle) FailNow(login, addr string, now time.Time) (locked bool) {
	k := keysOf(login, addr)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.maybePrune(now)
	t.record(k, now)
	return t.pairs.lockIfDue(k.pair, now)
}

func (t *Throttle) record(k keys, now time.Time) {
	t.logins.record(k.login, now)
	t.addrs.record(k.addr, now)
	if e := t.pairs.record(k.pair, now); e != nil {
		e.login, e.addr = k.login, k.addr
	}
}

func (t *Throttle) maybePrune(now time.Time) {
	if len(t.logins.m)+len(t.addrs.m)+len(t.pairs.m) > MaxEntries ||
		now.Sub(t.lastPrune) >= pruneInterval || now.Before(t.lastPrune) {
		t.logins.prune(now)
		t.addrs.prune(now)
		t.pairs.prune(now)
		t.lastPrune = now
	}
}

// Succeed forgets all failures recorded for the login, the address and the pair.
func (t *Throttle) Succeed(login, addr string) {
	k := keysOf(login, addr)
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.logins.m, k.login)
	delete(t.addrs.m, k.addr)
	delete(t.pairs.m, k.pair)
}

// Lock is one locked (login, address) pair.
type Lock struct {
	Login, Addr string
	Until       time.Time
}

// Locks lists the locked pairs of a login at now (all logins when login is "").
func (t *Throttle) Locks(login string, now time.Time) []Lock {
	lk := loginKey(login)
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Lock
	for _, e := range t.pairs.m {
		if now.Before(e.lockedUntil) && (lk == "" || e.login == lk) {
			out = append(out, Lock{Login: e.login, Addr: e.addr, Until: e.lockedUntil})
		}
	}
	return out
}

// Unlock lifts every lock and slow-down of a login (the owner's «Разблокировать»).
func (t *Throttle) Unlock(login string) {
	lk := loginKey(login)
	if lk == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.logins.m, lk)
	for k, e := range t.pairs.m {
		if e.login == lk {
			delete(t.pairs.m, k)
		}
	}
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
