-- name: ContractorList :many
SELECT * FROM contractors ORDER BY active DESC, name;

-- name: ContractorListActive :many
SELECT * FROM contractors WHERE active = 1 ORDER BY name;

-- name: ContractorGet :one
SELECT * FROM contractors WHERE id = ?;

-- name: ContractorCreate :one
INSERT INTO contractors (name, contact_name, phone, commission_rate, notes, active, created_at, updated_at)
VALUES (@name, @contact_name, @phone, @commission_rate, @notes, 1, @now, @now)
RETURNING *;

-- name: ContractorUpdate :exec
UPDATE contractors SET name = @name, contact_name = @contact_name, phone = @phone,
    commission_rate = @commission_rate, notes = @notes, updated_at = @now
WHERE id = @id;

-- name: ContractorSetActive :exec
UPDATE contractors SET active = @active, updated_at = @now WHERE id = @id;
