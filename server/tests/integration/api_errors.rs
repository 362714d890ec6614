//! Bad input of every kind gets a 4xx problem document that says what is wrong: never a 500,
//! never a panic, never a silent acceptance.

use crate::api_invoices::new_customer;
use crate::helpers::{ApiResponse, TestApp, both_databases};
use reqwest::Method;
use serde_json::{Value, json};

fn invoice_with(customer: &str, changes: Value) -> Value {
    let mut body = json!({
        "customer_id": customer,
        "number": "INV-1",
        "currency": "USD",
        "total": "100.00",
        "issued_on": "2026-11-01",
        "due_on": "2026-12-01",
    });
    for (key, value) in changes.as_object().unwrap() {
        if value.is_null() {
            body.as_object_mut().unwrap().remove(key);
        } else {
            body[key] = value.clone();
        }
    }
    body
}

async fn raw(
    app: &TestApp,
    key: &str,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> ApiResponse {
    let mut request = app
        .client
        .request(method, format!("{}/api/v1{path}", app.address))
        .bearer_auth(key)
        .body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    ApiResponse::read(request.send().await.unwrap()).await
}

both_databases! {
    async fn each_bad_invoice_field_is_named_with_a_specific_message(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let customer = new_customer(&app, &merchant, "ap@globex.example").await;
        let cases: Vec<(Value, &str, &str)> = vec![
            (json!({"total": 1250}), "total", "expected a string"),
            (json!({"total": "12.345"}), "total", "at most 2 decimal places"),
            (json!({"total": "-5.00"}), "total", "negative"),
            (json!({"total": "0.00"}), "total", "more than 0.00"),
            (json!({"total": "1e3"}), "total", "“e”"),
            (json!({"total": "1,250.00"}), "total", "“,”"),
            (json!({"total": "99999999999999999999"}), "total", "cannot be more than"),
            (json!({"total": ""}), "total", "Enter an amount"),
            (json!({"currency": "EUR"}), "currency", "USD or CAD"),
            (json!({"issued_on": "2026-02-30"}), "issued_on", "YYYY-MM-DD"),
            (json!({"due_on": "01/12/2026"}), "due_on", "YYYY-MM-DD"),
            (json!({"due_on": "2026-10-01"}), "due_on", "before the issue date"),
            (json!({"number": "   "}), "number", "Enter an invoice number"),
            (json!({"number": "x".repeat(65)}), "number", "at most 64"),
            (json!({"customer_id": "not-a-uuid"}), "customer_id", "is a UUID"),
            (json!({"memo": "bad\u{0007}memo"}), "memo", "control characters"),
            (json!({"colour": "red"}), "colour", "Unknown field"),
            (json!({"number": null}), "number", "Missing field"),
            (json!({"line_items": [{"description": "A", "quantity": "abc", "unit_price": "100.00"}]}), "line_items[0].quantity", "decimal number"),
            (json!({"line_items": [{"description": "A", "quantity": "0", "unit_price": "100.00"}]}), "line_items[0].quantity", "more than 0"),
            (json!({"line_items": [{"description": "A", "quantity": "1", "unit_price": "1.001"}]}), "line_items[0].unit_price", "decimal places"),
            (json!({"line_items": [{"description": "A", "quantity": "1"}]}), "line_items[0].unit_price", "Missing field"),
            (json!({"line_items": [{"description": "A", "quantity": "1", "unit_price": "99.00"}]}), "line_items", "add up to 99.00"),
            (json!({"line_items": "none"}), "line_items", "expected a sequence"),
            (json!({"line_items": [{"description": "A", "quantity": "1000000", "unit_price": "999999999.99"}]}), "line_items[0].quantity", "at most 999,999,999.99"),
            (json!({"issued_on": "-0005-01-01", "due_on": "-0001-01-01"}), "issued_on", "YYYY-MM-DD"),
            (json!({"due_on": "+2026-12-01"}), "due_on", "YYYY-MM-DD"),
        ];
        for (changes, field, message) in cases {
            let response = app.api_post(&merchant.api_key, "/invoices", &invoice_with(&customer, changes.clone())).await;
            let detail = response.invalid(field);
            assert!(detail.contains(message), "{changes}: {detail:?} should mention {message:?}");
        }
        let unknown = json!({"customer_id": uuid::Uuid::new_v4().to_string()});
        let response = app.api_post(&merchant.api_key, "/invoices", &invoice_with(&customer, unknown)).await;
        assert_eq!(response.problem(404, "not-found")["field"], "customer_id");
        let list = app.api_get(&merchant.api_key, "/invoices").await;
        assert_eq!(list.ok(200)["data"], json!([]), "nothing bad was stored");
    }

    async fn bad_customer_fields_are_named(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let cases: Vec<(Value, &str)> = vec![
            (json!({"name": "A", "email": "ana@acme", "country": "US"}), "email"),
            (json!({"name": "A", "email": "ana@acme.com", "country": "us"}), "country"),
            (json!({"name": "", "email": "ana@acme.com", "country": "US"}), "name"),
            (json!({"name": "A", "email": "ana@acme.com", "country": "US", "external_id": "x\ny"}), "external_id"),
            (json!({"name": ["A"], "email": "ana@acme.com", "country": "US"}), "name"),
            (json!({"name": "A", "country": "US"}), "email"),
        ];
        for (body, field) in cases {
            app.api_post(&merchant.api_key, "/customers", &body).await.invalid(field);
        }
    }

    async fn malformed_bodies_get_problems_not_crashes(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let key = &merchant.api_key;
        raw(&app, key, Method::POST, "/customers", Some("application/json"), b"{\"name\": ".to_vec())
            .await
            .problem(400, "malformed-json");
        raw(&app, key, Method::POST, "/customers", Some("application/json"), b"[1, 2]".to_vec())
            .await
            .problem(422, "validation");
        raw(&app, key, Method::POST, "/customers", Some("application/json"), vec![0xff, 0xfe])
            .await
            .problem(400, "malformed-json");
        raw(&app, key, Method::POST, "/customers", None, b"{}".to_vec())
            .await
            .problem(415, "unsupported-media-type");
        raw(&app, key, Method::POST, "/customers", Some("text/plain"), b"{}".to_vec())
            .await
            .problem(415, "unsupported-media-type");
        let huge = format!("{{\"name\": \"{}\"}}", "a".repeat(300 * 1024));
        raw(&app, key, Method::POST, "/customers", Some("application/json"), huge.into_bytes())
            .await
            .problem(413, "payload-too-large");
    }

    async fn bad_paths_queries_and_methods_get_problems(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let key = &merchant.api_key;
        app.api_get(key, "/invoices/not-a-uuid").await.problem(404, "not-found");
        app.api_get(key, &format!("/customers/{}", uuid::Uuid::new_v4())).await.problem(404, "not-found");
        app.api_get(key, "/no-such-thing").await.problem(404, "not-found");
        app.api_get(key, "").await.problem(404, "not-found");
        app.api_get(key, "/invoices/%FF").await.problem(400, "bad-request");
        for (query, field) in [
            ("limit=0", "limit"),
            ("limit=101", "limit"),
            ("limit=ten", "limit"),
            ("limit=-1", "limit"),
            ("cursor=zz", "cursor"),
            ("cursor=", "cursor"),
            ("status=overdue", "status"),
            ("customer_id=42", "customer_id"),
        ] {
            app.api_get(key, &format!("/invoices?{query}")).await.invalid(field);
        }
        app.api_get(key, "/invoices?colour=red").await.problem(400, "invalid-query");
        let wrong_method = app.api(key, Method::DELETE, "/invoices", None).await;
        wrong_method.problem(405, "method-not-allowed");
        assert!(wrong_method.headers.contains_key("allow"));
        app.api(key, Method::PUT, &format!("/customers/{}", uuid::Uuid::new_v4()), Some(&json!({})))
            .await
            .problem(405, "method-not-allowed");
    }
}
