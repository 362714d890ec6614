-- The overview reads payments and refunds by what became of them and when: the failed and
-- returned payments of the last days (by when they changed, since a bank debit comes back days
-- after it was made), what is processing, and the refunds of this month or still waiting for
-- the processor. Without these it reads every payment a merchant ever had.
CREATE INDEX payments_by_status ON payments (merchant_id, status, updated_at);
CREATE INDEX refunds_by_status ON refunds (merchant_id, status, updated_at);
