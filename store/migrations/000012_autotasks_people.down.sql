DROP TRIGGER IF EXISTS cards_people_past;
DROP TABLE IF EXISTS card_people_past;
DROP INDEX IF EXISTS cards_pair_ma;
DROP INDEX IF EXISTS cards_pair_wa;
DROP INDEX IF EXISTS cards_pair_wm;
