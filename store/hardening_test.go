package store

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/database/sqlite"
	"github.com/golang-migrate/migrate/v4/source/iofs"

	"kartoteka/app/money"
	"kartoteka/app/pipeline"
)

// A deleted transaction's id is never given to a new row (issue 8 item 2):
// a ✕ held in an old tab must not hit a newer row.
func TestTransactionIDsNeverReused(t *testing.T) {
	f := newFixture(t)
	id := f.startedCard()
	f.walkTo(id, pipeline.Processing)
	mgr := Actor{ID: f.manager.ID}
	x := f.addTx(id, mgr, "100", "1")
	if err := f.st.DeleteTransaction(f.ctx, mgr, id, x, ""); err != nil {
		t.Fatal(err)
	}
	y := f.addTx(id, mgr, "200", "1")
	if y == x {
		t.Fatalf("the new row got the deleted row's id %d", x)
	}
	for _, idx := range []string{"transactions_card", "transactions_occurred"} {
		var n int
		f.st.reader.QueryRow("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ? AND tbl_name = 'transactions'", idx).Scan(&n)
		if n != 1 {
			t.Errorf("index %s missing after the rebuild", idx)
		}
	}
}

// Migration 000002 keeps every transaction row as it was, and the next id
// continues after the highest one.
func TestMigration2CopiesTransactions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	h, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	src, _ := iofs.New(migrationsFS, "migrations")
	drv, err := sqlite.WithInstance(h, &sqlite.Config{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := migrate.NewWithInstance("iofs", src, "sqlite", drv)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Migrate(1); err != nil {
		t.Fatal(err)
	}
	h2, _ := sql.Open("sqlite", dsn(path, false))
	for _, q := range []string{
		`INSERT INTO users (id, login, name, role, password_hash, created_at, updated_at) VALUES (1, 'o', 'O', 'owner', 'h', '2025-01-01 00:00:00', '2025-01-01 00:00:00')`,
		`INSERT INTO banks (id, name, created_at, updated_at) VALUES (1, 'Б', '2025-01-01 00:00:00', '2025-01-01 00:00:00')`,
		`INSERT INTO contractors (id, name, created_at, updated_at) VALUES (1, 'П', '2025-01-01 00:00:00', '2025-01-01 00:00:00')`,
		`INSERT INTO cards (id, number, last4, bank_id, supplier_id, warmer_id, manager_id, accountant_id, warming_days, warming_every_days, created_at, updated_at)
		 VALUES (1, '4111', '4111', 1, 1, 1, 1, 1, 14, 1, '2025-01-01 00:00:00', '2025-01-01 00:00:00')`,
		`INSERT INTO transactions (id, card_id, occurred_on, amount, commission_rate, commission, net, comment, created_by, created_at)
		 VALUES (3, 1, '2025-01-02', 1000, 100, 10, 990, 'a', 1, '2025-01-02 00:00:00'), (7, 1, '2025-01-03', 2000, 0, 0, 2000, 'b', NULL, '2025-01-03 00:00:00')`,
	} {
		if _, err := h2.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	dump := func() string {
		rows, err := h2.Query(`SELECT id, card_id, occurred_on, amount, commission_rate, commission, net, comment, IFNULL(created_by, 0), created_at FROM transactions ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var v [10]any
			p := make([]any, 10)
			for i := range v {
				p[i] = &v[i]
			}
			rows.Scan(p...)
			fmt.Fprintln(&b, v[:]...)
		}
		return b.String()
	}
	before := dump()
	h2.Close()
	m.Close()
	if err := Migrate(path); err != nil {
		t.Fatal(err)
	}
	h2, _ = sql.Open("sqlite", dsn(path, false))
	defer h2.Close()
	if after := dump(); after != before {
		t.Fatalf("rows changed by the migration:\n%s\nwant\n%s", after, before)
	}
	if _, err := h2.Exec(`DELETE FROM transactions WHERE id = 7`); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := h2.QueryRow(`INSERT INTO transactions (card_id, occurred_on, amount, commission_rate, commission, net, created_at)
		VALUES (1, '2025-01-04', 1, 0, 0, 1, '2025-01-04 00:00:00') RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if id != 8 {
		t.Fatalf("new id %d after deleting 7, want 8", id)
	}
}

// A row that would take a card's total past money.MaxKopecks is refused (issue 8
// item 7: sums wrapped to negative totals); a row over money.MaxRowKopecks never
// passes validation; the stage-8 profit of the largest total stays a valid amount.
func TestCardTotalCannotOverflow(t *testing.T) {
	f := newFixture(t)
	id := f.startedCard()
	f.walkTo(id, pipeline.Processing)
	mgr := Actor{ID: f.manager.ID}
	if _, errs := pipeline.ValidateTransaction(map[string]string{"occurred_on": f.today(), "amount": "1 000 000 000,01",
		"commission_rate": "0"}, f.today()); errs["amount"] == "" {
		t.Fatal("a row over 10^9 ₽ passes validation")
	}
	// Rows already summing to the cap less 1 ₽ (written directly: 10,000 rows through the form would be slow).
	if err := f.st.InTx(f.ctx, func(tx *Tx) error {
		_, err := tx.Raw.Exec(`INSERT INTO transactions (card_id, occurred_on, amount, commission_rate, commission, net, created_at)
			VALUES (?, ?, ?, 0, 0, ?, ?)`, id, f.today(), int64(money.MaxKopecks)-100, int64(money.MaxKopecks)-100, tx.Now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.addTx(id, mgr, "1", "0") // exactly at the cap
	in, _ := pipeline.ValidateTransaction(map[string]string{"occurred_on": f.today(), "amount": "0,01", "commission_rate": "0"}, f.today())
	before := f.txCount(id)
	var fe *FieldError
	if _, err := f.st.AddTransaction(f.ctx, mgr, id, in); !errors.As(err, &fe) || fe.Field != "amount" {
		t.Fatalf("a row past the card's cap: %v, want a FieldError on amount", err)
	}
	if f.txCount(id) != before {
		t.Fatal("the refused row was written")
	}
	rows, _ := f.st.Q.TransactionList(f.ctx, id)
	tot := Totals(rows)
	if tot.Amount != money.MaxKopecks || tot.Net < 0 {
		t.Fatalf("totals %+v", tot)
	}
	if k, err := money.ParseKopecks(tot.Net.Input()); err != nil || k != tot.Net {
		t.Fatalf("the stage-8 prefill %q does not parse back: %v", tot.Net.Input(), err)
	}
}
