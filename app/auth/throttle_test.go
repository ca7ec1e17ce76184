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
	th.FailNow(login, addr, now)
	return now
}

func TestThrottleFreeFailures(t *testing.T) {
	th := NewThrottle()
	now := t0
	for i := 1; i <= FreeFailures; i++ {
		if d := th.Check("ivanov", "10.0.0.1", now); d != 0 {
			t.Fatalf("before failure %d: wait %v, want 0", i, d)
		}
		th.FailNow("ivanov", "10.0.0.1", now)
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
		th.FailNow("ivanov", "10.0.0.1", now)
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
	// Other address, same login: only the login's slow-down, never the lock.
	if d := th.Check("ivanov", "10.9.9.9", last); d != MaxLoginDelay {
		t.Fatalf("right away from another address: wait %v, want %v", d, MaxLoginDelay)
	}
	if d := th.Check("ivanov", "10.9.9.9", last.Add(MaxLoginDelay)); d != 0 {
		t.Fatalf("after the slow-down from another address: wait %v, want 0", d)
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
		th.FailNow("ivanov", "10.0.0.1", unlock)
		if d := th.Check("ivanov", "10.0.0.1", unlock); d != 0 {
			t.Fatalf("failure %d after unlock: wait %v, want 0", i+1, d)
		}
	}
	th.FailNow("ivanov", "10.0.0.1", unlock)
	if d := th.Check("ivanov", "10.0.0.1", unlock); d != sec(2) {
		t.Fatalf("6th failure after unlock: wait %v, want 2s", d)
	}
}

func TestThrottleFailWhileLockedExtends(t *testing.T) {
	th := NewThrottle()
	for range LockFailures {
		th.FailNow("ivanov", "", t0)
	}
	later := t0.Add(10 * time.Minute)
	th.FailNow("ivanov", "", later) // caller ignored Check
	if d := th.Check("ivanov", "", later); d != LockFor {
		t.Fatalf("wait %v, want %v from the latest failure", d, LockFor)
	}
}

func TestThrottleOldFailuresForgotten(t *testing.T) {
	th := NewThrottle()
	for range FreeFailures {
		th.FailNow("ivanov", "10.0.0.1", t0)
	}
	// 10 minutes later: the 6th recent failure imposes a delay.
	t1 := t0.Add(10 * time.Minute)
	th.FailNow("ivanov", "10.0.0.1", t1)
	if d := th.Check("ivanov", "10.0.0.1", t1); d != sec(2) {
		t.Fatalf("6th failure: wait %v, want 2s", d)
	}
	// At t0+15m the first five expire; only one recent failure remains.
	t2 := t0.Add(FailWindow)
	th.FailNow("ivanov", "10.0.0.1", t2)
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
		th.FailNow(fmt.Sprintf("user%d", i), "10.0.0.3", now)
	}
	if th.Check("ivanov", "10.0.0.1", now) == 0 || th.Check("x", "10.0.0.3", now) == 0 {
		t.Fatal("setup: expected both keys to be delayed")
	}
	th.Succeed("IVANOV", "10.0.0.3")
	if d := th.Check("ivanov", "10.0.0.2", now); d != 0 {
		t.Fatalf("login after Succeed: wait %v, want 0", d)
	}
	if d := th.Check("ivanov", "10.0.0.1", now); d == 0 {
		t.Fatal("a success from another address cleared the pair's own delay")
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
		th.FailNow(logins[i%len(logins)], fmt.Sprintf("10.0.1.%d", i), t0)
	}
	if d := th.Check("ИВАНОВ", "", t0); d != 0 {
		t.Fatalf("unrelated login: wait %v", d)
	}
	if d := th.Check("ivanov", "", t0); d != MaxLoginDelay {
		t.Fatalf("case variants not merged: wait %v, want %v", d, MaxLoginDelay)
	}

	th.FailNow("ИВАНОВ", "", t0)
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
	if d := th.Check("ivanov", "B", now); d != MaxLoginDelay {
		t.Fatalf("locked login from another address: wait %v, want %v (slow-down only)", d, MaxLoginDelay)
	}
	if d := th.Check("petrov", "A", now); d != 0 {
		t.Fatalf("other login from same address: wait %v, want 0", d)
	}

	// Address limit: 3x the login numbers, regardless of which login is used.
	th = NewThrottle()
	now = t0
	addrFree := FreeFailures * AddrFactor
	for i := range addrFree {
		th.FailNow(fmt.Sprintf("user%d", i), "C", now)
		if d := th.Check("new", "C", now); d != 0 {
			t.Fatalf("address failure %d: wait %v, want 0", i+1, d)
		}
	}
	th.FailNow("another", "C", now)
	if d := th.Check("new", "C", now); d != sec(2) {
		t.Fatalf("address failure %d: wait %v, want 2s", addrFree+1, d)
	}
	if d := th.Check("new", "D", now); d != 0 {
		t.Fatalf("other address: wait %v, want 0", d)
	}
	// The wait is the larger of the two keys.
	for range FreeFailures + 3 {
		th.FailNow("sidorov", "E", now)
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
		sec(16), sec(16), sec(16), sec(32), sec(32), sec(32), // an address slows down, never locks
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
		th.FailNow("", "", t0)
		th.FailNow("  ", " ", t0)
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
		th.FailNow(long, long, t0)
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
		th.FailNow(fmt.Sprintf("user%d", i), fmt.Sprintf("10.1.%d.%d", i/256, i%256), t0)
	}
	for range LockFailures {
		th.FailNow("locked", "", t0.Add(time.Minute))
	}
	if len(th.logins.m) != 501 || len(th.addrs.m) != 500 {
		t.Fatalf("setup: %d logins, %d addrs", len(th.logins.m), len(th.addrs.m))
	}
	// 15 minutes later the first batch has expired; any Fail prunes it.
	later := t0.Add(FailWindow)
	th.FailNow("someone", "10.2.0.1", later)
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
		th.FailNow("victim", "", now)
	}
	for i := range MaxEntries + 10 {
		th.FailNow(fmt.Sprintf("flood%d", i), "", now)
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
					th.FailNow(login, addr, now)
				}
			}
		})
	}
	wg.Wait()
	if d := th.Check("user1", "10.0.0.1", t0.Add(time.Hour)); d != 0 {
		t.Fatalf("wait %v an hour later", d)
	}
}

// TestThrottleReserveBeforeHashing: attempts are counted when admitted, so a
// burst of parallel attempts cannot pass the limits while their hashes run.
func TestThrottleReserveBeforeHashing(t *testing.T) {
	th := NewThrottle()
	admitted := 0
	for range 64 {
		if _, w := th.Reserve("owner", "10.0.0.1", t0); w == 0 {
			admitted++
		}
	}
	if admitted != FreeFailures+1 {
		t.Fatalf("%d of 64 simultaneous attempts admitted, want %d", admitted, FreeFailures+1)
	}
	// Distinct logins from one address: the address limit.
	th = NewThrottle()
	admitted = 0
	for i := range 64 {
		if _, w := th.Reserve(fmt.Sprintf("u%d", i), "10.0.0.2", t0); w == 0 {
			admitted++
		}
	}
	if admitted != FreeFailures*AddrFactor+1 {
		t.Fatalf("%d of 64 attempts from one address admitted, want %d", admitted, FreeFailures*AddrFactor+1)
	}
	// A cancelled reservation leaves nothing behind.
	th = NewThrottle()
	at, _ := th.Reserve("ivanov", "10.0.0.1", t0)
	th.Cancel("ivanov", "10.0.0.1", at)
	if len(th.logins.m)+len(th.addrs.m)+len(th.pairs.m) != 0 {
		t.Fatal("Cancel left entries")
	}
}

// TestThrottleLockPerPair: ten failures lock the login only from that address;
// Fail reports the lock once; the owner's Unlock lifts it.
func TestThrottleLockPerPair(t *testing.T) {
	th := NewThrottle()
	now := t0
	locks := 0
	for range LockFailures {
		at, w := th.Reserve("owner", "10.0.0.66", now)
		if w > 0 {
			now = now.Add(w)
			at, w = th.Reserve("owner", "10.0.0.66", now)
			if w > 0 {
				t.Fatalf("refused after waiting: %v", w)
			}
		}
		if th.Fail("owner", "10.0.0.66", at) {
			locks++
		}
	}
	if locks != 1 {
		t.Fatalf("Fail reported %d lock-outs, want 1", locks)
	}
	if d := th.Check("owner", "10.0.0.66", now); d != LockFor {
		t.Fatalf("attacker's address: wait %v, want %v", d, LockFor)
	}
	if d := th.Check("owner", "10.0.0.5", now.Add(MaxLoginDelay)); d != 0 {
		t.Fatalf("owner's own computer: wait %v, want 0", d)
	}
	ls := th.Locks("OWNER", now)
	if len(ls) != 1 || ls[0].Addr != "10.0.0.66" || ls[0].Login != "owner" {
		t.Fatalf("Locks = %+v", ls)
	}
	if len(th.Locks("admin", now)) != 0 {
		t.Fatal("another login listed as locked")
	}
	th.Unlock("Owner")
	if d := th.Check("owner", "10.0.0.66", now); d != 0 {
		t.Fatalf("after Unlock: wait %v, want 0", d)
	}
	if len(th.Locks("", now)) != 0 {
		t.Fatal("Locks after Unlock")
	}
}

func TestGate(t *testing.T) {
	if GateSlots(1) != 1 || GateSlots(2) != 1 || GateSlots(4) != 3 || GateSlots(64) != 4 {
		t.Fatal("GateSlots: one core left for pages, at most 4")
	}
	g := NewGate(2, 1, 50*time.Millisecond)
	ctx := t.Context()
	if !g.Enter(ctx) || !g.Enter(ctx) {
		t.Fatal("free slots refused")
	}
	done := make(chan bool)
	go func() { done <- g.Enter(ctx) }() // waits in line
	time.Sleep(10 * time.Millisecond)
	if g.Enter(ctx) {
		t.Fatal("entered past a full line")
	}
	g.Leave()
	if !<-done {
		t.Fatal("the waiting attempt did not get the freed slot")
	}
	if g.Enter(ctx) {
		t.Fatal("entered with no free slot after the wait")
	}
}
