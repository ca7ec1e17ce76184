DROP TRIGGER cards_search_archive;
DROP TRIGGER cards_search_insert;
DROP TRIGGER cards_search_delete;
DROP TRIGGER cards_search_unarchive;
DROP TRIGGER cards_search_edit;
DROP TABLE cards_search;
DROP VIEW cards_search_rows;

CREATE VIRTUAL TABLE cards_search USING fts5(number, contact, tokenize = 'trigram');
INSERT INTO cards_search (rowid, number, contact)
SELECT id, number, contact_name || ' ' || contact_phone FROM cards WHERE lifecycle = 'archived';
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
