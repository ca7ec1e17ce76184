-- The owner's «Отчёт» (issue 7): a card's confirmed profit as a row of its own, and
-- rollups that make any period cheap to sum. Every write that changes a figure updates
-- the rollups in its own transaction (store/rollups.go); `kartoteka rollups --rebuild`
-- recomputes them from the rows.

-- A card's confirmed profit: its stage-8 answer «Да» (confirmed_amount, dated by
-- answered_on). A correction that sends the card back to stage 8 or earlier voids it
-- (the row is deleted); the next answer writes it again.
CREATE TABLE card_confirmations (
    card_id     INTEGER PRIMARY KEY REFERENCES cards (id),
    task_id     INTEGER NOT NULL REFERENCES auto_tasks (id),
    answered_on TEXT    NOT NULL,
    amount      INTEGER NOT NULL CHECK (amount >= 0)
);
CREATE INDEX card_confirmations_day ON card_confirmations (answered_on, card_id);

-- Cards already past stage 8 keep the answer of their latest stage-8 task.
INSERT INTO card_confirmations (card_id, task_id, answered_on, amount)
SELECT t.card_id, t.id, json_extract(t.fields, '$.answered_on'), CAST(json_extract(t.fields, '$.confirmed_amount') AS INTEGER)
FROM auto_tasks t JOIN cards c ON c.id = t.card_id
WHERE t.kind = 'stage' AND t.stage = 8 AND t.status = 'done'
  AND json_extract(t.fields, '$.answered') = 'yes'
  AND (c.stage = 9 OR c.lifecycle IN ('worked_out', 'archived'))
  AND t.id = (SELECT MAX(id) FROM auto_tasks m WHERE m.card_id = t.card_id AND m.kind = 'stage' AND m.stage = 8 AND m.status = 'done');

-- Money per period and breakdown. period: a year 'YYYY', a month 'YYYY-MM' or a day
-- 'YYYY-MM-DD' (calendar dates: occurred_on, answered_on). dim: 0 all (key 0),
-- 1 bank, 2 supplier, 3 manager (key: that id, the card's current one). A report
-- period is read as whole years + whole months + the days at its edges, so it
-- touches a bounded number of rows whatever the data's size.
CREATE TABLE rollup_money (
    dim         INTEGER NOT NULL,
    period      TEXT    NOT NULL,
    key         INTEGER NOT NULL,
    tx_n        INTEGER NOT NULL DEFAULT 0,
    amount      INTEGER NOT NULL DEFAULT 0,
    commission  INTEGER NOT NULL DEFAULT 0,
    net         INTEGER NOT NULL DEFAULT 0,
    confirmed_n INTEGER NOT NULL DEFAULT 0,
    confirmed   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (dim, period, key)
) WITHOUT ROWID;

-- Stage analytics per period (office-zone dates of the task's creation and closing),
-- stage and responsible (user_id 0: everyone). entered: stage tasks created; left:
-- closed (done or cancelled by a correction); overdue: done after the deadline;
-- secs: seconds spent in the stage by the tasks that left.
CREATE TABLE rollup_stage (
    period   TEXT    NOT NULL,
    stage    INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    entered  INTEGER NOT NULL DEFAULT 0,
    left_n   INTEGER NOT NULL DEFAULT 0,
    done_n   INTEGER NOT NULL DEFAULT 0,
    overdue  INTEGER NOT NULL DEFAULT 0,
    secs     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (period, stage, user_id)
) WITHOUT ROWID;

-- Time spent in a stage by the tasks that left it, as a histogram per period and
-- stage (bucket: geometric, 15 % wide; store/rollups.go), for the median and the
-- 90th percentile.
CREATE TABLE rollup_stage_time (
    period  TEXT    NOT NULL,
    stage   INTEGER NOT NULL,
    bucket  INTEGER NOT NULL,
    n       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (period, stage, bucket)
) WITHOUT ROWID;
