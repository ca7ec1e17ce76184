package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"

	"kartoteka/app/money"
	"kartoteka/store/db"
)

// DemoAccount is a demo user with the password to print.
type DemoAccount struct {
	Role, Login, Password, Name string
}

// Demo fills an empty database with a small office: one employee of each role,
// banks and suppliers (and, through DemoCards, cards in every stage).
// It does nothing (and returns no accounts) when the database already has users.
func (s *Store) Demo(ctx context.Context, hash func(string) (string, error)) ([]DemoAccount, error) {
	n, err := s.Q.UserCount(ctx)
	if err != nil || n > 0 {
		return nil, err
	}
	people := []DemoAccount{
		{Role: "owner", Login: "owner", Name: "Соколов Андрей Викторович"},
		{Role: "admin", Login: "admin", Name: "Кузнецова Марина Олеговна"},
		{Role: "accountant", Login: "buh", Name: "Петрова Елена Сергеевна"},
		{Role: "warmer", Login: "warmer", Name: "Васильев Дмитрий Игоревич"},
		{Role: "manager", Login: "manager", Name: "Орлов Максим Павлович"},
		{Role: "manager", Login: "manager2", Name: "Никитина Ольга Андреевна"},
	}
	for i := range people {
		b := make([]byte, 5)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		people[i].Password = "demo-" + hex.EncodeToString(b)
	}
	hashes := make([]string, len(people))
	for i, p := range people {
		if hashes[i], err = hash(p.Password); err != nil {
			return nil, err
		}
	}
	err = s.InTx(ctx, func(tx *Tx) error {
		var owner int64
		for i, p := range people {
			u, err := tx.createUser(owner, UserInput{Login: p.Login, Name: p.Name, Role: p.Role, Phone: "+7916555010" + string(rune('0'+i))}, hashes[i])
			if err != nil {
				return err
			}
			if owner == 0 {
				owner = u.ID
			}
		}
		for _, b := range []string{"Тинькофф", "Сбербанк", "Альфа-Банк", "ВТБ", "Райффайзенбанк"} {
			if _, err := tx.BankCreate(ctx, db.BankCreateParams{Name: b, Now: tx.Now}); err != nil {
				return err
			}
		}
		for _, c := range []struct {
			name, contact, phone string
			rate                 money.Rate
		}{
			{"ООО «Карт-Сервис»", "Игорь", "+79035550101", 1500},
			{"ИП Белов", "Сергей Белов", "+79265550202", 1250},
			{"Северный поток", "Анна", "+79995550303", 2000},
		} {
			r := c.rate
			if _, err := tx.ContractorCreate(ctx, db.ContractorCreateParams{Name: c.name, ContactName: c.contact,
				Phone: c.phone, CommissionRate: &r, Now: tx.Now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.DemoCards(ctx); err != nil {
		return nil, err
	}
	if err := s.DemoTasks(ctx); err != nil {
		return nil, err
	}
	return people, nil
}
