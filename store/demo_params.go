package store

import (
	"kartoteka/app/money"
	"kartoteka/store/db"
)

func bankParams(name string, tx *Tx) db.BankCreateParams {
	return db.BankCreateParams{Name: name, Now: tx.Now}
}

func contractorParams(name, contact, phone string, rate *money.Rate, tx *Tx) db.ContractorCreateParams {
	return db.ContractorCreateParams{Name: name, ContactName: contact, Phone: phone, CommissionRate: rate, Now: tx.Now}
}
