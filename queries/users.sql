-- name: UserCount :one
SELECT COUNT(*) FROM users;

-- name: UserGet :one
SELECT * FROM users WHERE id = ?;

-- name: UserGetByLogin :one
SELECT * FROM users WHERE login = ?;

-- name: UserList :many
SELECT * FROM users ORDER BY active DESC, name;

-- name: UserListActiveByRole :many
SELECT * FROM users WHERE role = ? AND active = 1 ORDER BY name;

-- name: UserCountActiveOwners :one
SELECT COUNT(*) FROM users WHERE role = 'owner' AND active = 1;

-- name: UserCreate :one
INSERT INTO users (login, name, role, phone, password_hash, active, created_at, updated_at)
VALUES (@login, @name, @role, @phone, @password_hash, 1, @now, @now)
RETURNING *;

-- name: UserUpdate :exec
UPDATE users SET login = @login, name = @name, role = @role, phone = @phone, updated_at = @now
WHERE id = @id;

-- name: UserUpdateProfile :exec
UPDATE users SET name = @name, phone = @phone, updated_at = @now WHERE id = @id;

-- name: UserSetPassword :exec
UPDATE users SET password_hash = @password_hash, updated_at = @now WHERE id = @id;

-- name: UserSetActive :exec
UPDATE users SET active = @active, updated_at = @now WHERE id = @id;
