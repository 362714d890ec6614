use crate::helpers::both_databases;

fn csp_nonce(csp: &str) -> &str {
    let start = csp.find("'nonce-").expect("the CSP names a nonce") + "'nonce-".len();
    let end = start + csp[start..].find('\'').unwrap();
    &csp[start..end]
}

both_databases! {
    async fn every_response_carries_the_security_headers(app: TestApp) {
        for path in ["/", "/pay/northwind", "/healthz", "/no/such/page"] {
            let response = app.get(path).await;
            let headers = response.headers();
            let csp = headers["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert!(csp.contains("default-src 'self'"), "{path}");
            assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(headers["referrer-policy"], "strict-origin-when-cross-origin");
            assert_eq!(headers["x-frame-options"], "DENY", "{path}");
            assert!(!headers["x-request-id"].is_empty(), "{path}");
            // Plain HTTP here, so no HSTS.
            assert!(headers.get("strict-transport-security").is_none());
        }
    }

    async fn pages_and_api_answers_are_never_stored(app: TestApp) {
        for path in ["/", "/pay/northwind", "/pay/northwind/invoices", "/no/such/page", "/api/v1/openapi.json", "/api/v1/invoices"] {
            let response = app.get(path).await;
            assert_eq!(response.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"), "{path}");
        }
        let key = server::admin::create_api_key(&app.db, "northwind").await.unwrap().api_key;
        let invoices = app.api_get(&key, "/invoices").await;
        assert_eq!(invoices.status, 200);
        assert_eq!(invoices.headers["cache-control"], "no-store");
        let form = app
            .client
            .post(format!("{}/api/wizard/email", app.address))
            .header("origin", &app.address)
            .form(&[("merchant_slug", "northwind"), ("email", "ana@globex")])
            .send()
            .await
            .unwrap();
        assert_eq!(form.headers()["cache-control"], "no-store");
        // A static file keeps its own caching.
        let brand = app.get("/brand/northwind.css").await;
        assert_eq!(brand.headers()["cache-control"], "public, max-age=300");
    }

    async fn inline_scripts_carry_the_nonce_the_csp_names(app: TestApp) {
        let response = app.get("/pay/northwind").await;
        let csp = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
        let nonce = csp_nonce(&csp).to_owned();
        let html = response.text().await.unwrap();
        let scripts = html.matches("<script").count();
        assert!(scripts > 0);
        assert_eq!(
            html.matches(&format!("nonce=\"{nonce}\"")).count(),
            scripts + html.matches("<style").count(),
            "every inline script and style carries this response's nonce:\n{html}"
        );
        // A second response gets a nonce of its own.
        let again = app.get("/pay/northwind").await;
        let csp_again = again.headers()["content-security-policy"].to_str().unwrap();
        assert_ne!(csp_nonce(csp_again), nonce);
    }

    async fn a_request_id_from_the_caller_is_kept(app: TestApp) {
        let response = app
            .client
            .get(format!("{}/healthz", app.address))
            .header("x-request-id", "trace-me-123")
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["x-request-id"], "trace-me-123");
    }

    async fn pages_are_compressed_for_clients_that_accept_it(app: TestApp) {
        for encoding in ["gzip", "br"] {
            let response = app
                .client
                .get(format!("{}/pay/northwind", app.address))
                .header("accept-encoding", encoding)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            assert_eq!(response.headers()["content-encoding"], encoding);
        }
    }
}

mod embedding {
    use crate::helpers::{TestApp, TestDb};

    #[tokio::test]
    async fn configured_frame_ancestors_replace_the_default_deny() {
        let app = TestApp::spawn_with(
            TestDb::Sqlite,
            &[("PORTICO_FRAME_ANCESTORS", "https://shop.example.com")],
        )
        .await
        .unwrap();
        let response = app.get("/pay/northwind").await;
        let csp = response.headers()["content-security-policy"]
            .to_str()
            .unwrap();
        assert!(
            csp.ends_with("frame-ancestors https://shop.example.com"),
            "{csp}"
        );
        assert!(response.headers().get("x-frame-options").is_none());
    }

    #[tokio::test]
    async fn an_https_public_url_turns_on_hsts() {
        let app = TestApp::spawn_with(TestDb::Sqlite, &[("PUBLIC_URL", "https://pay.example.com")])
            .await
            .unwrap();
        let response = app.get("/healthz").await;
        assert!(
            response.headers()["strict-transport-security"]
                .to_str()
                .unwrap()
                .starts_with("max-age=")
        );
    }
}
