//! The admin commands behind `portico merchant ...` and `portico demo`.

use crate::helpers::{TestApp, TestDb, both_databases};
use app::domain::public_url::PublicUrl;
use server::admin::{self, MerchantOptions};

fn options(slug: &str, country: &str) -> MerchantOptions {
    MerchantOptions {
        name: "Acme Supplies".into(),
        slug: slug.into(),
        country: country.into(),
        currency: None,
        support_email: Some("billing@acme.example".into()),
        accent_colour: None,
        logo_url: None,
        methods: None,
        minimum_partial_payment: None,
        installments: true,
    }
}

/// The message of a refused admin command (what it created would not be `Debug`: it holds a key).
fn refusal<T>(result: anyhow::Result<T>) -> String {
    match result {
        Ok(_) => panic!("the command should have been refused"),
        Err(error) => error.to_string(),
    }
}

both_databases! {
    async fn a_created_merchant_gets_a_billing_link_and_a_working_api_key(app: TestApp) {
        let public_url = PublicUrl::parse(&app.address).unwrap();
        let created = admin::create_merchant(&app.db, &public_url, &options("acme", "CA")).await.unwrap();
        assert_eq!(created.billing_link, format!("{}/pay/acme", app.address));
        assert!(created.api_key.starts_with("portico_sk_"));
        app.api_get(&created.api_key, "/customers").await.ok(200);
        assert_eq!(app.get("/pay/acme").await.status(), 200);

        let second = admin::create_api_key(&app.db, "acme").await.unwrap();
        admin::revoke_api_key(&app.db, &created.api_key_id.to_string()).await.unwrap();
        app.api_get(&created.api_key, "/customers").await.problem(401, "unauthorized");
        app.api_get(&second.api_key, "/customers").await.ok(200);
    }

    async fn bad_admin_arguments_say_which_flag_is_wrong(app: TestApp) {
        let public_url = PublicUrl::parse(&app.address).unwrap();
        let taken = refusal(admin::create_merchant(&app.db, &public_url, &options("northwind", "US")).await);
        assert!(taken.to_string().starts_with("--slug:"), "{taken}");
        let country = refusal(admin::create_merchant(&app.db, &public_url, &options("acme", "FR")).await);
        assert!(country.to_string().starts_with("--country:"), "{country}");
        let mut pad_in_us = options("acme", "US");
        pad_in_us.methods = Some("card,ca_pad".into());
        let methods = refusal(admin::create_merchant(&app.db, &public_url, &pad_in_us).await);
        assert!(methods.to_string().contains("ca_pad is not offered in US"), "{methods}");
        for bad in ["0", "0.00", "-1", "five", "1.001"] {
            let mut free = options("acme", "US");
            free.minimum_partial_payment = Some(bad.into());
            let minimum = refusal(admin::create_merchant(&app.db, &public_url, &free).await);
            assert!(minimum.starts_with("--minimum-partial-payment:"), "{bad}: {minimum}");
        }
        assert!(refusal(admin::create_api_key(&app.db, "nobody").await).starts_with("--merchant:"));
        assert!(admin::revoke_api_key(&app.db, "42").await.unwrap_err().to_string().starts_with("--key-id:"));
    }

    async fn a_merchant_sets_the_smallest_part_of_an_invoice_its_customers_may_pay(app: TestApp) {
        use app::services::merchants;

        let public_url = PublicUrl::parse(&app.address).unwrap();
        let mut strict = options("acme", "US");
        strict.minimum_partial_payment = Some("25.00".into());
        let created = admin::create_merchant(&app.db, &public_url, &strict).await.unwrap();
        let minimum = merchants::minimum_partial_payment_minor(&app.db, created.merchant_id).await.unwrap();
        assert_eq!(minimum, 2500);
        let usual = admin::create_merchant(&app.db, &public_url, &options("usual", "CA")).await.unwrap();
        let minimum = merchants::minimum_partial_payment_minor(&app.db, usual.merchant_id).await.unwrap();
        assert_eq!(minimum, 100);
    }

    async fn the_demo_seeds_invoices_in_every_state_a_customer_meets(app: TestApp) {
        let northwind = admin::create_api_key(&app.db, "northwind").await.unwrap();
        let maple = admin::create_api_key(&app.db, "maple-wholesale").await.unwrap();
        for key in [&northwind.api_key, &maple.api_key] {
            let list = app.api_get(key, "/invoices?limit=100").await;
            let invoices = list.ok(200)["data"].as_array().unwrap().clone();
            let has = |status: &str| invoices.iter().any(|invoice| invoice["status"] == status);
            assert!(has("open") && has("partially_paid") && has("paid"), "{invoices:?}");
            assert!(invoices.iter().any(|invoice| invoice["overdue"] == true));
            let customers = app.api_get(key, "/customers").await;
            let contacts: Vec<_> = customers.ok(200)["data"].as_array().unwrap().iter()
                .flat_map(|customer| customer["contacts"].as_array().unwrap().clone())
                .collect();
            assert!(contacts.contains(&serde_json::json!(server::demo::DEMO_CUSTOMER_EMAIL)));
        }
        let public_url = PublicUrl::parse(&app.address).unwrap();
        let again = admin::seed_demo(&app.db, &public_url).await.unwrap();
        assert_eq!(again.merchants.len(), 2, "a second run changes nothing and still prints the links");
        let list = app.api_get(&northwind.api_key, "/invoices?limit=100").await;
        assert_eq!(list.ok(200)["data"].as_array().unwrap().len(), 5);
    }
}

#[tokio::test]
async fn the_portico_binary_prints_the_created_merchant_as_json() {
    let app = TestApp::spawn(TestDb::Sqlite).await.unwrap();
    let database_url = format!(
        "sqlite://{}?mode=rwc",
        app.data_dir.path().join("portico.db").display()
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .args([
            "merchant",
            "create",
            "--name",
            "Acme",
            "--slug",
            "acme-cli",
            "--country",
            "US",
        ])
        .env("DATABASE_URL", &database_url)
        .env("PORTICO_DATA_DIR", app.data_dir.path())
        .env("PUBLIC_URL", "https://pay.example.com")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        printed["billing_link"],
        "https://pay.example.com/pay/acme-cli"
    );
    assert!(printed["merchant_id"].as_str().is_some());
    app.api_get(printed["api_key"].as_str().unwrap(), "/customers")
        .await
        .ok(200);

    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .args([
            "merchant",
            "create",
            "--name",
            "Acme",
            "--slug",
            "acme-cli",
            "--country",
            "US",
        ])
        .env("DATABASE_URL", &database_url)
        .env("PORTICO_DATA_DIR", app.data_dir.path())
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("error: --slug: the billing link name acme-cli is already taken")
    );
}

#[tokio::test]
async fn the_demo_command_fills_in_a_demo_merchant_left_empty() {
    let app = TestApp::spawn_with(TestDb::Sqlite, &[("PORTICO_DEMO", "off")])
        .await
        .unwrap();
    let public_url = PublicUrl::parse(&app.address).unwrap();
    let mut empty = options("maple-wholesale", "CA");
    empty.name = "Maple Wholesale Supply".into();
    let created = admin::create_merchant(&app.db, &public_url, &empty)
        .await
        .unwrap();
    assert_eq!(
        app.api_get(&created.api_key, "/invoices").await.ok(200)["data"],
        serde_json::json!([])
    );
    admin::seed_demo(&app.db, &public_url).await.unwrap();
    let invoices = app.api_get(&created.api_key, "/invoices").await;
    assert_eq!(invoices.ok(200)["data"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn a_backup_of_the_live_database_serves_the_same_invoices_and_payments() {
    let app = TestApp::spawn(TestDb::Sqlite).await.unwrap();
    let key = admin::create_api_key(&app.db, "northwind")
        .await
        .unwrap()
        .api_key;
    let invoices = app
        .api_get(&key, "/invoices?limit=100")
        .await
        .ok(200)
        .clone();
    let payments = app
        .api_get(&key, "/payments?limit=100")
        .await
        .ok(200)
        .clone();
    assert!(
        !payments["data"].as_array().unwrap().is_empty(),
        "the demo has payments"
    );

    let backup = app.data_dir.path().join("backup.db");
    let run = |to: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
            .args(["backup", "--to", &to.display().to_string()])
            .env("DATABASE_URL", app.database_url())
            .env("PORTICO_DATA_DIR", app.data_dir.path())
            .output()
            .unwrap()
    };
    // While the server runs and serves.
    let made = run(&backup);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let again = run(&backup);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    let restored = TestApp::spawn_on_sqlite_file(&backup).await;
    // Payment links name the server they were made on, which is another one now.
    let without_links = |mut page: serde_json::Value| {
        for invoice in page["data"].as_array_mut().unwrap() {
            invoice.as_object_mut().unwrap().remove("payment_link");
        }
        page
    };
    assert_eq!(
        without_links(
            restored
                .api_get(&key, "/invoices?limit=100")
                .await
                .ok(200)
                .clone()
        ),
        without_links(invoices)
    );
    assert_eq!(
        restored.api_get(&key, "/payments?limit=100").await.ok(200),
        &payments
    );
}

#[tokio::test]
async fn a_postgres_database_is_sent_to_pg_dump() {
    let Some(app) = TestApp::spawn(TestDb::Postgres).await else {
        return;
    };
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
        .args(["backup", "--to", "/tmp/never-written.db"])
        .env("DATABASE_URL", app.database_url())
        .env("PORTICO_DATA_DIR", app.data_dir.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("pg_dump"));
    assert!(!std::path::Path::new("/tmp/never-written.db").exists());
}
