-- How many cards the archive holds (the «of N» under the archive for everyone),
-- kept by triggers on every way a card enters or leaves the archive, so it is read,
-- not counted: counting a million archived cards reads thousands of pages (SPEC
-- section 10). TestArchiveSize compares it with a count after each kind of change.
CREATE TABLE archive_size (n INTEGER NOT NULL);
INSERT INTO archive_size (n) SELECT COUNT(*) FROM cards WHERE lifecycle = 'archived';
CREATE TRIGGER archive_size_insert AFTER INSERT ON cards WHEN new.lifecycle = 'archived'
BEGIN
    UPDATE archive_size SET n = n + 1;
END;
CREATE TRIGGER archive_size_delete AFTER DELETE ON cards WHEN old.lifecycle = 'archived'
BEGIN
    UPDATE archive_size SET n = n - 1;
END;
CREATE TRIGGER archive_size_move AFTER UPDATE OF lifecycle ON cards
WHEN (new.lifecycle = 'archived') <> (old.lifecycle = 'archived')
BEGIN
    UPDATE archive_size SET n = n + CASE WHEN new.lifecycle = 'archived' THEN 1 ELSE -1 END;
END;
