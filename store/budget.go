package store

import (
	"database/sql/driver"
	"strings"

	"context"
	"errors"
	"modernc.org/sqlite"
	"time"
)

// ErrTooBroad is a list query that ran past its budget (QueryBudget): SQLite was
// interrupted and the reader is free again. The page asks for a narrower filter.
var ErrTooBroad = errors.New("Слишком широкий запрос, уточните фильтр")

// ErrShortText is a text filter under three characters: no index answers it, so it
// is refused rather than read from a million rows.
var ErrShortText = errors.New("Введите не меньше 3 символов")

// QueryBudget is how long one list page (archive, «Автозадачи») may read: past it,
// the context's deadline interrupts SQLite (modernc.org/sqlite calls
// sqlite3_interrupt when a statement's context is done), so one bad filter cannot
// hold a reader connection for seconds (SPEC section 10).
var QueryBudget = time.Second

// Budget is ctx bounded by QueryBudget.
func Budget(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, QueryBudget)
}

// tooBroad turns an error caused by the budget's deadline into ErrTooBroad.
func tooBroad(ctx context.Context, err error) error {
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return ErrTooBroad
	}
	return err
}

// kt_has(text, part) tells whether part occurs in text, case folded in any alphabet
// (as the trigram index folds it): the archive checks long typed text with it on
// the cards its rarest trigrams find (Store.textTerm), and a contact on the card a
// full number finds.
func init() {
	sqlite.MustRegisterFunction("kt_has", &sqlite.FunctionImpl{NArgs: 2, Deterministic: true, VolatileArgs: true,
		Scalar: func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			text, _ := args[0].(string)
			part, _ := args[1].(string)
			if containsFold(text, part) {
				return int64(1), nil
			}
			return int64(0), nil
		}})
}

// containsFold is strings.Contains after case folding, without allocating for
// ASCII text and only lowering the text when its bytes could hold a match.
func containsFold(text, part string) bool {
	if strings.Contains(text, part) {
		return true
	}
	return strings.Contains(strings.ToLower(text), strings.ToLower(part))
}
