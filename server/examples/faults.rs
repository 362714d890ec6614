//! Fault-injection harness (not a test: it prints figures; `scripts/faults.sh` runs it).
//!
//! For every crash point of `app::services::crash_point::ALL`, `runs` times, on SQLite and (when
//! `TEST_POSTGRES_URL` is set) PostgreSQL: prepares a fresh database with one signed-in customer
//! standing at step 8 with a 40.00 USD invoice, starts the real `portico` binary (built with the
//! `crash-points` feature) armed to die at the point, confirms the payment over HTTP (and, for
//! the settlement point, moves the sandbox's test clock so the debit settles), and waits for the
//! process to die. Then it starts the server again unarmed, confirms once more with the same
//! idempotency key (what a customer does after an error page), lets leases that the dead
//! process held run out, runs the due jobs and checks the books. For the refund points the
//! confirm goes through and what dies is a refund of 15.00 of it asked through the API; the
//! same request is sent again after the restart (once the dead request's claim on its
//! `Idempotency-Key` has run out) and the books must show:
//!
//! - exactly one refund for the key, succeeded, given back once at the processor; the payment
//!   holding nothing more and the invoice owing the 15.00 again;
//!
//! and for every point:
//!
//! - exactly one payment for the key, charged or debited exactly once at the processor;
//! - no payment left pending, none both charged and failed;
//! - the invoice's balance equal to its total less the payments that cover it;
//! - every email the payment's status changes (and the refund) call for delivered to the SMTP
//!   sink exactly once
//!   (a message delivered again with the same `Message-ID` after a crash between sending and
//!   recording is counted apart, as "redelivered": mail systems take it for the same message).
//!
//! Usage: `cargo run -p server --features crash-points --example faults -- [runs]` (default 20).

use app::domain::bank::{AccountNumber, AccountType, HolderType, RoutingNumber};
use app::domain::checkout::{Checkout, Instrument, Review, SelectedInvoice};
use app::domain::email::EmailAddress;
use app::domain::ids::{InvoiceId, MerchantId};
use app::domain::merchant::MerchantSlug;
use app::domain::money::{AmountSyntax, Currency, Money};
use app::domain::payment::PaymentMethodKind;
use app::domain::public_url::PublicUrl;
use app::domain::text::InvoiceNumber;
use app::services::bank_accounts::{self, BankRouting, NewBankAccount};
use app::services::invoices::{self, NewInvoice};
use app::services::keys::Keys;
use app::services::request::CookiePolicy;
use app::services::{Database, api_keys, crash_point, merchants, sessions};
use secrecy::ExposeSecret;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use time::macros::date;

mod support;

use support::smtp_sink::SmtpSink;

const SECRET_KEY: &str = "5f0b7c1e2d3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
const SLUG: &str = "northwind";
/// What the refund points give back of the 40.00 payment, in cents.
const REFUND_MINOR: i64 = 1500;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::args()
        .nth(1)
        .map(|text| text.parse())
        .transpose()?
        .unwrap_or(20);
    let binary = portico_binary()?;
    let mut backends = vec![Backend::Sqlite];
    if let Ok(url) = std::env::var("TEST_POSTGRES_URL") {
        backends.push(Backend::Postgres(url));
    }
    let mut failed = false;
    for backend in &backends {
        let mut totals = Tally::default();
        println!(
            "\n{} — {} crash points × {runs} runs",
            backend.name(),
            crash_point::ALL.len()
        );
        println!(
            "{:<34} {:>5} {:>8} {:>5} {:>10} {:>11} {:>12}",
            "crash point", "runs", "crashed", "lost", "duplicated", "redelivered", "other faults"
        );
        for point in crash_point::ALL {
            let mut tally = Tally::default();
            for _ in 0..runs {
                let run = run_once(&binary, backend, point).await?;
                tally.add(&run);
            }
            println!(
                "{:<34} {:>5} {:>8} {:>5} {:>10} {:>11} {:>12}",
                point,
                tally.runs,
                tally.crashed,
                tally.lost,
                tally.duplicated,
                tally.redelivered,
                tally.faults.len()
            );
            for fault in tally.faults.iter().take(3) {
                println!("    {fault}");
            }
            totals.merge(tally);
        }
        println!(
            "{}: crash points × runs {} × {runs}, crashed {}, lost {}, duplicated {}, redelivered {}, other faults {}",
            backend.name(),
            crash_point::ALL.len(),
            totals.crashed,
            totals.lost,
            totals.duplicated,
            totals.redelivered,
            totals.faults.len()
        );
        failed |= totals.lost + totals.duplicated > 0
            || !totals.faults.is_empty()
            || totals.crashed < totals.runs;
    }
    if failed {
        anyhow::bail!("the books did not hold after every crash");
    }
    Ok(())
}

/// The `portico` binary built beside this example (`target/debug/examples/faults` →
/// `target/debug/portico`).
fn portico_binary() -> anyhow::Result<PathBuf> {
    let examples = std::env::current_exe()?;
    let binary = examples
        .parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("portico"))
        .ok_or_else(|| anyhow::anyhow!("cannot find the target folder"))?;
    anyhow::ensure!(
        binary.exists(),
        "{} is missing: build it with --features crash-points",
        binary.display()
    );
    Ok(binary)
}

enum Backend {
    Sqlite,
    Postgres(String),
}

impl Backend {
    fn name(&self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres(_) => "PostgreSQL",
        }
    }

    async fn fresh_database(&self, dir: &Path) -> anyhow::Result<String> {
        match self {
            Self::Sqlite => Ok(format!(
                "sqlite://{}?mode=rwc",
                dir.join("portico.db").display()
            )),
            Self::Postgres(admin_url) => {
                use sqlx::Connection;
                let name = format!("portico_faults_{}", uuid::Uuid::new_v4().simple());
                let mut admin = sqlx::AnyConnection::connect(admin_url).await?;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await?;
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(base, _)| base)
                    .ok_or_else(|| anyhow::anyhow!("TEST_POSTGRES_URL ends in /database"))?;
                Ok(format!("{base}/{name}"))
            }
        }
    }

    async fn drop_database(&self, url: &str) -> anyhow::Result<()> {
        if let Self::Postgres(admin_url) = self {
            use sqlx::Connection;
            let name = url.rsplit('/').next().unwrap_or_default();
            let mut admin = sqlx::AnyConnection::connect(admin_url).await?;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await?;
        }
        Ok(())
    }
}

#[derive(Default)]
struct Tally {
    runs: usize,
    crashed: usize,
    lost: usize,
    duplicated: usize,
    redelivered: usize,
    faults: Vec<String>,
}

impl Tally {
    fn add(&mut self, run: &Run) {
        self.runs += 1;
        self.crashed += usize::from(run.crashed);
        self.lost += run.lost;
        self.duplicated += run.duplicated;
        self.redelivered += run.redelivered;
        self.faults.extend(run.faults.iter().cloned());
    }

    fn merge(&mut self, other: Tally) {
        self.runs += other.runs;
        self.crashed += other.crashed;
        self.lost += other.lost;
        self.duplicated += other.duplicated;
        self.redelivered += other.redelivered;
        self.faults.extend(other.faults);
    }
}

#[derive(Default)]
struct Run {
    crashed: bool,
    lost: usize,
    duplicated: usize,
    redelivered: usize,
    faults: Vec<String>,
}

/// What the harness prepared: a session at step 8 and what it pays.
struct Prepared {
    merchant: MerchantId,
    invoice: InvoiceId,
    cookie: String,
    key: String,
    /// The merchant's API key, and the `Idempotency-Key` of the refund the refund points ask.
    api_key: String,
    refund_key: String,
}

async fn run_once(binary: &Path, backend: &Backend, point: &str) -> anyhow::Result<Run> {
    let dir = tempfile::tempdir()?;
    let database_url = backend.fresh_database(dir.path()).await?;
    let sink = SmtpSink::start().await?;
    let method = if point.starts_with("settlement.") {
        PaymentMethodKind::UsAch
    } else {
        PaymentMethodKind::Card
    };
    let db = server::database::connect(&database_url).await?;
    let prepared = prepare(&db, method).await?;
    let env = Env {
        binary,
        database_url: &database_url,
        data_dir: dir.path(),
        smtp: sink.url(),
    };
    // The recurring jobs a new database starts with run now, so that the armed worker's first
    // batch is the payment's.
    env.command(&["jobs", "run"], None).output()?;

    let refunding = point.starts_with("refund.");
    let mut run = Run::default();
    let mut armed = env.serve(Some(point), true)?;
    let base = armed.wait_until_ready().await?;
    let _ = confirm(&base, &prepared).await;
    if refunding {
        let _ = refund(&base, &db, &prepared).await;
    }
    run.crashed = if point.starts_with("settlement.") {
        // The settlement runs in the operator's command, which is what dies there.
        let advanced = env
            .command(&["test-clock", "advance", "--days", "8"], Some(point))
            .output()?;
        !advanced.status.success()
    } else {
        armed.exited_within(Duration::from_secs(5))
    };
    armed.stop();

    // After the crash: the server again, unarmed, and the customer confirming once more.
    let mut server = env.serve(None, false)?;
    let base = server.wait_until_ready().await?;
    let retried = confirm(&base, &prepared).await;
    if !retried
        .as_deref()
        .is_ok_and(|location| location.contains("/receipt/"))
    {
        run.faults
            .push(format!("the retried confirm was answered {retried:?}"));
    }
    if refunding {
        // The dead request's claim on its key is taken over after five minutes, passed here.
        sqlx::query("UPDATE idempotent_requests SET created_at = $1 WHERE response_status IS NULL")
            .bind("2000-01-01T00:00:00Z")
            .execute(db.pool())
            .await?;
        match refund(&base, &db, &prepared).await {
            Ok((201, status)) if status == "succeeded" => {}
            answered => run
                .faults
                .push(format!("the retried refund was answered {answered:?}")),
        }
    }
    // The dead process's leases run out (two minutes, passed here at once).
    sqlx::query("UPDATE jobs SET lease_until = $1 WHERE status = 'running'")
        .bind(app::services::clock::timestamp_text(
            app::services::clock::now() - time::Duration::seconds(1),
        ))
        .execute(db.pool())
        .await?;
    if point.starts_with("settlement.") {
        env.command(&["test-clock", "advance", "--days", "1"], None)
            .output()?;
    }
    // A refund's own job waits two minutes for the request that asked it; not here.
    sqlx::query("UPDATE jobs SET run_at = $1 WHERE status = 'queued' AND kind = 'finish_refund'")
        .bind("2000-01-01T00:00:00Z")
        .execute(db.pool())
        .await?;
    env.command(&["jobs", "run"], None).output()?;
    server.stop();

    check_books(&db, &prepared, &sink, refunding, &mut run).await?;
    db.pool().close().await;
    backend.drop_database(&database_url).await?;
    Ok(run)
}

async fn check_books(
    db: &Database,
    prepared: &Prepared,
    sink: &SmtpSink,
    refunding: bool,
    run: &mut Run,
) -> anyhow::Result<()> {
    let payments: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, status FROM payments WHERE merchant_id = $1 AND idempotency_key = $2",
    )
    .bind(prepared.merchant.to_string())
    .bind(&prepared.key)
    .fetch_all(db.pool())
    .await?;
    let (payment, status) = match payments.as_slice() {
        [] => {
            run.lost += 1;
            run.faults.push("no payment was recorded".to_owned());
            return Ok(());
        }
        [only] => only.clone(),
        [first, ..] => {
            run.duplicated += payments.len() - 1;
            first.clone()
        }
    };
    let (at_processor,): (i64,) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM sandbox_charges WHERE payment_id = $1) \
         + (SELECT COUNT(*) FROM sandbox_debits WHERE payment_id = $1)",
    )
    .bind(&payment)
    .fetch_one(db.pool())
    .await?;
    match at_processor {
        1 => {}
        0 => {
            run.lost += 1;
            run.faults
                .push(format!("{status} payment never reached the processor"));
        }
        more => run.duplicated += usize::try_from(more - 1).unwrap_or(0),
    }
    // A card is charged at once; the ACH debit has settled on the moved test clock.
    if status != "succeeded" {
        run.faults.push(format!("the payment ended {status}"));
    }
    let (charged_ok,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM sandbox_charges WHERE payment_id = $1 AND outcome = 'succeed'",
    )
    .bind(&payment)
    .fetch_one(db.pool())
    .await?;
    if charged_ok > 0 && status == "failed" {
        run.faults.push("charged and failed".to_owned());
    }
    if refunding {
        check_refund(db, prepared, &payment, run).await?;
    }
    let detail = invoices::get(db, prepared.merchant, prepared.invoice).await?;
    let covering: i64 = detail
        .allocations
        .iter()
        .filter(|allocation| allocation.payment_status.covers_invoices())
        .map(|allocation| allocation.amount.minor_units() - allocation.refunded.minor_units())
        .sum();
    let balance = detail.invoice.standing.balance_due.minor_units();
    if balance != detail.invoice.total.minor_units() - covering {
        run.faults.push(format!(
            "balance {balance} is not the total less covering payments {covering}"
        ));
    }

    // Card: a receipt and a notification for `succeeded`; ACH: the same for `processing` (a
    // settlement tells nobody). A refund tells both sides once more.
    let expected = if refunding { 2 } else { 1 };
    let messages = sink.messages();
    for to in ["pay@faults.example", "billing@northwind.example"] {
        let ids: Vec<&String> = messages
            .iter()
            .filter(|message| message.to.contains(to))
            .map(|message| &message.message_id)
            .collect();
        let mut distinct = ids.clone();
        distinct.sort();
        distinct.dedup();
        match distinct.len() {
            count if count < expected => {
                run.lost += expected - count;
                run.faults
                    .push(format!("{count} of {expected} emails reached {to}"));
            }
            count => run.duplicated += count - expected,
        }
        run.redelivered += ids.len() - distinct.len();
    }
    Ok(())
}

/// The refund of the refund points: one for the key, succeeded, given back once at the
/// processor, and nothing left held.
async fn check_refund(
    db: &Database,
    prepared: &Prepared,
    payment: &str,
    run: &mut Run,
) -> anyhow::Result<()> {
    let refunds: Vec<(String,)> = sqlx::query_as(
        "SELECT status FROM refunds WHERE merchant_id = $1 AND idempotency_key = $2",
    )
    .bind(prepared.merchant.to_string())
    .bind(&prepared.refund_key)
    .fetch_all(db.pool())
    .await?;
    match refunds.as_slice() {
        [] => {
            run.lost += 1;
            run.faults.push("no refund was recorded".to_owned());
        }
        [(status,)] if status != "succeeded" => {
            run.faults.push(format!("the refund ended {status}"));
        }
        [_] => {}
        more => run.duplicated += more.len() - 1,
    }
    let (given_back,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM sandbox_refunds WHERE payment_id = $1 AND outcome = 'succeeded'",
    )
    .bind(payment)
    .fetch_one(db.pool())
    .await?;
    match given_back {
        1 => {}
        0 => {
            run.lost += 1;
            run.faults
                .push("the processor gave nothing back".to_owned());
        }
        more => run.duplicated += usize::try_from(more - 1).unwrap_or(0),
    }
    let (refunded, refunding): (i64, i64) =
        sqlx::query_as("SELECT refunded_minor, refunding_minor FROM payments WHERE id = $1")
            .bind(payment)
            .fetch_one(db.pool())
            .await?;
    if (refunded, refunding) != (REFUND_MINOR, 0) {
        run.faults.push(format!(
            "the payment shows {refunded} refunded and {refunding} held, not {REFUND_MINOR} and 0"
        ));
    }
    let detail = invoices::get(db, prepared.merchant, prepared.invoice).await?;
    let owed = detail.invoice.standing.balance_due.minor_units();
    if owed != REFUND_MINOR {
        run.faults.push(format!(
            "the invoice owes {owed}, not the {REFUND_MINOR} refunded"
        ));
    }
    Ok(())
}

/// One customer of the demo merchant with a 40.00 USD invoice, signed in and standing at step 8
/// with a card (or an ACH account) chosen.
async fn prepare(db: &Database, method: PaymentMethodKind) -> anyhow::Result<Prepared> {
    server::database::migrate(db).await?;
    server::demo::seed_if_empty(db, &PublicUrl::parse("http://127.0.0.1:3000")?).await?;
    let merchant = merchants::find_id(db, &MerchantSlug::parse(SLUG)?)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo merchant is missing"))?;
    let email = EmailAddress::parse("pay@faults.example")?;
    let customer = support::customer_with_profile(db, merchant, "Faults Inc.", &email).await?;
    let amount = Money::parse("40.00", Currency::Usd, AmountSyntax::Plain)?;
    let invoice = invoices::create(
        db,
        merchant,
        &NewInvoice {
            customer,
            number: InvoiceNumber::parse("FAULT-1")?,
            total: amount,
            issued_on: date!(2026 - 11 - 01),
            due_on: date!(2026 - 12 - 01),
            memo: None,
            line_items: Vec::new(),
            external_id: None,
        },
    )
    .await?
    .invoice;
    let instrument = match method {
        PaymentMethodKind::Card => {
            let token = support::test_card(db, merchant).await?;
            Instrument::Card {
                token: token.token,
                brand: token.brand,
                last_four: token.last_four,
                expiry: token.expiry,
            }
        }
        _ => {
            let keys = Keys::new(&secret_key_bytes()?);
            let account = bank_accounts::add(
                db,
                &keys,
                merchant,
                &NewBankAccount {
                    customer,
                    routing: BankRouting::Us(RoutingNumber::parse("110000000")?),
                    account: AccountNumber::parse_us("000123456789")?,
                    account_type: AccountType::Checking,
                    holder: HolderType::Business,
                    saved: false,
                },
            )
            .await?;
            Instrument::Bank {
                account_id: account.id,
                last_four: account.last_four,
                holder: HolderType::Business,
            }
        }
    };
    let (session, _) = sessions::start(db, merchant).await?;
    // Signing in replaces the session's token, as it does for a customer.
    let cookie = sessions::sign_in(db, &session.id, &email, Some(customer)).await?;
    let key = uuid::Uuid::new_v4().to_string();
    let checkout = Checkout {
        selection: vec![SelectedInvoice {
            invoice: invoice.id,
            number: invoice.number.to_string(),
            amount,
        }],
        method: Some(method),
        instrument: Some(instrument),
        review: Some(Review {
            idempotency_key: key.clone(),
            authorization: "I authorize Northwind to take 40.00 USD.".to_owned(),
            schedule: None,
        }),
        ..Checkout::default()
    };
    sessions::save_checkout(db, &session.id, &checkout).await?;
    let api_key = api_keys::issue(db, merchant).await?;
    Ok(Prepared {
        merchant,
        invoice: invoice.id,
        cookie: cookie.expose_secret().to_owned(),
        key,
        api_key: api_key.secret.expose_secret().to_owned(),
        refund_key: uuid::Uuid::new_v4().to_string(),
    })
}

fn secret_key_bytes() -> anyhow::Result<[u8; 32]> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(SECRET_KEY, &mut bytes)?;
    Ok(bytes)
}

/// Posts step 8's form as a browser without JavaScript does; returns where it was sent.
async fn confirm(base: &str, prepared: &Prepared) -> anyhow::Result<String> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()?;
    let response = client
        .post(format!("{base}/api/wizard/confirm"))
        .header(
            "cookie",
            format!(
                "{}={}",
                CookiePolicy {
                    secure: false,
                    embeddable: false
                }
                .session_cookie_name(prepared.merchant),
                prepared.cookie
            ),
        )
        .header("accept", "text/html")
        .header("origin", base)
        .header("referer", format!("{base}/pay/{SLUG}/review"))
        .form(&[
            ("merchant_slug", SLUG),
            ("idempotency_key", prepared.key.as_str()),
            ("authorize", "on"),
        ])
        .send()
        .await?;
    Ok(response
        .headers()
        .get("location")
        .and_then(|location| location.to_str().ok())
        .unwrap_or_default()
        .to_owned())
}

/// Asks through the API for 15.00 of the payment back; returns the HTTP status and the
/// refund's status.
async fn refund(base: &str, db: &Database, prepared: &Prepared) -> anyhow::Result<(u16, String)> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    let (payment,): (String,) =
        sqlx::query_as("SELECT id FROM payments WHERE merchant_id = $1 AND idempotency_key = $2")
            .bind(prepared.merchant.to_string())
            .bind(&prepared.key)
            .fetch_one(db.pool())
            .await?;
    let response = client
        .post(format!("{base}/api/v1/payments/{payment}/refunds"))
        .bearer_auth(&prepared.api_key)
        .header("Idempotency-Key", &prepared.refund_key)
        .json(&serde_json::json!({ "amount": "15.00" }))
        .send()
        .await?;
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    Ok((
        status,
        body["status"].as_str().unwrap_or_default().to_owned(),
    ))
}

struct Env<'a> {
    binary: &'a Path,
    database_url: &'a str,
    data_dir: &'a Path,
    smtp: String,
}

impl Env<'_> {
    fn command(&self, args: &[&str], crash_at: Option<&str>) -> Command {
        let mut command = Command::new(self.binary);
        command
            .args(args)
            .env("DATABASE_URL", self.database_url)
            .env("PORTICO_DATA_DIR", self.data_dir)
            .env("PORTICO_SECRET_KEY", SECRET_KEY)
            .env("SMTP_URL", &self.smtp)
            .env("PORTICO_DEMO", "off")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match crash_at {
            Some(point) => command.env("PORTICO_CRASH_AT", point),
            None => command.env_remove("PORTICO_CRASH_AT"),
        };
        command
    }

    fn serve(&self, crash_at: Option<&str>, background_jobs: bool) -> anyhow::Result<Served> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut command = self.command(&["serve"], crash_at);
        command
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("LEPTOS_SITE_ROOT", self.data_dir.join("site"))
            .env(
                "PORTICO_BACKGROUND_JOBS",
                if background_jobs { "on" } else { "off" },
            );
        Ok(Served {
            child: command.spawn()?,
            base: format!("http://127.0.0.1:{port}"),
        })
    }
}

struct Served {
    child: Child,
    base: String,
}

impl Served {
    async fn wait_until_ready(&mut self) -> anyhow::Result<String> {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if reqwest::get(format!("{}/healthz", self.base))
                .await
                .is_ok_and(|response| response.status().is_success())
            {
                return Ok(self.base.clone());
            }
            if self.child.try_wait()?.is_some() {
                // An armed point reached during start-up: the harness goes on with the restart.
                return Ok(self.base.clone());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        anyhow::bail!("the server did not start within 20 seconds")
    }

    fn exited_within(&mut self, limit: Duration) -> bool {
        let started = Instant::now();
        while started.elapsed() < limit {
            if self.child.try_wait().ok().flatten().is_some() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop();
    }
}
