DELETE FROM rollup_money WHERE period LIKE '%+';
DELETE FROM rollup_stage WHERE period LIKE '%+';
DELETE FROM rollup_stage_time WHERE period LIKE '%+';
