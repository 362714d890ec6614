-- What was done to an invoice and by whom, for its history in the dashboard: voided, its links
-- revoked. Its creation is the invoice row's own created_at, and its payments are their rows.
CREATE TABLE invoice_events (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    invoice_id  TEXT NOT NULL REFERENCES invoices (id),
    kind        TEXT NOT NULL CHECK (kind IN ('voided', 'link_revoked')),
    -- A staff member's address, or how the change came: the API, the admin CLI.
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX invoice_events_by_invoice ON invoice_events (merchant_id, invoice_id, at);
