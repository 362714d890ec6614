-- The smallest part of an invoice a customer may pay, in minor units of the invoice's
-- currency (cents): without one, a card tester or a confused customer can make a hundred
-- $0.01 payments, each with its fees and its reconciliation. Paying an invoice's whole balance
-- is always allowed, however small it is.
ALTER TABLE merchants ADD COLUMN minimum_partial_payment_minor BIGINT NOT NULL DEFAULT 100
    CHECK (minimum_partial_payment_minor >= 1);
