package store

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// checkWarmingRule checks every completed stage 3 of every card in s against the
// rule the product enforces: not before the warming period ended (WarmingEnds of
// the stage's entry and the card's period), unless done by the owner or an admin
// who recorded a reason (the form's comment). It returns how many it checked.
func checkWarmingRule(t *testing.T, s *Store) int {
	t.Helper()
	ctx := context.Background()
	set, err := s.Q.SettingsGet(ctx)
	if err != nil {
		t.Fatal(err)
	}
	office := OfficeOf(set)
	rows, err := s.reader.QueryContext(ctx, `SELECT a.card_id, a.created_at, a.deadline, a.done_at, a.fields, c.warming_days, u.role, u.name
		FROM auto_tasks a JOIN cards c ON c.id = a.card_id JOIN users u ON u.id = a.done_by
		WHERE a.kind = 'stage' AND a.stage = 3 AND a.status = 'done'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var card, days int64
		var entered, deadline, done time.Time
		var fields, role, who string
		if err := rows.Scan(&card, &entered, &deadline, &done, &fields, &days, &role, &who); err != nil {
			t.Fatal(err)
		}
		n++
		ends := office.WarmingEnds(entered, int(days))
		if !ends.Equal(office.WarmingOpensAt(deadline)) {
			t.Errorf("card %d: stage 3 entered %s with %d days has deadline %s, not the rule's", card, entered, days, deadline)
		}
		if !done.Before(ends) {
			continue
		}
		var v map[string]string
		_ = json.Unmarshal([]byte(fields), &v)
		if (role != "owner" && role != "admin") || strings.TrimSpace(v["comment"]) == "" {
			t.Errorf("card %d: stage 3 done %s by %s (%s, reason %q), before the warming period ended %s",
				card, done.In(office.Loc).Format("02.01.2006 15:04"), who, role, v["comment"], ends.In(office.Loc).Format("02.01.2006"))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDemoObeysWarmingRule: the demo office completes no warming period early,
// except the way the product allows (owner/admin, with a reason).
func TestDemoObeysWarmingRule(t *testing.T) {
	s := openTest(t)
	if _, err := s.Demo(t.Context(), func(p string) (string, error) { return "hash", nil }); err != nil {
		t.Fatalf("Demo: %v", err)
	}
	if n := checkWarmingRule(t, s); n < 20 {
		t.Errorf("only %d completed warming periods in the demo", n)
	}
	if n := count(t, s, "cards WHERE stage = 3 AND lifecycle = 'in_work'"); n == 0 {
		t.Error("no demo card is warming now")
	}
}

// TestGenerateObeysWarmingRule: so does the generated data set, for archived
// cards and for cards in work (whose history is shifted to end near now).
func TestGenerateObeysWarmingRule(t *testing.T) {
	for _, tz := range []string{"Europe/Moscow", "Europe/Berlin"} {
		t.Run(tz, func(t *testing.T) {
			s := openTest(t)
			if _, err := s.writer.Exec(`UPDATE settings SET timezone = ?`, tz); err != nil {
				t.Fatal(err)
			}
			if err := s.Generate(t.Context(), GenerateOptions{Archived: 200, InWork: 400, Transactions: 500, AutoTasks: 6000,
				StdTasks: 10, PasswordHash: "x", Seed: 3}, nil); err != nil {
				t.Fatalf("Generate: %v", err)
			}
			if n := checkWarmingRule(t, s); n < 300 {
				t.Errorf("only %d completed warming periods checked", n)
			}
		})
	}
}
