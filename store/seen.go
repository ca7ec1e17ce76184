package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"kartoteka/store/db"
)

// ErrStale refuses a change or a delete made from a page that showed a row which
// has changed or gone since (a click in an old tab): nothing is written.
var ErrStale = errors.New("the row changed since it was shown")

// seen is a short fingerprint of the values a page showed; a form sends it back
// and the store compares it with the row's values now. Rows without a version
// column are checked this way: no clock resolution or id reuse can fool it.
func seen(parts ...any) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%v\x1f", p)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// SeenUser is what an employee form showed (never the password hash).
func SeenUser(u db.User) string { return seen(u.ID, u.Login, u.Name, u.Role, u.Phone, u.Active) }

// SeenBank is what a bank form showed.
func SeenBank(b db.Bank) string { return seen(b.ID, b.Name, b.Notes, b.Active) }

// SeenContractor is what a supplier form showed.
func SeenContractor(c db.Contractor) string {
	rate := "-"
	if c.CommissionRate != nil {
		rate = fmt.Sprint(int64(*c.CommissionRate))
	}
	return seen(c.ID, c.Name, c.ContactName, c.Phone, rate, c.Notes, c.Active)
}

// SeenTx is what a transactions row showed.
func SeenTx(t db.Transaction) string {
	return seen(t.ID, t.CardID, t.OccurredOn, t.Amount, int64(t.CommissionRate), t.Comment)
}

// SeenSettings is what the office settings form showed.
func SeenSettings(st db.Setting) string {
	return seen(st.Timezone, st.WorkdayEndMin, st.BankRollMin, st.WarmingDays, st.WarmingEveryDays, st.BackupRetention,
		st.DeadlineDays1, st.DeadlineDays2, st.DeadlineDays4, st.DeadlineDays5, st.DeadlineDays6, st.DeadlineDays7,
		st.DeadlineDays9)
}

// checkSeen refuses when a form's fingerprint (if it sent one) no longer matches.
func checkSeen(sent, now string) error {
	if sent != "" && sent != now {
		return ErrStale
	}
	return nil
}
