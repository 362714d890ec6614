//! Who may call the API: a valid, unrevoked key, and only ever for its own merchant's rows.

use crate::api_invoices::{new_customer, new_invoice, pay};
use crate::helpers::both_databases;
use app::domain::ids::ApiKeyId;
use app::services::api_keys;
use serde_json::json;

both_databases! {
    async fn another_merchants_rows_are_not_found(app: TestApp) {
        let acme = app.merchant("acme", "US").await;
        let rival = app.merchant("rival", "US").await;
        let customer = new_customer(&app, &acme, "ap@globex.example").await;
        let invoice = new_invoice(&app, &acme, &customer, "INV-1", "10.00").await;
        let payment = pay(&app, &acme, &customer, &invoice, "10.00").await;
        let invoice_id = invoice["id"].as_str().unwrap();

        for path in [
            format!("/customers/{customer}"),
            format!("/invoices/{invoice_id}"),
            format!("/payments/{payment}"),
        ] {
            app.api_get(&rival.api_key, &path).await.problem(404, "not-found");
            app.api_get(&acme.api_key, &path).await.ok(200);
        }
        for path in ["/customers", "/invoices", "/payments"] {
            let list = app.api_get(&rival.api_key, path).await;
            assert_eq!(list.ok(200)["data"], json!([]), "{path}");
        }
        let filtered = app.api_get(&rival.api_key, &format!("/invoices?customer_id={customer}")).await;
        assert_eq!(filtered.ok(200)["data"], json!([]));

        let stolen = app
            .api_post(&rival.api_key, "/invoices", &json!({
                "customer_id": customer, "number": "X-1", "currency": "USD", "total": "1.00",
                "issued_on": "2026-11-01", "due_on": "2026-11-02",
            }))
            .await;
        assert_eq!(stolen.problem(404, "not-found")["field"], "customer_id");
        app.api_post(&rival.api_key, &format!("/invoices/{invoice_id}/void"), &json!({}))
            .await
            .problem(404, "not-found");
        app.api_post(&rival.api_key, &format!("/customers/{customer}/contacts"), &json!({"email": "spy@rival.example"}))
            .await
            .problem(404, "not-found");
    }

    async fn missing_wrong_and_revoked_keys_are_refused(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let missing = app
            .client
            .get(format!("{}/api/v1/customers", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(missing.headers()["www-authenticate"], "Bearer");
        crate::helpers::ApiResponse::read(missing).await.problem(401, "unauthorized");
        let basic = app
            .client
            .get(format!("{}/api/v1/customers", app.address))
            .basic_auth("user", Some("pass"))
            .send()
            .await
            .unwrap();
        crate::helpers::ApiResponse::read(basic).await.problem(401, "unauthorized");
        app.api_get("portico_sk_0000", "/customers").await.problem(401, "unauthorized");
        app.api_get("not-even-a-key", "/customers").await.problem(401, "unauthorized");

        app.api_get(&merchant.api_key, "/customers").await.ok(200);
        api_keys::revoke_any(&app.db, ApiKeyId::parse(&merchant.api_key_id).unwrap()).await.unwrap();
        app.api_get(&merchant.api_key, "/customers").await.problem(401, "unauthorized");
    }

    async fn keys_are_stored_only_as_hashes(app: TestApp) {
        use sha2::{Digest, Sha256};
        let merchant = app.merchant("acme", "US").await;
        let (hash, hint, created_at): (String, String, String) =
            sqlx::query_as("SELECT token_hash, hint, created_at FROM api_keys WHERE id = $1")
                .bind(&merchant.api_key_id)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(hash, hex::encode(Sha256::digest(merchant.api_key.as_bytes())));
        for column in [&hash, &hint, &created_at] {
            assert!(!column.contains(&merchant.api_key[11..]), "the key itself is not stored");
        }
        assert!(merchant.api_key.ends_with(&hint[hint.len() - 4..]));
    }
}

#[tokio::test]
async fn a_key_past_its_rate_is_told_when_to_come_back_and_other_keys_are_not() {
    // Ten a minute: a burst of one, then one every six seconds.
    let app = crate::helpers::TestApp::spawn_with(
        crate::helpers::TestDb::Sqlite,
        &[("PORTICO_API_REQUESTS_PER_MINUTE", "10")],
    )
    .await
    .unwrap();
    let acme = app.merchant("acme", "US").await;
    let rival = app.merchant("rival", "US").await;
    app.api_get(&acme.api_key, "/customers").await.ok(200);

    let refused = app.api_get(&acme.api_key, "/customers").await;
    let problem = refused.problem(429, "too-many-requests");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("more than 10 requests in a minute"),
        "{problem}"
    );
    let retry_after: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=6).contains(&retry_after), "Retry-After: {retry_after}");

    app.api_get(&rival.api_key, "/customers").await.ok(200);
}
