-- Nothing to undo: the index holds the same rows in one segment.
SELECT 1;
