-- The report's running sums (store/rollups.go, runningPeriods): 'YYYY-MM+' holds
-- the year from month MM on, 'YYYY-MM-DD+' the month from day DD on (MM, DD from
-- 2), so a report period of any length reads at most four keys a year. Filled from
-- the day and month rows already there; every write keeps them from now on.
INSERT INTO rollup_money (dim, period, key, tx_n, amount, commission, net, confirmed_n, confirmed)
WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 31)
SELECT r.dim, substr(r.period, 1, 8) || printf('%02d', n.i) || '+', r.key,
  SUM(r.tx_n), SUM(r.amount), SUM(r.commission), SUM(r.net), SUM(r.confirmed_n), SUM(r.confirmed)
FROM rollup_money r JOIN n ON n.i <= CAST(substr(r.period, 9, 2) AS INTEGER)
WHERE length(r.period) = 10
GROUP BY 1, 2, 3
UNION ALL
SELECT r.dim, substr(r.period, 1, 5) || printf('%02d', n.i) || '+', r.key,
  SUM(r.tx_n), SUM(r.amount), SUM(r.commission), SUM(r.net), SUM(r.confirmed_n), SUM(r.confirmed)
FROM rollup_money r JOIN n ON n.i <= CAST(substr(r.period, 6, 2) AS INTEGER)
WHERE length(r.period) = 7
GROUP BY 1, 2, 3;

INSERT INTO rollup_stage (period, stage, user_id, entered, left_n, done_n, overdue, secs)
WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 31)
SELECT substr(r.period, 1, 8) || printf('%02d', n.i) || '+', r.stage, r.user_id,
  SUM(r.entered), SUM(r.left_n), SUM(r.done_n), SUM(r.overdue), SUM(r.secs)
FROM rollup_stage r JOIN n ON n.i <= CAST(substr(r.period, 9, 2) AS INTEGER)
WHERE length(r.period) = 10
GROUP BY 1, 2, 3
UNION ALL
SELECT substr(r.period, 1, 5) || printf('%02d', n.i) || '+', r.stage, r.user_id,
  SUM(r.entered), SUM(r.left_n), SUM(r.done_n), SUM(r.overdue), SUM(r.secs)
FROM rollup_stage r JOIN n ON n.i <= CAST(substr(r.period, 6, 2) AS INTEGER)
WHERE length(r.period) = 7
GROUP BY 1, 2, 3;

INSERT INTO rollup_stage_time (period, stage, bucket, n)
WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 31)
SELECT substr(r.period, 1, 8) || printf('%02d', n.i) || '+', r.stage, r.bucket, SUM(r.n)
FROM rollup_stage_time r JOIN n ON n.i <= CAST(substr(r.period, 9, 2) AS INTEGER)
WHERE length(r.period) = 10
GROUP BY 1, 2, 3
UNION ALL
SELECT substr(r.period, 1, 5) || printf('%02d', n.i) || '+', r.stage, r.bucket, SUM(r.n)
FROM rollup_stage_time r JOIN n ON n.i <= CAST(substr(r.period, 6, 2) AS INTEGER)
WHERE length(r.period) = 7
GROUP BY 1, 2, 3;
