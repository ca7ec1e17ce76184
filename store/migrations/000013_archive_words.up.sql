-- The archive's word index beside the trigrams (SPEC section 10): a whole word typed
-- in the contact filter (a first name, a surname) is one short list here, where the
-- trigram index has to step through every one of its trigrams' lists — a 7-letter
-- first name shared by 1–2 % of a million cards took 42 ms, 65 with a bank.
--
-- The words column holds, for each position of the contact, the rest of its
-- space-separated piece when that is four characters or more (the phone only when
-- it holds more than digits and the usual punctuation: typed digits are read on
-- the trigrams). A typed text of four or more letters occurs in a card's contact
-- exactly when some token of that column begins with it, so `words: "наталья" *`
-- finds the same cards as the trigram phrase «наталья»: case folded alike, ё apart
-- from е and é from e (remove_diacritics 0). The id filters and the last four
-- digits are terms of their own columns, as in cards_search (whose view supplies
-- them), so a word with a bank, a person or "only mine" is one walk of this index;
-- and so is a word with three digits of the number: the number column holds every
-- three characters of it (three typed digits are in a fifth of the numbers).
-- Contentless (the text is the cards'), no positions kept. The pieces come from
-- json_each over the contact quoted as JSON and split at its spaces; the positions
-- from json_each over an array of as many zeros as there are positions that leave
-- four characters of a piece, or three of the number (no recursive CTE: sqlc reads
-- this view).
CREATE VIEW cards_words_rows AS
SELECT id,
       (SELECT group_concat(substr(w.value, p.key + 1), ' ')
        FROM json_each('[' || replace(json_quote(t), ' ', '","') || ']') w,
             json_each('[' || rtrim(replace(hex(zeroblob(length(w.value) - 3)), '00', '0,'), ',') || ']') p) AS words,
       (SELECT group_concat(substr(number, p.key + 1, 3), ' ')
        FROM json_each('[' || rtrim(replace(hex(zeroblob(length(number) - 2)), '00', '0,'), ',') || ']') p) AS number,
       bank, supplier, warmer, manager, accountant, last4
FROM (SELECT s.*, c.contact_name || CASE WHEN c.contact_phone GLOB '*[^0-9+(). -]*' THEN ' ' || c.contact_phone ELSE '' END AS t
      FROM cards_search_rows s JOIN cards c ON c.id = s.id);

CREATE VIRTUAL TABLE cards_words USING fts5(words, number, bank, supplier, warmer, manager, accountant, last4,
    tokenize = 'unicode61 remove_diacritics 0', content = '', contentless_delete = 1, detail = 'column');
-- The whole archive, once, then merged into one piece (as 000011 does for the trigrams).
INSERT INTO cards_words (rowid, words, number, bank, supplier, warmer, manager, accountant, last4) SELECT * FROM cards_words_rows;
INSERT INTO cards_words (cards_words) VALUES ('optimize');

-- Kept by triggers like cards_search: the index holds exactly the archived cards.
CREATE TRIGGER cards_words_archive AFTER UPDATE OF lifecycle ON cards
WHEN new.lifecycle = 'archived' AND old.lifecycle <> 'archived'
BEGIN
    INSERT INTO cards_words (rowid, words, number, bank, supplier, warmer, manager, accountant, last4)
    SELECT * FROM cards_words_rows WHERE id = new.id;
END;
CREATE TRIGGER cards_words_insert AFTER INSERT ON cards WHEN new.lifecycle = 'archived'
BEGIN
    INSERT INTO cards_words (rowid, words, number, bank, supplier, warmer, manager, accountant, last4)
    SELECT * FROM cards_words_rows WHERE id = new.id;
END;
CREATE TRIGGER cards_words_delete AFTER DELETE ON cards WHEN old.lifecycle = 'archived'
BEGIN
    DELETE FROM cards_words WHERE rowid = old.id;
END;
CREATE TRIGGER cards_words_unarchive AFTER UPDATE OF lifecycle ON cards
WHEN old.lifecycle = 'archived' AND new.lifecycle <> 'archived'
BEGIN
    DELETE FROM cards_words WHERE rowid = old.id;
END;
CREATE TRIGGER cards_words_edit
AFTER UPDATE OF number, last4, contact_name, contact_phone, bank_id, supplier_id, warmer_id, manager_id, accountant_id ON cards
WHEN old.lifecycle = 'archived' AND new.lifecycle = 'archived'
BEGIN
    DELETE FROM cards_words WHERE rowid = old.id;
    INSERT INTO cards_words (rowid, words, number, bank, supplier, warmer, manager, accountant, last4)
    SELECT * FROM cards_words_rows WHERE id = new.id;
END;
