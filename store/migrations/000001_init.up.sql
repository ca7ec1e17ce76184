-- Kartoteka schema, version 1.
-- Money is INTEGER kopecks, rates INTEGER hundredths of a percent.
-- Timestamps are UTC (TIMESTAMP, written by the driver); calendar dates are TEXT 'YYYY-MM-DD'.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    login         TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    name          TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'accountant', 'warmer', 'manager')),
    phone         TEXT    NOT NULL DEFAULT '',
    password_hash TEXT    NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    csrf         TEXT    NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    ip           TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE banks (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    notes      TEXT    NOT NULL DEFAULT '',
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE contractors (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    contact_name    TEXT    NOT NULL DEFAULT '',
    phone           TEXT    NOT NULL DEFAULT '',
    commission_rate INTEGER CHECK (commission_rate BETWEEN 0 AND 10000),
    notes           TEXT    NOT NULL DEFAULT '',
    active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

-- One row: the office's settings. Minutes are minutes after midnight in the office time zone.
CREATE TABLE settings (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    timezone           TEXT    NOT NULL DEFAULT 'Europe/Moscow',
    workday_end_min    INTEGER NOT NULL DEFAULT 1080 CHECK (workday_end_min BETWEEN 0 AND 1439),
    bank_roll_min      INTEGER NOT NULL DEFAULT 540 CHECK (bank_roll_min BETWEEN 0 AND 1439),
    warming_days       INTEGER NOT NULL DEFAULT 14 CHECK (warming_days BETWEEN 1 AND 90),
    warming_every_days INTEGER NOT NULL DEFAULT 1 CHECK (warming_every_days BETWEEN 1 AND 30),
    deadline_days_1    INTEGER NOT NULL DEFAULT 1 CHECK (deadline_days_1 BETWEEN 0 AND 30),
    deadline_days_2    INTEGER NOT NULL DEFAULT 1 CHECK (deadline_days_2 BETWEEN 0 AND 30),
    deadline_days_4    INTEGER NOT NULL DEFAULT 1 CHECK (deadline_days_4 BETWEEN 0 AND 30),
    deadline_days_5    INTEGER NOT NULL DEFAULT 1 CHECK (deadline_days_5 BETWEEN 0 AND 30),
    deadline_days_6    INTEGER NOT NULL DEFAULT 3 CHECK (deadline_days_6 BETWEEN 0 AND 30),
    deadline_days_7    INTEGER NOT NULL DEFAULT 1 CHECK (deadline_days_7 BETWEEN 0 AND 30),
    deadline_days_9    INTEGER NOT NULL DEFAULT 2 CHECK (deadline_days_9 BETWEEN 0 AND 30),
    backup_retention   INTEGER NOT NULL DEFAULT 14 CHECK (backup_retention BETWEEN 1 AND 365),
    updated_at         TIMESTAMP
);
INSERT INTO settings (id) VALUES (1);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TIMESTAMP NOT NULL,
    user_id   INTEGER REFERENCES users (id),
    entity    TEXT    NOT NULL,
    entity_id INTEGER NOT NULL,
    action    TEXT    NOT NULL,
    before    TEXT    NOT NULL DEFAULT '',
    after     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_user ON audit_log (user_id, at);
CREATE INDEX audit_log_entity ON audit_log (entity, at);

CREATE TABLE cards (
    id                 INTEGER PRIMARY KEY,
    number             TEXT    NOT NULL,
    last4              TEXT    NOT NULL,
    bank_id            INTEGER NOT NULL REFERENCES banks (id),
    supplier_id        INTEGER NOT NULL REFERENCES contractors (id),
    contact_name       TEXT    NOT NULL DEFAULT '',
    contact_phone      TEXT    NOT NULL DEFAULT '',
    warmer_id          INTEGER NOT NULL REFERENCES users (id),
    manager_id         INTEGER NOT NULL REFERENCES users (id),
    accountant_id      INTEGER NOT NULL REFERENCES users (id),
    commission_rate    INTEGER NOT NULL DEFAULT 0 CHECK (commission_rate BETWEEN 0 AND 10000),
    warming_days       INTEGER NOT NULL CHECK (warming_days BETWEEN 1 AND 90),
    warming_every_days INTEGER NOT NULL CHECK (warming_every_days BETWEEN 1 AND 30),
    notes              TEXT    NOT NULL DEFAULT '',
    lifecycle          TEXT    NOT NULL DEFAULT 'new' CHECK (lifecycle IN ('new', 'in_work', 'worked_out', 'archived')),
    stage              INTEGER CHECK (stage BETWEEN 1 AND 9),
    stage_entered_at   TIMESTAMP,
    version            INTEGER NOT NULL DEFAULT 1,
    created_by         INTEGER REFERENCES users (id),
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    archived_at        TIMESTAMP,
    CHECK ((lifecycle = 'in_work') = (stage IS NOT NULL))
);
-- A number is unique among the cards that are not archived.
CREATE UNIQUE INDEX cards_number_live ON cards (number) WHERE lifecycle <> 'archived';
CREATE INDEX cards_lifecycle ON cards (lifecycle, stage);
CREATE INDEX cards_warmer ON cards (warmer_id, lifecycle);
CREATE INDEX cards_manager ON cards (manager_id, lifecycle);
CREATE INDEX cards_accountant ON cards (accountant_id, lifecycle);
-- The archive: one index per filter, newest first. Each of the five id filters'
-- indexes also carries the other four ids, so a combination counts and pages
-- inside one index instead of reading every matching card (SPEC section 10).
CREATE INDEX cards_arch_id ON cards (id DESC) WHERE lifecycle = 'archived';
CREATE INDEX cards_arch_number ON cards (number) WHERE lifecycle = 'archived';
CREATE INDEX cards_arch_last4 ON cards (last4) WHERE lifecycle = 'archived';
CREATE INDEX cards_arch_bank ON cards (bank_id, id DESC, supplier_id, warmer_id, manager_id, accountant_id) WHERE lifecycle = 'archived';
CREATE INDEX cards_arch_supplier ON cards (supplier_id, id DESC, bank_id, warmer_id, manager_id, accountant_id) WHERE lifecycle = 'archived';
CREATE INDEX cards_arch_warmer ON cards (warmer_id, id DESC, bank_id, supplier_id, manager_id, accountant_id) WHERE lifecycle = 'archived';
CREATE INDEX cards_arch_manager ON cards (manager_id, id DESC, bank_id, supplier_id, warmer_id, accountant_id) WHERE lifecycle = 'archived';
CREATE INDEX cards_arch_accountant ON cards (accountant_id, id DESC, bank_id, supplier_id, warmer_id, manager_id) WHERE lifecycle = 'archived';
CREATE INDEX cards_arch_contact_phone ON cards (contact_phone) WHERE lifecycle = 'archived';
CREATE INDEX cards_arch_contact_name ON cards (contact_name COLLATE NOCASE) WHERE lifecycle = 'archived';

-- Tracker tasks: one per stage entry ('stage') and the scheduler's warming tasks ('warming').
CREATE TABLE auto_tasks (
    id          INTEGER PRIMARY KEY,
    card_id     INTEGER NOT NULL REFERENCES cards (id),
    stage       INTEGER NOT NULL CHECK (stage BETWEEN 1 AND 9),
    kind        TEXT    NOT NULL DEFAULT 'stage' CHECK (kind IN ('stage', 'warming')),
    assignee_id INTEGER NOT NULL REFERENCES users (id),
    status      TEXT    NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'in_progress', 'done', 'cancelled')),
    deadline    TIMESTAMP NOT NULL,
    rolls       INTEGER NOT NULL DEFAULT 0,
    fields      TEXT    NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP NOT NULL,
    started_at  TIMESTAMP,
    done_at     TIMESTAMP,
    done_by     INTEGER REFERENCES users (id)
);
CREATE INDEX auto_tasks_card ON auto_tasks (card_id, id);
-- Open tasks, per stage and per person: the tracker and the navigation counters.
-- Both cover their queries (counts read the index only).
CREATE INDEX auto_tasks_open_stage ON auto_tasks (kind, stage, deadline, assignee_id) WHERE status IN ('new', 'in_progress');
CREATE INDEX auto_tasks_open_assignee ON auto_tasks (assignee_id, deadline) WHERE status IN ('new', 'in_progress');

-- The card's timeline beyond the tasks themselves: lifecycle moves, corrections, bank checks.
CREATE TABLE card_events (
    id         INTEGER PRIMARY KEY,
    card_id    INTEGER NOT NULL REFERENCES cards (id),
    at         TIMESTAMP NOT NULL,
    user_id    INTEGER REFERENCES users (id),
    kind       TEXT    NOT NULL,
    from_stage INTEGER,
    to_stage   INTEGER,
    text       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX card_events_card ON card_events (card_id, id);

CREATE TABLE transactions (
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
CREATE INDEX transactions_card ON transactions (card_id, id);
CREATE INDEX transactions_occurred ON transactions (occurred_on);
-- «Автозадачи» filters: by person and by stage, newest first.
CREATE INDEX auto_tasks_assignee ON auto_tasks (assignee_id, id);
CREATE INDEX auto_tasks_stage ON auto_tasks (stage, id);
CREATE INDEX auto_tasks_status ON auto_tasks (status, id);
-- …and by period (on the deadline): finds the period's newest task without a full scan.
CREATE INDEX auto_tasks_deadline ON auto_tasks (deadline);

-- Substring search in the archive (part of a number, a contact's name or phone),
-- case-insensitive in any alphabet: a trigram index over archived cards only,
-- kept by triggers so every way a card reaches the archive is covered.
CREATE VIRTUAL TABLE cards_search USING fts5(number, contact, tokenize = 'trigram');
CREATE TRIGGER cards_search_archive AFTER UPDATE OF lifecycle ON cards
WHEN new.lifecycle = 'archived' AND old.lifecycle <> 'archived'
BEGIN
    INSERT INTO cards_search (rowid, number, contact) VALUES (new.id, new.number, new.contact_name || ' ' || new.contact_phone);
END;
CREATE TRIGGER cards_search_insert AFTER INSERT ON cards WHEN new.lifecycle = 'archived'
BEGIN
    INSERT INTO cards_search (rowid, number, contact) VALUES (new.id, new.number, new.contact_name || ' ' || new.contact_phone);
END;
CREATE TRIGGER cards_search_delete AFTER DELETE ON cards WHEN old.lifecycle = 'archived'
BEGIN
    DELETE FROM cards_search WHERE rowid = old.id;
END;
-- …and so is every way out of it, and an edit of an archived card's number or contact:
-- the index holds exactly the archived cards, so a search alone is counted on it.
CREATE TRIGGER cards_search_unarchive AFTER UPDATE OF lifecycle ON cards
WHEN old.lifecycle = 'archived' AND new.lifecycle <> 'archived'
BEGIN
    DELETE FROM cards_search WHERE rowid = old.id;
END;
CREATE TRIGGER cards_search_edit AFTER UPDATE OF number, contact_name, contact_phone ON cards
WHEN old.lifecycle = 'archived' AND new.lifecycle = 'archived'
BEGIN
    UPDATE cards_search SET number = new.number, contact = new.contact_name || ' ' || new.contact_phone WHERE rowid = new.id;
END;
