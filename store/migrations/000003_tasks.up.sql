-- Standard tasks («Задачи», issue 6): written by people for people, with a
-- comment thread. Overdue is computed at query time, never stored.

CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT    NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    -- Lower-cased title (Unicode, by the application) for the substring search.
    title_lc    TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
    author_id   INTEGER NOT NULL REFERENCES users (id),
    assignee_id INTEGER NOT NULL REFERENCES users (id),
    card_id     INTEGER REFERENCES cards (id),
    deadline    TIMESTAMP NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'in_progress', 'done', 'cancelled')),
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    done_at     TIMESTAMP
);
-- Open tasks per person and overall, in deadline order: the default lists
-- («Входящие», «Исходящие», «Все задачи» with Новая + В работе), the tab badges and
-- the navigation counters. The WHERE must be written exactly so in queries.
CREATE INDEX tasks_open_assignee ON tasks (assignee_id, deadline) WHERE status IN ('new', 'in_progress');
CREATE INDEX tasks_open_author ON tasks (author_id, deadline) WHERE status IN ('new', 'in_progress');
CREATE INDEX tasks_open ON tasks (deadline) WHERE status IN ('new', 'in_progress');
-- Any status: per person and overall, in deadline order (the rowid follows).
CREATE INDEX tasks_assignee ON tasks (assignee_id, deadline);
CREATE INDEX tasks_author ON tasks (author_id, deadline);
CREATE INDEX tasks_deadline ON tasks (deadline);
CREATE INDEX tasks_card ON tasks (card_id) WHERE card_id IS NOT NULL;

CREATE TABLE task_comments (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL REFERENCES tasks (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    at      TIMESTAMP NOT NULL,
    body    TEXT    NOT NULL CHECK (length(body) BETWEEN 1 AND 4000)
);
CREATE INDEX task_comments_task ON task_comments (task_id, id);

-- A task's history is its change-log rows: read by entity and id.
CREATE INDEX audit_log_entity_id ON audit_log (entity, entity_id, id);
