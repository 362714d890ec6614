-- Signing in to a billing link: browser sessions, one-time codes, access requests from
-- addresses that are nobody's contact yet, the business details of step 3, and revocable
-- invoice links.

-- Step 3's details, kept on the customer they describe, beside (not over) what the merchant
-- set: the legal name and country the merchant invoices stay the merchant's.
ALTER TABLE customers ADD COLUMN business_name TEXT;
ALTER TABLE customers ADD COLUMN address_country TEXT;
ALTER TABLE customers ADD COLUMN contact_name TEXT;
ALTER TABLE customers ADD COLUMN phone TEXT;
ALTER TABLE customers ADD COLUMN address_line1 TEXT;
ALTER TABLE customers ADD COLUMN city TEXT;
ALTER TABLE customers ADD COLUMN region TEXT;
ALTER TABLE customers ADD COLUMN postal_code TEXT;

-- Bumped to revoke every invoice link issued so far for the invoice.
ALTER TABLE invoices ADD COLUMN link_version BIGINT NOT NULL DEFAULT 1;

-- One row per browser session, so that any server instance can serve it. The cookie holds a
-- random token; only its SHA-256 is kept here.
CREATE TABLE sessions (
    id                    TEXT PRIMARY KEY,
    token_hash            TEXT NOT NULL UNIQUE,
    merchant_id           TEXT NOT NULL REFERENCES merchants (id),
    -- The address the latest code went to (step 2), then the one it proved (after step 2).
    pending_email         TEXT,
    verified_email        TEXT,
    customer_id           TEXT,
    access_request_id     TEXT,
    -- The invoice an invoice link preselects for step 5.
    preselected_invoice_id TEXT,
    -- What the customer last typed into step 1 and step 3, as JSON, to give it back when a
    -- form is refused (also without JavaScript).
    draft                 TEXT,
    created_at            TEXT NOT NULL,
    last_seen_at          TEXT NOT NULL,
    ended_at              TEXT
);

CREATE TABLE sign_in_codes (
    id              TEXT PRIMARY KEY,
    session_id      TEXT NOT NULL REFERENCES sessions (id),
    merchant_id     TEXT NOT NULL REFERENCES merchants (id),
    email           TEXT NOT NULL,
    client_address  TEXT NOT NULL,
    -- HMAC-SHA256 of the code under the server's secret key: a copy of the database does not
    -- give the codes away, even though there are only a million of them.
    code_hash       TEXT NOT NULL,
    failed_attempts BIGINT NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    used_at         TEXT,
    voided_at       TEXT
);
CREATE INDEX sign_in_codes_by_session ON sign_in_codes (session_id, created_at);
CREATE INDEX sign_in_codes_by_email ON sign_in_codes (merchant_id, email, created_at);
CREATE INDEX sign_in_codes_by_client ON sign_in_codes (client_address, created_at);

-- A verified address that is nobody's contact asks the merchant for access.
CREATE TABLE access_requests (
    id            TEXT PRIMARY KEY,
    merchant_id   TEXT NOT NULL REFERENCES merchants (id),
    email         TEXT NOT NULL,
    business_name TEXT NOT NULL,
    contact_name  TEXT NOT NULL,
    phone         TEXT NOT NULL,
    address_line1 TEXT NOT NULL,
    city          TEXT NOT NULL,
    region        TEXT NOT NULL,
    postal_code   TEXT NOT NULL,
    country       TEXT NOT NULL CHECK (country IN ('US', 'CA')),
    status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
    created_at    TEXT NOT NULL,
    UNIQUE (merchant_id, email)
);
