DROP INDEX auto_tasks_deadline;
CREATE INDEX auto_tasks_deadline ON auto_tasks (deadline);
DROP INDEX auto_tasks_stage_dl;
CREATE INDEX auto_tasks_stage_dl ON auto_tasks (stage, deadline);
DROP INDEX auto_tasks_status_dl;
CREATE INDEX auto_tasks_status_dl ON auto_tasks (status, deadline);
