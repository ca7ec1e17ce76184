-- A card's page reads all its tasks and transactions (SPEC section 10). Their rows
-- were written over the weeks the card was in work, between every other card's, so
-- its ~20 tasks and ~10 transactions sat on ~30 pages of their 20 M- and 10 M-row
-- tables, each a read of its own for a random card of a million. These two indexes
-- hold the whole rows, ordered by card as the page reads them (the transactions by
-- day, then id): one card's rows are on one or two pages. They replace the two
-- narrow indexes by card, which every lookup by card uses as before.
DROP INDEX auto_tasks_card;
CREATE INDEX auto_tasks_card ON auto_tasks (card_id, id, stage, kind, assignee_id, status, deadline, rolls,
    fields, created_at, started_at, done_at, done_by);
DROP INDEX transactions_card;
CREATE INDEX transactions_card ON transactions (card_id, occurred_on, id, amount, commission_rate, commission, net,
    comment, created_by, created_at);
