package store

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/golang-migrate/migrate/v4"

	"kartoteka/app/money"
	"kartoteka/app/pipeline"
)

// rollupDump is every rollup row, in key order.
func (f *fixture) rollupDump() string {
	f.t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT dim, period, key, tx_n, amount, commission, net, confirmed_n, confirmed FROM rollup_money ORDER BY 1, 2, 3",
		"SELECT period, stage, user_id, entered, left_n, done_n, overdue, secs FROM rollup_stage ORDER BY 1, 2, 3",
		"SELECT period, stage, bucket, n FROM rollup_stage_time ORDER BY 1, 2, 3",
	} {
		rows, err := f.st.Reader().Query(q)
		if err != nil {
			f.t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				f.t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
		b.WriteString("--\n")
	}
	return b.String()
}

// rawMoney sums the transactions and confirmations straight from their rows, per
// breakdown and period, the way the rollups should hold them.
func (f *fixture) rawMoney() map[moneyKey][2]int64 {
	f.t.Helper()
	out := map[moneyKey][2]int64{}
	for i, q := range []string{
		"SELECT t.occurred_on, c.bank_id, c.supplier_id, c.manager_id, t.amount FROM transactions t JOIN cards c ON c.id = t.card_id",
		"SELECT f.answered_on, c.bank_id, c.supplier_id, c.manager_id, f.amount FROM card_confirmations f JOIN cards c ON c.id = f.card_id",
	} {
		rows, err := f.st.Reader().Query(q)
		if err != nil {
			f.t.Fatal(err)
		}
		for rows.Next() {
			var day string
			var bank, sup, man, amount int64
			if err := rows.Scan(&day, &bank, &sup, &man, &amount); err != nil {
				f.t.Fatal(err)
			}
			for _, p := range append([]string{day[:4], day[:7], day}, runningKeys(day)...) {
				for dim, key := range []int64{0, bank, sup, man} {
					v := out[moneyKey{dim, p, key}]
					v[i] += amount
					out[moneyKey{dim, p, key}] = v
				}
			}
		}
		rows.Close()
	}
	return out
}

func (f *fixture) rolledMoney() map[moneyKey][2]int64 {
	f.t.Helper()
	out := map[moneyKey][2]int64{}
	rows, err := f.st.Reader().Query("SELECT dim, period, key, amount, confirmed FROM rollup_money")
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k moneyKey
		var v [2]int64
		if err := rows.Scan(&k.dim, &k.period, &k.key, &v[0], &v[1]); err != nil {
			f.t.Fatal(err)
		}
		out[k] = v
	}
	return out
}

// checkConfirmations: every confirmation is the latest stage-8 answer of a card past stage 8.
func (f *fixture) checkConfirmations() {
	f.t.Helper()
	rows, err := f.st.Reader().Query(`SELECT f.card_id, f.task_id, f.answered_on, f.amount, t.fields, c.lifecycle, COALESCE(c.stage, 0),
  (SELECT MAX(id) FROM auto_tasks m WHERE m.card_id = f.card_id AND m.kind = 'stage' AND m.stage = 8 AND m.status = 'done')
FROM card_confirmations f JOIN cards c ON c.id = f.card_id JOIN auto_tasks t ON t.id = f.task_id`)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var card, task, amount, stage, latest int64
		var day, fields, life string
		if err := rows.Scan(&card, &task, &day, &amount, &fields, &life, &stage, &latest); err != nil {
			f.t.Fatal(err)
		}
		var v map[string]string
		_ = json.Unmarshal([]byte(fields), &v)
		if task != latest || v["answered_on"] != day || v["confirmed_amount"] != fmt.Sprint(amount) || (life == "in_work" && stage != 9) {
			f.t.Errorf("confirmation of card %d: task %d (latest %d) %s %d, fields %v, card %s/%d", card, task, latest, day, amount, v, life, stage)
		}
	}
}

// TestRollupsProperty runs random sequences of every write that changes the report
// (transactions added and removed, bank answers, corrections across stages 6 and 8,
// bank/supplier/manager edits, stage completions) and checks after each step that
// the rollups equal the sums of the rows to the kopeck, and at the end that a
// rebuild gives exactly the same rows.
func TestRollupsProperty(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			f := newFixture(t)
			r := rand.New(rand.NewPCG(seed, 99))
			adm := f.privileged()
			var cards []int64
			pick := func() (int64, bool) {
				if len(cards) == 0 {
					return 0, false
				}
				return cards[r.IntN(len(cards))], true
			}
			ops := map[string]int{}
			for step := 0; step < 300; step++ {
				op := r.IntN(10)
				id, ok := pick()
				if r.IntN(3) == 0 { // often a card in stage 6, where transactions change
					var six []int64
					for _, c := range cards {
						if stageOf(f.card(c)) == pipeline.Processing {
							six = append(six, c)
						}
					}
					if len(six) > 0 {
						id, op = six[r.IntN(len(six))], []int{3, 4, 4, 4, 4, 5, 5, 6}[r.IntN(8)]
					}
				}
				if op == 0 || !ok {
					cards = append(cards, f.startedCard())
					ops["start"]++
					continue
				}
				c := f.card(id)
				st := stageOf(c)
				switch {
				case op <= 3 && c.Lifecycle == "in_work":
					if st == pipeline.BankWait && r.IntN(3) == 0 { // «Нет»: only the deadline moves
						if _, err := f.st.CompleteStage(f.ctx, StageInput{CardID: id, Version: c.Version, Actor: adm,
							Values: map[string]string{"answered": "no"}}); err != nil {
							t.Fatal(err)
						}
						ops["bank no"]++
						break
					}
					f.complete(id)
					ops[fmt.Sprint("complete ", st)]++
				case op == 4 && st == pipeline.Processing:
					day := f.office.Day(f.clock()).AddDate(0, 0, -r.IntN(45)).Format(pipeline.DateLayout)
					in := pipeline.TxInput{OccurredOn: day, Amount: money.Kopecks(1 + r.Int64N(5_000_000)), Rate: money.Rate(r.IntN(3001))}
					if _, err := f.st.AddTransaction(f.ctx, adm, id, in); err != nil {
						t.Fatal(err)
					}
					ops["add tx"]++
				case op == 5 && st == pipeline.Processing:
					rows, _ := f.st.Q.TransactionList(f.ctx, id)
					if len(rows) == 0 {
						break
					}
					if err := f.st.DeleteTransaction(f.ctx, adm, id, rows[r.IntN(len(rows))].ID, ""); err != nil {
						t.Fatal(err)
					}
					ops["delete tx"]++
				case op == 6 && c.Lifecycle == "in_work":
					target := pipeline.Stage(1 + r.IntN(9))
					kind := CorrectJump
					if target == st {
						kind, target = CorrectBack, 0
						if st == pipeline.First {
							break
						}
					}
					if r.IntN(4) == 0 && st < pipeline.BankApplication {
						kind, target = CorrectClose, pipeline.ReturnToSupplier
					}
					if err := f.st.CorrectStage(f.ctx, adm, id, c.Version, kind, target, "проверка"); err != nil {
						t.Fatalf("%s %d→%d: %v", kind, st, target, err)
					}
					ops["correct"]++
				case op == 7 && c.Lifecycle != "archived":
					in := f.inputOf(c)
					switch r.IntN(3) {
					case 0:
						in.BankID = []int64{f.bank, f.bank2}[r.IntN(2)]
					case 1:
						in.SupplierID = []int64{f.supplier, f.supplier2}[r.IntN(2)]
					default:
						in.ManagerID = []int64{f.manager.ID, f.manager2.ID}[r.IntN(2)]
					}
					if err := f.st.UpdateCard(f.ctx, adm, id, c.Version, in); err != nil {
						t.Fatal(err)
					}
					ops["edit"]++
				case op == 8 && c.Lifecycle == "worked_out":
					if _, err := f.st.ArchiveCards(f.ctx, adm, []int64{id}); err != nil {
						t.Fatal(err)
					}
					ops["archive"]++
				default:
					f.advance(time.Duration(r.IntN(72)) * time.Hour)
					ops["clock"]++
				}
				raw, rolled := f.rawMoney(), f.rolledMoney()
				if len(raw) != len(rolled) {
					t.Fatalf("step %d: %d rollup rows, %d from the rows", step, len(rolled), len(raw))
				}
				for k, v := range raw {
					if rolled[k] != v {
						t.Fatalf("step %d: %+v rolled %v, rows %v", step, k, rolled[k], v)
					}
				}
			}
			f.checkConfirmations()
			before := f.rollupDump()
			if err := f.st.RebuildRollups(f.ctx); err != nil {
				t.Fatal(err)
			}
			if after := f.rollupDump(); after != before {
				t.Errorf("rebuild differs:\n--- kept\n%s--- rebuilt\n%s", before, after)
			}
			// Migration 000014 fills the running sums from the day and month rows
			// the same as the writes keep them.
			migrateSteps(t, f.st.Path(), func(m *migrate.Migrate) error {
				if err := m.Migrate(13); err != nil {
					return err
				}
				if n := strings.Count(f.rollupDump(), "+ "); n != 0 {
					t.Errorf("000014 down left %d running sums", n)
				}
				return m.Migrate(14)
			})
			if after := f.rollupDump(); after != before {
				t.Errorf("000014 differs:\n--- kept\n%s--- migrated\n%s", before, after)
			}
			if ops["complete 8"] == 0 || ops["add tx"] == 0 || ops["delete tx"] == 0 || ops["correct"] == 0 {
				t.Errorf("the sequence never confirmed or never added: %v", ops)
			}
			t.Logf("ops: %v", ops)
		})
	}
}

func TestTimeBucket(t *testing.T) {
	for _, d := range []time.Duration{0, 59 * time.Second, time.Minute, 90 * time.Minute, 26 * time.Hour, 40 * 24 * time.Hour} {
		b := TimeBucket(d)
		lo, hi := BucketBounds(b)
		if d < lo || d >= hi {
			t.Errorf("%v in bucket %d [%v, %v)", d, b, lo, hi)
		}
	}
}

// TestRollupsRebuiltOnOpen: a database whose rollups are missing (one from before
// them, or after a bulk load) gets them back when it is opened.
func TestRollupsRebuiltOnOpen(t *testing.T) {
	f := newFixture(t)
	id := f.startedCard()
	f.walkTo(id, 10)
	want := f.rollupDump()
	if !strings.HasPrefix(want, "0 2025 0 1 1000000 125000 875000 1 875000\n") {
		t.Fatalf("no money rolled up:\n%s", want)
	}
	if _, err := f.st.writer.Exec("DELETE FROM rollup_money; DELETE FROM rollup_stage; DELETE FROM rollup_stage_time"); err != nil {
		t.Fatal(err)
	}
	path := f.st.Path()
	f.st.Close()
	s, err := Open(f.ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f.st = s
	if got := f.rollupDump(); got != want {
		t.Errorf("after reopening:\n%s\nwant\n%s", got, want)
	}
}
