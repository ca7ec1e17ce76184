package store

import "context"

// names are the reference tables' names by id: a few hundred rows at most
// (SPEC section 10: 40 banks, 200 suppliers, 50 employees), read once so that
// a long export walks its own table without a join per row.
type names struct {
	banks, suppliers, users map[int64]string
}

func (s *Store) names(ctx context.Context) (names, error) {
	n := names{banks: map[int64]string{}, suppliers: map[int64]string{}, users: map[int64]string{}}
	banks, err := s.Q.BankList(ctx)
	if err != nil {
		return n, err
	}
	for _, b := range banks {
		n.banks[b.ID] = b.Name
	}
	sup, err := s.Q.ContractorList(ctx)
	if err != nil {
		return n, err
	}
	for _, x := range sup {
		n.suppliers[x.ID] = x.Name
	}
	users, err := s.Q.UserList(ctx)
	if err != nil {
		return n, err
	}
	for _, u := range users {
		n.users[u.ID] = u.Name
	}
	return n, nil
}
