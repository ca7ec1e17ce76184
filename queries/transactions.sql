-- name: TransactionList :many
SELECT * FROM transactions WHERE card_id = ? ORDER BY occurred_on, id;

-- name: TransactionGet :one
SELECT * FROM transactions WHERE id = ?;

-- name: TransactionAdd :one
INSERT INTO transactions (card_id, occurred_on, amount, commission_rate, commission, net, comment, created_by, created_at)
VALUES (@card_id, @occurred_on, @amount, @commission_rate, @commission, @net, @comment, @created_by, @now)
RETURNING id;

-- name: TransactionDelete :execrows
DELETE FROM transactions WHERE id = @id AND card_id = @card_id;

-- name: TransactionCount :one
SELECT COUNT(*) FROM transactions WHERE card_id = ?;

