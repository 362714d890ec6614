use app::services::Database;
use server::config::Config;
use server::startup::Application;
use server::worker::{RunReport, Worker};
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
                        let database_url = app.database_url().to_owned();
                        run(app).await;
                        $crate::helpers::drop_postgres_database(&database_url).await;
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
    /// Runs the outbox's due jobs when a test asks (the background worker is off in tests, so
    /// that what a test reads does not depend on timing).
    pub worker: Worker,
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
            ("PORTICO_BACKGROUND_JOBS".into(), "off".into()),
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
        let worker = application.worker();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(application.run_until_stopped(async {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A hung request fails the test with a message instead of hanging the suite.
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("an HTTP client");
        Self {
            address,
            client,
            db,
            backend,
            data_dir,
            worker,
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

    /// Another server instance on this one's database, with a data folder of its own: what a
    /// second machine behind the same load balancer would run.
    pub async fn beside(&self) -> Self {
        Self::start(
            self.backend,
            tempfile::tempdir().unwrap(),
            self.database_url.clone(),
            &[],
        )
        .await
    }

    /// A second server on the SQLite database file `path` (a restored backup), with a data
    /// folder of its own.
    pub async fn spawn_on_sqlite_file(path: &std::path::Path) -> Self {
        let database_url = format!("sqlite://{}?mode=rw", path.display());
        Self::start(
            TestDb::Sqlite,
            tempfile::tempdir().unwrap(),
            database_url,
            &[],
        )
        .await
    }

    /// The database this server runs on, for admin commands run beside it.
    pub fn database_url(&self) -> &str {
        &self.database_url
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

/// Drops a database `fresh_postgres_database` made, once its test passed (a failed test keeps
/// its database to look at), so a long-lived cluster does not fill up with them.
pub async fn drop_postgres_database(database_url: &str) {
    let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") else {
        return;
    };
    let name = database_url
        .rsplit('/')
        .next()
        .expect("a database URL ends in /database");
    let mut admin = sqlx::AnyConnection::connect(&admin_url)
        .await
        .expect("TEST_POSTGRES_URL accepts connections");
    // FORCE: the stopped server's pool may still be closing its connections.
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .expect("a test database can be dropped");
    admin.close().await.ok();
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
            minimum_partial_payment: None,
            installments: true,
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

/// A browser without JavaScript: it keeps cookies, sends forms as a browser does (HTML
/// accepted, the page as Referer, its own origin) and does not follow redirects, so that tests
/// can see where each answer leads.
#[derive(Clone)]
pub struct Browser {
    client: reqwest::Client,
    cookies: std::sync::Arc<reqwest::cookie::Jar>,
    address: String,
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        let cookies = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(cookies.clone())
            .redirect(reqwest::redirect::Policy::none())
            // A hung request fails the test with a message instead of hanging the suite.
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("an HTTP client");
        Self {
            client,
            cookies,
            address: app.address.clone(),
        }
    }

    /// The `Cookie` header this browser sends, for requests built by hand.
    pub fn cookie_header(&self) -> Option<String> {
        use reqwest::cookie::CookieStore as _;
        let url = reqwest::Url::parse(&self.address).ok()?;
        let value = self.cookies.cookies(&url)?;
        value.to_str().ok().map(str::to_owned)
    }

    /// Opens a page as a navigation would.
    pub async fn open(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .header("accept", "text/html")
            .send()
            .await
            .expect("the page is answered")
    }

    /// Opens a page as a navigation carrying `cookie` (another browser's, copied).
    pub async fn open_with_cookie(&self, path: &str, cookie: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .header("accept", "text/html")
            .header("cookie", cookie)
            .send()
            .await
            .expect("the page is answered")
    }

    /// Opens a page and returns its HTML, following redirects the way a browser would.
    pub async fn page(&self, path: &str) -> (String, String) {
        let mut path = path.to_owned();
        for _ in 0..5 {
            let response = self.open(&path).await;
            match location(&response) {
                Some(next) if response.status().is_redirection() => path = next,
                _ => return (path, response.text().await.expect("a readable page")),
            }
        }
        panic!("too many redirects from {path}");
    }

    /// Submits a form on `page` to the server function `endpoint` (e.g. `wizard/email`) and
    /// returns where the answer sends the browser.
    pub async fn submit(&self, page: &str, endpoint: &str, fields: &[(&str, &str)]) -> String {
        let response = self
            .client
            .post(format!("{}/api/{endpoint}", self.address))
            .header("accept", "text/html")
            .header("origin", &self.address)
            .header("referer", format!("{}{page}", self.address))
            .form(fields)
            .send()
            .await
            .expect("the form is answered");
        assert!(
            response.status().is_redirection(),
            "{endpoint}: {}",
            response.status()
        );
        location(&response).expect("a redirect has a location")
    }

    /// The error a refused form sent the browser back with (Leptos puts it in the URL).
    pub fn error_in(location: &str) -> Option<String> {
        use base64::Engine as _;
        let encoded = location.split("__err=").nth(1)?.split('&').next()?;
        let encoded = encoded
            .replace("%3D", "=")
            .replace("%2B", "+")
            .replace("%2F", "/");
        let bytes = base64::engine::general_purpose::URL_SAFE
            .decode(encoded)
            .ok()?;
        String::from_utf8(bytes).ok()
    }

    pub fn session_cookie(response: &reqwest::Response) -> Option<String> {
        response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok())
            // A browser applies them in order: the last one is the cookie it keeps.
            .rfind(|value| {
                value.starts_with("portico_session_")
                    || value.starts_with("__Host-portico_session_")
            })
            .map(str::to_owned)
    }
}

/// The path a redirect leads to, without the scheme and host.
pub fn location(response: &reqwest::Response) -> Option<String> {
    let location = response.headers().get("location")?.to_str().ok()?;
    Some(match location.split_once("://") {
        Some((_, rest)) => rest
            .find('/')
            .map_or("/".to_owned(), |index| rest[index..].to_owned()),
        None => location.to_owned(),
    })
}

impl TestApp {
    /// Runs every job of the outbox that is due now, as the background worker would.
    pub async fn run_jobs(&self) -> RunReport {
        self.worker.run_due().await.expect("the due jobs run")
    }

    /// The code in the newest sign-in email to `email` in the outbox, once the due jobs ran.
    pub async fn latest_code(&self, email: &str) -> String {
        self.run_jobs().await;
        let outbox = self.data_dir.path().join("outbox");
        let mut messages: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(&outbox)
            .expect("the outbox exists")
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| {
                let modified = entry.metadata().ok()?.modified().ok()?;
                let text = std::fs::read_to_string(entry.path()).ok()?;
                Some((modified, text))
            })
            // Other emails to the address (an approval, a receipt) may be newer than its code.
            .filter(|(_, text)| {
                text.contains(&format!("To: {email}")) && text.contains("Your sign-in code ")
            })
            .collect();
        messages.sort_by_key(|(modified, _)| *modified);
        let (_, text) = messages.last().expect("a code email was sent");
        // The plain-text part's first line: "Your sign-in code to pay {merchant}: 123456", or
        // "Your sign-in code to the Portico dashboard: 123456".
        text.lines()
            .filter(|line| line.starts_with("Your sign-in code "))
            .find_map(|line| {
                let digits = line.rsplit(": ").next()?.trim();
                (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| digits.to_owned())
            })
            .expect("the email carries a code")
    }

    /// Runs `portico test-clock advance --days {days}` against this server's database, as an
    /// operator would while it runs; returns what the command printed.
    pub fn advance_test_clock(&self, days: u32) -> serde_json::Value {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
            .args(["test-clock", "advance", "--days", &days.to_string()])
            .env("DATABASE_URL", &self.database_url)
            .env("PORTICO_DATA_DIR", self.data_dir.path())
            .output()
            .expect("the portico binary runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("the command prints JSON")
    }

    /// How many emails the outbox holds once the due jobs ran.
    pub async fn outbox_count(&self) -> usize {
        self.run_jobs().await;
        std::fs::read_dir(self.data_dir.path().join("outbox"))
            .map(|entries| entries.count())
            .unwrap_or(0)
    }
}
