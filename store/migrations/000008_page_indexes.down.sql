DROP INDEX cards_live_id;
DROP INDEX auto_tasks_open_page_assignee;
DROP INDEX auto_tasks_open_page;
