-- name: CardEventAdd :exec
INSERT INTO card_events (card_id, at, user_id, kind, from_stage, to_stage, text)
VALUES (@card_id, @at, @user_id, @kind, @from_stage, @to_stage, @text);

-- name: CardEventList :many
SELECT e.*, COALESCE(u.name, '') AS user_name
FROM card_events e LEFT JOIN users u ON u.id = e.user_id
WHERE e.card_id = ?
ORDER BY e.id;
