DROP TRIGGER archive_size_move;
DROP TRIGGER archive_size_delete;
DROP TRIGGER archive_size_insert;
DROP TABLE archive_size;
