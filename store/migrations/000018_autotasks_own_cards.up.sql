-- «Автозадачи» for a warmer or manager with many cards walks the history along one
-- of the deadline indexes and asks, for every task, whether its card is theirs
-- (cards_people, migration 16). The indexes held the deadline and the task's id
-- only, so each walked task — some 500 for a warmer's page of 50, 1,300 for a
-- manager's — was also a read of its row in the 20 M-row table, on a page of its
-- own, for its card_id. With the id and card_id in the index the walk never leaves
-- it (SPEC section 10; a manager's or warmer's page without filters 2.85 → 1.76 ms
-- on the full data set). The id is written out so that the order within one
-- deadline stays the id's (the pages' keyset is (deadline, id)); deadlines are
-- mostly the end of a working day, so ties are the rule.
--
-- Only the walks of "own cards" alone, with a stage or with a status: the indexes
-- by assignee (alone or with a stage or status) stay narrow. Widening those four
-- too cost the generator 2 min 9 s (SPEC: the full set in 15 minutes) for the
-- rarer "own cards + another person as the assignee", which mostly reads the
-- cards the two share (ownCards) instead.
DROP INDEX auto_tasks_deadline;
CREATE INDEX auto_tasks_deadline ON auto_tasks (deadline, id, card_id);
DROP INDEX auto_tasks_stage_dl;
CREATE INDEX auto_tasks_stage_dl ON auto_tasks (stage, deadline, id, card_id);
DROP INDEX auto_tasks_status_dl;
CREATE INDEX auto_tasks_status_dl ON auto_tasks (status, deadline, id, card_id);
