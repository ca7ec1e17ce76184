-- name: AutoTaskCreate :one
INSERT INTO auto_tasks (card_id, stage, kind, assignee_id, status, deadline, created_at)
VALUES (@card_id, @stage, @kind, @assignee_id, 'new', @deadline, @now)
RETURNING id;

-- name: AutoTaskOpenStage :one
SELECT * FROM auto_tasks
WHERE card_id = @card_id AND kind = 'stage' AND status IN ('new', 'in_progress')
ORDER BY id DESC LIMIT 1;

-- name: AutoTaskGet :one
SELECT * FROM auto_tasks WHERE id = ?;

-- name: AutoTaskComplete :execrows
UPDATE auto_tasks SET status = 'done', fields = @fields, done_at = @now, done_by = @done_by
WHERE id = @id AND status IN ('new', 'in_progress');

-- name: AutoTaskCancelOpen :exec
UPDATE auto_tasks SET status = 'cancelled', done_at = @now, done_by = @done_by
WHERE card_id = @card_id AND status IN ('new', 'in_progress');

-- name: AutoTaskStart :execrows
UPDATE auto_tasks SET status = 'in_progress', started_at = @now WHERE id = @id AND status = 'new';

-- name: AutoTaskRoll :exec
UPDATE auto_tasks SET deadline = @deadline, rolls = rolls + 1 WHERE id = @id;

-- name: AutoTaskListCard :many
SELECT t.*, u.name AS assignee_name, COALESCE(d.name, '') AS done_by_name
FROM auto_tasks t
JOIN users u ON u.id = t.assignee_id
LEFT JOIN users d ON d.id = t.done_by
WHERE t.card_id = ?
ORDER BY t.id;

-- name: AutoTaskTracker :many
SELECT t.id, t.card_id, t.stage, t.kind, t.status, t.deadline, t.rolls, t.assignee_id, u.name AS assignee_name,
    c.last4, c.version, b.name AS bank_name
FROM auto_tasks t INDEXED BY auto_tasks_open_stage
JOIN cards c ON c.id = t.card_id
JOIN banks b ON b.id = c.bank_id
JOIN users u ON u.id = t.assignee_id
WHERE t.status IN ('new', 'in_progress') AND t.kind IN ('stage', 'warming') AND t.stage = @stage
  AND (t.assignee_id = sqlc.narg('assignee_id') OR sqlc.narg('assignee_id') IS NULL)
ORDER BY t.deadline, t.id;

-- name: AutoTaskStageCounts :many
-- Cards with an open task per stage (the tracker's badges by their definition;
-- store.TrackerCounts reads the same from covering indexes).
SELECT stage, COUNT(DISTINCT card_id) AS n FROM auto_tasks
WHERE status IN ('new', 'in_progress') AND kind IN ('stage', 'warming')
  AND (assignee_id = sqlc.narg('assignee_id') OR sqlc.narg('assignee_id') IS NULL)
GROUP BY stage;

-- name: AutoTaskUserCounts :one
SELECT COUNT(*) AS open, CAST(COALESCE(SUM(deadline < @now), 0) AS INTEGER) AS overdue
FROM auto_tasks INDEXED BY auto_tasks_open_assignee
WHERE assignee_id = @assignee_id AND status IN ('new', 'in_progress');

-- name: AutoTaskSetAssignee :exec
UPDATE auto_tasks SET assignee_id = @assignee_id WHERE id = @id;

-- name: AutoTaskListOpenCard :many
SELECT * FROM auto_tasks WHERE card_id = ? AND status IN ('new', 'in_progress') ORDER BY id;

-- name: AutoTaskBankOverdue :many
SELECT * FROM auto_tasks
WHERE status IN ('new', 'in_progress') AND kind = 'stage' AND stage = 8 AND deadline < @now
ORDER BY id;

-- name: AutoTaskWarmingExists :one
-- A day's warming task that stands (open or done): a cancelled one (the card left
-- stage 3 and came back) does not count, the day gets a new one.
SELECT COUNT(*) FROM auto_tasks WHERE card_id = @card_id AND kind = 'warming' AND deadline = @deadline AND status <> 'cancelled';
