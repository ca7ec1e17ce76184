DROP TABLE cards_words;
CREATE VIRTUAL TABLE cards_words USING fts5(words, number, bank, supplier, warmer, manager, accountant, last4,
    tokenize = 'unicode61 remove_diacritics 0', content = '', contentless_delete = 1, detail = 'column');
INSERT INTO cards_words (rowid, words, number, bank, supplier, warmer, manager, accountant, last4) SELECT * FROM cards_words_rows;
INSERT INTO cards_words (cards_words) VALUES ('optimize');
