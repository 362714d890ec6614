//! Soak test (not a test: it prints figures and checks only that every answer was an expected
//! one). Sends mixed traffic over HTTP to a release server that is already running with its job
//! worker, for `--seconds`, from `--concurrency` virtual users; prints a progress line every
//! minute, then per kind of request the count, the rate, the median and p99 latency and the
//! errors, and the server's resident memory after a warm-up and at the end (aim: 0 errors,
//! memory flat). Exits non-zero if anything went wrong. `scripts/soak.sh` builds and starts the
//! server, makes the API key and runs this.
//!
//! Each virtual user plays one customer of the demo merchant `northwind` at a time. The
//! merchant's accounting system creates the customer and two invoices over the API (with an
//! `Idempotency-Key`); the customer signs in with the code from the outbox email (read from
//! `--data-dir`/outbox) and fills in the business details; then the user goes round reading
//! step 4, adding invoices over the API and paying one invoice in full by card (steps 5 to 8
//! with the sandbox test card, as `tests/integration/wizard_payments.rs` does), until the
//! customer has paid four times and a new customer takes over.
//!
//! The rate limits are kept, not dodged. Sign-in codes are limited per email address (5 an
//! hour), per client address (20 an hour) and per session; sessions opened per client (30, then
//! one per 10 s); cards entered per session (5 per 10 minutes) and per client (20, then one per 3
//! minutes). From one address the soak could sign in 20 customers an hour, so it plays what the
//! server sees behind a reverse proxy, the setting those limits are made for: many customers on
//! many networks. The server must trust `X-Forwarded-For` (`PORTICO_CLIENT_IP_HEADER`, which
//! `scripts/soak.sh` sets) and this generator, standing where the proxy would, sends for each
//! customer an address of its own /64 in the IPv6 documentation prefix (`2001:db8:X:Y::1`: the
//! server counts IPv6 clients by their /64, so `2001:db8::1`, `::2`, ... would all be one
//! client). Each customer has its own email address, signs in once and enters one card per
//! payment: 1 code, 1 session and 4 cards per address and per session, under every limit.
//! Against a server that does not trust the header, all customers share one address and sign-ins
//! fail after 20, which shows here as errors. API writes are paced to 15 a second across all
//! users, three quarters of what one key may send by default (1,200 a minute).
//!
//! The server's limiters remember each client and session they saw until one holds 10,000
//! (then it forgets the idle ones), so a new address per customer grows them by some 100 bytes
//! per customer: a few hundred KiB in ten minutes, a few MiB at most. Memory that keeps growing
//! beyond that is what this looks for.
//!
//! Run: `PORTICO_SOAK_API_KEY=KEY cargo run --release -p server --example soak -- --base URL
//! --data-dir DIR --seconds N --server-pid PID [--concurrency C]` (C defaults to 8). The key comes
//! from the environment so that it is not shown in the process list or cargo's log.

use anyhow::{Context as _, bail, ensure};
use reqwest::{RequestBuilder, StatusCode};
use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

const USAGE: &str = "usage: PORTICO_SOAK_API_KEY=KEY soak --base URL --data-dir DIR --seconds N --server-pid PID [--concurrency C]";
const SLUG: &str = "northwind";
/// The server's memory is first read after this much traffic: pools, caches and the first
/// pages rendered are not what a soak looks for.
const WARM_UP: Duration = Duration::from_secs(10);
const PROGRESS_EVERY: Duration = Duration::from_secs(60);
const API_WRITES_PER_SECOND: u32 = 15;
/// Under the 5 cards a session may enter in 10 minutes.
const PAYMENTS_PER_CUSTOMER: u32 = 4;
const INVOICE_TOTAL: &str = "125.00";
/// The worker looks for due jobs every half second; a code email later than this is an error.
const CODE_EMAIL_WAIT: Duration = Duration::from_secs(30);
const OUTBOX_POLL: Duration = Duration::from_millis(200);
/// A user pauses after a failure, so that a server that went away is not hammered in a loop.
const PAUSE_AFTER_ERROR: Duration = Duration::from_secs(1);
const ERRORS_SHOWN: usize = 10;
const BODY_EXCERPT_CHARS: usize = 300;

const BUSINESS_DETAILS: [(&str, &str); 8] = [
    ("business_name", "Soak Test Supplies Inc."),
    ("contact_name", "Sam Soak"),
    ("phone", "+1 415 555 0100"),
    ("address_line1", "1 Market St"),
    ("city", "San Francisco"),
    ("region", "CA"),
    ("postal_code", "94105"),
    ("country", "US"),
];
/// The sandbox's always-succeeding Visa.
const TEST_CARD: [(&str, &str); 5] = [
    ("card_number", "4242424242424242"),
    ("expiry", "12/30"),
    ("security_code", "123"),
    ("name_on_card", "Sam Soak"),
    ("postal_code", "94105"),
];

/// A form of the wizard: the page it is on, the server function it posts to, and where an
/// accepted post leads (a page, or the start of one's path).
struct Form {
    kind: Kind,
    page: &'static str,
    endpoint: &'static str,
    leads_to: &'static str,
}

const EMAIL_FORM: Form = Form {
    kind: Kind::SignInEmail,
    page: "",
    endpoint: "wizard/email",
    leads_to: "/verify",
};
const CODE_FORM: Form = Form {
    kind: Kind::SignInCode,
    page: "/verify",
    endpoint: "wizard/code",
    leads_to: "/business",
};
const BUSINESS_FORM: Form = Form {
    kind: Kind::SignInBusiness,
    page: "/business",
    endpoint: "wizard/business",
    leads_to: "/invoices",
};
const AMOUNTS_FORM: Form = Form {
    kind: Kind::Amounts,
    page: "/amounts",
    endpoint: "wizard/amounts",
    leads_to: "/method",
};
const METHOD_FORM: Form = Form {
    kind: Kind::Method,
    page: "/method",
    endpoint: "wizard/method",
    leads_to: "/details",
};
const CARD_FORM: Form = Form {
    kind: Kind::Card,
    page: "/details",
    endpoint: "wizard/card",
    leads_to: "/review",
};
const CONFIRM_FORM: Form = Form {
    kind: Kind::Confirm,
    page: "/review",
    endpoint: "wizard/confirm",
    leads_to: "/receipt/",
};

#[derive(Debug, Clone, Copy)]
enum Activity {
    ReadInvoices,
    AddInvoice,
    Pay,
}

/// A customer's round, repeated; each user starts at another place in it. Reads are the most
/// common, as on a real portal.
const ROUND: [Activity; 6] = [
    Activity::ReadInvoices,
    Activity::Pay,
    Activity::ReadInvoices,
    Activity::AddInvoice,
    Activity::ReadInvoices,
    Activity::Pay,
];

const KINDS: usize = 13;

/// What is timed and counted: one row of the report each.
#[derive(Debug, Clone, Copy)]
enum Kind {
    ApiCustomer,
    ApiInvoice,
    SignInEmail,
    /// Not a request: from the email form's answer until the code is in the outbox.
    CodeEmail,
    SignInCode,
    SignInBusiness,
    InvoiceList,
    Amounts,
    Method,
    Card,
    Review,
    Confirm,
    Receipt,
}

impl Kind {
    const ALL: [Kind; KINDS] = [
        Kind::ApiCustomer,
        Kind::ApiInvoice,
        Kind::SignInEmail,
        Kind::CodeEmail,
        Kind::SignInCode,
        Kind::SignInBusiness,
        Kind::InvoiceList,
        Kind::Amounts,
        Kind::Method,
        Kind::Card,
        Kind::Review,
        Kind::Confirm,
        Kind::Receipt,
    ];

    fn label(self) -> &'static str {
        match self {
            Kind::ApiCustomer => "api: POST /api/v1/customers",
            Kind::ApiInvoice => "api: POST /api/v1/invoices",
            Kind::SignInEmail => "sign-in: POST wizard/email",
            Kind::CodeEmail => "sign-in: code email (wait)",
            Kind::SignInCode => "sign-in: POST wizard/code",
            Kind::SignInBusiness => "sign-in: POST wizard/business",
            Kind::InvoiceList => "step 4: GET invoices",
            Kind::Amounts => "pay: POST wizard/amounts",
            Kind::Method => "pay: POST wizard/method",
            Kind::Card => "pay: POST wizard/card",
            Kind::Review => "pay: GET review",
            Kind::Confirm => "pay: POST wizard/confirm",
            Kind::Receipt => "pay: GET receipt",
        }
    }

    fn is_request(self) -> bool {
        !matches!(self, Kind::CodeEmail)
    }
}

struct Args {
    base: String,
    data_dir: PathBuf,
    api_key: String,
    seconds: u64,
    server_pid: u32,
    concurrency: usize,
}

impl Args {
    fn parse() -> anyhow::Result<Self> {
        let (mut base, mut data_dir) = (None, None);
        let (mut seconds, mut server_pid): (Option<u64>, Option<u32>) = (None, None);
        let mut concurrency: usize = 8;
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            let value = args
                .next()
                .with_context(|| format!("{flag} needs a value; {USAGE}"))?;
            match flag.as_str() {
                "--base" => base = Some(value.trim_end_matches('/').to_owned()),
                "--data-dir" => data_dir = Some(PathBuf::from(value)),
                "--seconds" => seconds = Some(whole_number(&flag, &value)?),
                "--server-pid" => server_pid = Some(whole_number(&flag, &value)?),
                "--concurrency" => concurrency = whole_number(&flag, &value)?,
                _ => bail!("unknown argument {flag}; {USAGE}"),
            }
        }
        let missing = |flag: &str| format!("{flag} is missing; {USAGE}");
        let args = Self {
            base: base.with_context(|| missing("--base"))?,
            data_dir: data_dir.with_context(|| missing("--data-dir"))?,
            api_key: std::env::var("PORTICO_SOAK_API_KEY")
                .with_context(|| format!("PORTICO_SOAK_API_KEY is not set; {USAGE}"))?,
            seconds: seconds.with_context(|| missing("--seconds"))?,
            server_pid: server_pid.with_context(|| missing("--server-pid"))?,
            concurrency,
        };
        ensure!(args.seconds > 0, "--seconds must be at least 1");
        ensure!(args.concurrency > 0, "--concurrency must be at least 1");
        Ok(args)
    }
}

fn whole_number<T: std::str::FromStr>(flag: &str, value: &str) -> anyhow::Result<T> {
    value
        .parse()
        .ok()
        .with_context(|| format!("{flag} takes a whole number, not {value:?}"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse()?;
    let before = resident_kib(args.server_pid)?;
    println!(
        "soak: {} s against {}, {} virtual users; server pid {}, {:.1} MiB before any traffic",
        args.seconds,
        args.base,
        args.concurrency,
        args.server_pid,
        mib(before)
    );
    let duration = Duration::from_secs(args.seconds);
    let started = Instant::now();
    let soak = Arc::new(Soak {
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // Longer than the server's own 30 s limit, so that its 503 is what is seen.
            .timeout(Duration::from_secs(60))
            // The server closes connections idle for 10 s; one it is closing must not be reused.
            .pool_idle_timeout(Duration::from_secs(5))
            .build()?,
        base: args.base.clone(),
        api_key: args.api_key,
        run: uuid::Uuid::new_v4().simple().to_string()[..8].to_owned(),
        started,
        deadline: started + duration,
        api_writes: Pacer::per_second(API_WRITES_PER_SECOND),
        outbox: Arc::new(Mutex::new(Outbox {
            dir: args.data_dir.join("outbox"),
            read: HashSet::new(),
            codes: HashMap::new(),
        })),
        customers_started: AtomicU32::new(0),
        invoices_created: AtomicU32::new(0),
        stats: Mutex::new(Stats {
            tallies: std::array::from_fn(|_| Tally::default()),
            errors_seen: 0,
        }),
    });
    let mut users = tokio::task::JoinSet::new();
    for user in 0..args.concurrency {
        let soak = soak.clone();
        users.spawn(async move { soak.virtual_user(user).await });
    }

    let warm_up = WARM_UP.min(duration / 2);
    tokio::time::sleep(warm_up).await;
    let at_start = resident_kib(args.server_pid)?;
    let mut next_progress = PROGRESS_EVERY;
    while next_progress < duration {
        tokio::time::sleep(next_progress.saturating_sub(started.elapsed())).await;
        soak.print_progress(args.server_pid);
        next_progress += PROGRESS_EVERY;
    }
    users.join_all().await;
    let elapsed = started.elapsed();
    let at_end = resident_kib(args.server_pid)?;

    let errors = soak.print_report(elapsed);
    println!(
        "server RSS: {:.1} MiB after the {} s warm-up, {:.1} MiB at the end ({:+.1} MiB)",
        mib(at_start),
        warm_up.as_secs(),
        mib(at_end),
        (at_end as f64 - at_start as f64) / 1024.0
    );
    println!("aim: 0 errors, memory flat");
    if errors > 0 {
        bail!("{errors} errors (the first ones are shown above)");
    }
    Ok(())
}

/// The server's resident memory, in KiB.
fn resident_kib(pid: u32) -> anyhow::Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path)
        .with_context(|| format!("reading {path}: is the server (pid {pid}) running?"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse().ok())
        .with_context(|| format!("{path} has no VmRSS line"))
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

struct Soak {
    client: reqwest::Client,
    base: String,
    api_key: String,
    /// Part of every email address and invoice number, so that a second soak against the same
    /// database makes customers of its own.
    run: String,
    started: Instant,
    deadline: Instant,
    api_writes: Pacer,
    outbox: Arc<Mutex<Outbox>>,
    customers_started: AtomicU32,
    invoices_created: AtomicU32,
    stats: Mutex<Stats>,
}

/// The customer a virtual user plays, as far as the user knows it.
struct Customer {
    id: String,
    email: String,
    /// Its own network, sent as `X-Forwarded-For` (see the module comment).
    address: String,
    /// `name=value` of the session cookie, as the last `Set-Cookie` left it. Kept by hand: one
    /// client (one connection pool, as a proxy has) serves every customer.
    cookie: Option<String>,
    open_invoices: Vec<String>,
    payments: u32,
}

impl Soak {
    async fn virtual_user(&self, user: usize) {
        let mut customer: Option<Customer> = None;
        let mut turn = user;
        while Instant::now() < self.deadline {
            let (next, failed) = match customer.take() {
                None => {
                    let signed_in = self.sign_in_new_customer().await;
                    let failed = signed_in.is_none();
                    (signed_in, failed)
                }
                Some(mut current) => {
                    let activity = ROUND[turn % ROUND.len()];
                    turn += 1;
                    let done = match activity {
                        Activity::ReadInvoices => self.read_invoices(&mut current).await,
                        Activity::AddInvoice => self.add_invoice(&mut current).await,
                        Activity::Pay => self.pay(&mut current).await,
                    };
                    // After a failure the session may stand anywhere: a new customer starts over.
                    let keep = done && current.payments < PAYMENTS_PER_CUSTOMER;
                    (keep.then_some(current), !done)
                }
            };
            customer = next;
            if failed {
                tokio::time::sleep(PAUSE_AFTER_ERROR).await;
            }
        }
    }

    /// A customer made over the API with two invoices, signed in with its code and past the
    /// business details: standing at step 4.
    async fn sign_in_new_customer(&self) -> Option<Customer> {
        let n = self.customers_started.fetch_add(1, Ordering::Relaxed);
        let email = format!("soak-{}-{n}@soak.example", self.run);
        let body = serde_json::json!({
            "name": format!("Soak customer {}-{n}", self.run), "email": email, "country": "US",
        });
        let id = self
            .api_write(Kind::ApiCustomer, "/api/v1/customers", &body)
            .await?;
        let mut customer = Customer {
            id,
            email: email.clone(),
            address: format!("2001:db8:{:x}:{:x}::1", n >> 16, n & 0xffff),
            cookie: None,
            open_invoices: Vec::new(),
            payments: 0,
        };
        for _ in 0..2 {
            if !self.add_invoice(&mut customer).await {
                return None;
            }
        }
        let fields = [("email", email.as_str())];
        self.submit(&mut customer, &EMAIL_FORM, &fields).await?;
        let code = self.code_for(&customer.email).await?;
        let fields = [("code", code.as_str())];
        self.submit(&mut customer, &CODE_FORM, &fields).await?;
        self.submit(&mut customer, &BUSINESS_FORM, &BUSINESS_DETAILS)
            .await?;
        Some(customer)
    }

    async fn read_invoices(&self, customer: &mut Customer) -> bool {
        self.get_page(customer, Kind::InvoiceList, &wizard_path("/invoices"))
            .await
            .is_some()
    }

    async fn add_invoice(&self, customer: &mut Customer) -> bool {
        let n = self.invoices_created.fetch_add(1, Ordering::Relaxed);
        let body = serde_json::json!({
            "customer_id": customer.id, "number": format!("SOAK-{}-{n}", self.run),
            "currency": "USD", "total": INVOICE_TOTAL,
            "issued_on": "2026-11-01", "due_on": "2026-12-01",
        });
        match self
            .api_write(Kind::ApiInvoice, "/api/v1/invoices", &body)
            .await
        {
            Some(invoice) => {
                customer.open_invoices.push(invoice);
                true
            }
            None => false,
        }
    }

    /// Pays one open invoice in full by card (a new one from the API if none is left).
    async fn pay(&self, customer: &mut Customer) -> bool {
        if customer.open_invoices.is_empty() && !self.add_invoice(customer).await {
            return false;
        }
        let Some(invoice) = customer.open_invoices.pop() else {
            return false;
        };
        let paid = self.walk_to_receipt(customer, &invoice).await.is_some();
        if paid {
            customer.payments += 1;
        }
        paid
    }

    /// Steps 5 to 8 as a browser without JavaScript walks them, then the receipt they lead to.
    async fn walk_to_receipt(&self, customer: &mut Customer, invoice: &str) -> Option<()> {
        let amounts = [
            ("pay[]", invoice),
            ("invoice[]", invoice),
            ("amount[]", INVOICE_TOTAL),
        ];
        self.submit(customer, &AMOUNTS_FORM, &amounts).await?;
        self.submit(customer, &METHOD_FORM, &[("method", "card")])
            .await?;
        self.submit(customer, &CARD_FORM, &TEST_CARD).await?;
        let review = self
            .get_page(customer, Kind::Review, &wizard_path("/review"))
            .await?;
        let Some(key) = idempotency_key(&review) else {
            let failure = "the review page carries no idempotency key".to_owned();
            self.record(Kind::Review, None, Some(failure));
            return None;
        };
        let confirm = [("idempotency_key", key.as_str()), ("authorize", "on")];
        let receipt = self.submit(customer, &CONFIRM_FORM, &confirm).await?;
        self.get_page(customer, Kind::Receipt, &receipt).await?;
        Some(())
    }

    /// Posts an API write with a fresh `Idempotency-Key`, at the paced rate; returns the `id`
    /// of what it created.
    async fn api_write(&self, kind: Kind, path: &str, body: &serde_json::Value) -> Option<String> {
        self.api_writes.wait().await;
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.api_key)
            .header("idempotency-key", uuid::Uuid::new_v4().to_string())
            .json(body);
        let answer = self
            .exchange(kind, request, Expected::Status(StatusCode::CREATED))
            .await?;
        let id = serde_json::from_str::<serde_json::Value>(&answer.body)
            .ok()
            .and_then(|created| created["id"].as_str().map(str::to_owned));
        if id.is_none() {
            self.record(
                kind,
                None,
                Some(format!("created without an id: {}", answer.describe())),
            );
        }
        id
    }

    /// Opens `path` as a navigation; returns the page when it answered 200.
    async fn get_page(&self, customer: &mut Customer, kind: Kind, path: &str) -> Option<String> {
        let request = self.client.get(format!("{}{path}", self.base));
        let answer = self
            .browse(customer, kind, request, Expected::Status(StatusCode::OK))
            .await?;
        Some(answer.body)
    }

    /// Submits `form` with `fields` as a browser does (its own origin, the form's page as
    /// referer); returns where the answer sends the browser when that is where it should.
    async fn submit(
        &self,
        customer: &mut Customer,
        form: &Form,
        fields: &[(&str, &str)],
    ) -> Option<String> {
        let mut body = vec![("merchant_slug", SLUG)];
        body.extend_from_slice(fields);
        let request = self
            .client
            .post(format!("{}/api/{}", self.base, form.endpoint))
            .header("origin", &self.base)
            .header(
                "referer",
                format!("{}{}", self.base, wizard_path(form.page)),
            )
            .form(&body);
        let leads_to = wizard_path(form.leads_to);
        let answer = self
            .browse(
                customer,
                form.kind,
                request,
                Expected::RedirectTo(&leads_to),
            )
            .await?;
        answer.location
    }

    /// Sends a browser's request for `customer` (its address, its cookie) and keeps the session
    /// cookie the answer sets.
    async fn browse(
        &self,
        customer: &mut Customer,
        kind: Kind,
        request: RequestBuilder,
        expected: Expected<'_>,
    ) -> Option<Answer> {
        let mut request = request
            .header("accept", "text/html")
            .header("x-forwarded-for", &customer.address);
        if let Some(cookie) = &customer.cookie {
            request = request.header("cookie", cookie);
        }
        let answer = self.exchange(kind, request, expected).await?;
        if let Some(cookie) = &answer.session_cookie {
            let cleared = cookie
                .split_once('=')
                .is_none_or(|(_, value)| value.is_empty());
            customer.cookie = (!cleared).then(|| cookie.clone());
        }
        Some(answer)
    }

    /// Sends `request`, times it and records it under `kind`: the answer when it is the
    /// expected one, an error otherwise.
    async fn exchange(
        &self,
        kind: Kind,
        request: RequestBuilder,
        expected: Expected<'_>,
    ) -> Option<Answer> {
        let sent = Instant::now();
        let answer = match request.send().await {
            Ok(response) => Answer::read(response).await,
            Err(error) => Err(error),
        };
        let latency = Some(sent.elapsed());
        match answer {
            Ok(answer) if expected.is_met(&answer) => {
                self.record(kind, latency, None);
                Some(answer)
            }
            Ok(answer) => {
                self.record(kind, latency, Some(answer.describe()));
                None
            }
            Err(error) => {
                let failure = format!("no answer: {:#}", anyhow::Error::from(error));
                self.record(kind, latency, Some(failure));
                None
            }
        }
    }

    /// The code of the sign-in email to `email`, once the worker has written it to the outbox.
    async fn code_for(&self, email: &str) -> Option<String> {
        let waiting_since = Instant::now();
        loop {
            let outbox = self.outbox.clone();
            let wanted = email.to_owned();
            let found = tokio::task::spawn_blocking(move || -> anyhow::Result<Option<String>> {
                let mut outbox = outbox.lock().unwrap_or_else(PoisonError::into_inner);
                outbox.read_new_emails()?;
                Ok(outbox.codes.remove(&wanted))
            })
            .await;
            let waited = waiting_since.elapsed();
            let failure = match found {
                Ok(Ok(Some(code))) => {
                    self.record(Kind::CodeEmail, Some(waited), None);
                    return Some(code);
                }
                Ok(Ok(None)) if waited < CODE_EMAIL_WAIT => {
                    tokio::time::sleep(OUTBOX_POLL).await;
                    continue;
                }
                Ok(Ok(None)) => format!("no code email to {email} after {} s", waited.as_secs()),
                Ok(Err(error)) => format!("reading the outbox: {error:#}"),
                Err(error) => format!("reading the outbox: {error}"),
            };
            self.record(Kind::CodeEmail, Some(waited), Some(failure));
            return None;
        }
    }

    /// Counts one outcome of `kind` (its latency, when it was timed) and shows the first few
    /// failures as they happen.
    fn record(&self, kind: Kind, latency: Option<Duration>, failure: Option<String>) {
        let mut stats = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
        let tally = &mut stats.tallies[kind as usize];
        if let Some(latency) = latency {
            tally.latencies.push(latency);
        }
        let Some(failure) = failure else {
            return;
        };
        tally.errors += 1;
        stats.errors_seen += 1;
        if stats.errors_seen <= ERRORS_SHOWN {
            let at = self.started.elapsed().as_secs();
            eprintln!("error at {at} s, {}: {failure}", kind.label());
        }
        if stats.errors_seen == ERRORS_SHOWN {
            eprintln!("(further errors are counted, not shown)");
        }
    }

    fn print_progress(&self, server_pid: u32) {
        let (requests, errors) = {
            let stats = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
            let requests: usize = Kind::ALL
                .iter()
                .filter(|kind| kind.is_request())
                .map(|kind| stats.tallies[*kind as usize].latencies.len())
                .sum();
            (requests, stats.errors_seen)
        };
        let memory = resident_kib(server_pid).map_or_else(
            |error| format!("unreadable ({error:#})"),
            |kib| format!("{:.1} MiB", mib(kib)),
        );
        println!(
            "[{:>4} s] {requests} requests, {errors} errors, server RSS {memory}",
            self.started.elapsed().as_secs()
        );
    }

    /// Prints the table of every kind and the totals; returns the number of errors.
    fn print_report(&self, elapsed: Duration) -> usize {
        let stats = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
        let seconds = elapsed.as_secs_f64();
        println!(
            "\nsoak: {seconds:.0} s, {} customers, {} cores",
            self.customers_started.load(Ordering::Relaxed),
            std::thread::available_parallelism().map_or(0, usize::from)
        );
        println!(
            "{:<30} {:>9} {:>9} {:>10} {:>10} {:>7}",
            "kind", "requests", "per s", "median", "p99", "errors"
        );
        let mut all_requests = Vec::new();
        for kind in Kind::ALL {
            let tally = &stats.tallies[kind as usize];
            let mut latencies = tally.latencies.clone();
            latencies.sort();
            print_row(kind.label(), &latencies, tally.errors, seconds);
            if kind.is_request() {
                all_requests.extend(latencies);
            }
        }
        all_requests.sort();
        print_row(
            "total (requests)",
            &all_requests,
            stats.errors_seen,
            seconds,
        );
        stats.errors_seen
    }
}

fn print_row(label: &str, sorted: &[Duration], errors: usize, seconds: f64) {
    println!(
        "{label:<30} {:>9} {:>9.1} {:>10} {:>10} {errors:>7}",
        sorted.len(),
        sorted.len() as f64 / seconds,
        percentile(sorted, 0.50),
        percentile(sorted, 0.99)
    );
}

fn percentile(sorted: &[Duration], fraction: f64) -> String {
    if sorted.is_empty() {
        return "-".to_owned();
    }
    let index = ((sorted.len() as f64 * fraction) as usize).min(sorted.len() - 1);
    format!("{:.1} ms", sorted[index].as_secs_f64() * 1000.0)
}

#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: usize,
}

struct Stats {
    tallies: [Tally; KINDS],
    errors_seen: usize,
}

/// Spaces requests evenly at a fixed rate, across every user.
struct Pacer {
    interval: Duration,
    next: Mutex<Instant>,
}

impl Pacer {
    fn per_second(rate: u32) -> Self {
        Self {
            interval: Duration::from_secs(1) / rate,
            next: Mutex::new(Instant::now()),
        }
    }

    async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
            let slot = (*next).max(Instant::now());
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep(slot.saturating_duration_since(Instant::now())).await;
    }
}

/// The sign-in codes found in the outbox, by recipient. Each file is read once: the outbox
/// grows by a few emails per customer, and reading it whole for every sign-in would cost this
/// generator, on the server's machine, more than the server spends. Each address here is sent
/// one code, so the one found is the newest.
struct Outbox {
    dir: PathBuf,
    read: HashSet<OsString>,
    codes: HashMap<String, String>,
}

impl Outbox {
    fn read_new_emails(&mut self) -> anyhow::Result<()> {
        let entries = std::fs::read_dir(&self.dir)
            .with_context(|| format!("listing {}", self.dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("listing {}", self.dir.display()))?;
            if self.read.contains(&entry.file_name()) {
                continue;
            }
            // The server writes a message beside the outbox and renames it in: never half one.
            let path = entry.path();
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            if let Some((to, code)) = sign_in_code(&text) {
                self.codes.insert(to, code);
            }
            self.read.insert(entry.file_name());
        }
        Ok(())
    }
}

/// The recipient and the code of a sign-in email (its plain-text line "Your sign-in code to pay
/// {merchant}: 123456"), or `None` for any other email. `lines` also takes off the CR of the
/// `.eml` file's CRLF line ends.
fn sign_in_code(email: &str) -> Option<(String, String)> {
    let code = email
        .lines()
        .filter(|line| line.starts_with("Your sign-in code to pay"))
        .find_map(|line| {
            let digits = line.rsplit(": ").next()?.trim();
            (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| digits.to_owned())
        })?;
    let to = email.lines().find_map(|line| line.strip_prefix("To: "))?;
    Some((to.trim().trim_matches(['<', '>']).to_owned(), code))
}

/// The idempotency key the review page's confirm form carries.
fn idempotency_key(review: &str) -> Option<String> {
    review
        .split("name=\"idempotency_key\" value=\"")
        .nth(1)?
        .split('"')
        .next()
        .map(str::to_owned)
}

fn wizard_path(page: &str) -> String {
    format!("/pay/{SLUG}{page}")
}

/// What makes an answer the expected one.
enum Expected<'a> {
    Status(StatusCode),
    /// A redirect to a path starting with this. A refused form is a redirect too: back to its
    /// page, with the error in `__err`.
    RedirectTo(&'a str),
}

impl Expected<'_> {
    fn is_met(&self, answer: &Answer) -> bool {
        match self {
            Expected::Status(status) => answer.status == *status,
            Expected::RedirectTo(prefix) => {
                answer.status.is_redirection()
                    && answer.location.as_deref().is_some_and(|location| {
                        location.starts_with(prefix) && !location.contains("__err=")
                    })
            }
        }
    }
}

/// An answer, read whole.
struct Answer {
    status: StatusCode,
    /// The path of `Location`, without scheme and host.
    location: Option<String>,
    /// `name=value` of the last session cookie set: a browser applies them in order.
    session_cookie: Option<String>,
    body: String,
}

impl Answer {
    async fn read(response: reqwest::Response) -> reqwest::Result<Self> {
        let status = response.status();
        let headers = response.headers();
        let location = headers
            .get("location")
            .and_then(|value| value.to_str().ok())
            .map(path_of);
        let session_cookie = headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .rfind(|value| {
                value.starts_with("portico_session_")
                    || value.starts_with("__Host-portico_session_")
            })
            .and_then(|value| value.split(';').next())
            .map(str::to_owned);
        let body = response.text().await?;
        Ok(Self {
            status,
            location,
            session_cookie,
            body,
        })
    }

    /// The status, where it leads (with the error Leptos put in the URL) and the body's start.
    fn describe(&self) -> String {
        let mut text = format!("status {}", self.status.as_u16());
        if let Some(location) = &self.location {
            text.push_str(&format!(" to {location}"));
            if let Some(error) = error_in(location) {
                text.push_str(&format!(" ({error})"));
            }
        }
        let body: String = self
            .body
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(BODY_EXCERPT_CHARS)
            .collect();
        if !body.is_empty() {
            text.push_str(&format!(": {body}"));
        }
        text
    }
}

fn path_of(location: &str) -> String {
    match location.split_once("://") {
        Some((_, rest)) => rest
            .find('/')
            .map_or_else(|| "/".to_owned(), |index| rest[index..].to_owned()),
        None => location.to_owned(),
    }
}

/// The error a refused form sent the browser back with (Leptos puts it, base64, in `__err`).
fn error_in(location: &str) -> Option<String> {
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
