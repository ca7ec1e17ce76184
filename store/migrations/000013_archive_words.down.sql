DROP TRIGGER cards_words_edit;
DROP TRIGGER cards_words_unarchive;
DROP TRIGGER cards_words_delete;
DROP TRIGGER cards_words_insert;
DROP TRIGGER cards_words_archive;
DROP TABLE cards_words;
DROP VIEW cards_words_rows;
