-- The optional second backup folder (a USB disk or a network share): each checked
-- backup is copied there too. Empty: no second copy.
ALTER TABLE settings ADD COLUMN backup_copy_dir TEXT NOT NULL DEFAULT '';
