//! The OpenAPI document, and that it describes exactly the routes the server answers.

use crate::helpers::both_databases;
use reqwest::Method;

both_databases! {
    async fn the_openapi_document_lists_every_route_and_each_one_answers(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let response = app.get("/api/v1/openapi.json").await;
        assert_eq!(response.status(), 200);
        let document: serde_json::Value = response.json().await.unwrap();
        assert!(document["openapi"].as_str().unwrap().starts_with("3."));
        assert_eq!(document["components"]["securitySchemes"]["api_key"]["scheme"], "bearer");
        let paths = document["paths"].as_object().unwrap();
        for expected in [
            "/api/v1/customers",
            "/api/v1/customers/{id}",
            "/api/v1/customers/{id}/contacts",
            "/api/v1/invoices",
            "/api/v1/invoices/{id}",
            "/api/v1/invoices/{id}/void",
            "/api/v1/invoices/{id}/payment-link/revoke",
            "/api/v1/payments",
            "/api/v1/payments/{id}",
        ] {
            assert!(paths.contains_key(expected), "{expected} is documented");
        }
        for (path, item) in paths {
            for (method, operation) in item.as_object().unwrap() {
                let concrete = path
                    .replace("{id}", &uuid::Uuid::new_v4().to_string())
                    .trim_start_matches("/api/v1")
                    .to_owned();
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let answer = app.api(&merchant.api_key, method.clone(), &concrete, Some(&serde_json::json!({}))).await;
                let unknown = answer.body["detail"].as_str().is_some_and(|d| d.contains("no such API endpoint"));
                assert!(!unknown && answer.status != 405, "{method} {path} is documented but not served: {answer:?}");
                if method == Method::POST {
                    let parameters = operation["parameters"].as_array().unwrap();
                    assert!(parameters.iter().any(|p| p["name"] == "Idempotency-Key"), "{path}");
                }
            }
        }
    }
}
