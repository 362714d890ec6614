-- Installment plans: a schedule of payments of one instrument, made at a confirm. Each
-- installment is collected as an ordinary payment (payments.plan_id, installment_position), so
-- receipts, returns, allocations and the API work unchanged for it.
CREATE TABLE installment_plans (
    id                 TEXT PRIMARY KEY,
    merchant_id        TEXT NOT NULL REFERENCES merchants (id),
    customer_id        TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('active', 'completed', 'delinquent', 'cancelled')),
    -- The rail every installment is collected on, and from what: a card token or a bank
    -- account id (never a card or account number).
    method             TEXT NOT NULL CHECK (method IN ('us_ach', 'ca_pad', 'card')),
    instrument         TEXT NOT NULL,
    instrument_label   TEXT NOT NULL,
    payer_email        TEXT NOT NULL,
    currency           TEXT NOT NULL CHECK (currency IN ('USD', 'CAD')),
    principal_minor    BIGINT NOT NULL CHECK (principal_minor > 0),
    fee_minor          BIGINT NOT NULL CHECK (fee_minor >= 0),
    total_minor        BIGINT NOT NULL,
    term_days          BIGINT NOT NULL CHECK (term_days IN (30, 60, 90, 120, 150)),
    fee_basis_points   BIGINT NOT NULL,
    -- The confirm's key: a second confirm of the same review can never make a second plan.
    idempotency_key    TEXT NOT NULL,
    -- The installment agreement exactly as step 8 showed it, when and from where it was agreed.
    agreement_text     TEXT NOT NULL,
    agreed_at          TEXT NOT NULL,
    client_address     TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    UNIQUE (merchant_id, id),
    UNIQUE (merchant_id, idempotency_key),
    CHECK (total_minor = principal_minor + fee_minor),
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id)
);
CREATE INDEX installment_plans_by_merchant ON installment_plans (merchant_id, created_at, id);
CREATE INDEX installment_plans_by_customer ON installment_plans (merchant_id, customer_id, created_at, id);

-- What a plan pays on each invoice, in the order its installments pay them.
CREATE TABLE installment_plan_invoices (
    merchant_id  TEXT NOT NULL,
    plan_id      TEXT NOT NULL,
    invoice_id   TEXT NOT NULL,
    position     BIGINT NOT NULL,
    share_minor  BIGINT NOT NULL CHECK (share_minor > 0),
    PRIMARY KEY (plan_id, invoice_id),
    UNIQUE (plan_id, position),
    FOREIGN KEY (merchant_id, plan_id) REFERENCES installment_plans (merchant_id, id),
    FOREIGN KEY (merchant_id, invoice_id) REFERENCES invoices (merchant_id, id)
);

CREATE TABLE installments (
    merchant_id     TEXT NOT NULL,
    plan_id         TEXT NOT NULL,
    -- 0 is the one collected at confirmation.
    position        BIGINT NOT NULL CHECK (position >= 0),
    due_on          TEXT NOT NULL,
    amount_minor    BIGINT NOT NULL CHECK (amount_minor > 0),
    -- The part of the amount that is the plan's fee; the rest pays invoices.
    fee_minor       BIGINT NOT NULL CHECK (fee_minor >= 0 AND fee_minor <= amount_minor),
    status          TEXT NOT NULL CHECK (status IN ('scheduled', 'collecting', 'collected', 'awaiting_method', 'failed', 'cancelled')),
    -- When it is next tried (its due date, then a retry's) while scheduled; until when a new
    -- method is awaited while awaiting_method.
    next_attempt_on TEXT,
    -- Collections started so far (each its own payment, keyed by plan, position and attempt),
    -- and how many of them were retries of a soft failure.
    attempts        BIGINT NOT NULL DEFAULT 0,
    retries_used    BIGINT NOT NULL DEFAULT 0,
    -- The latest attempt's payment.
    payment_id      TEXT,
    -- The sandbox-clock date its reminder (or PAD pre-debit notice) went out.
    reminded_on     TEXT,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (plan_id, position),
    FOREIGN KEY (merchant_id, plan_id) REFERENCES installment_plans (merchant_id, id)
);
CREATE INDEX installments_due ON installments (status, next_attempt_on);

-- What each installment pays on each invoice, fixed when the plan is made: the allocations of
-- its payment, and, while the plan is active and the installment not collected, the part of
-- the invoice that is scheduled rather than owed.
CREATE TABLE installment_allocations (
    merchant_id  TEXT NOT NULL,
    plan_id      TEXT NOT NULL,
    position     BIGINT NOT NULL,
    invoice_id   TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (plan_id, position, invoice_id),
    FOREIGN KEY (plan_id, position) REFERENCES installments (plan_id, position),
    FOREIGN KEY (merchant_id, invoice_id) REFERENCES invoices (merchant_id, id)
);
CREATE INDEX installment_allocations_by_invoice ON installment_allocations (invoice_id);

ALTER TABLE payments ADD COLUMN plan_id TEXT;
ALTER TABLE payments ADD COLUMN installment_position BIGINT;
-- The part of a payment that is an installment fee: its allocations add up to the rest.
ALTER TABLE payments ADD COLUMN fee_minor BIGINT NOT NULL DEFAULT 0 CHECK (fee_minor >= 0);
-- At most one live payment per installment, whatever two workers or a retry do.
CREATE UNIQUE INDEX payments_one_live_per_installment ON payments (plan_id, installment_position)
    WHERE plan_id IS NOT NULL AND status IN ('pending', 'processing', 'succeeded');
-- Why a card was declined, as the processor codes it: an insufficient-funds decline of an
-- installment is retried, a hard one is not.
ALTER TABLE payments ADD COLUMN decline_code TEXT;
-- The sandbox's charges name their card token, so that a test card can behave by how often it
-- was charged (4000 0000 0000 9979: its second charge is short of funds).
ALTER TABLE sandbox_charges ADD COLUMN token TEXT;
ALTER TABLE sandbox_card_tokens ADD COLUMN second_charge_short INTEGER NOT NULL DEFAULT 0;
