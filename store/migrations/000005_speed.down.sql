DROP INDEX IF EXISTS auto_tasks_stage_dl;
DROP INDEX IF EXISTS auto_tasks_assignee_dl;
DROP INDEX IF EXISTS auto_tasks_status_dl;
DROP INDEX IF EXISTS auto_tasks_assignee_stage_dl;
DROP INDEX IF EXISTS auto_tasks_status_stage_dl;
DROP INDEX IF EXISTS auto_tasks_status_assignee_dl;
CREATE INDEX IF NOT EXISTS auto_tasks_assignee ON auto_tasks (assignee_id, id);
CREATE INDEX IF NOT EXISTS auto_tasks_stage ON auto_tasks (stage, id);
CREATE INDEX IF NOT EXISTS auto_tasks_status ON auto_tasks (status, id);
