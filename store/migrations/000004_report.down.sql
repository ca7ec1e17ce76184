DROP TABLE rollup_stage_time;
DROP TABLE rollup_stage;
DROP TABLE rollup_money;
DROP TABLE card_confirmations;
