package main

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"

	_ "modernc.org/sqlite"
)

// user is one login the sessions use, with the cards they may open.
type user struct {
	id          int64
	login, role string
	cards       []int64 // cards where responsible (non-privileged), a sample
}

// world is what the mix picks from: people, reference ids, card ids.
type world struct {
	users                  []user
	banks, suppliers       []int64
	warmers, managers, acc []int64
	maxCard                int64
	workCards              []int64 // in work, for owner card pages and fan-out
	bankWait               []int64 // in work at stage 8 (completed with "no answer" in fan-out)
}

func readWorld(path string) (*world, error) {
	v := url.Values{}
	v.Add("mode", "ro")
	v.Add("_pragma", "query_only(1)")
	v.Add("_pragma", "busy_timeout(10000)")
	d, err := sql.Open("sqlite", "file:"+path+"?"+v.Encode())
	if err != nil {
		return nil, err
	}
	defer d.Close()
	w := &world{}
	rows, err := d.Query(`SELECT id, login, role FROM users WHERE active = 1 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read users from %s: %w", path, err)
	}
	for rows.Next() {
		var u user
		if err := rows.Scan(&u.id, &u.login, &u.role); err != nil {
			rows.Close()
			return nil, err
		}
		w.users = append(w.users, u)
		switch u.role {
		case "warmer":
			w.warmers = append(w.warmers, u.id)
		case "manager":
			w.managers = append(w.managers, u.id)
		case "accountant":
			w.acc = append(w.acc, u.id)
		}
	}
	rows.Close()
	if len(w.users) == 0 {
		return nil, fmt.Errorf("%s has no active users", path)
	}
	ids := func(q string, args ...any) ([]int64, error) {
		rs, err := d.Query(q, args...)
		if err != nil {
			return nil, err
		}
		defer rs.Close()
		var out []int64
		for rs.Next() {
			var id int64
			if err := rs.Scan(&id); err != nil {
				return nil, err
			}
			out = append(out, id)
		}
		return out, rs.Err()
	}
	if w.banks, err = ids(`SELECT id FROM banks`); err != nil {
		return nil, err
	}
	if w.suppliers, err = ids(`SELECT id FROM contractors`); err != nil {
		return nil, err
	}
	if w.workCards, err = ids(`SELECT id FROM cards WHERE lifecycle = 'in_work' LIMIT 5000`); err != nil {
		return nil, err
	}
	if w.bankWait, err = ids(`SELECT id FROM cards WHERE lifecycle = 'in_work' AND stage = 8 LIMIT 200`); err != nil {
		return nil, err
	}
	if err := d.QueryRow(`SELECT COALESCE(MAX(id), 0) FROM cards`).Scan(&w.maxCard); err != nil {
		return nil, err
	}
	for i := range w.users {
		u := &w.users[i]
		if u.role == "owner" || u.role == "admin" {
			continue
		}
		if u.cards, err = ids(`SELECT id FROM cards WHERE warmer_id = ?1 UNION ALL SELECT id FROM cards WHERE manager_id = ?1
			UNION ALL SELECT id FROM cards WHERE accountant_id = ?1 LIMIT 300`, u.id); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// byRole lists the users of each role, so sessions can be spread over every role.
func (w *world) byRole() map[string][]user {
	m := map[string][]user{}
	for _, u := range w.users {
		m[u.role] = append(m[u.role], u)
	}
	return m
}

func pick[T any](r *rand.Rand, xs []T) T {
	var zero T
	if len(xs) == 0 {
		return zero
	}
	return xs[r.IntN(len(xs))]
}
