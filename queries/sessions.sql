-- name: SessionCreate :exec
INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen_at, ip, user_agent)
VALUES (@token_hash, @user_id, @csrf, @now, @now, @ip, @user_agent);

-- name: SessionGet :one
SELECT s.token_hash, s.csrf, s.last_seen_at, u.id, u.login, u.name, u.role, u.phone
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.token_hash = ? AND u.active = 1;

-- name: SessionTouch :exec
UPDATE sessions SET last_seen_at = @now WHERE token_hash = @token_hash;

-- name: SessionDelete :exec
DELETE FROM sessions WHERE token_hash = ?;

-- name: SessionDeleteUser :exec
DELETE FROM sessions WHERE user_id = ?;

-- name: SessionDeleteUserExcept :exec
DELETE FROM sessions WHERE user_id = @user_id AND token_hash <> @token_hash;

-- name: SessionDeleteIdle :exec
DELETE FROM sessions WHERE last_seen_at < ?;
