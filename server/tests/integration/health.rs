use crate::helpers::both_databases;

both_databases! {
    async fn liveness_answers_ok(app: TestApp) {
        let response = app.get("/healthz").await;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ok");
    }

    async fn readiness_answers_ready_while_the_database_is_reachable(app: TestApp) {
        let response = app.get("/readyz").await;
        assert_eq!(response.status(), 200);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ready");
    }

    async fn readiness_answers_503_once_the_database_is_gone(app: TestApp) {
        app.db.pool().close().await;
        let response = app.get("/readyz").await;
        assert_eq!(response.status(), 503);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["database"], "unreachable");
        // Liveness does not depend on the database.
        assert_eq!(app.get("/healthz").await.status(), 200);
    }

    async fn graceful_shutdown_finishes_and_frees_the_port(app: TestApp) {
        let mut app = app;
        let address = app.address.clone();
        app.stop().await;
        let after = reqwest::get(format!("{address}/healthz")).await;
        assert!(after.is_err(), "nothing answers after shutdown");
    }
}
