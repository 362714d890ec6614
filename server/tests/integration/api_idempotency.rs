//! `Idempotency-Key` on POST requests.

use crate::helpers::{ApiResponse, TestApp, both_databases};
use serde_json::{Value, json};

async fn post_with_key(
    app: &TestApp,
    api_key: &str,
    path: &str,
    idempotency_key: &str,
    body: &Value,
) -> ApiResponse {
    let response = app
        .client
        .post(format!("{}/api/v1{path}", app.address))
        .bearer_auth(api_key)
        .header("Idempotency-Key", idempotency_key)
        .json(body)
        .send()
        .await
        .unwrap();
    ApiResponse::read(response).await
}

both_databases! {
    async fn a_retried_post_returns_the_first_response_and_creates_nothing_more(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let body = json!({"name": "Globex", "email": "ap@globex.example", "country": "US"});
        let first = post_with_key(&app, &merchant.api_key, "/customers", "create-globex", &body).await;
        first.ok(201);
        assert!(!first.headers.contains_key("idempotent-replayed"));
        let retry = post_with_key(&app, &merchant.api_key, "/customers", "create-globex", &body).await;
        assert_eq!(retry.ok(201), &first.body);
        assert_eq!(retry.headers["idempotent-replayed"], "true");
        assert_eq!(retry.content_type, "application/json");
        let list = app.api_get(&merchant.api_key, "/customers").await;
        assert_eq!(list.ok(200)["data"].as_array().unwrap().len(), 1);
    }

    async fn the_same_bytes_under_another_media_type_are_another_request(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let body = json!({"name": "Globex", "email": "ap@globex.example", "country": "US"}).to_string();
        let send = |content_type: &'static str| {
            app.client
                .post(format!("{}/api/v1/customers", app.address))
                .bearer_auth(&merchant.api_key)
                .header("Idempotency-Key", "typed-wrong")
                .header("content-type", content_type)
                .body(body.clone())
                .send()
        };
        let as_text = ApiResponse::read(send("text/plain").await.unwrap()).await;
        as_text.problem(415, "unsupported-media-type");
        let as_json = ApiResponse::read(send("application/json").await.unwrap()).await;
        as_json.problem(409, "idempotency-key-reused");
    }

    async fn the_same_key_with_another_request_is_a_conflict(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let body = json!({"name": "Globex", "email": "ap@globex.example", "country": "US"});
        post_with_key(&app, &merchant.api_key, "/customers", "k-1", &body).await.ok(201);
        let other_body = json!({"name": "Initech", "email": "ap@initech.example", "country": "US"});
        post_with_key(&app, &merchant.api_key, "/customers", "k-1", &other_body)
            .await
            .problem(409, "idempotency-key-reused");
        let list = app.api_get(&merchant.api_key, "/customers").await;
        assert_eq!(list.ok(200)["data"].as_array().unwrap().len(), 1);
    }

    async fn refusals_are_replayed_too_and_keys_are_per_merchant(app: TestApp) {
        let acme = app.merchant("acme", "US").await;
        let rival = app.merchant("rival", "US").await;
        let bad = json!({"name": "Globex", "email": "nope", "country": "US"});
        post_with_key(&app, &acme.api_key, "/customers", "k-2", &bad).await.invalid("email");
        let again = post_with_key(&app, &acme.api_key, "/customers", "k-2", &bad).await;
        again.invalid("email");
        assert_eq!(again.headers["idempotent-replayed"], "true");
        let good = json!({"name": "Globex", "email": "ap@globex.example", "country": "US"});
        post_with_key(&app, &rival.api_key, "/customers", "k-2", &good).await.ok(201);
    }

    async fn malformed_keys_and_missing_credentials_are_refused_before_any_work(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let body = json!({"name": "Globex", "email": "ap@globex.example", "country": "US"});
        post_with_key(&app, &merchant.api_key, "/customers", &"k".repeat(256), &body)
            .await
            .invalid("Idempotency-Key");
        post_with_key(&app, &merchant.api_key, "/customers", "", &body)
            .await
            .invalid("Idempotency-Key");
        post_with_key(&app, "portico_sk_wrong", "/customers", "k-3", &body)
            .await
            .problem(401, "unauthorized");
        let list = app.api_get(&merchant.api_key, "/customers").await;
        assert_eq!(list.ok(200)["data"], json!([]));
    }
}
