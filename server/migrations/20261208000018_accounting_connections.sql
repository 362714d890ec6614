-- A merchant's connection to its accounting software (QuickBooks Online or Xero): one at a
-- time, so that no payment can be written to two sets of books. The OAuth tokens are held
-- encrypted, bound to their row; `tenant_id` is Xero's tenant or QuickBooks' company (realm).
-- `needs_reconnect` is a connection whose refresh token was refused: it is kept (with its
-- deposit account) until an admin connects again or disconnects.
CREATE TABLE accounting_connections (
    id                    TEXT PRIMARY KEY,
    merchant_id           TEXT NOT NULL UNIQUE REFERENCES merchants (id),
    provider              TEXT NOT NULL CHECK (provider IN ('quickbooks', 'xero')),
    state                 TEXT NOT NULL CHECK (state IN ('connected', 'needs_reconnect')),
    tenant_id             TEXT NOT NULL,
    tenant_name           TEXT NOT NULL,
    -- Xero's id of the tenant connection, which disconnecting deletes; QuickBooks has none.
    provider_connection_id TEXT,
    access_token          TEXT NOT NULL,
    refresh_token         TEXT NOT NULL,
    access_expires_at     TEXT NOT NULL,
    -- Both providers rotate refresh tokens: of two refreshes at once, one would break the
    -- chain. A refresh is leased to one worker until this moment.
    refresh_lease_until   TEXT,
    deposit_account_id    TEXT,
    deposit_account_name  TEXT,
    connected_by          TEXT NOT NULL,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);

-- An authorization under way: the `state` sent to the provider (kept only as its hash), bound
-- to the staff session that started it, with the PKCE verifier (encrypted). Used once.
CREATE TABLE accounting_authorizations (
    state_hash            TEXT PRIMARY KEY,
    session_id            TEXT NOT NULL REFERENCES staff_sessions (id) ON DELETE CASCADE,
    merchant_id           TEXT NOT NULL REFERENCES merchants (id),
    provider              TEXT NOT NULL CHECK (provider IN ('quickbooks', 'xero')),
    -- Xero takes PKCE; QuickBooks documents none, so its authorizations have no verifier.
    pkce_verifier         TEXT,
    expires_at            TEXT NOT NULL
);
CREATE INDEX accounting_authorizations_expiry ON accounting_authorizations (expires_at);
