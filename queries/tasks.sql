-- name: TaskGet :one
SELECT * FROM tasks WHERE id = ?;

-- name: TaskView :one
SELECT t.*, a.name AS author_name, u.name AS assignee_name, COALESCE(c.last4, '') AS card_last4
FROM tasks t
JOIN users a ON a.id = t.author_id
JOIN users u ON u.id = t.assignee_id
LEFT JOIN cards c ON c.id = t.card_id
WHERE t.id = ?;

-- name: TaskCreate :one
INSERT INTO tasks (title, title_lc, description, author_id, assignee_id, card_id, deadline, status, version, created_at, updated_at)
VALUES (@title, @title_lc, @description, @author_id, @assignee_id, sqlc.narg('card_id'), @deadline, 'new', 1, @now, @now)
RETURNING id;

-- name: TaskUpdate :execrows
UPDATE tasks SET title = @title, title_lc = @title_lc, description = @description, assignee_id = @assignee_id,
    deadline = @deadline, version = version + 1, updated_at = @now
WHERE id = @id AND version = @version;

-- name: TaskSetStatus :execrows
UPDATE tasks SET status = @status, done_at = sqlc.narg('done_at'), version = version + 1, updated_at = @now
WHERE id = @id AND version = @version;

-- name: TaskCommentAdd :one
INSERT INTO task_comments (task_id, user_id, at, body) VALUES (@task_id, @user_id, @at, @body)
RETURNING id;

-- name: TaskCommentList :many
SELECT m.id, m.user_id, u.name AS user_name, m.at, m.body
FROM task_comments m JOIN users u ON u.id = m.user_id
WHERE m.task_id = ? ORDER BY m.id;

-- name: TaskHistory :many
SELECT a.id, a.at, a.user_id, COALESCE(u.name, '') AS user_name, a.action, a.before, a.after
FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
WHERE a.entity = 'stdtask' AND a.entity_id = ? ORDER BY a.id;

-- name: TaskListCard :many
SELECT t.id, t.title, t.status, t.deadline, t.author_id, t.assignee_id, u.name AS assignee_name
FROM tasks t JOIN users u ON u.id = t.assignee_id
WHERE t.card_id = ? ORDER BY t.id DESC;

-- name: TaskOpenAssignee :one
SELECT COUNT(*) AS open, CAST(COALESCE(SUM(deadline < @now), 0) AS INTEGER) AS overdue
FROM tasks INDEXED BY tasks_open_assignee WHERE assignee_id = @user_id AND status IN ('new', 'in_progress');

-- name: TaskOpenAuthor :one
SELECT COUNT(*) AS open, CAST(COALESCE(SUM(deadline < @now), 0) AS INTEGER) AS overdue
FROM tasks INDEXED BY tasks_open_author WHERE author_id = @user_id AND status IN ('new', 'in_progress');

-- name: TaskOpenAll :one
SELECT COUNT(*) AS open, CAST(COALESCE(SUM(deadline < @now), 0) AS INTEGER) AS overdue
FROM tasks INDEXED BY tasks_open WHERE status IN ('new', 'in_progress');
