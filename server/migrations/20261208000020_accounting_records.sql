-- What a payment became in the merchant's accounting software: one row per invoice it paid,
-- with the provider's id of the payment recorded against it (Xero records one payment per
-- invoice; QuickBooks one payment whose lines link each invoice, so its rows share the id).
-- The primary key is what makes recording a payment twice impossible on Portico's side; the
-- provider's idempotency (Xero's Idempotency-Key, QuickBooks' requestid) covers the moment
-- between its commit and ours.
CREATE TABLE accounting_records (
    merchant_id  TEXT NOT NULL,
    payment_id   TEXT NOT NULL,
    invoice_id   TEXT NOT NULL,
    provider     TEXT NOT NULL CHECK (provider IN ('quickbooks', 'xero')),
    tenant_id    TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    -- Set when a return or refund took the payment back there.
    reversed_at  TEXT,
    PRIMARY KEY (payment_id, invoice_id),
    FOREIGN KEY (merchant_id, payment_id) REFERENCES payments (merchant_id, id),
    FOREIGN KEY (merchant_id, invoice_id) REFERENCES invoices (merchant_id, id)
);

-- Why the accounting software refused a payment for good (`reconciliation = 'failed'`): its
-- message, shown beside Retry. Deleted when the payment is queued again.
CREATE TABLE accounting_failures (
    payment_id   TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL,
    message      TEXT NOT NULL,
    failed_at    TEXT NOT NULL,
    FOREIGN KEY (merchant_id, payment_id) REFERENCES payments (merchant_id, id)
);
