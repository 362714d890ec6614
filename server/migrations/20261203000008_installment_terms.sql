-- Pay in installments is not a payment method: it is a schedule of payments, each collected
-- from a card or a bank account. What a merchant offers of it are its terms, kept here; the
-- 'installments' rows of merchant_payment_methods become them and go. (The CHECK lists of the
-- method columns still name 'installments': SQLite cannot change a CHECK without rebuilding
-- the table, and no code writes that value any more.)
ALTER TABLE merchants ADD COLUMN installments_enabled INTEGER NOT NULL DEFAULT 0
    CHECK (installments_enabled IN (0, 1));
-- The smallest amount a plan may spread, in minor units (cents) of the checkout's currency.
ALTER TABLE merchants ADD COLUMN installments_minimum_minor BIGINT NOT NULL DEFAULT 10000
    CHECK (installments_minimum_minor >= 100);

-- One row per term offered. The fee is in basis points (hundredths of a percent), so that the
-- percentage is exact. At least 15 days between payments on average: payments <= days/15 + 1.
CREATE TABLE merchant_installment_terms (
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    days             BIGINT NOT NULL CHECK (days IN (30, 60, 90, 120, 150)),
    payments         BIGINT NOT NULL CHECK (payments >= 2 AND payments <= days / 15 + 1),
    fee_basis_points BIGINT NOT NULL CHECK (fee_basis_points >= 0 AND fee_basis_points <= 2500),
    PRIMARY KEY (merchant_id, days)
);

-- Every merchant gets the standard terms (one payment every 30 days, no fee), offered where it
-- offered installments before.
INSERT INTO merchant_installment_terms (merchant_id, days, payments, fee_basis_points)
SELECT merchants.id, standard.days, standard.payments, 0
FROM merchants,
     (SELECT 30 AS days, 2 AS payments
      UNION ALL SELECT 60, 3
      UNION ALL SELECT 90, 4
      UNION ALL SELECT 120, 5
      UNION ALL SELECT 150, 6) AS standard;
UPDATE merchants SET installments_enabled = 1
WHERE id IN (SELECT merchant_id FROM merchant_payment_methods WHERE method = 'installments');
DELETE FROM merchant_payment_methods WHERE method = 'installments';
