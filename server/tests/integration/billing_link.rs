use crate::helpers::both_databases;

both_databases! {
    async fn the_demo_merchant_billing_link_is_rendered_on_the_server(app: TestApp) {
        let response = app.get("/pay/northwind").await;
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"].to_str().unwrap().starts_with("text/html")
        );
        let html = response.text().await.unwrap();
        assert!(html.contains("Pay Northwind IT Services"), "{html}");
        assert!(html.contains("billing@northwind.example"));
        // The shareable link is built from PUBLIC_URL (here, the test server's own address).
        assert!(html.contains(&format!("{}/pay/northwind", app.address)));
        // The merchant's brand colour reaches the page, as a stylesheet of its own.
        assert!(html.contains("/brand/northwind.css"), "{html}");
        let css = app.get("/brand/maple-wholesale.css").await;
        assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
        assert_eq!(css.text().await.unwrap(), ":root{--accent:#b91c1c}\n");
        for unknown in ["/brand/nobody.css", "/brand/northwind", "/brand/..%2Fx.css"] {
            assert_eq!(app.get(unknown).await.status(), 404, "{unknown}");
        }
        // The page loads the WASM that hydrates it.
        assert!(html.contains("/pkg/portico.js"));
        assert!(html.contains("/pkg/portico.css"));
    }

    async fn an_unknown_merchant_gets_a_404_that_says_what_to_do(app: TestApp) {
        for path in ["/pay/no-such-merchant", "/pay/Not_A_Slug", "/pay/%E2%80%AE"] {
            let response = app.get(path).await;
            assert_eq!(response.status(), 404, "{path}");
            let html = response.text().await.unwrap();
            assert!(html.contains("There is no billing link at this address"), "{path}");
        }
    }

    async fn an_unknown_page_gets_a_404(app: TestApp) {
        let response = app.get("/no/such/page").await;
        assert_eq!(response.status(), 404);
        assert!(response.text().await.unwrap().contains("We could not find that page"));
    }

    async fn the_landing_page_explains_how_to_pay(app: TestApp) {
        let response = app.get("/").await;
        assert_eq!(response.status(), 200);
        assert!(response.text().await.unwrap().contains("Pay your business invoices online"));
    }

    async fn the_server_function_answers_with_the_merchant(app: TestApp) {
        let response = app
            .client
            .post(format!("{}/api/wizard/page/email", app.address))
            .form(&[("merchant_slug", "northwind")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["Show"]["frame"]["merchant"]["display_name"], "Northwind IT Services");
        assert_eq!(body["Show"]["frame"]["merchant"]["country"], "US");
    }

    async fn the_server_function_refuses_malformed_input_without_failing(app: TestApp) {
        let response = app
            .client
            .post(format!("{}/api/wizard/page/email", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("not_the_field=%ZZ")
            .send()
            .await
            .unwrap();
        assert!(!response.status().is_success());
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["Invalid"]["field"], "request", "{body}");
        // The server is still up.
        assert_eq!(app.get("/healthz").await.status(), 200);
    }

    async fn the_demo_merchants_are_seeded_once_across_restarts(app: TestApp) {
        let app = app.restart(&[]).await;
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM merchants")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(count, 2, "Northwind (US) and Maple Wholesale (CA)");
    }
}

mod without_demo {
    use crate::helpers::{TestApp, TestDb};

    #[tokio::test]
    async fn portico_demo_off_leaves_the_database_empty() {
        let app = TestApp::spawn_with(TestDb::Sqlite, &[("PORTICO_DEMO", "off")])
            .await
            .unwrap();
        assert_eq!(app.get("/pay/northwind").await.status(), 404);
    }
}
