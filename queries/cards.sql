-- name: CardGet :one
SELECT * FROM cards WHERE id = ?;

-- name: CardView :one
SELECT c.*, b.name AS bank_name, s.name AS supplier_name,
    w.name AS warmer_name, m.name AS manager_name, a.name AS accountant_name
FROM cards c
JOIN banks b ON b.id = c.bank_id
JOIN contractors s ON s.id = c.supplier_id
JOIN users w ON w.id = c.warmer_id
JOIN users m ON m.id = c.manager_id
JOIN users a ON a.id = c.accountant_id
WHERE c.id = ?;

-- name: CardCountByLifecycle :many
SELECT lifecycle, COUNT(*) AS n FROM cards
WHERE lifecycle <> 'archived'
  AND (warmer_id = sqlc.narg('user_id') OR manager_id = sqlc.narg('user_id') OR accountant_id = sqlc.narg('user_id') OR sqlc.narg('user_id') IS NULL)
GROUP BY lifecycle;

-- name: CardNumberTaken :one
SELECT COUNT(*) FROM cards WHERE number = @number AND lifecycle <> 'archived' AND id <> @id;

-- name: CardCreate :one
INSERT INTO cards (number, last4, bank_id, supplier_id, contact_name, contact_phone, warmer_id, manager_id,
    accountant_id, commission_rate, warming_days, warming_every_days, notes, lifecycle, version,
    created_by, created_at, updated_at)
VALUES (@number, @last4, @bank_id, @supplier_id, @contact_name, @contact_phone, @warmer_id, @manager_id,
    @accountant_id, @commission_rate, @warming_days, @warming_every_days, @notes, 'new', 1,
    @created_by, @now, @now)
RETURNING id;

-- name: CardUpdate :execrows
UPDATE cards SET number = @number, last4 = @last4, bank_id = @bank_id, supplier_id = @supplier_id,
    contact_name = @contact_name, contact_phone = @contact_phone, warmer_id = @warmer_id,
    manager_id = @manager_id, accountant_id = @accountant_id, commission_rate = @commission_rate,
    warming_days = @warming_days, warming_every_days = @warming_every_days, notes = @notes,
    version = version + 1, updated_at = @now
WHERE id = @id AND version = @version;

-- name: CardMove :execrows
UPDATE cards SET lifecycle = @lifecycle, stage = sqlc.narg('stage'), stage_entered_at = sqlc.narg('stage_entered_at'),
    version = version + 1, updated_at = @now
WHERE id = @id AND version = @version;

-- name: CardArchive :execrows
UPDATE cards SET lifecycle = 'archived', updated_at = @now, archived_at = @now, version = version + 1
WHERE id = @id AND lifecycle = 'worked_out';

-- name: CardBumpVersion :execrows
UPDATE cards SET version = version + 1, updated_at = @now WHERE id = @id AND version = @version;

-- name: CardSetWarming :exec
UPDATE cards SET warming_days = @warming_days, warming_every_days = @warming_every_days WHERE id = @id;

-- name: CardListInStage :many
SELECT * FROM cards WHERE lifecycle = 'in_work' AND stage = ? ORDER BY id;
