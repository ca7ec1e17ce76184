-- The tracker's page of a stage, most urgent first, read from the index alone and
-- cut after the page (no sort of the whole stage, no row read before the cut):
-- for everyone by stage, for one person by person and stage. Open tasks only.
CREATE INDEX auto_tasks_open_page ON auto_tasks (stage, deadline, kind, status)
WHERE status IN ('new', 'in_progress') AND kind IN ('stage', 'warming');
CREATE INDEX auto_tasks_open_page_assignee ON auto_tasks (assignee_id, stage, deadline, kind, status)
WHERE status IN ('new', 'in_progress') AND kind IN ('stage', 'warming');
-- A «Карты» tab's page (new, in work, worked out), newest first, cut after the page.
CREATE INDEX cards_live_id ON cards (lifecycle, id) WHERE lifecycle <> 'archived';
