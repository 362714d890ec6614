//! Payments recorded in the connected accounting software, against the fakes: a card payment
//! paid in the wizard's back end is recorded once against the right invoice, also when the
//! fake fails, rate-limits or loses its answer after committing on the first attempts, and
//! when the server restarts between queueing and sending; QuickBooks gets one Payment whose
//! lines link each invoice; a refusal for good is `failed` with the provider's message and
//! Retry; a debit returned after it settled is taken back there.

use crate::accounting_connections::{ACCOUNTING, as_vars, connect};
use crate::dashboard::{ADMIN, reconciliation_of, staff};
use crate::fakes::quickbooks::FakeQuickBooks;
use crate::fakes::xero::{self, FakeXero, Trouble};
use crate::helpers::{Browser, TestApp, both_databases};
use crate::jobs::make_everything_due;
use crate::sign_in::DEMO;
use crate::wizard_payments::{
    SLUG, choose_amounts, confirm, customer_with_invoices, enter_ach, enter_card, review, signed_in,
};

fn dec(text: &str) -> rust_decimal::Decimal {
    text.parse().unwrap()
}

/// Gives Portico's invoice `invoice` the accounting id `external` (what importing will do).
async fn link_invoice(app: &TestApp, invoice: &str, external: &str) {
    sqlx::query("UPDATE invoices SET external_id = $2 WHERE id = $1")
        .bind(invoice)
        .bind(external)
        .execute(app.db.writer())
        .await
        .unwrap();
}

/// Pays `amounts` of the signed-in customer's invoices with `method` (`card` or `us_ach`);
/// answers the payment's id.
async fn pay(browser: &Browser, amounts: &[(&str, &str)], method: &str) -> String {
    assert_eq!(
        choose_amounts(browser, amounts).await,
        format!("{DEMO}/method")
    );
    browser
        .submit(
            &format!("{DEMO}/method"),
            "wizard/method",
            &[("merchant_slug", SLUG), ("method", method)],
        )
        .await;
    let details = match method {
        "card" => enter_card(browser, "4242 4242 4242 4242").await,
        _ => enter_ach(browser, "000333333335").await,
    };
    assert_eq!(details, format!("{DEMO}/review"));
    let (_, key) = review(browser, SLUG).await;
    let receipt = confirm(browser, SLUG, &key).await;
    let payment = receipt.rsplit('/').next().unwrap().to_owned();
    assert!(
        app::domain::ids::PaymentId::parse(&payment).is_ok(),
        "{receipt}"
    );
    payment
}

/// Makes every queued job due now (their back-off waited out) and runs them.
async fn run_retries(app: &TestApp) {
    make_everything_due(app).await;
    app.run_jobs().await;
}

async fn waiting_record_jobs(app: &TestApp) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT run_at FROM jobs WHERE kind = 'record_payment' AND status = 'queued' ORDER BY run_at",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap();
    rows.into_iter().map(|(at,)| at).collect()
}

async fn xero_connected(app: TestApp, fake: &FakeXero) -> TestApp {
    let app = app.restart(&as_vars(&fake.vars())).await;
    let admin = staff(&app, ADMIN).await;
    connect(&app, &admin, "xero", "allow").await;
    admin
        .submit(
            ACCOUNTING,
            "dashboard/accounting-deposit",
            &[("account_id", xero::BANK_ACCOUNT_ID)],
        )
        .await;
    app
}

both_databases! {
    async fn a_card_payment_is_recorded_in_xero_once_through_failures_and_a_restart(app: TestApp) {
        let fake = FakeXero::start().await;
        let app = xero_connected(app, &fake).await;
        let ids = customer_with_invoices(&app, "ap@recorded.example", &[("XI-1", "300.00", "USD")]).await;
        let xero_invoice = fake.add_invoice("300.00");
        link_invoice(&app, &ids[0], &xero_invoice).await;
        let browser = signed_in(&app, "ap@recorded.example").await;

        fake.state.lock().unwrap().trouble.extend([Trouble::ServerError, Trouble::RateLimit, Trouble::CommitThenTimeout]);
        let payment = pay(&browser, &[(&ids[0], "120.00")], "card").await;
        assert_eq!(reconciliation_of(&app, &payment).await, "queued", "queued with the success itself");

        app.run_jobs().await;
        assert_eq!(fake.state.lock().unwrap().payment_writes, 1);
        run_retries(&app).await;
        // The rate limit's Retry-After (42 s) is waited out, not the first back-off (20 s).
        let waiting = waiting_record_jobs(&app).await;
        assert_eq!(waiting.len(), 1);
        let at_least = app::services::clock::timestamp_text(app::services::clock::now() + time::Duration::seconds(35));
        assert!(waiting[0] > at_least, "{waiting:?} after {at_least}");
        run_retries(&app).await;
        assert_eq!(reconciliation_of(&app, &payment).await, "queued", "the answer after the commit was lost");
        run_retries(&app).await;
        assert_eq!(reconciliation_of(&app, &payment).await, "synced");
        {
            let state = fake.state.lock().unwrap();
            assert_eq!(state.payment_writes, 4);
            let standing = state.standing_payments(&xero_invoice);
            assert_eq!(standing.len(), 1, "recorded once: the retry after the lost answer was answered by its key");
            assert_eq!(standing[0].amount, dec("120.00"));
            assert_eq!(standing[0].account_id, xero::BANK_ACCOUNT_ID);
            assert_eq!(standing[0].date, app::services::clock::date_text(app::services::clock::today()));
        }
        // The API says where it is.
        let key = server::admin::create_api_key(&app.db, SLUG).await.unwrap().api_key;
        let shown = app.api_get(&key, &format!("/payments/{payment}")).await;
        let reconciliation = &shown.ok(200)["reconciliation"];
        assert_eq!(reconciliation["state"], "synced");
        let recorded_id = fake.state.lock().unwrap().payments.keys().next().unwrap().clone();
        assert_eq!(reconciliation["accounting_ids"], serde_json::json!([recorded_id]));
        assert_eq!(reconciliation["accounting_error"], serde_json::Value::Null);

        // The rest, with the server restarted between the queueing and the sending.
        let rest = pay(&browser, &[(&ids[0], "180.00")], "card").await;
        let app = app.restart(&as_vars(&fake.vars())).await;
        app.run_jobs().await;
        assert_eq!(reconciliation_of(&app, &rest).await, "synced");
        {
            let state = fake.state.lock().unwrap();
            assert_eq!(state.standing_payments(&xero_invoice).len(), 2);
            assert_eq!(state.invoices[&xero_invoice].paid, dec("300.00"), "the invoice is paid in Xero too");
        }
        let (records,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounting_records")
            .fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(records, 2);
        run_retries(&app).await;
        assert_eq!(fake.state.lock().unwrap().standing_payments(&xero_invoice).len(), 2, "nothing is sent again");
    }

    async fn quickbooks_gets_one_payment_linking_each_invoice(app: TestApp) {
        let fake = FakeQuickBooks::start().await;
        let app = app.restart(&as_vars(&fake.vars())).await;
        let admin = staff(&app, ADMIN).await;
        connect(&app, &admin, "quickbooks", "allow").await;
        let ids = customer_with_invoices(&app, "ap@books.example", &[("QI-1", "100.00", "USD"), ("QI-2", "250.00", "USD")]).await;
        let first = fake.add_invoice("QI-1", "58", "100.00");
        let second = fake.add_invoice("QI-2", "58", "250.00");
        link_invoice(&app, &ids[0], &first).await;
        link_invoice(&app, &ids[1], &second).await;
        let browser = signed_in(&app, "ap@books.example").await;

        fake.company.lock().unwrap().trouble.push_back(Trouble::CommitThenTimeout);
        let payment = pay(&browser, &[(&ids[0], "100.00"), (&ids[1], "50.00")], "card").await;
        app.run_jobs().await;
        run_retries(&app).await;
        assert_eq!(reconciliation_of(&app, &payment).await, "synced");
        let company = fake.company.lock().unwrap();
        assert_eq!(company.payment_writes, 2);
        assert_eq!(company.payments.len(), 1, "the retry was answered by its requestid");
        let recorded = company.payments.values().next().unwrap();
        assert_eq!(recorded.total, dec("150.00"));
        let mut lines = recorded.lines.clone();
        lines.sort();
        assert_eq!(lines, vec![(first.clone(), dec("100.00")), (second.clone(), dec("50.00"))]);
        assert_eq!(recorded.deposit_to, None, "Undeposited Funds, QuickBooks' default");
        assert_eq!(company.invoices[&second].balance, dec("200.00"));
    }

    async fn a_refusal_for_good_is_failed_with_the_message_until_retried(app: TestApp) {
        let fake = FakeXero::start().await;
        let app = xero_connected(app, &fake).await;
        let ids = customer_with_invoices(&app, "ap@refused.example", &[("XR-1", "80.00", "USD"), ("XR-2", "40.00", "USD")]).await;
        // XR-1 is in Xero for less than Portico thinks it owes; XR-2 is not in Xero at all.
        let smaller = fake.add_invoice("50.00");
        link_invoice(&app, &ids[0], &smaller).await;
        let browser = signed_in(&app, "ap@refused.example").await;

        let payment = pay(&browser, &[(&ids[0], "80.00")], "card").await;
        app.run_jobs().await;
        assert_eq!(reconciliation_of(&app, &payment).await, "failed");
        let (message,): (String,) = sqlx::query_as("SELECT message FROM accounting_failures WHERE payment_id = $1")
            .bind(&payment).fetch_one(app.db.pool()).await.unwrap();
        assert_eq!(message, "A validation exception occurred: Payment amount exceeds the amount outstanding on this document");
        assert!(waiting_record_jobs(&app).await.is_empty(), "a refusal for good is not retried by itself");
        let key = server::admin::create_api_key(&app.db, SLUG).await.unwrap().api_key;
        let listed = app.api_get(&key, "/payments?reconciliation=failed").await;
        let listed = &listed.ok(200)["data"];
        assert_eq!(listed.as_array().unwrap().len(), 1);
        assert_eq!(listed[0]["reconciliation"]["accounting_error"], serde_json::json!(message));
        assert_eq!(listed[0]["reconciliation"]["accounting_ids"], serde_json::json!([]));

        let unknown = pay(&browser, &[(&ids[1], "40.00")], "card").await;
        app.run_jobs().await;
        assert_eq!(reconciliation_of(&app, &unknown).await, "failed");
        let (message,): (String,) = sqlx::query_as("SELECT message FROM accounting_failures WHERE payment_id = $1")
            .bind(&unknown).fetch_one(app.db.pool()).await.unwrap();
        assert!(message.contains("Invoice XR-2 is not in Xero"), "{message}");
        assert_eq!(fake.state.lock().unwrap().payment_writes, 1, "nothing was sent for an invoice Xero does not have");

        // Once the invoice is in Xero, Retry records it.
        let xero_invoice = fake.add_invoice("40.00");
        link_invoice(&app, &ids[1], &xero_invoice).await;
        let admin = staff(&app, ADMIN).await;
        let back = admin
            .submit(&format!("/dashboard/payments/{unknown}"), "dashboard/accounting-retry", &[("payment_id", unknown.as_str())])
            .await;
        assert_eq!(back, format!("/dashboard/payments/{unknown}?done=retried"));
        app.run_jobs().await;
        assert_eq!(reconciliation_of(&app, &unknown).await, "synced");
    }

    async fn a_retry_after_a_refusal_is_sent_under_a_new_requestid(app: TestApp) {
        let fake = FakeQuickBooks::start().await;
        let app = app.restart(&as_vars(&fake.vars())).await;
        let admin = staff(&app, ADMIN).await;
        connect(&app, &admin, "quickbooks", "allow").await;
        let ids = customer_with_invoices(&app, "ap@retried.example", &[("QR-1", "90.00", "USD")]).await;
        // QuickBooks thinks the invoice owes less than Portico does.
        let invoice = fake.add_invoice("QR-1", "58", "60.00");
        link_invoice(&app, &ids[0], &invoice).await;
        let browser = signed_in(&app, "ap@retried.example").await;
        let payment = pay(&browser, &[(&ids[0], "90.00")], "card").await;
        app.run_jobs().await;
        assert_eq!(reconciliation_of(&app, &payment).await, "failed");

        // The bookkeeper corrects the invoice in QuickBooks and retries: a requestid QuickBooks
        // saw would only be answered with its first refusal.
        fake.company.lock().unwrap().invoices.get_mut(&invoice).unwrap().balance = dec("90.00");
        let admin = staff(&app, ADMIN).await;
        admin
            .submit(&format!("/dashboard/payments/{payment}"), "dashboard/accounting-retry", &[("payment_id", payment.as_str())])
            .await;
        app.run_jobs().await;
        assert_eq!(reconciliation_of(&app, &payment).await, "synced");
        assert_eq!(fake.company.lock().unwrap().payments.len(), 1);
    }

    async fn a_payment_refunded_before_its_record_is_recorded_then_taken_back(app: TestApp) {
        let fake = FakeXero::start().await;
        let app = xero_connected(app, &fake).await;
        let ids = customer_with_invoices(&app, "ap@quick-refund.example", &[("XQ-1", "60.00", "USD")]).await;
        let xero_invoice = fake.add_invoice("60.00");
        link_invoice(&app, &ids[0], &xero_invoice).await;
        let browser = signed_in(&app, "ap@quick-refund.example").await;
        // The first attempt writes the payment in Xero and its answer is lost; the refund
        // comes before the retry.
        fake.state.lock().unwrap().trouble.push_back(Trouble::CommitThenTimeout);
        let payment = pay(&browser, &[(&ids[0], "60.00")], "card").await;
        app.run_jobs().await;
        assert_eq!(fake.state.lock().unwrap().standing_payments(&xero_invoice).len(), 1);
        let key = server::admin::create_api_key(&app.db, SLUG).await.unwrap().api_key;
        let refunded = app
            .client
            .post(format!("{}/api/v1/payments/{payment}/refunds", app.address))
            .bearer_auth(&key)
            .header("idempotency-key", format!("refund-{payment}"))
            .json(&serde_json::json!({"amount": "60.00"}))
            .send()
            .await
            .unwrap();
        assert_eq!(refunded.status(), 201);
        app.run_jobs().await;
        run_retries(&app).await;
        run_retries(&app).await;
        {
            let state = fake.state.lock().unwrap();
            assert!(state.standing_payments(&xero_invoice).is_empty(), "recorded, then deleted: nothing stands");
            assert_eq!(state.payments.len(), 1, "written once");
            assert_eq!(state.invoices[&xero_invoice].paid, dec("0.00"));
        }
        let (reversed,): (Option<String>,) = sqlx::query_as("SELECT reversed_at FROM accounting_records WHERE payment_id = $1")
            .bind(&payment).fetch_one(app.db.pool()).await.unwrap();
        assert!(reversed.is_some());
    }

    async fn a_debit_returned_after_it_settled_is_taken_back_in_xero(app: TestApp) {
        let fake = FakeXero::start().await;
        let app = xero_connected(app, &fake).await;
        let ids = customer_with_invoices(&app, "ap@disputed.example", &[("XD-1", "500.00", "USD")]).await;
        let xero_invoice = fake.add_invoice("500.00");
        link_invoice(&app, &ids[0], &xero_invoice).await;
        let browser = signed_in(&app, "ap@disputed.example").await;
        let payment = pay(&browser, &[(&ids[0], "500.00")], "us_ach").await;
        app.run_jobs().await;
        assert_eq!(reconciliation_of(&app, &payment).await, "unreconciled", "nothing is recorded before it settles");

        let settled = app.advance_test_clock(4);
        assert_eq!(settled["settled"], 1, "{settled}");
        run_retries(&app).await;
        assert_eq!(reconciliation_of(&app, &payment).await, "synced");
        assert_eq!(fake.state.lock().unwrap().standing_payments(&xero_invoice).len(), 1);

        let returned = app.advance_test_clock(3);
        assert_eq!(returned["returned"], 1, "{returned}");
        run_retries(&app).await;
        {
            let state = fake.state.lock().unwrap();
            assert!(state.standing_payments(&xero_invoice).is_empty(), "the payment is deleted in Xero");
            assert_eq!(state.invoices[&xero_invoice].paid, dec("0.00"));
        }
        let (reversed,): (Option<String>,) = sqlx::query_as("SELECT reversed_at FROM accounting_records WHERE payment_id = $1")
            .bind(&payment).fetch_one(app.db.pool()).await.unwrap();
        assert!(reversed.is_some());
    }
}
