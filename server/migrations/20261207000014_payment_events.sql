-- Every status a payment has had, and when: written in the transaction that changes the status,
-- so the history shown in the dashboard never misses a change nor shows one that did not happen.
-- A status is reached at most once at a time, so the key is also the history's reading order.
CREATE TABLE payment_events (
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    payment_id  TEXT NOT NULL,
    status      TEXT NOT NULL
        CHECK (status IN ('pending', 'processing', 'succeeded', 'failed', 'returned', 'refunded')),
    -- Why it failed or came back, as the processor said.
    detail      TEXT,
    at          TEXT NOT NULL,
    PRIMARY KEY (merchant_id, payment_id, at, status),
    FOREIGN KEY (merchant_id, payment_id) REFERENCES payments (merchant_id, id)
);

-- The payments made before: recorded, then where they stand now if they moved since (the
-- steps in between were not kept).
INSERT INTO payment_events (merchant_id, payment_id, status, detail, at)
    SELECT merchant_id, id, 'pending', NULL, created_at FROM payments;
INSERT INTO payment_events (merchant_id, payment_id, status, detail, at)
    SELECT merchant_id, id, status,
        CASE WHEN return_code IS NOT NULL AND failure_reason IS NOT NULL
             THEN return_code || ': ' || failure_reason
             ELSE COALESCE(return_code, failure_reason) END,
        updated_at
    FROM payments WHERE status <> 'pending';
