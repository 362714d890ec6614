-- The outbox: every side effect that follows a state change (an email, a processor follow-up)
-- is a row here, written in the same transaction as the change, and run by the worker.
CREATE TABLE jobs (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    -- The merchant the job works for; NULL for the recurring jobs that serve every merchant.
    merchant_id TEXT,
    -- The job as JSON, or `sealed:` and its encryption when it carries a secret (a sign-in
    -- code). A finished sealed job keeps no payload.
    payload     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'dead')),
    -- Runs started so far, counted when a run is claimed (so a job that crashes its worker
    -- every time still reaches the last attempt).
    attempts    BIGINT NOT NULL,
    run_at      TEXT NOT NULL,
    -- While running: until when the claim holds, and the token that proves it. A worker whose
    -- lease ran out can no longer finish the job.
    lease_until TEXT,
    lease_token TEXT,
    last_error  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX jobs_due ON jobs (status, run_at);
CREATE INDEX jobs_leases ON jobs (status, lease_until);
