DROP INDEX auto_tasks_card;
CREATE INDEX auto_tasks_card ON auto_tasks (card_id, id);
DROP INDEX transactions_card;
CREATE INDEX transactions_card ON transactions (card_id, id);
