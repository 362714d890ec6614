//! `/api/v1/customers`, end to end.

use crate::helpers::both_databases;
use reqwest::Method;
use serde_json::json;

both_databases! {
    async fn a_customer_is_created_read_back_and_listed(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let created = app
            .api_post(&merchant.api_key, "/customers", &json!({
                "name": "  Globex Manufacturing Inc. ",
                "email": "AP@Globex.example",
                "country": "US",
                "external_id": "QB-17",
            }))
            .await;
        let body = created.ok(201).clone();
        assert_eq!(body["name"], "Globex Manufacturing Inc.");
        assert_eq!(body["contacts"], json!(["ap@globex.example"]));
        assert_eq!(body["profile_completed"], false);
        assert_eq!(body["external_id"], "QB-17");

        let read = app.api_get(&merchant.api_key, &format!("/customers/{}", created.id())).await;
        assert_eq!(read.ok(200), &body);
        let list = app.api_get(&merchant.api_key, "/customers").await;
        assert_eq!(list.ok(200)["data"], json!([body]));
        assert_eq!(list.body["next_cursor"], json!(null));
    }

    async fn contacts_are_added_once_and_the_last_one_stays(app: TestApp) {
        let merchant = app.merchant("acme", "CA").await;
        let id = app
            .api_post(&merchant.api_key, "/customers", &json!({"name": "Initech", "email": "ap@initech.example", "country": "CA"}))
            .await
            .id();
        let contacts = format!("/customers/{id}/contacts");
        let added = app.api_post(&merchant.api_key, &contacts, &json!({"email": "Boss@Initech.example"})).await;
        assert_eq!(added.ok(200)["contacts"], json!(["ap@initech.example", "boss@initech.example"]));
        let again = app.api_post(&merchant.api_key, &contacts, &json!({"email": "boss@initech.example"})).await;
        assert_eq!(again.ok(200)["contacts"].as_array().unwrap().len(), 2);

        let removed = app
            .api(&merchant.api_key, Method::DELETE, &format!("{contacts}?email=ap@initech.example"), None)
            .await;
        assert_eq!(removed.ok(200)["contacts"], json!(["boss@initech.example"]));
        let last = app
            .api(&merchant.api_key, Method::DELETE, &format!("{contacts}?email=boss@initech.example"), None)
            .await;
        last.problem(409, "conflict");
        let unknown = app
            .api(&merchant.api_key, Method::DELETE, &format!("{contacts}?email=nobody@initech.example"), None)
            .await;
        unknown.problem(404, "not-found");
        let bad = app.api_post(&merchant.api_key, &contacts, &json!({"email": "not an email"})).await;
        assert!(bad.invalid("email").contains("@"));
    }

    async fn customer_pages_follow_the_cursor_to_the_end(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let mut created = Vec::new();
        for index in 0..5 {
            let customer = app
                .api_post(&merchant.api_key, "/customers", &json!({
                    "name": format!("Customer {index}"),
                    "email": format!("ap{index}@example.com"),
                    "country": "US",
                }))
                .await;
            created.push(customer.id());
        }
        let mut seen = Vec::new();
        let mut path = "/customers?limit=2".to_owned();
        loop {
            let page = app.api_get(&merchant.api_key, &path).await;
            let body = page.ok(200);
            assert!(body["data"].as_array().unwrap().len() <= 2);
            seen.extend(body["data"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()));
            match body["next_cursor"].as_str() {
                Some(cursor) => path = format!("/customers?limit=2&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(seen, created);
    }

    async fn an_external_id_belongs_to_one_customer(app: TestApp) {
        let merchant = app.merchant("acme", "US").await;
        let body = json!({"name": "Globex", "email": "ap@globex.example", "country": "US", "external_id": "QB-1"});
        app.api_post(&merchant.api_key, "/customers", &body).await.ok(201);
        let second = app.api_post(&merchant.api_key, "/customers", &body).await;
        let taken = second.problem(409, "conflict");
        assert_eq!(taken["field"], "external_id");
        assert!(taken["detail"].as_str().unwrap().contains("QB-1"));
    }
}
