-- «Задачи» at 200,000 tasks (SPEC section 10), found by BenchmarkTaskTabs:
-- a title search read every row; the status sort and the newest-first order
-- with a status filter sorted a person's whole list.

-- Title search: a trigram index (substrings of 3+ characters, any case in any
-- alphabet), kept by triggers.
CREATE VIRTUAL TABLE tasks_search USING fts5(title, tokenize = 'trigram');
INSERT INTO tasks_search (rowid, title) SELECT id, title FROM tasks;
CREATE TRIGGER tasks_search_insert AFTER INSERT ON tasks
BEGIN
    INSERT INTO tasks_search (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER tasks_search_update AFTER UPDATE OF title ON tasks
BEGIN
    UPDATE tasks_search SET title = new.title WHERE rowid = new.id;
END;
CREATE TRIGGER tasks_search_delete AFTER DELETE ON tasks
BEGIN
    DELETE FROM tasks_search WHERE rowid = old.id;
END;

-- Sort by status (Новая, В работе, Выполнена, Отменена is the codes' reverse
-- alphabetical order), then deadline; and a status filter in id order (newest first).
CREATE INDEX tasks_assignee_status ON tasks (assignee_id, status DESC, deadline);
CREATE INDEX tasks_author_status ON tasks (author_id, status DESC, deadline);
CREATE INDEX tasks_status ON tasks (status DESC, deadline);
CREATE INDEX tasks_assignee_st_id ON tasks (assignee_id, status);
CREATE INDEX tasks_author_st_id ON tasks (author_id, status);
