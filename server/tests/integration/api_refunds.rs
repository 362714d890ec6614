//! Refunds through the API: given back once per `Idempotency-Key`, never more than was paid,
//! only of card payments, and another merchant's payment or refund is a 404.

use crate::dashboard::{ADMIN, api_key, csv_export, paid_with_card, staff};
use crate::helpers::{ApiResponse, TestApp, both_databases};
use crate::wizard_payments::outbox_text;
use serde_json::json;

const GOOD_CARD: &str = "4242424242424242";

/// POSTs a refund of `amount` of `payment` with `key` as its `Idempotency-Key` (none when
/// `None`).
async fn ask(
    app: &TestApp,
    api: &str,
    payment: &str,
    amount: &str,
    key: Option<&str>,
) -> ApiResponse {
    let mut request = app
        .client
        .post(format!("{}/api/v1/payments/{payment}/refunds", app.address))
        .bearer_auth(api)
        .json(&json!({ "amount": amount }));
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    ApiResponse::read(request.send().await.unwrap()).await
}

both_databases! {
    async fn a_card_payment_is_refunded_through_the_api_once_per_key(app: TestApp) {
        let payment = paid_with_card(&app, "ap@api-refunds.example", GOOD_CARD).await;
        let api = api_key(&app, "northwind").await;

        let first = ask(&app, &api, &payment, "100.00", Some("refund-1")).await;
        let refund = first.ok(201).clone();
        assert_eq!(refund["status"], "succeeded");
        assert_eq!(refund["amount"], "100.00");
        assert_eq!(refund["currency"], "USD");
        assert_eq!(refund["payment_id"], payment.as_str());
        assert_eq!(refund["requested_by"], "API");
        assert!(refund["processor_reference"].as_str().is_some_and(|reference| reference.starts_with("re_")));

        // A retry with the same key is the same refund, given back once: answered from the
        // stored response, and after that has expired, found again by the refund's own key.
        let again = ask(&app, &api, &payment, "100.00", Some("refund-1")).await;
        assert_eq!(again.ok(201)["id"], refund["id"]);
        assert_eq!(again.headers["idempotent-replayed"], "true");
        sqlx::query("DELETE FROM idempotent_requests WHERE idempotency_key = 'refund-1'")
            .execute(app.db.pool())
            .await
            .unwrap();
        let later = ask(&app, &api, &payment, "100.00", Some("refund-1")).await;
        assert_eq!(later.ok(201)["id"], refund["id"]);
        assert!(later.headers.get("idempotent-replayed").is_none());
        sqlx::query("DELETE FROM idempotent_requests WHERE idempotency_key = 'refund-1'")
            .execute(app.db.pool())
            .await
            .unwrap();
        let other_amount = ask(&app, &api, &payment, "5.00", Some("refund-1")).await;
        other_amount.problem(409, "idempotency-key-reused");
        let body = app.api_get(&api, &format!("/payments/{payment}")).await;
        assert_eq!(body.ok(200)["amount_refunded"], "100.00");
        assert_eq!(body.ok(200)["status"], "succeeded");

        // More than is left is refused on the amount, and gives nothing back.
        let too_much = ask(&app, &api, &payment, "250.01", Some("refund-2")).await;
        let problem = too_much.problem(409, "conflict");
        assert_eq!(problem["field"], "amount");
        assert_eq!(problem["detail"], "At most 250.00 USD of this payment is left to refund.");
        let rest = ask(&app, &api, &payment, "250.00", Some("refund-3")).await;
        assert_eq!(rest.ok(201)["status"], "succeeded");
        let body = app.api_get(&api, &format!("/payments/{payment}")).await;
        assert_eq!(body.ok(200)["status"], "refunded");
        assert_eq!(body.ok(200)["amount_refunded"], "350.00");
        let nothing_left = ask(&app, &api, &payment, "1.00", Some("refund-4")).await;
        assert!(nothing_left.problem(409, "conflict")["detail"].as_str().unwrap().contains("is refunded"));

        let list = app.api_get(&api, &format!("/payments/{payment}/refunds")).await;
        let amounts: Vec<&str> = list.ok(200)["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|refund| refund["amount"].as_str().unwrap())
            .collect();
        assert_eq!(amounts, ["100.00", "250.00"]);
        let one = app.api_get(&api, &format!("/refunds/{}", refund["id"].as_str().unwrap())).await;
        assert_eq!(one.ok(200)["id"], refund["id"]);

        let (at_processor,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sandbox_refunds WHERE payment_id = $1 AND outcome = 'succeeded'")
                .bind(&payment)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(at_processor, 2);
        // The bookkeeper's export says what each invoice gave back, and when.
        let admin = staff(&app, ADMIN).await;
        let csv = csv_export(&app, &admin, "?method=card").await;
        let today = app::services::clock::date_text(app::services::clock::today());
        let rows: Vec<&str> = csv.lines().filter(|line| line.contains(&payment)).collect();
        assert!(rows.iter().any(|row| row.contains(",CSV-1,") && row.ends_with(&format!(",100.00,{today}"))), "{csv}");
        assert!(rows.iter().any(|row| row.contains(",CSV-2,") && row.ends_with(&format!(",250.00,{today}"))), "{csv}");

        app.run_jobs().await;
        let mail = outbox_text(&app).await;
        assert_eq!(mail.matches("Subject: Refund issued: 100.00 USD").count(), 1);
        assert_eq!(mail.matches("Subject: Refund issued: 250.00 USD").count(), 1);
        assert!(mail.contains("Asked by: API"));
    }

    async fn a_refund_without_a_key_or_amount_or_of_a_bank_debit_is_refused_clearly(app: TestApp) {
        let payment = paid_with_card(&app, "ap@api-refund-refusals.example", GOOD_CARD).await;
        let api = api_key(&app, "northwind").await;

        let keyless = ask(&app, &api, &payment, "10.00", None).await;
        assert!(keyless.invalid("Idempotency-Key").contains("A refund needs an Idempotency-Key header"));
        let nonsense = ask(&app, &api, &payment, "ten dollars", Some("nonsense")).await;
        assert!(!nonsense.invalid("amount").is_empty());
        let zero = ask(&app, &api, &payment, "0.00", Some("zero")).await;
        assert!(!zero.invalid("amount").is_empty());
        let missing_amount = app
            .client
            .post(format!("{}/api/v1/payments/{payment}/refunds", app.address))
            .bearer_auth(&api)
            .header("Idempotency-Key", "no-amount")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        let missing_amount = ApiResponse::read(missing_amount).await;
        assert_eq!(missing_amount.status, 422, "{missing_amount:?}");

        // A bank debit is given back by the merchant's own transfer.
        let (ach,): (String,) = sqlx::query_as(
            "SELECT p.id FROM payments p JOIN merchants m ON m.id = p.merchant_id \
             WHERE m.slug = 'northwind' AND p.method = 'us_ach' LIMIT 1",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        let bank = ask(&app, &api, &ach, "1.00", Some("bank")).await;
        assert!(bank.problem(409, "conflict")["detail"].as_str().unwrap().contains("only card payments"));

        // Another merchant's payment and refund are not there.
        let maple = api_key(&app, "maple-wholesale").await;
        ask(&app, &maple, &payment, "10.00", Some("other-merchant")).await.problem(404, "not-found");
        app.api_get(&maple, &format!("/payments/{payment}/refunds")).await.problem(404, "not-found");
        let mine = ask(&app, &api, &payment, "10.00", Some("mine")).await;
        let refund = mine.ok(201)["id"].as_str().unwrap().to_owned();
        app.api_get(&maple, &format!("/refunds/{refund}")).await.problem(404, "not-found");
        app.api_get(&api, "/refunds/not-an-id").await.problem(404, "not-found");

        let (refunded,): (i64,) = sqlx::query_as("SELECT refunded_minor FROM payments WHERE id = $1")
            .bind(&payment)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(refunded, 1000, "only the one refund went through");
    }
}
