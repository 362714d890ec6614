-- An API key issued in the dashboard, held until the page that shows it once is opened. The
-- dashboard's forms are plain posts answered by a redirect, so the key must outlive the post:
-- it is held encrypted, for the session that issued it only, and deleted as it is shown.
CREATE TABLE api_key_reveals (
    session_id       TEXT PRIMARY KEY REFERENCES staff_sessions (id) ON DELETE CASCADE,
    api_key_id       TEXT NOT NULL REFERENCES api_keys (id),
    secret_encrypted TEXT NOT NULL,
    created_at       TEXT NOT NULL
);
