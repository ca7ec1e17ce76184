package store

import (
	"context"
	"database/sql"
	"strings"
)

// The load runs on both cores: one goroutine decides the rows (the office's
// story, the report's sums) and hands them over in chunks of genChunk rows; the
// caller's goroutine writes them with prepared multi-row INSERTs, in transactions
// of about genBatchRows rows.

// genTable is a table the generator writes: its INSERT up to VALUES and its columns.
type genTable struct {
	insert string
	cols   int
}

var (
	genCardsTable = &genTable{`INSERT INTO cards (id, number, last4, bank_id, supplier_id, contact_name, contact_phone,
		warmer_id, manager_id, accountant_id, commission_rate, warming_days, warming_every_days, notes, lifecycle, stage,
		stage_entered_at, version, created_by, created_at, updated_at, archived_at) VALUES `, 22}
	genTasksTable = &genTable{`INSERT INTO auto_tasks (id, card_id, stage, kind, assignee_id, status, deadline, rolls,
		fields, created_at, started_at, done_at, done_by) VALUES `, 13}
	genMoneyTable = &genTable{`INSERT INTO transactions (id, card_id, occurred_on, amount, commission_rate, commission,
		net, comment, created_by, created_at) VALUES `, 10}
	genStdTable = &genTable{`INSERT INTO tasks (id, title, title_lc, description, author_id, assignee_id, card_id,
		deadline, status, version, created_at, updated_at, done_at) VALUES `, 13}
	genCommentTable = &genTable{`INSERT INTO task_comments (task_id, user_id, at, body) VALUES `, 4}
)

// genRows is up to genChunk rows of one table.
type genRows struct {
	table *genTable
	args  []any
}

// genWriter collects one table's rows into chunks and sends them to the writer.
type genWriter struct {
	table *genTable
	out   chan<- genRows
	ctx   context.Context
	args  []any
}

func (w *genWriter) add(vals ...any) error {
	if w.args == nil {
		w.args = make([]any, 0, genChunk*w.table.cols)
	}
	w.args = append(w.args, vals...)
	if len(w.args) < genChunk*w.table.cols {
		return nil
	}
	return w.flush()
}

// flush sends the rows collected so far.
func (w *genWriter) flush() error {
	if len(w.args) == 0 {
		return nil
	}
	select {
	case w.out <- genRows{w.table, w.args}:
		w.args = nil
		return nil
	case <-w.ctx.Done():
		return w.ctx.Err()
	}
}

// load runs produce on its own goroutine, with a writer per table (flushed when
// it returns), and writes what it sends.
func (g *gen) load(ctx context.Context, produce func(w map[*genTable]*genWriter) error, tables ...*genTable) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows := make(chan genRows, 256)
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

// write writes the chunks it receives until rows is closed.
func (g *gen) write(ctx context.Context, rows <-chan genRows) error {
	for done := false; !done; {
		err := g.s.InTx(ctx, func(tx *Tx) error {
			type stmts struct{ one, many *sql.Stmt }
			prepared := map[*genTable]stmts{}
			defer func() {
				for _, s := range prepared {
					s.one.Close()
					s.many.Close()
				}
			}()
			for n := 0; n < genBatchRows; {
				r, ok := <-rows
				if !ok {
					done = true
					return nil
				}
				t := r.table
				s, ok := prepared[t]
				if !ok {
					row := "(?" + strings.Repeat(", ?", t.cols-1) + ")"
					var err error
					if s.one, err = tx.Raw.PrepareContext(ctx, t.insert+row); err != nil {
						return err
					}
					if s.many, err = tx.Raw.PrepareContext(ctx, t.insert+row+strings.Repeat(", "+row, genChunk-1)); err != nil {
						s.one.Close()
						return err
					}
					prepared[t] = s
				}
				if len(r.args) == genChunk*t.cols {
					if _, err := s.many.ExecContext(ctx, r.args...); err != nil {
						return err
					}
				} else {
					for i := 0; i < len(r.args); i += t.cols {
						if _, err := s.one.ExecContext(ctx, r.args[i:i+t.cols]...); err != nil {
							return err
						}
					}
				}
				n += len(r.args) / t.cols
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
