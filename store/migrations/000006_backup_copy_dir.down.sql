ALTER TABLE settings DROP COLUMN backup_copy_dir;
