-- The archive's search index also answers the archive's other filters, so typed
-- text combined with a bank, a person or "only mine" is one walk of the index
-- (SPEC section 10): besides the number and the contact, each archived card has
-- one term per id filter and one for its last four digits. A term is three
-- characters of Unicode's private use area — (kind, value / 2000, value % 2000),
-- which nobody types and the trigram tokenizer keeps as one trigram — in a column
-- of its own. cards_search_rows is the one definition of an index row: the
-- triggers, this rebuild and the generator all read it (ArchiveFilter builds the
-- same terms in Go: searchTag).
DROP TRIGGER cards_search_archive;
DROP TRIGGER cards_search_insert;
DROP TRIGGER cards_search_delete;
DROP TRIGGER cards_search_unarchive;
DROP TRIGGER cards_search_edit;
DROP TABLE cards_search;

CREATE VIEW cards_search_rows AS
SELECT id, number, contact_name || ' ' || contact_phone AS contact,
       char(57344, 57600 + bank_id / 2000, 57600 + bank_id % 2000) AS bank,
       char(57345, 57600 + supplier_id / 2000, 57600 + supplier_id % 2000) AS supplier,
       char(57346, 57600 + warmer_id / 2000, 57600 + warmer_id % 2000) AS warmer,
       char(57347, 57600 + manager_id / 2000, 57600 + manager_id % 2000) AS manager,
       char(57348, 57600 + accountant_id / 2000, 57600 + accountant_id % 2000) AS accountant,
       CASE WHEN last4 GLOB '[0-9][0-9][0-9][0-9]'
            THEN char(57349, 57600 + CAST(last4 AS INTEGER) / 2000, 57600 + CAST(last4 AS INTEGER) % 2000) ELSE '' END AS last4
FROM cards WHERE lifecycle = 'archived';

CREATE VIRTUAL TABLE cards_search USING fts5(number, contact, bank, supplier, warmer, manager, accountant, last4, tokenize = 'trigram');
-- The whole archive, once (about 1.5 minutes for a million archived cards).
INSERT INTO cards_search (rowid, number, contact, bank, supplier, warmer, manager, accountant, last4)
SELECT * FROM cards_search_rows;

-- Kept by triggers, so every way a card reaches the archive, leaves it or is
-- edited in it is covered: the index holds exactly the archived cards.
CREATE TRIGGER cards_search_archive AFTER UPDATE OF lifecycle ON cards
WHEN new.lifecycle = 'archived' AND old.lifecycle <> 'archived'
BEGIN
    INSERT INTO cards_search (rowid, number, contact, bank, supplier, warmer, manager, accountant, last4)
    SELECT * FROM cards_search_rows WHERE id = new.id;
END;
CREATE TRIGGER cards_search_insert AFTER INSERT ON cards WHEN new.lifecycle = 'archived'
BEGIN
    INSERT INTO cards_search (rowid, number, contact, bank, supplier, warmer, manager, accountant, last4)
    SELECT * FROM cards_search_rows WHERE id = new.id;
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
CREATE TRIGGER cards_search_edit
AFTER UPDATE OF number, last4, contact_name, contact_phone, bank_id, supplier_id, warmer_id, manager_id, accountant_id ON cards
WHEN old.lifecycle = 'archived' AND new.lifecycle = 'archived'
BEGIN
    DELETE FROM cards_search WHERE rowid = old.id;
    INSERT INTO cards_search (rowid, number, contact, bank, supplier, warmer, manager, accountant, last4)
    SELECT * FROM cards_search_rows WHERE id = new.id;
END;
