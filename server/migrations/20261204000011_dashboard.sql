-- The merchant dashboard: the merchant's own staff, their sessions and sign-in codes, and the
-- manual reconciliation state of each payment.

-- One row per person who may open a merchant's dashboard. An address may work for several
-- merchants, once at each.
CREATE TABLE merchant_users (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    created_at  TEXT NOT NULL,
    UNIQUE (merchant_id, email),
    UNIQUE (merchant_id, id)
);
CREATE INDEX merchant_users_by_email ON merchant_users (email);

-- The staff's browser sessions, apart from the customers': a customer's cookie never names
-- one of these rows, and the reverse. Signed in, a session works for one user (one merchant).
CREATE TABLE staff_sessions (
    id            TEXT PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    pending_email TEXT,
    -- The address as last typed, to give it back when the form is refused.
    typed_email   TEXT,
    -- The address the code proved, while its owner picks which merchant to work for.
    verified_email TEXT,
    user_id       TEXT REFERENCES merchant_users (id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    ended_at      TEXT
);

-- The staff's one-time codes, kept as the customers' are (see sign_in_codes), without a
-- merchant: the code proves an address, and the address names the users.
CREATE TABLE staff_sign_in_codes (
    id              TEXT PRIMARY KEY,
    session_id      TEXT NOT NULL REFERENCES staff_sessions (id),
    email           TEXT NOT NULL,
    client_address  TEXT NOT NULL,
    code_hash       TEXT NOT NULL,
    failed_attempts BIGINT NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    used_at         TEXT,
    voided_at       TEXT
);
CREATE INDEX staff_sign_in_codes_by_session ON staff_sign_in_codes (session_id, created_at);
CREATE INDEX staff_sign_in_codes_by_email ON staff_sign_in_codes (email, created_at);
CREATE INDEX staff_sign_in_codes_by_client ON staff_sign_in_codes (client_address, created_at);

-- Whether a payment is recorded in the merchant's books: by hand in the dashboard
-- (`reconciled`, by whom and when) or, later, by an accounting connection.
ALTER TABLE payments ADD COLUMN reconciliation TEXT NOT NULL DEFAULT 'unreconciled'
    CHECK (reconciliation IN ('unreconciled', 'reconciled', 'queued', 'synced', 'failed'));
ALTER TABLE payments ADD COLUMN reconciled_by TEXT;
ALTER TABLE payments ADD COLUMN reconciled_at TEXT;
-- The bookkeeper's list ("not yet reconciled") pages by seek on it.
CREATE INDEX payments_by_reconciliation ON payments (merchant_id, reconciliation, created_at, id);

-- Who approved or refused an access request, when, and (approved) the customer whose contact
-- the address became.
ALTER TABLE access_requests ADD COLUMN decided_at TEXT;
ALTER TABLE access_requests ADD COLUMN decided_by TEXT;
ALTER TABLE access_requests ADD COLUMN customer_id TEXT;
CREATE INDEX access_requests_by_status ON access_requests (merchant_id, status, created_at, id);
