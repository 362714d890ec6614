-- A bank debit can come back after it settled (an R10: the account holder tells their bank
-- the debit was not authorized, within 60 days). The sandbox's account 000333333335 does so two
-- business days after settling, so that what follows a settled payment (its accounting record)
-- can be seen taken back.
ALTER TABLE sandbox_debits ADD COLUMN late_return TEXT CHECK (late_return IN ('R10'));
ALTER TABLE sandbox_debits ADD COLUMN late_due_on TEXT;
ALTER TABLE sandbox_debits ADD COLUMN late_resolved_at TEXT;
