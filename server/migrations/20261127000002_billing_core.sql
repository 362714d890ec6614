-- The billing core: customers, invoices, payments and their allocations, API keys and
-- idempotent requests. Same conventions as the first migration: ids, dates and timestamps are
-- TEXT; money is BIGINT minor units (cents) so that sums are exact and decode alike on both
-- databases.
--
-- Tenancy is enforced by the schema as well as by the queries: every row names its merchant,
-- and references between rows go through (merchant_id, id) pairs, so an invoice cannot point at
-- another merchant's customer nor an allocation at another merchant's invoice.

ALTER TABLE merchants ADD COLUMN logo_url TEXT;

CREATE TABLE merchant_payment_methods (
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    method      TEXT NOT NULL CHECK (method IN ('us_ach', 'ca_pad', 'ca_eft', 'card', 'installments')),
    PRIMARY KEY (merchant_id, method)
);

CREATE TABLE customers (
    id                   TEXT PRIMARY KEY,
    merchant_id          TEXT NOT NULL REFERENCES merchants (id),
    legal_name           TEXT NOT NULL,
    country              TEXT NOT NULL CHECK (country IN ('US', 'CA')),
    external_id          TEXT,
    profile_completed_at TEXT,
    created_at           TEXT NOT NULL,
    UNIQUE (merchant_id, id),
    UNIQUE (merchant_id, external_id)
);
CREATE INDEX customers_by_merchant ON customers (merchant_id, created_at, id);

-- The email addresses allowed to pay for a customer. One address may be a contact of several
-- customers, even of several merchants.
CREATE TABLE customer_contacts (
    merchant_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    email       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (customer_id, email),
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id)
);
CREATE INDEX customer_contacts_by_email ON customer_contacts (merchant_id, email);

CREATE TABLE invoices (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    customer_id  TEXT NOT NULL,
    number       TEXT NOT NULL,
    currency     TEXT NOT NULL CHECK (currency IN ('USD', 'CAD')),
    total_minor  BIGINT NOT NULL CHECK (total_minor > 0),
    issued_on    TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    memo         TEXT,
    external_id  TEXT,
    voided_at    TEXT,
    -- Bumped by every transaction that allocates to or voids the invoice: the UPDATE takes the
    -- row lock (PostgreSQL) or the write lock (SQLite) before the balance is read.
    lock_version BIGINT NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    UNIQUE (merchant_id, id),
    UNIQUE (merchant_id, number),
    UNIQUE (merchant_id, external_id),
    CHECK (due_on >= issued_on),
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id)
);
CREATE INDEX invoices_by_merchant ON invoices (merchant_id, created_at, id);
CREATE INDEX invoices_by_customer ON invoices (merchant_id, customer_id, created_at, id);

CREATE TABLE invoice_line_items (
    invoice_id       TEXT NOT NULL REFERENCES invoices (id),
    position         BIGINT NOT NULL,
    description      TEXT NOT NULL,
    quantity         TEXT NOT NULL,
    unit_price_minor BIGINT NOT NULL CHECK (unit_price_minor >= 0),
    amount_minor     BIGINT NOT NULL CHECK (amount_minor >= 0),
    PRIMARY KEY (invoice_id, position)
);

CREATE TABLE payments (
    id                  TEXT PRIMARY KEY,
    merchant_id         TEXT NOT NULL REFERENCES merchants (id),
    customer_id         TEXT NOT NULL,
    method              TEXT NOT NULL CHECK (method IN ('us_ach', 'ca_pad', 'ca_eft', 'card', 'installments')),
    amount_minor        BIGINT NOT NULL CHECK (amount_minor > 0),
    currency            TEXT NOT NULL CHECK (currency IN ('USD', 'CAD')),
    status              TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'succeeded', 'failed', 'returned', 'refunded')),
    processor_reference TEXT,
    -- The key the confirming request carried: a second confirm with the same key can never
    -- become a second payment.
    idempotency_key     TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (merchant_id, id),
    UNIQUE (merchant_id, idempotency_key),
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id)
);
CREATE INDEX payments_by_merchant ON payments (merchant_id, created_at, id);
CREATE INDEX payments_by_customer ON payments (merchant_id, customer_id, created_at, id);

-- Which invoices a payment pays, and how much of each. That they add up to the payment and
-- never exceed what an invoice owes is checked in the transaction that writes them.
CREATE TABLE allocations (
    merchant_id  TEXT NOT NULL,
    payment_id   TEXT NOT NULL,
    invoice_id   TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (payment_id, invoice_id),
    FOREIGN KEY (merchant_id, payment_id) REFERENCES payments (merchant_id, id),
    FOREIGN KEY (merchant_id, invoice_id) REFERENCES invoices (merchant_id, id)
);
CREATE INDEX allocations_by_invoice ON allocations (invoice_id);

-- Merchant API keys: only a SHA-256 of the key is kept; the key itself is shown once.
CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    token_hash  TEXT NOT NULL UNIQUE,
    hint        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX api_keys_by_merchant ON api_keys (merchant_id);

-- POST requests that carried an Idempotency-Key: the first response is kept and replayed.
-- A row without a response is a request still in flight.
CREATE TABLE idempotent_requests (
    merchant_id         TEXT NOT NULL REFERENCES merchants (id),
    idempotency_key     TEXT NOT NULL,
    request_fingerprint TEXT NOT NULL,
    response_status     BIGINT,
    response_body       TEXT,
    created_at          TEXT NOT NULL,
    PRIMARY KEY (merchant_id, idempotency_key)
);
