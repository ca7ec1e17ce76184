DROP INDEX audit_log_entity_id;
DROP TABLE task_comments;
DROP TABLE tasks;
