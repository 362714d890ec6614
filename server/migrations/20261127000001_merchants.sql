-- Merchants: the tenants. Every other table will reference one.
-- Kept to the column types sqlx's Any driver reads alike on SQLite and PostgreSQL:
-- ids and timestamps are TEXT (UUID, RFC 3339 UTC), flags INTEGER 0/1.
CREATE TABLE merchants (
    id               TEXT PRIMARY KEY,
    slug             TEXT NOT NULL UNIQUE,
    legal_name       TEXT NOT NULL,
    display_name     TEXT NOT NULL,
    country          TEXT NOT NULL CHECK (country IN ('US', 'CA')),
    default_currency TEXT NOT NULL CHECK (default_currency IN ('USD', 'CAD')),
    accent_colour    TEXT NOT NULL,
    support_email    TEXT,
    created_at       TEXT NOT NULL
);
