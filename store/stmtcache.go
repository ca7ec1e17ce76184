package store

import (
	"context"
	"database/sql"
	"database/sql/driver"

	"modernc.org/sqlite"
)

// stmtCacheSize is how many prepared statements one reader connection keeps.
// database/sql prepares every query string anew on each call (~90 µs for a page's
// join in modernc.org/sqlite, a fifth of a card page's CPU); the reader pool runs
// a few dozen distinct strings over and over (the archive's and «Автозадачи»'s
// built queries are a few hundred combinations: the least recently used go).
const stmtCacheSize = 64

// openReaders is the reader pool with a prepared-statement cache per connection.
func openReaders(dsn string) (*sql.DB, error) {
	base, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(cachingConnector{base}), nil
}

type cachingConnector struct{ driver.Connector }

func (c cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &cachingConn{conn: conn, stmts: map[string]*cachedStmt{}}, nil
}

// full is the interface every modernc.org/sqlite connection implements; the
// wrapper forwards each of them (see sqlite.NewConnector).
type full interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachingConn is one reader connection keeping its prepared statements by query
// string. database/sql uses a connection from one goroutine at a time, so it needs
// no lock; a statement whose rows are still open (a second query on the same
// connection inside a transaction) is not shared: that query prepares its own.
type cachingConn struct {
	conn  driver.Conn
	stmts map[string]*cachedStmt
	tick  uint64
}

type cachedStmt struct {
	st   driver.Stmt
	used uint64
	busy bool // its rows are open
}

func (c *cachingConn) f() full { return c.conn.(full) }

// Unwrap is the modernc.org/sqlite connection (sqlite.Limit and the like look for it).
func (c *cachingConn) Unwrap() driver.Conn { return c.conn }

func (c *cachingConn) Prepare(q string) (driver.Stmt, error) { return c.conn.Prepare(q) }
func (c *cachingConn) Begin() (driver.Tx, error)             { return c.conn.Begin() }
func (c *cachingConn) BeginTx(ctx context.Context, o driver.TxOptions) (driver.Tx, error) {
	return c.f().BeginTx(ctx, o)
}
func (c *cachingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.f().PrepareContext(ctx, q)
}
func (c *cachingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.f().ExecContext(ctx, q, args)
}
func (c *cachingConn) Ping(ctx context.Context) error         { return c.f().Ping(ctx) }
func (c *cachingConn) ResetSession(ctx context.Context) error { return c.f().ResetSession(ctx) }
func (c *cachingConn) IsValid() bool                          { return c.f().IsValid() }
func (c *cachingConn) uncached(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.f().QueryContext(ctx, q, args)
}

// Close finalizes the kept statements, then closes the connection.
func (c *cachingConn) Close() error {
	for q, s := range c.stmts {
		s.st.Close()
		delete(c.stmts, q)
	}
	return c.conn.Close()
}

// QueryContext runs q on its kept statement, preparing and keeping it on first use.
func (c *cachingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	s := c.stmts[q]
	if s == nil {
		st, err := c.f().PrepareContext(ctx, q)
		if err != nil {
			return nil, err
		}
		c.evict()
		s = &cachedStmt{st: st}
		c.stmts[q] = s
	} else if s.busy {
		return c.uncached(ctx, q, args)
	}
	c.tick++
	s.used = c.tick
	rows, err := s.st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	s.busy = true
	return &cachedRows{Rows: rows, s: s}, nil
}

// evict makes room for one more statement: the least recently used idle one goes.
func (c *cachingConn) evict() {
	if len(c.stmts) < stmtCacheSize {
		return
	}
	var old string
	var oldest *cachedStmt
	for q, s := range c.stmts {
		if !s.busy && (oldest == nil || s.used < oldest.used) {
			old, oldest = q, s
		}
	}
	if oldest != nil {
		oldest.st.Close()
		delete(c.stmts, old)
	}
}

// cachedRows frees its statement for the next query when closed.
type cachedRows struct {
	driver.Rows
	s *cachedStmt
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.s.busy = false
	return err
}
