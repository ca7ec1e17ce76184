-- «Автозадачи» of a warmer or a manager (their own cards) filtered by another
-- person as the assignee (SPEC section 10): that person's tasks on the user's
-- cards are on the cards the two share, read from these pair indexes (one person
-- per slot, so each ordered pair of slots is one equality lookup) ...
CREATE INDEX cards_pair_wm ON cards (warmer_id, manager_id);
CREATE INDEX cards_pair_wa ON cards (warmer_id, accountant_id);
CREATE INDEX cards_pair_ma ON cards (manager_id, accountant_id);

-- ... and on the cards the person has left: a task keeps the assignee it was done
-- by when the card's people change, so each person taken off a card is noted here.
CREATE TABLE card_people_past (
    user_id INTEGER NOT NULL,
    card_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, card_id)
) WITHOUT ROWID;

INSERT OR IGNORE INTO card_people_past (user_id, card_id)
SELECT t.assignee_id, t.card_id FROM auto_tasks t JOIN cards c ON c.id = t.card_id
WHERE t.assignee_id NOT IN (c.warmer_id, c.manager_id, c.accountant_id);

CREATE TRIGGER cards_people_past AFTER UPDATE OF warmer_id, manager_id, accountant_id ON cards
BEGIN
    INSERT OR IGNORE INTO card_people_past (user_id, card_id)
    SELECT old.warmer_id, old.id WHERE old.warmer_id <> new.warmer_id
    UNION ALL SELECT old.manager_id, old.id WHERE old.manager_id <> new.manager_id
    UNION ALL SELECT old.accountant_id, old.id WHERE old.accountant_id <> new.accountant_id;
END;
