//! Building the application from its configuration, apart from `main`, so that integration
//! tests start exactly what production runs.

use crate::api;
use crate::api::rate_limit::ApiRequests;
use crate::config::{Config, FrameAncestors};
use crate::state::AppState;
use crate::web::assets::StaticAssets;
use crate::web::client::{ClientAddressSource, identify_client, same_origin_posts};
use crate::web::refusals::refusals_are_client_errors;
use crate::web::security::{CspNonce, SecurityPolicy, add_security_headers};
use crate::web::{brand, health, limits, payment_export, reactive_owner};
use crate::worker::Worker;
use crate::{database, demo};
use anyhow::Context as _;
use app::domain::public_url::PublicUrl;
use app::services::Database;
use app::services::accounting::apps::AccountingApps;
use app::services::jobs;
use app::services::keys::Keys;
use app::services::mail::{MailFrom, Mailer};
use app::services::processors::{Processor, sandbox::Sandbox};
use app::services::rate_limit::{CardAttempts, SessionOpenings};
use app::services::request::CookiePolicy;
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Request, Uri};
use axum::routing::get;
use leptos::config::{Env, LeptosOptions};
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{LeptosRoutes, generate_route_list};
use secrecy::ExposeSecret;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::CompressionLevel;
use tower_http::LatencyUnit;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// The output name cargo-leptos gives the WASM, JS and CSS (`name` in the workspace's
/// `[[workspace.metadata.leptos]]`).
const SITE_OUTPUT_NAME: &str = "portico";
const SITE_PKG_DIR: &str = "pkg";
/// cargo-leptos writes this beside the binary when it hashed the built files' names; Leptos
/// looks for it there too.
const HASH_FILE_NAME: &str = "hash.txt";

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
    background_jobs: bool,
}

impl Application {
    /// Connects to the database, applies migrations, seeds the demo when asked, and binds the
    /// listening socket. Nothing is served until [`Application::run_until_stopped`].
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let db = database::connect(config.database_url.expose_secret())
            .await
            .context("opening the database")?;
        database::migrate(&db)
            .await
            .context("migrating the database")?;
        let mailer = match &config.smtp_url {
            Some(url) => Mailer::smtp(url)?,
            None => Mailer::outbox(&config.data_dir.join("outbox")).await?,
        };
        let listener = TcpListener::bind(config.site_addr)
            .await
            .with_context(|| format!("listening on {}", config.site_addr))?;
        let public_url = match config.public_url {
            Some(url) => url,
            None => PublicUrl::parse(&format!("http://{}", listener.local_addr()?))?,
        };
        if config.seed_demo {
            demo::seed_if_empty(&db, &public_url)
                .await
                .context("seeding the demo merchant")?;
        }
        let hash_file = read_hash_file()?;
        let leptos_options = LeptosOptions::builder()
            .output_name(SITE_OUTPUT_NAME)
            .site_root(config.site_root.display().to_string())
            .site_pkg_dir(SITE_PKG_DIR)
            .hash_files(hash_file.is_some())
            .site_addr(listener.local_addr()?)
            .env(Env::PROD)
            .build();
        let assets = StaticAssets::load(
            &config.site_root,
            hash_file.as_deref(),
            SITE_OUTPUT_NAME,
            SITE_PKG_DIR,
        )
        .with_context(|| format!("reading the static files in {}", config.site_root.display()))?;
        tracing::info!(files = assets.len(), "static files loaded");
        let security = Arc::new(SecurityPolicy {
            frame_ancestors: config.frame_ancestors.clone(),
            strict_transport_security: public_url.as_str().starts_with("https://"),
            form_targets: config
                .accounting
                .iter()
                .filter_map(|app| crate::web::security::origin_of(&app.endpoints.auth_url))
                .collect(),
        });
        let cookie_policy = CookiePolicy {
            secure: public_url.as_str().starts_with("https://"),
            embeddable: config.frame_ancestors != FrameAncestors::None,
        };
        let state = AppState {
            leptos_options,
            db: db.clone(),
            mailer,
            mail_from: MailFrom(config.mail_from.clone()),
            public_url,
            keys: Keys::new(config.secret_key.expose()),
            cookie_policy,
            processor: Processor::Sandbox(Sandbox::new(db.clone())),
            session_openings: SessionOpenings::new(),
            card_attempts: CardAttempts::new(),
            api_requests: ApiRequests::per_minute(config.api_requests_per_minute),
            accounting: AccountingApps::new(config.accounting.clone()),
        };
        let client_source = Arc::new(ClientAddressSource {
            header: config.client_ip_header.clone(),
        });
        let router = router(state.clone(), security, client_source, Arc::new(assets));
        jobs::seed_recurring(&db)
            .await
            .context("seeding the recurring jobs")?;
        Ok(Self {
            listener,
            router,
            state,
            background_jobs: config.background_jobs,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn database(&self) -> &Database {
        &self.state.db
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        tracing::info!(address = %self.local_addr(), "Portico is listening");
        let (stop_worker, worker_stopped) = tokio::sync::oneshot::channel::<()>();
        let worker = self.background_jobs.then(|| {
            tokio::spawn(self.state.worker().run_until_stopped(async {
                let _ = worker_stopped.await;
            }))
        });
        let served = limits::serve(self.listener, self.router, shutdown).await;
        let _ = stop_worker.send(());
        if let Some(worker) = worker
            && tokio::time::timeout(std::time::Duration::from_secs(30), worker)
                .await
                .is_err()
        {
            // Its jobs' leases run out and another worker takes them.
            tracing::warn!("the job worker did not stop within 30 seconds");
        }
        served
    }

    /// A worker for this application's jobs, for tests to run what is due.
    pub fn worker(&self) -> Worker {
        self.state.worker()
    }
}

/// cargo-leptos's list of the content-addressed file names, when this binary was built with
/// them (a release build by cargo-leptos; not the test binaries).
fn read_hash_file() -> anyhow::Result<Option<String>> {
    let exe = std::env::current_exe().context("finding this program's folder")?;
    let path = exe
        .parent()
        .map(|folder| folder.join(HASH_FILE_NAME))
        .unwrap_or_default();
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error).with_context(|| format!("reading {}", path.display())),
    }
}

fn router(
    state: AppState,
    security: Arc<SecurityPolicy>,
    client_source: Arc<ClientAddressSource>,
    assets: Arc<StaticAssets>,
) -> Router {
    // scheme://host[:port] of PUBLIC_URL, which may carry a path.
    let public_origin = {
        let url = state.public_url.as_str();
        let host_start = url.find("://").map_or(0, |index| index + 3);
        let end = url[host_start..]
            .find('/')
            .map_or(url.len(), |index| host_start + index);
        Arc::new(url[..end].to_owned())
    };
    let leptos_context = {
        let state = state.clone();
        move || {
            provide_context(state.db.clone());
            provide_context(state.public_url.clone());
            provide_context(state.keys.clone());
            provide_context(state.cookie_policy);
            provide_context(state.processor.clone());
            provide_context(state.session_openings.clone());
            provide_context(state.card_attempts.clone());
            provide_context(state.accounting.clone());
            adopt_request_nonce();
        }
    };
    let routes = generate_route_list(App);
    Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/brand/{file}", get(brand::stylesheet))
        .route("/dashboard/payments.csv", get(payment_export::export))
        .merge(api::router(&state))
        .leptos_routes_with_context(&state, routes, leptos_context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback({
            let not_found = leptos_axum::file_and_error_handler_with_context::<AppState, _>(
                leptos_context,
                shell,
            );
            move |uri: Uri, state: State<AppState>, request: Request<Body>| async move {
                match assets.respond(request.method(), uri.path(), request.headers()) {
                    Some(file) => file,
                    None => not_found(uri, state, request).await,
                }
            }
        })
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|request: &Request<_>| {
                            let request_id = request
                                .headers()
                                .get("x-request-id")
                                .and_then(|id| id.to_str().ok())
                                .unwrap_or("-");
                            // The path only (query strings may carry tokens), with an invoice
                            // link's token masked: it opens a sign-in for the invoice.
                            tracing::info_span!(
                                "request",
                                request_id,
                                method = %request.method(),
                                path = %loggable_path(request.uri().path()),
                            )
                        })
                        .on_response(
                            DefaultOnResponse::new()
                                .level(Level::INFO)
                                .latency_unit(LatencyUnit::Micros),
                        ),
                )
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(axum::middleware::from_fn_with_state(
                    security,
                    add_security_headers,
                ))
                .layer(axum::middleware::from_fn_with_state(
                    client_source,
                    identify_client,
                ))
                .layer(axum::middleware::from_fn_with_state(
                    public_origin,
                    same_origin_posts,
                ))
                // Static files are precompressed at build time; this compresses pages and
                // JSON, at a level that costs little CPU per response.
                .layer(CompressionLayer::new().quality(CompressionLevel::Precise(4)))
                // Inside compression: it reads the error body as the server function wrote it.
                .layer(axum::middleware::from_fn(refusals_are_client_errors))
                .layer(axum::middleware::from_fn(limits::limit_requests))
                // Innermost, around the handlers: see web/reactive_owner.rs.
                .layer(axum::middleware::from_fn(reactive_owner::isolate)),
        )
}

/// The request path as the log may show it: invoice link tokens (`/pay/{slug}/i/{token}`)
/// replaced by `…`.
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    match path.split_once("/i/") {
        Some((before, _)) if path.starts_with("/pay/") => format!("{before}/i/…").into(),
        _ => path.into(),
    }
}

/// Hands the renderer the nonce that `add_security_headers` put in this request's CSP, in place
/// of the one leptos_axum generated (which no header names).
fn adopt_request_nonce() {
    let nonce = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(nonce)) = nonce {
        provide_context(Nonce::from_value(nonce));
    }
}

/// Completes on Ctrl-C or SIGTERM, for a graceful shutdown.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "could not listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "could not listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}
