CREATE TABLE transactions_old (
    id              INTEGER PRIMARY KEY,
    card_id         INTEGER NOT NULL REFERENCES cards (id),
    occurred_on     TEXT    NOT NULL,
    amount          INTEGER NOT NULL CHECK (amount > 0),
    commission_rate INTEGER NOT NULL CHECK (commission_rate BETWEEN 0 AND 10000),
    commission      INTEGER NOT NULL,
    net             INTEGER NOT NULL,
    comment         TEXT    NOT NULL DEFAULT '',
    created_by      INTEGER REFERENCES users (id),
    created_at      TIMESTAMP NOT NULL
);
INSERT INTO transactions_old (id, card_id, occurred_on, amount, commission_rate, commission, net, comment, created_by, created_at)
SELECT id, card_id, occurred_on, amount, commission_rate, commission, net, comment, created_by, created_at FROM transactions;
DROP TABLE transactions;
ALTER TABLE transactions_old RENAME TO transactions;
CREATE INDEX transactions_card ON transactions (card_id, id);
CREATE INDEX transactions_occurred ON transactions (occurred_on);
