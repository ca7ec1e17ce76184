-- name: AuditAdd :exec
INSERT INTO audit_log (at, user_id, entity, entity_id, action, before, after)
VALUES (@at, @user_id, @entity, @entity_id, @action, @before, @after);
