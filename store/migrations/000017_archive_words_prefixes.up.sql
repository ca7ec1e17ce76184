-- The word index with prefix indexes for typed words of 4 to 8 letters (SPEC section
-- 10). A word typed in the contact filter is a prefix query (`words: "иван" *`):
-- FTS5 merged, at the start of every query, the lists of every token beginning with
-- it — «Иван» is the first name, Иванов, Иванова, Иванович, Ивановна, and the ends of
-- longer words — some 200,000 entries, 4–6 ms before the first card, paid again by
-- the count. With a prefix index of that length the list is one, read from its
-- newest end: on the full data set the first page 6.0 → 0.05 ms, the count 5.0 → 0.6,
-- with a bank 9.7 → 4.6. Longer words have few tokens to merge. The index grows from
-- about 105 to 240 MB per million archived cards; it is built again here (about
-- 50 seconds per million). The cards_words triggers of migration 13 write it as before.
DROP TABLE cards_words;
CREATE VIRTUAL TABLE cards_words USING fts5(words, number, bank, supplier, warmer, manager, accountant, last4,
    tokenize = 'unicode61 remove_diacritics 0', content = '', contentless_delete = 1, detail = 'column',
    prefix = '4 5 6 7 8');
INSERT INTO cards_words (rowid, words, number, bank, supplier, warmer, manager, accountant, last4) SELECT * FROM cards_words_rows;
INSERT INTO cards_words (cards_words) VALUES ('optimize');
