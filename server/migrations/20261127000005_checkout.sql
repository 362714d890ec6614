-- Paying in the wizard (steps 5 to 8): what a session has chosen so far, the bank accounts
-- customers debit, what each payment was charged to and agreed under, and the sandbox
-- processor's own books.

-- The choices of steps 5 to 7 (invoices and amounts, method, card token or bank account) as
-- JSON. Never a card number, a security code or a bank account number.
ALTER TABLE sessions ADD COLUMN checkout TEXT;

-- Bank accounts a customer entered. The account number is encrypted (AES-256-GCM under a key
-- derived from the server's secret); `fingerprint` is a keyed hash of routing and account
-- number, so that an account the bank reported closed can be recognised without decrypting.
CREATE TABLE bank_accounts (
    id                  TEXT PRIMARY KEY,
    merchant_id         TEXT NOT NULL REFERENCES merchants (id),
    customer_id         TEXT NOT NULL,
    rail                TEXT NOT NULL CHECK (rail IN ('us', 'ca')),
    -- A US routing number, or a Canadian institution and transit number as 000-11000.
    routing             TEXT NOT NULL,
    account_ciphertext  TEXT NOT NULL,
    account_last_four   TEXT NOT NULL,
    account_type        TEXT NOT NULL CHECK (account_type IN ('checking', 'savings')),
    holder_type         TEXT NOT NULL CHECK (holder_type IN ('business', 'personal')),
    fingerprint         TEXT NOT NULL,
    saved               BIGINT NOT NULL CHECK (saved IN (0, 1)),
    -- The return code (R02, R03) that closed this account to further debits.
    blocked_code        TEXT,
    created_at          TEXT NOT NULL,
    UNIQUE (merchant_id, id),
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id)
);
CREATE INDEX bank_accounts_by_customer ON bank_accounts (merchant_id, customer_id);
CREATE INDEX bank_accounts_by_fingerprint ON bank_accounts (merchant_id, fingerprint);

-- Cards a customer chose to save: the processor's token and what may be shown.
CREATE TABLE saved_cards (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    customer_id TEXT NOT NULL,
    token       TEXT NOT NULL,
    brand       TEXT NOT NULL,
    last_four   TEXT NOT NULL,
    expiry      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (merchant_id, token),
    -- The same card entered twice is kept once.
    UNIQUE (merchant_id, customer_id, brand, last_four, expiry),
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id)
);

-- What the payment was charged to and who confirmed it, and how it ended.
ALTER TABLE payments ADD COLUMN payer_email TEXT;
-- The card token or the bank account id the processor was asked to charge.
ALTER TABLE payments ADD COLUMN instrument TEXT;
-- The method as the customer saw it, masked: "Visa •••• 4242".
ALTER TABLE payments ADD COLUMN instrument_label TEXT;
ALTER TABLE payments ADD COLUMN failure_reason TEXT;
ALTER TABLE payments ADD COLUMN return_code TEXT;
ALTER TABLE payments ADD COLUMN settles_on TEXT;

-- The authorization the customer gave: the exact text shown, when, and from where.
CREATE TABLE payment_authorizations (
    merchant_id    TEXT NOT NULL,
    payment_id     TEXT NOT NULL PRIMARY KEY,
    text           TEXT NOT NULL,
    agreed_at      TEXT NOT NULL,
    client_address TEXT NOT NULL,
    FOREIGN KEY (merchant_id, payment_id) REFERENCES payments (merchant_id, id)
);

-- The sandbox processor's books. Card tokens know only what the test number decides.
CREATE TABLE sandbox_card_tokens (
    token       TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    outcome     TEXT NOT NULL CHECK (outcome IN ('succeed', 'decline', 'insufficient_funds')),
    created_at  TEXT NOT NULL
);

-- One charge per payment: asking again for the same payment answers with the first result.
CREATE TABLE sandbox_charges (
    payment_id  TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    reference   TEXT NOT NULL UNIQUE,
    outcome     TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- One debit per payment, resolved (settled or returned) on `due_on` of the sandbox's clock.
CREATE TABLE sandbox_debits (
    payment_id  TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    reference   TEXT NOT NULL UNIQUE,
    outcome     TEXT NOT NULL CHECK (outcome IN ('settle', 'R01', 'R02', 'R03')),
    due_on      TEXT NOT NULL,
    resolved_at TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX sandbox_debits_due ON sandbox_debits (resolved_at, due_on);

-- Bank links the sandbox opened after a good sign-in at a test institution: the token lets
-- the customer's browser pick one of that institution's test accounts, for a while.
CREATE TABLE sandbox_bank_links (
    token       TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    institution TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- The sandbox's test clock: how many days it runs ahead of the real one.
CREATE TABLE sandbox_clock (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    offset_days BIGINT NOT NULL
);
INSERT INTO sandbox_clock (id, offset_days) VALUES (1, 0);
