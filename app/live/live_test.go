package live

import "testing"

func TestPublishReachesEverySubscriber(t *testing.T) {
	h := NewHub()
	a, closeA := h.Subscribe()
	b, closeB := h.Subscribe()
	defer closeB()
	h.Publish("tracker", "card:1")
	for _, ch := range []<-chan Notice{a, b} {
		n := <-ch
		if n.ID != 1 || n.Data() != "tracker card:1" {
			t.Fatalf("got %+v", n)
		}
	}
	closeA()
	if h.Subscribers() != 1 {
		t.Fatalf("subscribers = %d", h.Subscribers())
	}
}

func TestSlowSubscriberGetsFullRefresh(t *testing.T) {
	h := NewHub()
	ch, stop := h.Subscribe()
	defer stop()
	for i := 0; i < 40; i++ {
		h.Publish("cards")
	}
	var last Notice
	for len(ch) > 0 {
		last = <-ch
	}
	if last.Data() != "all" || last.ID != 40 {
		t.Fatalf("last = %+v, want an 'all' notice with the newest id", last)
	}
}
