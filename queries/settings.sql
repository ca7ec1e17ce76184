-- name: SettingsGet :one
SELECT * FROM settings WHERE id = 1;

-- name: SettingsUpdate :exec
UPDATE settings SET timezone = @timezone, workday_end_min = @workday_end_min, bank_roll_min = @bank_roll_min,
    warming_days = @warming_days, warming_every_days = @warming_every_days,
    deadline_days_1 = @deadline_days_1, deadline_days_2 = @deadline_days_2, deadline_days_4 = @deadline_days_4,
    deadline_days_5 = @deadline_days_5, deadline_days_6 = @deadline_days_6, deadline_days_7 = @deadline_days_7,
    deadline_days_9 = @deadline_days_9, backup_retention = @backup_retention, updated_at = @now
WHERE id = 1;

-- name: SettingsSetBackupCopyDir :exec
UPDATE settings SET backup_copy_dir = @backup_copy_dir, updated_at = @now WHERE id = 1;
