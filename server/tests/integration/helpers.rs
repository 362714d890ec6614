use app::services::Database;
use server::config::Config;
use server::startup::Application;
use sqlx::Connection;
use std::collections::HashMap;
use tempfile::TempDir;
use tokio::sync::oneshot;

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestDb {
    Sqlite,
    Postgres,
}

/// Runs each test body once on SQLite and once on PostgreSQL. The PostgreSQL run needs
/// `TEST_POSTGRES_URL` (the test command starts a throwaway cluster and sets it); without it
/// the run is skipped with a notice, except under `CI=true`, where it fails.
macro_rules! both_databases {
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                use $crate::helpers::{TestApp, TestDb};

                async fn run($app: TestApp) $body

                #[tokio::test]
                async fn sqlite() {
                    run(TestApp::spawn(TestDb::Sqlite).await.expect("SQLite is always available")).await
                }

                #[tokio::test]
                async fn postgres() {
                    if let Some(app) = TestApp::spawn(TestDb::Postgres).await {
                        run(app).await
                    }
                }
            }
        )*
    };
}
pub(crate) use both_databases;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Database,
    pub backend: TestDb,
    pub data_dir: TempDir,
    database_url: String,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    /// Starts the application on a fresh database, or `None` when PostgreSQL was asked for and
    /// none is configured outside CI.
    pub async fn spawn(backend: TestDb) -> Option<Self> {
        Self::spawn_with(backend, &[]).await
    }

    pub async fn spawn_with(backend: TestDb, extra_vars: &[(&str, &str)]) -> Option<Self> {
        let data_dir = tempfile::tempdir().expect("a temporary folder");
        let database_url = match backend {
            TestDb::Sqlite => format!(
                "sqlite://{}?mode=rwc",
                data_dir.path().join("portico.db").display()
            ),
            TestDb::Postgres => fresh_postgres_database().await?,
        };
        Some(Self::start(backend, data_dir, database_url, extra_vars).await)
    }

    async fn start(
        backend: TestDb,
        data_dir: TempDir,
        database_url: String,
        extra_vars: &[(&str, &str)],
    ) -> Self {
        let mut vars: HashMap<String, String> = HashMap::from([
            ("LEPTOS_SITE_ADDR".into(), "127.0.0.1:0".into()),
            (
                "PORTICO_DATA_DIR".into(),
                data_dir.path().display().to_string(),
            ),
            ("DATABASE_URL".into(), database_url.clone()),
            (
                "LEPTOS_SITE_ROOT".into(),
                data_dir.path().join("site").display().to_string(),
            ),
        ]);
        for (name, value) in extra_vars {
            vars.insert((*name).to_owned(), (*value).to_owned());
        }
        let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("test config");
        let application = Application::build(config)
            .await
            .expect("the application builds");
        let address = format!("http://{}", application.local_addr());
        let db = application.database().clone();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(application.run_until_stopped(async {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        Self {
            address,
            client,
            db,
            backend,
            data_dir,
            database_url,
            shutdown: Some(shutdown),
            server: Some(server),
        }
    }

    /// Stops this server gracefully and starts a new one on the same database and data folder,
    /// as a restart in production would.
    pub async fn restart(mut self, extra_vars: &[(&str, &str)]) -> Self {
        self.stop().await;
        let data_dir = std::mem::replace(&mut self.data_dir, tempfile::tempdir().unwrap());
        Self::start(
            self.backend,
            data_dir,
            self.database_url.clone(),
            extra_vars,
        )
        .await
    }

    /// Signals a graceful shutdown and waits for the server to finish.
    pub async fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("the server task did not panic")
                .expect("the server stopped cleanly");
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("the request is answered")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Creates an empty database on the PostgreSQL server named by `TEST_POSTGRES_URL` and returns
/// its URL.
async fn fresh_postgres_database() -> Option<String> {
    let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("TEST_POSTGRES_URL is not set: under CI the PostgreSQL tests must run");
        }
        eprintln!("skipped on PostgreSQL: TEST_POSTGRES_URL is not set");
        return None;
    };
    sqlx::any::install_default_drivers();
    let name = format!("portico_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::AnyConnection::connect(&admin_url)
        .await
        .expect("TEST_POSTGRES_URL accepts connections");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("a test database can be created");
    admin.close().await.ok();
    let base = admin_url
        .rsplit_once('/')
        .map(|(base, _)| base)
        .expect("TEST_POSTGRES_URL ends in /database");
    Some(format!("{base}/{name}"))
}

/// A merchant made for one test, with an API key.
pub struct TestMerchant {
    pub id: app::domain::ids::MerchantId,
    pub api_key: String,
    pub api_key_id: String,
}

impl TestApp {
    /// Creates a merchant the way `portico merchant create` does.
    pub async fn merchant(&self, slug: &str, country: &str) -> TestMerchant {
        let public_url = app::domain::public_url::PublicUrl::parse(&self.address).unwrap();
        let options = server::admin::MerchantOptions {
            name: format!("Merchant {slug}"),
            slug: slug.to_owned(),
            country: country.to_owned(),
            currency: None,
            support_email: None,
            accent_colour: None,
            logo_url: None,
            methods: None,
        };
        let created = server::admin::create_merchant(&self.db, &public_url, &options)
            .await
            .expect("the test merchant is created");
        TestMerchant {
            id: created.merchant_id,
            api_key: created.api_key,
            api_key_id: created.api_key_id.to_string(),
        }
    }

    /// Sends an API request with `key`, and a JSON body when given.
    pub async fn api(
        &self,
        key: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> ApiResponse {
        let mut request = self
            .client
            .request(method, format!("{}/api/v1{path}", self.address))
            .bearer_auth(key);
        if let Some(body) = body {
            request = request.json(body);
        }
        ApiResponse::read(request.send().await.expect("the request is answered")).await
    }

    pub async fn api_get(&self, key: &str, path: &str) -> ApiResponse {
        self.api(key, reqwest::Method::GET, path, None).await
    }

    pub async fn api_post(&self, key: &str, path: &str, body: &serde_json::Value) -> ApiResponse {
        self.api(key, reqwest::Method::POST, path, Some(body)).await
    }
}

/// An API answer, read whole.
#[derive(Debug)]
pub struct ApiResponse {
    pub status: u16,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
    pub body: serde_json::Value,
}

impl ApiResponse {
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let content_type = headers
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = response.text().await.expect("a readable body");
        let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        Self {
            status,
            content_type,
            headers,
            body,
        }
    }

    /// Asserts this is a problem document of `status` and problem type `kind`, and returns it.
    #[track_caller]
    pub fn problem(&self, status: u16, kind: &str) -> &serde_json::Value {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(self.content_type, "application/problem+json", "{self:?}");
        assert_eq!(
            self.body["type"],
            format!("urn:portico:problem:{kind}"),
            "{self:?}"
        );
        assert_eq!(self.body["status"], status, "{self:?}");
        assert!(
            self.body["detail"]
                .as_str()
                .is_some_and(|detail| !detail.is_empty())
        );
        &self.body
    }

    /// Asserts a validation problem on `field`.
    #[track_caller]
    pub fn invalid(&self, field: &str) -> &str {
        let body = self.problem(422, "validation");
        assert_eq!(body["field"], field, "{self:?}");
        body["detail"].as_str().unwrap_or_default()
    }

    #[track_caller]
    pub fn ok(&self, status: u16) -> &serde_json::Value {
        assert_eq!(self.status, status, "{self:?}");
        &self.body
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().expect("an id").to_owned()
    }
}
