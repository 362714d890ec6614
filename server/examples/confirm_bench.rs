//! Load benchmark of the confirm path (not a test: it prints figures and asserts none).
//!
//! Starts the real application on SQLite in a temporary folder, prepares N signed-in sessions
//! each standing at step 8 with a card checkout of $1.00 (the checkouts are written through the
//! session service, as steps 5 to 7 would leave them), then posts every session's confirm form
//! to `/api/wizard/confirm` over HTTP, 64 at a time, and prints confirmed payments per second
//! and the latency percentiles. Each confirm runs the whole path: session and position checks,
//! the payment's transaction, the sandbox charge and the status change; the two emails are
//! sent by the job worker beside the load, over SMTP to a sink in this process (as production
//! sends them), and counted at the end: each exactly once.
//!
//! Run: `cargo run --release -p server --example confirm_bench -- [confirms] [at a time]`
//! (defaults 4000 and 64).

use app::domain::checkout::{Checkout, Instrument, Review, SelectedInvoice};
use app::domain::email::EmailAddress;
use app::domain::merchant::MerchantSlug;
use app::domain::money::{AmountSyntax, Currency, Money};
use app::domain::payment::PaymentMethodKind;
use app::domain::text::InvoiceNumber;
use app::services::invoices::{self, NewInvoice};
use app::services::request::CookiePolicy;
use app::services::{merchants, sessions};
use server::config::Config;
use server::startup::Application;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::macros::date;

mod support;

const INVOICES: usize = 200;

/// The `portico` binary's allocator (server/src/main.rs): the application in this process
/// runs as it does there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let confirms: usize = std::env::args()
        .nth(1)
        .map(|text| text.parse())
        .transpose()?
        .unwrap_or(4000);
    let concurrency: usize = std::env::args()
        .nth(2)
        .map(|text| text.parse())
        .transpose()?
        .unwrap_or(64);
    let data_dir = tempfile::tempdir()?;
    let sink = support::smtp_sink::SmtpSink::start().await?;
    let vars: HashMap<&str, String> = HashMap::from([
        ("SMTP_URL", sink.url()),
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_owned()),
        ("PORTICO_DATA_DIR", data_dir.path().display().to_string()),
        (
            "DATABASE_URL",
            format!(
                "sqlite://{}?mode=rwc",
                data_dir.path().join("portico.db").display()
            ),
        ),
        (
            "LEPTOS_SITE_ROOT",
            data_dir.path().join("site").display().to_string(),
        ),
    ]);
    let config = Config::from_lookup(|name| vars.get(name).cloned())?;
    let application = Application::build(config).await?;
    let base = format!("http://{}", application.local_addr());
    let db = application.database().clone();
    tokio::spawn(application.run_until_stopped(std::future::pending()));

    // One customer of the demo merchant, its business details done, with invoices large enough
    // that every confirm finds a balance.
    let slug = MerchantSlug::parse("northwind")?;
    let merchant = merchants::find_id(&db, &slug)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo merchant is missing"))?;
    let email = EmailAddress::parse("bench@confirm.example")?;
    let customer =
        support::customer_with_profile(&db, merchant, "Bench Confirm Inc.", &email).await?;
    let mut invoice_ids = Vec::new();
    for n in 0..INVOICES {
        let created = invoices::create(
            &db,
            merchant,
            &NewInvoice {
                customer,
                number: InvoiceNumber::parse(&format!("BENCH-{n}"))?,
                total: Money::parse("1000000.00", Currency::Usd, AmountSyntax::Plain)?,
                issued_on: date!(2026 - 11 - 01),
                due_on: date!(2026 - 12 - 01),
                memo: None,
                line_items: Vec::new(),
                external_id: None,
            },
        )
        .await?;
        invoice_ids.push((created.invoice.id, created.invoice.number.to_string()));
    }
    let token = support::test_card(&db, merchant).await?;
    let one_dollar = Money::parse("1.00", Currency::Usd, AmountSyntax::Plain)?;
    let mut forms = Vec::with_capacity(confirms);
    for n in 0..confirms {
        let (session, _) = sessions::start(&db, merchant).await?;
        // Signing in replaces the session's token, as it does for a customer.
        let cookie_token = sessions::sign_in(&db, &session.id, &email, Some(customer)).await?;
        let (invoice, number) = invoice_ids[n % INVOICES].clone();
        let key = uuid::Uuid::new_v4().to_string();
        let checkout = Checkout {
            selection: vec![SelectedInvoice {
                invoice,
                number,
                amount: one_dollar,
            }],
            method: Some(PaymentMethodKind::Card),
            instrument: Some(Instrument::Card {
                token: token.token.clone(),
                brand: token.brand,
                last_four: token.last_four.clone(),
                expiry: token.expiry.clone(),
            }),
            review: Some(Review {
                idempotency_key: key.clone(),
                authorization: "I authorize Northwind to charge Visa •••• 4242 1.00 USD now."
                    .to_owned(),
                schedule: None,
            }),
            ..Checkout::default()
        };
        sessions::save_checkout(&db, &session.id, &checkout).await?;
        use secrecy::ExposeSecret as _;
        let cookie = format!(
            "{}={}",
            CookiePolicy {
                secure: false,
                embeddable: false
            }
            .session_cookie_name(merchant),
            cookie_token.expose_secret()
        );
        forms.push((cookie, key));
    }

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let limit = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (cookie, key) in forms {
        let permit = limit.clone().acquire_owned().await?;
        let (client, base) = (client.clone(), base.clone());
        tasks.spawn(async move {
            let sent = Instant::now();
            let response = client
                .post(format!("{base}/api/wizard/confirm"))
                .header("cookie", cookie)
                .header("accept", "text/html")
                .header("origin", &base)
                .header("referer", format!("{base}/pay/northwind/review"))
                .form(&[
                    ("merchant_slug", "northwind"),
                    ("idempotency_key", key.as_str()),
                    ("authorize", "on"),
                ])
                .send()
                .await;
            drop(permit);
            let confirmed = response.is_ok_and(|response| {
                response
                    .headers()
                    .get("location")
                    .and_then(|location| location.to_str().ok())
                    .is_some_and(|location| location.contains("/receipt/"))
            });
            (confirmed, sent.elapsed())
        });
    }
    let results = tasks.join_all().await;
    let elapsed = started.elapsed();
    let failed = results.iter().filter(|(confirmed, _)| !confirmed).count();
    let mut latencies: Vec<Duration> = results.iter().map(|(_, latency)| *latency).collect();
    latencies.sort();
    let percentile =
        |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    // The worker sends the receipts beside the load; let it finish before counting them.
    let emails_due = 2 * confirms;
    let waiting_since = Instant::now();
    while sink.messages().len() < emails_due && waiting_since.elapsed() < Duration::from_secs(120) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let delivered = sink.messages();
    let distinct: std::collections::HashSet<&str> = delivered
        .iter()
        .map(|message| message.message_id.as_str())
        .collect();
    let to_merchant = delivered
        .iter()
        .filter(|message| message.to.contains("billing@northwind.example"))
        .count();
    let (succeeded,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM payments WHERE status = 'succeeded' AND payer_email IS NOT NULL",
    )
    .fetch_one(db.pool())
    .await?;

    println!(
        "\nconfirm path (POST /api/wizard/confirm, card, SQLite), {concurrency} at a time, {} cores",
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    println!("{:<28} {:>10}", "confirms sent", confirms);
    println!("{:<28} {:>10}", "not confirmed", failed);
    println!("{:<28} {:>10}", "payments succeeded (db)", succeeded);
    println!(
        "{:<28} {:>10}",
        "emails delivered (SMTP)",
        format!("{}/{emails_due}", delivered.len())
    );
    println!("{:<28} {:>10}", "distinct Message-IDs", distinct.len());
    println!("{:<28} {:>10}", "to the merchant", to_merchant);
    println!("{:<28} {:>10.1}", "seconds", elapsed.as_secs_f64());
    println!(
        "{:<28} {:>10.0}",
        "confirmed payments/s",
        confirms as f64 / elapsed.as_secs_f64()
    );
    println!(
        "{:<28} {:>8.1}ms",
        "median",
        percentile(0.50).as_secs_f64() * 1000.0
    );
    println!(
        "{:<28} {:>8.1}ms",
        "p99",
        percentile(0.99).as_secs_f64() * 1000.0
    );
    println!("aim: 500/s or more, p99 under 50 ms");
    Ok(())
}
