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
		if s.frags.bytes[roomRepeated] > roomBytes[roomRepeated] {
			t.Fatalf("after %d pages the cache holds %d bytes, more than %d", i+1, s.frags.bytes[roomRepeated], roomBytes[roomRepeated])
		}
	}
	if made != 2001 {
		t.Errorf("%d makings, want 2001: the page asked for all the time was dropped", made)
	}
	total := 0
	for _, e := range s.frags.m {
		total += e.size
	}
	if total != s.frags.bytes[roomRepeated] {
		t.Errorf("the count says %d bytes, the entries hold %d", s.frags.bytes[roomRepeated], total)
	}
}

// TestCacheOnceRoom: a stream of answers asked for once (random cards' pages)
// makes room among themselves only: the pages people repeat stay kept, and the
// last of the stream is still there for a refetch.
func TestCacheOnceRoom(t *testing.T) {
	s := &Server{cfg: Config{Cache: true, Hub: live.NewHub()}, st: &store.Store{Now: time.Now}}
	page := make([]byte, 32<<10)
	made := map[string]int{}
	mk := func(key string) func() (any, time.Time, error) {
		return func() (any, time.Time, error) { made[key]++; return page, time.Time{}, nil }
	}
	var tabs []string
	for i := range roomBytes[roomRepeated] / 2 / len(page) { // half the room: nothing of it need go
		k := "tab:" + strconv.Itoa(i)
		tabs = append(tabs, k)
		s.cachedUntil(k, mk(k))
	}
	for i := range 2000 { // 64 MB of random cards' pages, 32 times their room
		k := "card:" + strconv.Itoa(i)
		s.cachedOnce(k, mk(k))
		if s.frags.bytes[roomOnce] > roomBytes[roomOnce] {
			t.Fatalf("after %d cards their room holds %d bytes, more than %d", i+1, s.frags.bytes[roomOnce], roomBytes[roomOnce])
		}
	}
	for _, k := range tabs {
		s.cachedUntil(k, mk(k))
		if made[k] != 1 {
			t.Fatalf("%s made %d times: the cards' pages pushed it out", k, made[k])
		}
	}
	s.cachedOnce("card:1999", mk("card:1999"))
	if made["card:1999"] != 1 {
		t.Error("the last card's page was not kept for a refetch")
	}
	s.cachedOnce("card:0", mk("card:0"))
	if made["card:0"] != 2 {
		t.Error("the first card's page is still kept: its room is not bounded")
	}
}
