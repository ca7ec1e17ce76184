package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The load runs on both cores: one goroutine decides the rows (the office's
// story, the report's sums) and writes them as the text of multi-row INSERTs of
// genChunk rows, values in place; the caller's goroutine runs those statements,
// in transactions of about genBatchRows rows. Values in the text, not bound:
// the driver's binding (a conversion, a C string and a time format per value)
// was half the writing goroutine's CPU, SQLite's parsing of the same values
// costs less, and the text is made on the other core.

// genTable is a table the generator writes: its INSERT up to VALUES.
type genTable struct{ insert string }

var (
	genCardsTable = &genTable{`INSERT INTO cards (id, number, last4, bank_id, supplier_id, contact_name, contact_phone,
		warmer_id, manager_id, accountant_id, commission_rate, warming_days, warming_every_days, notes, lifecycle, stage,
		stage_entered_at, version, created_by, created_at, updated_at, archived_at) VALUES `}
	genTasksTable = &genTable{`INSERT INTO auto_tasks (id, card_id, stage, kind, assignee_id, status, deadline, rolls,
		fields, created_at, started_at, done_at, done_by) VALUES `}
	genMoneyTable = &genTable{`INSERT INTO transactions (id, card_id, occurred_on, amount, commission_rate, commission,
		net, comment, created_by, created_at) VALUES `}
	genStdTable = &genTable{`INSERT INTO tasks (id, title, title_lc, description, author_id, assignee_id, card_id,
		deadline, status, version, created_at, updated_at, done_at) VALUES `}
	genCommentTable = &genTable{`INSERT INTO task_comments (task_id, user_id, at, body) VALUES `}
)

// genChunk is the rows per INSERT statement.
const genChunk = 256

// genRows is one INSERT statement of up to genChunk rows.
type genRows struct {
	sql  string
	rows int
}

// genWriter collects one table's rows into statements and sends them to the writer.
type genWriter struct {
	table *genTable
	out   chan<- genRows
	ctx   context.Context
	buf   []byte
	rows  int
}

// add adds a row: int, int64, string, time.Time or nil values, in the table's column order.
func (w *genWriter) add(vals ...any) error {
	if w.rows == 0 {
		w.buf = append(w.buf[:0], w.table.insert...)
	} else {
		w.buf = append(w.buf, ',')
	}
	w.buf = append(w.buf, '(')
	for i, v := range vals {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		var err error
		if w.buf, err = appendSQLValue(w.buf, v); err != nil {
			return err
		}
	}
	w.buf = append(w.buf, ')')
	if w.rows++; w.rows < genChunk {
		return nil
	}
	return w.flush()
}

// flush sends the rows collected so far.
func (w *genWriter) flush() error {
	if w.rows == 0 {
		return nil
	}
	select {
	case w.out <- genRows{string(w.buf), w.rows}:
		w.rows = 0
		return nil
	case <-w.ctx.Done():
		return w.ctx.Err()
	}
}

// appendSQLValue appends v as an SQL literal, the value the driver would have
// bound: a time as the text the store's connections write (_time_format=sqlite,
// _timezone=UTC).
func appendSQLValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "NULL"...), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case string:
		b = append(b, '\'')
		for {
			i := strings.IndexByte(x, '\'')
			if i < 0 {
				break
			}
			b = append(append(b, x[:i+1]...), '\'')
			x = x[i+1:]
		}
		return append(append(b, x...), '\''), nil
	case time.Time:
		return append(appendSQLTime(append(b, '\''), x), '\''), nil
	}
	return b, fmt.Errorf("generate: no SQL literal for %T", v)
}

// sqlTimeLayout is the driver's time format (modernc.org/sqlite's _time_format=sqlite).
const sqlTimeLayout = "2006-01-02 15:04:05.999999999-07:00"

// appendSQLTime appends t in UTC as sqlTimeLayout; whole seconds (the
// generator's times) without time.Format, which cost as much as the insert.
func appendSQLTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	if t.Nanosecond() != 0 || y < 1000 || y > 9999 {
		return t.AppendFormat(b, sqlTimeLayout)
	}
	h, mi, s := t.Clock()
	two := func(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }
	b = two(two(b, y/100), y%100)
	b = two(append(b, '-'), int(mo))
	b = two(append(b, '-'), d)
	b = two(append(b, ' '), h)
	b = two(append(b, ':'), mi)
	b = two(append(b, ':'), s)
	return append(b, "+00:00"...)
}

// load runs produce on its own goroutine, with a writer per table (flushed when
// it returns), and writes what it sends.
func (g *gen) load(ctx context.Context, produce func(w map[*genTable]*genWriter) error, tables ...*genTable) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows := make(chan genRows, 64)
	made := make(chan error, 1)
	go func() {
		defer close(rows)
		w := map[*genTable]*genWriter{}
		for _, t := range tables {
			w[t] = &genWriter{table: t, out: rows, ctx: ctx}
		}
		err := produce(w)
		for _, t := range tables { // in the order given: a table's rows after those they refer to
			if err == nil {
				err = w[t].flush()
			}
		}
		made <- err
	}()
	if err := g.write(ctx, rows); err != nil {
		cancel()
		for range rows { // let the producer see the cancel and stop
		}
		return err
	}
	return <-made
}

// write runs the statements it receives until rows is closed.
func (g *gen) write(ctx context.Context, rows <-chan genRows) error {
	for done := false; !done; {
		err := g.s.InTx(ctx, func(tx *Tx) error {
			for n := 0; n < genBatchRows; {
				r, ok := <-rows
				if !ok {
					done = true
					return nil
				}
				if _, err := tx.Raw.ExecContext(ctx, r.sql); err != nil {
					return err
				}
				n += r.rows
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
