package web

import (
	"bufio"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
)

// heartbeat keeps proxies from closing an idle stream and finds gone browsers.
const heartbeat = 15 * time.Second

// events is the live stream: each notice names the topics that changed; the page
// refetches the parts that show them. A browser that reconnects having missed
// notices (Last-Event-ID behind) is told to refresh everything.
func (s *Server) events(c *fiber.Ctx) error {
	c.Set("Content-Type", "text/event-stream")
	c.Set("Cache-Control", "no-cache")
	c.Set("X-Accel-Buffering", "no")
	if c.Method() == fiber.MethodHead { // a probe: the headers say it is a stream
		return nil
	}
	last, _ := strconv.ParseUint(c.Get("Last-Event-ID"), 10, 64)
	hub, done := s.cfg.Hub, s.cfg.Done
	reqDone := c.Context().Done()
	ch, stop := hub.Subscribe()
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer stop()
		seq := hub.Seq()
		fmt.Fprintf(w, "retry: 2000\nid: %d\nevent: hello\ndata: %d\n\n", seq, seq)
		if last > 0 && last != seq { // missed notices, or the server restarted
			fmt.Fprintf(w, "id: %d\ndata: all\n\n", seq)
		}
		if w.Flush() != nil {
			return
		}
		tick := time.NewTicker(heartbeat)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-reqDone:
				return
			case n := <-ch:
				fmt.Fprintf(w, "id: %d\ndata: %s\n\n", n.ID, n.Data())
			case <-tick.C:
				fmt.Fprint(w, ": ping\n\n")
			}
			if w.Flush() != nil {
				return
			}
		}
	})
	return nil
}
