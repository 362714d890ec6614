//! Benchmark of the dashboard's payments list (not a test: it prints figures and asserts none).
//!
//! Starts the real application on SQLite in a temporary folder with two merchants, one with
//! 100 payments and one with 100,000 (written straight into the tables, each an allocation to
//! the customer's one large invoice), signs an admin of each in, and fetches
//! `/dashboard/payments` (the first page, newest first), a deep page (by its cursor), and the
//! bookkeeper's "not yet reconciled" list, one request at a time, printing the median and p99
//! server time of each and the ratio between the two merchants (aim: within 2x). Last it
//! streams each merchant's CSV export and prints its rows, time and the server's peak memory.
//!
//! Run: `cargo run --release -p server --example dashboard_bench -- [requests per figure]`
//! (default 200).

use app::domain::email::EmailAddress;
use app::domain::ids::{CustomerId, MerchantId};
use app::domain::merchant::Country;
use app::domain::staff::StaffRole;
use app::domain::text::LegalName;
use app::services::clock::{now, timestamp_text};
use app::services::customers::{self, NewCustomer};
use app::services::request::CookiePolicy;
use app::services::{Database, merchant_users, staff_sessions};
use secrecy::ExposeSecret;
use server::admin::{self, MerchantOptions};
use server::config::Config;
use server::startup::Application;
use std::collections::HashMap;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Payments written per INSERT statement.
const BATCH: usize = 500;

struct BenchMerchant {
    label: String,
    cookie: String,
    /// A page further down the list (the sixth, or the last of a shorter list), reached by
    /// following the "Older payments" link.
    deep_page: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let requests: usize = std::env::args()
        .nth(1)
        .map(|text| text.parse())
        .transpose()?
        .unwrap_or(200);
    let data_dir = tempfile::tempdir()?;
    let vars: HashMap<&str, String> = HashMap::from([
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_owned()),
        ("PORTICO_DATA_DIR", data_dir.path().display().to_string()),
        ("PORTICO_DEMO", "off".to_owned()),
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
    let public_url = app::domain::public_url::PublicUrl::parse(&base)?;
    tokio::spawn(application.run_until_stopped(std::future::pending()));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;

    let mut merchants = Vec::new();
    for count in [100, 100_000] {
        let slug = format!("bench-{count}");
        let created = admin::create_merchant(
            &db,
            &public_url,
            &MerchantOptions {
                name: format!("Bench {count}"),
                slug: slug.clone(),
                country: "US".to_owned(),
                currency: None,
                support_email: None,
                accent_colour: None,
                logo_url: None,
                methods: None,
                minimum_partial_payment: None,
                installments: false,
            },
        )
        .await?;
        let merchant = created.merchant_id;
        let written = Instant::now();
        write_payments(&db, merchant, &slug, count).await?;
        println!(
            "{count} payments written in {:.1} s",
            written.elapsed().as_secs_f64()
        );
        let cookie = signed_in_admin(&db, merchant, &slug).await?;
        let deep_page = deep_page(&client, &base, &cookie, 5).await?;
        merchants.push(BenchMerchant {
            label: format!("{count} payments"),
            cookie,
            deep_page,
        });
    }
    sqlx::query("ANALYZE").execute(db.writer()).await?;

    println!(
        "\ndashboard payments list (SQLite, release, one request at a time, {requests} each, {} cores)",
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    println!(
        "{:<36} {:>16} {:>16} {:>8}",
        "page", "100: med / p99", "100,000: med / p99", "ratio"
    );
    let pages = [
        ("first page, newest first", "/dashboard/payments".to_owned()),
        (
            "not yet reconciled",
            "/dashboard/payments?reconciliation=unreconciled".to_owned(),
        ),
        (
            "succeeded, card, this year",
            "/dashboard/payments?status=succeeded&method=card&from=2026-01-01".to_owned(),
        ),
    ];
    for (name, path) in pages {
        let mut medians = Vec::new();
        let mut cells = Vec::new();
        for merchant in &merchants {
            let (median, p99) =
                time_page(&client, &base, &merchant.cookie, &path, requests).await?;
            medians.push(median);
            cells.push(format!("{:.2} / {:.2} ms", ms(median), ms(p99)));
        }
        println!(
            "{name:<36} {:>16} {:>16} {:>8.2}",
            cells[0],
            cells[1],
            medians[1].as_secs_f64() / medians[0].as_secs_f64()
        );
    }
    let mut medians = Vec::new();
    let mut cells = Vec::new();
    for merchant in &merchants {
        let (median, p99) = time_page(
            &client,
            &base,
            &merchant.cookie,
            &merchant.deep_page,
            requests,
        )
        .await?;
        medians.push(median);
        cells.push(format!("{:.2} / {:.2} ms", ms(median), ms(p99)));
    }
    println!(
        "{:<36} {:>16} {:>16} {:>8.2}",
        "a later page, by its cursor",
        cells[0],
        cells[1],
        medians[1].as_secs_f64() / medians[0].as_secs_f64()
    );
    println!("aim: the two merchants within 2x of each other");

    println!(
        "\nCSV export, streamed (server peak RSS before: {} MiB)",
        peak_rss_mib()
    );
    for merchant in &merchants {
        let started = Instant::now();
        let mut response = client
            .get(format!("{base}/dashboard/payments.csv"))
            .header("cookie", &merchant.cookie)
            .send()
            .await?
            .error_for_status()?;
        let (mut bytes, mut rows) = (0usize, 0usize);
        while let Some(chunk) = response.chunk().await? {
            bytes += chunk.len();
            rows += chunk.iter().filter(|byte| **byte == b'\n').count();
        }
        println!(
            "{:<16} {:>8} rows {:>12} bytes {:>8.2} s, server peak RSS {} MiB",
            merchant.label,
            rows.saturating_sub(1),
            bytes,
            started.elapsed().as_secs_f64(),
            peak_rss_mib()
        );
    }
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// One customer with one invoice large enough for `count` payments of 1.00, each allocated to
/// it, written in batches inside one transaction (as fast as SQLite takes them).
async fn write_payments(
    db: &Database,
    merchant: MerchantId,
    slug: &str,
    count: usize,
) -> anyhow::Result<()> {
    let email = EmailAddress::parse(&format!("ap@{slug}.example"))?;
    let customer: CustomerId = customers::create(
        db,
        merchant,
        &NewCustomer {
            legal_name: LegalName::parse(&format!("Customer of {slug}"))?,
            country: Country::UnitedStates,
            contact: email.clone(),
            external_id: None,
        },
    )
    .await?
    .id;
    let invoice = uuid::Uuid::new_v4().to_string();
    let mut transaction = db.writer().begin().await?;
    sqlx::query(
        "INSERT INTO invoices (id, merchant_id, customer_id, number, currency, total_minor, issued_on, due_on, created_at) \
         VALUES ($1, $2, $3, 'BULK-1', 'USD', $4, '2026-01-01', '2026-12-31', $5)",
    )
    .bind(&invoice)
    .bind(merchant.to_string())
    .bind(customer.to_string())
    .bind(i64::try_from(count)? * 100)
    .bind(timestamp_text(now()))
    .execute(&mut *transaction)
    .await?;
    let start = now() - time::Duration::days(300);
    for first in (0..count).step_by(BATCH) {
        let last = (first + BATCH).min(count);
        let mut payments = String::from(
            "INSERT INTO payments (id, merchant_id, customer_id, method, amount_minor, currency, status, \
             idempotency_key, created_at, updated_at, payer_email, instrument_label, reconciliation) VALUES ",
        );
        let mut allocations = String::from(
            "INSERT INTO allocations (merchant_id, payment_id, invoice_id, amount_minor) VALUES ",
        );
        for n in first..last {
            let id = uuid::Uuid::new_v4().to_string();
            // Spread over 300 days; every third one is marked reconciled, one in ten is ACH.
            let at = timestamp_text(
                start + time::Duration::seconds(n as i64 * 25_920_000 / count as i64),
            );
            let method = if n % 10 == 0 { "us_ach" } else { "card" };
            let reconciliation = if n % 3 == 0 {
                "reconciled"
            } else {
                "unreconciled"
            };
            let separator = if n == first { "" } else { ", " };
            payments.push_str(&format!(
                "{separator}('{id}', '{merchant}', '{customer}', '{method}', 100, 'USD', 'succeeded', '{id}', '{at}', '{at}', '{email}', 'Visa •••• 4242', '{reconciliation}')",
                email = email.as_str(),
            ));
            allocations.push_str(&format!(
                "{separator}('{merchant}', '{id}', '{invoice}', 100)"
            ));
        }
        sqlx::query(&payments).execute(&mut *transaction).await?;
        sqlx::query(&allocations).execute(&mut *transaction).await?;
    }
    transaction.commit().await?;
    Ok(())
}

/// An admin of `merchant`, signed in the way the code step leaves one: its cookie.
async fn signed_in_admin(
    db: &Database,
    merchant: MerchantId,
    slug: &str,
) -> anyhow::Result<String> {
    let email = EmailAddress::parse(&format!("admin@{slug}.example"))?;
    let user = merchant_users::add(db, merchant, &email, StaffRole::Admin).await?;
    let (session, _) = staff_sessions::start(db).await?;
    let token = staff_sessions::sign_in(db, &session, &email, Some(user.id)).await?;
    let policy = CookiePolicy {
        secure: false,
        embeddable: false,
    };
    Ok(format!(
        "{}={}",
        policy.staff_cookie_name(),
        token.expose_secret()
    ))
}

/// The address of the list's page `pages` pages in, by following "Older payments".
async fn deep_page(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    pages: usize,
) -> anyhow::Result<String> {
    let mut path = "/dashboard/payments".to_owned();
    for _ in 0..pages {
        let page = client
            .get(format!("{base}{path}"))
            .header("cookie", cookie)
            .send()
            .await?
            .error_for_status()?
            .text()
            .await?;
        let Some(start) = page.find("href=\"/dashboard/payments?after=") else {
            break;
        };
        let rest = &page[start + "href=\"".len()..];
        path = rest[..rest.find('"').unwrap_or(rest.len())].replace("&amp;", "&");
    }
    Ok(path)
}

/// The median and p99 of `requests` sequential GETs of `path`.
async fn time_page(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    path: &str,
    requests: usize,
) -> anyhow::Result<(Duration, Duration)> {
    let mut times = Vec::with_capacity(requests);
    for _ in 0..requests {
        let started = Instant::now();
        let response = client
            .get(format!("{base}{path}"))
            .header("cookie", cookie)
            .send()
            .await?
            .error_for_status()?;
        response.bytes().await?;
        times.push(started.elapsed());
    }
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    Ok((at(0.50), at(0.99)))
}

/// This process's peak resident memory (the server runs in it), from /proc.
fn peak_rss_mib() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<u64>().ok())
        })
        .map_or_else(|| "?".to_owned(), |kib| (kib / 1024).to_string())
}
