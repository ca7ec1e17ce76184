-- «Автозадачи» at office-decade scale (SPEC section 10): the history is read by
-- deadline, latest first, and every combination of stage, person and status has an
-- index ending in the deadline, so any filter with or without a period is a walk of
-- one index that stops after the page. The id-ordered filter indexes they replace go.
DROP INDEX IF EXISTS auto_tasks_assignee;
DROP INDEX IF EXISTS auto_tasks_stage;
DROP INDEX IF EXISTS auto_tasks_status;
CREATE INDEX IF NOT EXISTS auto_tasks_stage_dl ON auto_tasks (stage, deadline);
CREATE INDEX IF NOT EXISTS auto_tasks_assignee_dl ON auto_tasks (assignee_id, deadline);
CREATE INDEX IF NOT EXISTS auto_tasks_status_dl ON auto_tasks (status, deadline);
CREATE INDEX IF NOT EXISTS auto_tasks_assignee_stage_dl ON auto_tasks (assignee_id, stage, deadline);
CREATE INDEX IF NOT EXISTS auto_tasks_status_stage_dl ON auto_tasks (status, stage, deadline);
CREATE INDEX IF NOT EXISTS auto_tasks_status_assignee_dl ON auto_tasks (status, assignee_id, deadline);
