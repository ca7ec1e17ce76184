DROP INDEX cards_people;
