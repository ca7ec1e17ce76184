package web

// PagesDrawn tells the tests how many pages were drawn whole (renderBytes).
func (s *Server) PagesDrawn() int64 { return s.drawn.Load() }
