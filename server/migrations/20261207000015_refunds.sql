-- Refunds of card payments, in full or in part, through the processor.
--
-- A payment holds what was asked of the processor and not yet answered (`refunding_minor`)
-- apart from what it refunded (`refunded_minor`): together they can never pass the amount paid,
-- so of two refunds racing for the same money the database refuses the second. An allocation
-- carries what was refunded of it, so an invoice owes again exactly what its payments gave back.
ALTER TABLE payments ADD COLUMN refunded_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN refunding_minor BIGINT NOT NULL DEFAULT 0
    CHECK (refunding_minor >= 0 AND refunded_minor >= 0 AND refunded_minor + refunding_minor <= amount_minor);
ALTER TABLE allocations ADD COLUMN refunded_minor BIGINT NOT NULL DEFAULT 0
    CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor);

CREATE TABLE refunds (
    id                  TEXT PRIMARY KEY,
    merchant_id         TEXT NOT NULL REFERENCES merchants (id),
    payment_id          TEXT NOT NULL,
    amount_minor        BIGINT NOT NULL CHECK (amount_minor > 0),
    currency            TEXT NOT NULL CHECK (currency IN ('USD', 'CAD')),
    status              TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    -- The key of the form or request that asked: asking again with it is the same refund.
    idempotency_key     TEXT NOT NULL,
    requested_by        TEXT NOT NULL,
    processor_reference TEXT,
    failure_reason      TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (merchant_id, id),
    UNIQUE (merchant_id, idempotency_key),
    FOREIGN KEY (merchant_id, payment_id) REFERENCES payments (merchant_id, id)
);
CREATE INDEX refunds_by_payment ON refunds (merchant_id, payment_id, created_at, id);

-- Which invoices a refund makes owe again, and how much each; what is left of the refund
-- beyond them gives back an installment plan's fee.
CREATE TABLE refund_allocations (
    merchant_id  TEXT NOT NULL,
    refund_id    TEXT NOT NULL,
    payment_id   TEXT NOT NULL,
    invoice_id   TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (refund_id, invoice_id),
    FOREIGN KEY (merchant_id, refund_id) REFERENCES refunds (merchant_id, id),
    FOREIGN KEY (payment_id, invoice_id) REFERENCES allocations (payment_id, invoice_id)
);
CREATE INDEX refund_allocations_by_allocation ON refund_allocations (payment_id, invoice_id);
CREATE INDEX refund_allocations_by_invoice ON refund_allocations (merchant_id, invoice_id);

-- The sandbox processor's books: what each charge was for, and each refund of it, keyed by
-- Portico's refund so that asking twice refunds once.
ALTER TABLE sandbox_charges ADD COLUMN amount_minor BIGINT;
ALTER TABLE sandbox_card_tokens ADD COLUMN refund_refused INTEGER NOT NULL DEFAULT 0;
CREATE TABLE sandbox_refunds (
    refund_id    TEXT PRIMARY KEY,
    payment_id   TEXT NOT NULL REFERENCES sandbox_charges (payment_id),
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    reference    TEXT NOT NULL UNIQUE,
    amount_minor BIGINT NOT NULL,
    -- `succeeded`, or `refused` with the reason the processor gave.
    outcome      TEXT NOT NULL,
    reason       TEXT,
    created_at   TEXT NOT NULL
);
