-- name: BankList :many
SELECT * FROM banks ORDER BY active DESC, name;

-- name: BankListActive :many
SELECT * FROM banks WHERE active = 1 ORDER BY name;

-- name: BankGet :one
SELECT * FROM banks WHERE id = ?;

-- name: BankCreate :one
INSERT INTO banks (name, notes, active, created_at, updated_at)
VALUES (@name, @notes, 1, @now, @now)
RETURNING *;

-- name: BankUpdate :exec
UPDATE banks SET name = @name, notes = @notes, updated_at = @now WHERE id = @id;

-- name: BankSetActive :exec
UPDATE banks SET active = @active, updated_at = @now WHERE id = @id;
