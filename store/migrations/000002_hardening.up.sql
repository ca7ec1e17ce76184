-- Hardening (issue 8): ids of rows that can be deleted are never reused.
-- Without AUTOINCREMENT SQLite gives a new row the highest deleted id, so a ✕
-- held in an old tab could delete a newer row. The table is copied into one
-- with identical columns, checks and indexes plus AUTOINCREMENT.
-- (transactions is the only table whose rows are deleted; sessions are keyed by token.)

CREATE TABLE transactions_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO transactions_new (id, card_id, occurred_on, amount, commission_rate, commission, net, comment, created_by, created_at)
SELECT id, card_id, occurred_on, amount, commission_rate, commission, net, comment, created_by, created_at FROM transactions;
DROP TABLE transactions;
ALTER TABLE transactions_new RENAME TO transactions;
CREATE INDEX transactions_card ON transactions (card_id, id);
CREATE INDEX transactions_occurred ON transactions (occurred_on);
