-- name: AuditAdd :exec
INSERT INTO audit_log (at, user_id, entity, entity_id, action, before, after)
VALUES (@at, @user_id, @entity, @entity_id, @action, @before, @after);

-- name: AuditList :many
SELECT a.id, a.at, a.user_id, COALESCE(u.name, '') AS user_name, a.entity, a.entity_id, a.action, a.before, a.after
FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
WHERE (a.user_id = sqlc.narg('user_id') OR sqlc.narg('user_id') IS NULL)
  AND (a.entity = sqlc.narg('entity') OR sqlc.narg('entity') IS NULL)
  AND (a.at >= sqlc.narg('from') OR sqlc.narg('from') IS NULL)
  AND (a.at < sqlc.narg('to') OR sqlc.narg('to') IS NULL)
ORDER BY a.at DESC, a.id DESC
LIMIT @lim OFFSET @off;

-- name: AuditCount :one
SELECT COUNT(*) FROM audit_log a
WHERE (a.user_id = sqlc.narg('user_id') OR sqlc.narg('user_id') IS NULL)
  AND (a.entity = sqlc.narg('entity') OR sqlc.narg('entity') IS NULL)
  AND (a.at >= sqlc.narg('from') OR sqlc.narg('from') IS NULL)
  AND (a.at < sqlc.narg('to') OR sqlc.narg('to') IS NULL);
