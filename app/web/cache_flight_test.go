package web

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kartoteka/app/live"
	"kartoteka/store"
)

// TestCacheSingleFlight: the browsers that refetch one fragment at once after a
// notice get one rendering between them; a notice during it makes the next asker
// render again.
func TestCacheSingleFlight(t *testing.T) {
	hub := live.NewHub()
	s := &Server{cfg: Config{Cache: true, Hub: hub}, st: &store.Store{Now: time.Now}}
	var made atomic.Int32
	release := make(chan struct{})
	mk := func() (any, error) {
		made.Add(1)
		<-release
		return []byte("table"), nil
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, etag, err := s.cached("tracker:1", mk)
			if err != nil || string(v.([]byte)) != "table" || etag == "" {
				t.Errorf("got %v %q %v", v, etag, err)
			}
		}()
	}
	time.Sleep(50 * time.Millisecond) // let them all ask
	close(release)
	wg.Wait()
	if n := made.Load(); n != 1 {
		t.Errorf("50 parallel askers rendered %d times, want 1", n)
	}
	hub.Publish("tracker")
	s.cached("tracker:1", mk)
	if n := made.Load(); n != 2 {
		t.Errorf("after a notice: %d renderings, want 2", n)
	}
}
