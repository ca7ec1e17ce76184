package auth

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

func sec(n int) time.Duration { return time.Duration(n) * time.Second }

// failAllowed records one failure at the earliest allowed moment at or after
// now and returns that moment.
func failAllowed(th *Throttle, login, addr string, now time.Time) time.Time {
	now = now.Add(th.Check(login, addr, now))
	th.Fail(login, addr, now)
	return now
}

func TestThrottleFreeFailures(t *testing.T) {
	th := NewThrottle()
	now := t0
	for i := 1; i <= FreeFailures; i++ {
		if d := th.Check("ivanov", "10.0.0.1", now); d != 0 {
			t.Fatalf("before failure %d: wait %v, want 0", i, d)
		}
		th.Fail("ivanov", "10.0.0.1", now)
		now = now.Add(time.Second)
	}
	if d := th.Check("ivanov", "10.0.0.1", now); d != 0 {
		t.Fatalf("after %d failures: wait %v, want 0", FreeFailures, d)
	}
}

func TestThrottleDelayGrows(t *testing.T) {
	th := NewThrottle()
	now := t0
	for range FreeFailures {
		th.Fail("ivanov", "10.0.0.1", now)
	}
	want := []time.Duration{sec(2), sec(4), sec(8), sec(16)} // failures 6..9
	prev := time.Duration(0)
	for i, w := range want {
		now = failAllowed(th, "ivanov", "10.0.0.1", now)
		n := FreeFailures + 1 + i
		if d := th.Check("ivanov", "10.0.0.1", now); d != w {
			t.Fatalf("after failure %d: wait %v, want %v", n, d, w)
		}
		if w <= prev {
			t.Fatalf("delay did not grow: %v after %v", w, prev)
		}
		prev = w
		// Part-way through the delay the remaining time is reported.
		if d := th.Check("ivanov", "10.0.0.1", now.Add(w/2)); d != w-w/2 {
			t.Fatalf("after failure %d, half-way: wait %v, want %v", n, d, w-w/2)
		}
		if d := th.Check("ivanov", "10.0.0.1", now.Add(w)); d != 0 {
			t.Fatalf("after failure %d, delay elapsed: wait %v, want 0", n, d)
		}
	}
}

func TestThrottleLockAndUnlock(t *testing.T) {
	th := NewThrottle()
	now := t0
	for range LockFailures {
		now = failAllowed(th, "ivanov", "10.0.0.1", now)
	}
	last := now
	if d := th.Check("ivanov", "10.0.0.1", last); d != LockFor {
		t.Fatalf("right after failure %d: wait %v, want %v", LockFailures, d, LockFor)
	}
	// Other address, same login: still locked (login key).
	if d := th.Check("ivanov", "10.9.9.9", last.Add(10*time.Minute)); d != 5*time.Minute {
		t.Fatalf("10 min later from another address: wait %v, want 5m", d)
	}
	if d := th.Check("ivanov", "10.0.0.1", last.Add(LockFor-time.Second)); d != time.Second {
		t.Fatalf("1s before unlock: wait %v, want 1s", d)
	}
	unlock := last.Add(LockFor)
	if d := th.Check("ivanov", "10.0.0.1", unlock); d != 0 {
		t.Fatalf("at unlock: wait %v, want 0", d)
	}
	// After the lock the history is gone: 5 more free failures.
	for i := range FreeFailures {
		th.Fail("ivanov", "10.0.0.1", unlock)
		if d := th.Check("ivanov", "10.0.0.1", unlock); d != 0 {
			t.Fatalf("failure %d after unlock: wait %v, want 0", i+1, d)
		}
	}
	th.Fail("ivanov", "10.0.0.1", unlock)
	if d := th.Check("ivanov", "10.0.0.1", unlock); d != sec(2) {
		t.Fatalf("6th failure after unlock: wait %v, want 2s", d)
	}
}

func TestThrottleFailWhileLockedExtends(t *testing.T) {
	th := NewThrottle()
	for range LockFailures {
		th.Fail("ivanov", "", t0)
	}
	later := t0.Add(10 * time.Minute)
	th.Fail("ivanov", "", later) // caller ignored Check
	if d := th.Check("ivanov", "", later); d != LockFor {
		t.Fatalf("wait %v, want %v from the latest failure", d, LockFor)
	}
}

func TestThrottleOldFailuresForgotten(t *testing.T) {
	th := NewThrottle()
	for range FreeFailures {
		th.Fail("ivanov", "10.0.0.1", t0)
	}
	// 10 minutes later: the 6th recent failure imposes a delay.
	t1 := t0.Add(10 * time.Minute)
	th.Fail("ivanov", "10.0.0.1", t1)
	if d := th.Check("ivanov", "10.0.0.1", t1); d != sec(2) {
		t.Fatalf("6th failure: wait %v, want 2s", d)
	}
	// At t0+15m the first five expire; only one recent failure remains.
	t2 := t0.Add(FailWindow)
	th.Fail("ivanov", "10.0.0.1", t2)
	if d := th.Check("ivanov", "10.0.0.1", t2); d != 0 {
		t.Fatalf("after old failures expired: wait %v, want 0", d)
	}

	// Nine failures, then a quiet window: back to a clean slate.
	th2 := NewThrottle()
	now := t0
	for range LockFailures - 1 {
		now = failAllowed(th2, "petrov", "10.0.0.2", now)
	}
	now = now.Add(FailWindow)
	for i := range FreeFailures {
		th2.Fail("petrov", "10.0.0.2", now)
		if d := th2.Check("petrov", "10.0.0.2", now); d != 0 {
			t.Fatalf("failure %d after quiet window: wait %v, want 0", i+1, d)
		}
	}
}

func TestThrottleSucceedClears(t *testing.T) {
	th := NewThrottle()
	now := t0
	for range LockFailures - 1 {
		now = failAllowed(th, "ivanov", "10.0.0.1", now)
	}
	for i := range AddrFactor*FreeFailures + 1 {
		th.Fail(fmt.Sprintf("user%d", i), "10.0.0.3", now)
	}
	if th.Check("ivanov", "10.0.0.1", now) == 0 || th.Check("x", "10.0.0.3", now) == 0 {
		t.Fatal("setup: expected both keys to be delayed")
	}
	th.Succeed("IVANOV", "10.0.0.3")
	if d := th.Check("ivanov", "10.0.0.1", now); d != 0 {
		t.Fatalf("login after Succeed: wait %v, want 0", d)
	}
	if d := th.Check("x", "10.0.0.3", now); d != 0 {
		t.Fatalf("address after Succeed: wait %v, want 0", d)
	}
	if len(th.logins.m) != AddrFactor*FreeFailures+1 || len(th.addrs.m) != 1 {
		t.Fatalf("Succeed removed unrelated keys: %d logins, %d addrs", len(th.logins.m), len(th.addrs.m))
	}
}

func TestThrottleLoginNormalised(t *testing.T) {
	th := NewThrottle()
	logins := []string{"Ivanov", "IVANOV", " ivanov ", "ivanov", "iVaNoV"}
	for i := range LockFailures {
		th.Fail(logins[i%len(logins)], fmt.Sprintf("10.0.1.%d", i), t0)
	}
	if d := th.Check("ИВАНОВ", "", t0); d != 0 {
		t.Fatalf("unrelated login: wait %v", d)
	}
	if d := th.Check("ivanov", "", t0); d != LockFor {
		t.Fatalf("case variants not merged: wait %v, want %v", d, LockFor)
	}

	th.Fail("ИВАНОВ", "", t0)
	if len(th.logins.m) != 2 {
		t.Fatalf("got %d login keys, want 2", len(th.logins.m))
	}
	th.Succeed("иванов", "")
	if len(th.logins.m) != 1 {
		t.Fatal("Cyrillic login was not lowercased")
	}
}

func TestThrottleLoginAndAddressIndependent(t *testing.T) {
	th := NewThrottle()
	now := t0
	// Lock login "ivanov" from address A (10 failures: address A is below its limit).
	for range LockFailures {
		now = failAllowed(th, "ivanov", "A", now)
	}
	if d := th.Check("ivanov", "B", now); d != LockFor {
		t.Fatalf("locked login from another address: wait %v, want %v", d, LockFor)
	}
	if d := th.Check("petrov", "A", now); d != 0 {
		t.Fatalf("other login from same address: wait %v, want 0", d)
	}

	// Address limit: 3x the login numbers, regardless of which login is used.
	th = NewThrottle()
	now = t0
	addrFree := FreeFailures * AddrFactor
	for i := range addrFree {
		th.Fail(fmt.Sprintf("user%d", i), "C", now)
		if d := th.Check("new", "C", now); d != 0 {
			t.Fatalf("address failure %d: wait %v, want 0", i+1, d)
		}
	}
	th.Fail("another", "C", now)
	if d := th.Check("new", "C", now); d != sec(2) {
		t.Fatalf("address failure %d: wait %v, want 2s", addrFree+1, d)
	}
	if d := th.Check("new", "D", now); d != 0 {
		t.Fatalf("other address: wait %v, want 0", d)
	}
	// The wait is the larger of the two keys.
	for range FreeFailures + 3 {
		th.Fail("sidorov", "E", now)
	}
	if d := th.Check("sidorov", "C", now); d != sec(8) {
		t.Fatalf("combined wait %v, want 8s (login) over 2s (address)", d)
	}
}

func TestThrottleAddressDelaysAndLock(t *testing.T) {
	th := NewThrottle()
	now := t0
	addrFree := FreeFailures * AddrFactor
	addrLock := LockFailures * AddrFactor
	var waits []time.Duration
	for i := range addrLock {
		now = failAllowed(th, fmt.Sprintf("u%d", i), "A", now)
		d := th.Check("", "A", now)
		if i+1 <= addrFree && d != 0 {
			t.Fatalf("address failure %d: wait %v, want 0", i+1, d)
		}
		if i+1 > addrFree {
			waits = append(waits, d)
		}
	}
	want := []time.Duration{
		sec(2), sec(2), sec(2), sec(4), sec(4), sec(4), sec(8), sec(8), sec(8),
		sec(16), sec(16), sec(16), sec(32), sec(32), LockFor,
	}
	if fmt.Sprint(waits) != fmt.Sprint(want) {
		t.Fatalf("address waits %v, want %v", waits, want)
	}
	if d := th.Check("", "A", now.Add(LockFor)); d != 0 {
		t.Fatalf("address after lock: wait %v, want 0", d)
	}
}

func TestThrottleCheckDoesNotRecord(t *testing.T) {
	th := NewThrottle()
	for range 100 {
		th.Check("ivanov", "10.0.0.1", t0)
	}
	if len(th.logins.m) != 0 || len(th.addrs.m) != 0 {
		t.Fatal("Check created entries")
	}
}

func TestThrottleEmptyKeysIgnored(t *testing.T) {
	th := NewThrottle()
	for range 50 {
		th.Fail("", "", t0)
		th.Fail("  ", " ", t0)
	}
	if d := th.Check("", "", t0); d != 0 {
		t.Fatalf("wait %v for empty keys", d)
	}
	if len(th.logins.m) != 0 || len(th.addrs.m) != 0 {
		t.Fatal("empty keys were tracked")
	}
}

func TestThrottleLongKeysBounded(t *testing.T) {
	th := NewThrottle()
	long := strings.Repeat("x", 1<<20)
	for range LockFailures {
		th.Fail(long, long, t0)
	}
	if d := th.Check(strings.ToUpper(long), long, t0); d != LockFor {
		t.Fatalf("long key: wait %v, want %v", d, LockFor)
	}
	for k := range th.logins.m {
		if len(k) > maxKeyBytes {
			t.Fatalf("stored key of %d bytes", len(k))
		}
	}
	if d := th.Check(long+"y", long+"y", t0); d != 0 {
		t.Fatalf("different long key shares a counter: wait %v", d)
	}
}

func TestThrottlePrune(t *testing.T) {
	th := NewThrottle()
	for i := range 500 {
		th.Fail(fmt.Sprintf("user%d", i), fmt.Sprintf("10.1.%d.%d", i/256, i%256), t0)
	}
	for range LockFailures {
		th.Fail("locked", "", t0.Add(time.Minute))
	}
	if len(th.logins.m) != 501 || len(th.addrs.m) != 500 {
		t.Fatalf("setup: %d logins, %d addrs", len(th.logins.m), len(th.addrs.m))
	}
	// 15 minutes later the first batch has expired; any Fail prunes it.
	later := t0.Add(FailWindow)
	th.Fail("someone", "10.2.0.1", later)
	if len(th.logins.m) != 2 || len(th.addrs.m) != 1 {
		t.Fatalf("after prune: %d logins, %d addrs; want 2 (locked + new), 1", len(th.logins.m), len(th.addrs.m))
	}
	if d := th.Check("locked", "", later); d != time.Minute {
		t.Fatalf("prune lost a lock: wait %v, want 1m", d)
	}
}

func TestThrottlePruneOverCapacity(t *testing.T) {
	th := NewThrottle()
	now := t0
	// A restricted key that must survive the flood.
	for range FreeFailures + 1 {
		th.Fail("victim", "", now)
	}
	for i := range MaxEntries + 10 {
		th.Fail(fmt.Sprintf("flood%d", i), "", now)
	}
	if n := len(th.logins.m); n > MaxEntries+1 {
		t.Fatalf("map grew to %d entries, cap %d", n, MaxEntries)
	}
	if d := th.Check("victim", "", now); d != sec(2) {
		t.Fatalf("restricted entry evicted: wait %v, want 2s", d)
	}
}

func TestThrottleConcurrent(t *testing.T) {
	th := NewThrottle()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				now := t0.Add(time.Duration(i) * time.Millisecond)
				login := fmt.Sprintf("user%d", i%7)
				addr := fmt.Sprintf("10.0.0.%d", g)
				th.Check(login, addr, now)
				if i%11 == 0 {
					th.Succeed(login, addr)
				} else {
					th.Fail(login, addr, now)
				}
			}
		})
	}
	wg.Wait()
	if d := th.Check("user1", "10.0.0.1", t0.Add(time.Hour)); d != 0 {
		t.Fatalf("wait %v an hour later", d)
	}
}
