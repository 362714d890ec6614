use crate::helpers::{TestApp, TestDb, both_databases};

both_databases! {
    async fn migrations_are_recorded_and_a_second_run_changes_nothing(app: TestApp) {
        server::database::migrate(&app.db).await.unwrap();
        let (applied,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(applied, std::fs::read_dir("migrations").unwrap().count() as i64);
    }

    async fn a_second_merchant_with_the_same_slug_is_refused(app: TestApp) {
        use app::domain::merchant::{AccentColour, Country, MerchantSlug};
        use app::domain::money::Currency;
        use app::services::merchants::{self, MerchantError, NewMerchant};
        let merchant = NewMerchant {
            slug: MerchantSlug::parse("northwind").unwrap(),
            legal_name: "Impostor Inc.".into(),
            display_name: "Impostor".into(),
            country: Country::Canada,
            default_currency: Currency::Cad,
            accent_colour: AccentColour::parse("#000000").unwrap(),
            support_email: None,
            logo_url: None,
            payment_methods: Vec::new(),
            minimum_partial_payment_minor: merchants::DEFAULT_MINIMUM_PARTIAL_PAYMENT_MINOR,
            installments: app::domain::installments::InstallmentSettings::standard(false),
        };
        let result = merchants::create(&app.db, &merchant).await;
        assert!(matches!(result, Err(MerchantError::SlugTaken(_))), "{result:?}");
    }
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_in_a_file_under_the_data_dir() {
    let app = TestApp::spawn(TestDb::Sqlite).await.unwrap();
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    assert!(app.data_dir.path().join("portico.db").exists());
    assert!(app.data_dir.path().join("secret.key").exists());
}

#[tokio::test]
async fn every_sqlite_connection_syncs_each_commit_to_disk() {
    let app = TestApp::spawn(TestDb::Sqlite).await.unwrap();
    // Held at once, so that each is a different connection of the pool.
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(app.db.pool().acquire().await.unwrap());
    }
    for connection in &mut held {
        let (synchronous,): (i64,) = sqlx::query_as("PRAGMA synchronous")
            .fetch_one(&mut **connection)
            .await
            .unwrap();
        assert_eq!(synchronous, 2, "FULL");
    }
}
