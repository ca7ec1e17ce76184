-- The archive's id filters two at a time (SPEC section 10). Each of the five has an
-- index of its own (migration 1), so two of them were read as a walk of one's whole
-- list checking the other: a bank with a supplier stepped through the bank's 25,000
-- cards to find its ~125, "only mine" with a bank through the person's 40,000. With
-- an index per pair the walk is the pair's cards alone, newest first, and holds the
-- other three ids, so a third filter is checked in the index too. The queries pick
-- the pair of the two filters that narrow the most (ArchiveFilter.idIndex);
-- TestArchivePlanCombinations checks each combination's index.
CREATE INDEX cards_arch_bank_supplier ON cards (bank_id, supplier_id, id DESC, warmer_id, manager_id, accountant_id) WHERE lifecycle = 'archived';
CREATE INDEX cards_arch_bank_warmer ON cards (bank_id, warmer_id, id DESC, supplier_id, manager_id, accountant_id) WHERE lifecycle = 'archived';
CREATE INDEX cards_arch_bank_manager ON cards (bank_id, manager_id, id DESC, supplier_id, warmer_id, accountant_id) WHERE lifecycle = 'archived';
CREATE INDEX cards_arch_bank_accountant ON cards (bank_id, accountant_id, id DESC, supplier_id, warmer_id, manager_id) WHERE lifecycle = 'archived';
CREATE INDEX cards_arch_supplier_warmer ON cards (supplier_id, warmer_id, id DESC, bank_id, manager_id, accountant_id) WHERE lifecycle = 'archived';
CREATE INDEX cards_arch_supplier_manager ON cards (supplier_id, manager_id, id DESC, bank_id, warmer_id, accountant_id) WHERE lifecycle = 'archived';
CREATE INDEX cards_arch_supplier_accountant ON cards (supplier_id, accountant_id, id DESC, bank_id, warmer_id, manager_id) WHERE lifecycle = 'archived';
CREATE INDEX cards_arch_warmer_manager ON cards (warmer_id, manager_id, id DESC, bank_id, supplier_id, accountant_id) WHERE lifecycle = 'archived';
CREATE INDEX cards_arch_warmer_accountant ON cards (warmer_id, accountant_id, id DESC, bank_id, supplier_id, manager_id) WHERE lifecycle = 'archived';
CREATE INDEX cards_arch_manager_accountant ON cards (manager_id, accountant_id, id DESC, bank_id, supplier_id, warmer_id) WHERE lifecycle = 'archived';
