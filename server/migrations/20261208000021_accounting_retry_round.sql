-- How many times a person retried a payment's accounting record after a refusal. It is part
-- of the record's idempotency keys: QuickBooks answers a repeated requestid with its first
-- answer, so a retry under the first key would only hear the first refusal again.
ALTER TABLE payments ADD COLUMN accounting_round INTEGER NOT NULL DEFAULT 0;
