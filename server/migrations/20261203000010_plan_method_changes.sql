-- Every change of the card or account a plan is collected from, with the authorization the
-- customer gave for it, exactly as shown, when and from where (as for the plan's agreement).
CREATE TABLE installment_plan_method_changes (
    id                   TEXT PRIMARY KEY,
    merchant_id          TEXT NOT NULL,
    plan_id              TEXT NOT NULL,
    method               TEXT NOT NULL CHECK (method IN ('us_ach', 'ca_pad', 'card')),
    instrument_label     TEXT NOT NULL,
    previous_label       TEXT NOT NULL,
    authorization_text   TEXT NOT NULL,
    client_address       TEXT NOT NULL,
    created_at           TEXT NOT NULL,
    FOREIGN KEY (merchant_id, plan_id) REFERENCES installment_plans (merchant_id, id)
);
CREATE INDEX installment_plan_method_changes_by_plan ON installment_plan_method_changes (plan_id, created_at);
