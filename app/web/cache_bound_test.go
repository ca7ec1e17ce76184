package web

import (
	"strconv"
	"testing"
	"time"

	"kartoteka/app/live"
	"kartoteka/store"
)

// TestCacheBounded: however many fragments are made, the kept bytes stay within
// fragCacheBytes, and what is used keeps its place while the rest makes room.
func TestCacheBounded(t *testing.T) {
	s := &Server{cfg: Config{Cache: true, Hub: live.NewHub()}, st: &store.Store{Now: time.Now}}
	page := make([]byte, 64<<10)
	made := 0
	mk := func() (any, time.Time, error) { made++; return page, time.Time{}, nil }
	for i := range 2000 { // 125 MB of pages
		s.cachedUntil("page:"+strconv.Itoa(i), mk)
		s.cachedUntil("page:hot", mk) // asked for all the time
		if s.frags.bytes > fragCacheBytes {
			t.Fatalf("after %d pages the cache holds %d bytes, more than %d", i+1, s.frags.bytes, fragCacheBytes)
		}
	}
	if made != 2001 {
		t.Errorf("%d makings, want 2001: the page asked for all the time was dropped", made)
	}
	total := 0
	for _, e := range s.frags.m {
		total += e.size
	}
	if total != s.frags.bytes {
		t.Errorf("the count says %d bytes, the entries hold %d", s.frags.bytes, total)
	}
}
