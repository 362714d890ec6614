//! The admin commands of the `portico` binary (`portico merchant ...`, `portico demo`). Each
//! prints one JSON object, so scripts can read what it created.

use crate::config::Config;
use crate::database;
use crate::demo::{self, DemoSummary};
use crate::worker::{RunReport, Worker};
use anyhow::{Context as _, anyhow};
use app::domain::email::EmailAddress;
use app::domain::ids::{ApiKeyId, JobId, MerchantId, MerchantUserId};
use app::domain::installments::InstallmentSettings;
use app::domain::merchant::{AccentColour, Country, LogoUrl, MerchantSlug};
use app::domain::money::{AmountSyntax, Currency, Money};
use app::domain::payment::PaymentMethodKind;
use app::domain::public_url::PublicUrl;
use app::domain::staff::StaffRole;
use app::services::Database;
use app::services::accounting::apps::AccountingApps;
use app::services::api_keys;
use app::services::checkout::{self, PaymentServices};
use app::services::jobs::{self, JobCounts, JobError, JobSummary};
use app::services::keys::Keys;
use app::services::mail::{MailFrom, Mailer};
use app::services::merchant_users::{self, MerchantUserError};
use app::services::merchants::{self, MerchantError, NewMerchant};
use app::services::processors::{Processor, sandbox::Sandbox};
use secrecy::ExposeSecret;
use serde::Serialize;

/// What `portico merchant create` asks for.
#[derive(Debug, Clone)]
pub struct MerchantOptions {
    pub name: String,
    pub slug: String,
    pub country: String,
    pub currency: Option<String>,
    pub support_email: Option<String>,
    pub accent_colour: Option<String>,
    pub logo_url: Option<String>,
    /// Comma-separated method codes; the country's defaults when absent.
    pub methods: Option<String>,
    /// The smallest part of an invoice a customer may pay (e.g. `5.00`); 1.00 when absent.
    pub minimum_partial_payment: Option<String>,
    /// Whether customers may pay in installments (on the standard terms; `PATCH
    /// /api/v1/merchant` changes them).
    pub installments: bool,
}

/// Printed once; deliberately not `Debug`, so the key cannot reach a log by accident.
#[derive(Serialize)]
pub struct CreatedMerchant {
    pub merchant_id: MerchantId,
    pub billing_link: String,
    pub api_key: String,
    pub api_key_id: ApiKeyId,
}

/// Printed once; deliberately not `Debug`, like [`CreatedMerchant`].
#[derive(Serialize)]
pub struct CreatedApiKey {
    pub merchant_id: MerchantId,
    pub api_key: String,
    pub api_key_id: ApiKeyId,
}

#[derive(Debug, Serialize)]
pub struct RevokedApiKey {
    pub api_key_id: ApiKeyId,
    pub revoked: bool,
}

/// What `portico merchant add-user` made.
#[derive(Debug, Serialize)]
pub struct AddedUser {
    pub user_id: MerchantUserId,
    pub merchant_id: MerchantId,
    pub email: String,
    pub role: &'static str,
    /// Where the user signs in.
    pub dashboard: String,
}

/// Lets `email` open the dashboard of the merchant whose billing link name is `merchant_slug`.
pub async fn add_user(
    db: &Database,
    public_url: &PublicUrl,
    merchant_slug: &str,
    email: &str,
    role: &str,
) -> anyhow::Result<AddedUser> {
    let slug =
        MerchantSlug::parse(merchant_slug).map_err(|error| anyhow!("--merchant: {error}"))?;
    let email = EmailAddress::parse(email).map_err(|error| anyhow!("--email: {error}"))?;
    let role = StaffRole::parse(role).map_err(|error| anyhow!("--role: {error}"))?;
    let merchant_id = merchants::find_id(db, &slug)
        .await?
        .ok_or_else(|| anyhow!("--merchant: no merchant has the billing link name {slug}"))?;
    let user = match merchant_users::add(db, merchant_id, &email, role).await {
        Ok(user) => user,
        Err(MerchantUserError::AlreadyAdded(email)) => {
            return Err(anyhow!(
                "--email: {email} can already open the dashboard of {slug}"
            ));
        }
        Err(error) => return Err(error).context("adding the user"),
    };
    Ok(AddedUser {
        user_id: user.id,
        merchant_id,
        email: user.email.to_string(),
        role: user.role.code(),
        dashboard: format!("{}/dashboard", public_url.as_str().trim_end_matches('/')),
    })
}

/// The database of `config`, migrated, and the base URL links are printed with.
pub async fn open(config: &Config) -> anyhow::Result<(Database, PublicUrl)> {
    let db = database::connect(config.database_url.expose_secret()).await?;
    database::migrate(&db).await?;
    let public_url = match &config.public_url {
        Some(url) => url.clone(),
        None => PublicUrl::parse(&format!("http://{}", config.site_addr))?,
    };
    Ok((db, public_url))
}

pub async fn create_merchant(
    db: &Database,
    public_url: &PublicUrl,
    options: &MerchantOptions,
) -> anyhow::Result<CreatedMerchant> {
    let slug = MerchantSlug::parse(&options.slug).map_err(|error| anyhow!("--slug: {error}"))?;
    let country =
        Country::parse(&options.country).map_err(|error| anyhow!("--country: {error}"))?;
    let default_currency = match &options.currency {
        Some(code) => Currency::parse(code).map_err(|error| anyhow!("--currency: {error}"))?,
        None => country.home_currency(),
    };
    let payment_methods = match &options.methods {
        None => PaymentMethodKind::defaults_for(country),
        Some(list) => {
            let mut methods = list
                .split(',')
                .map(|code| {
                    PaymentMethodKind::parse(code.trim())
                        .map_err(|error| anyhow!("--methods: {error}"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            methods.sort();
            methods.dedup();
            methods
        }
    };
    let name = options.name.trim();
    if name.is_empty() {
        return Err(anyhow!("--name: enter the merchant's name"));
    }
    let logo_url = options
        .logo_url
        .as_deref()
        .map(LogoUrl::parse)
        .transpose()
        .map_err(|error| anyhow!("--logo-url: {error}"))?;
    let minimum_partial_payment_minor = match &options.minimum_partial_payment {
        None => merchants::DEFAULT_MINIMUM_PARTIAL_PAYMENT_MINOR,
        Some(text) => Money::parse(text, default_currency, AmountSyntax::Plain)
            .ok()
            .filter(|minimum| !minimum.is_zero())
            .map(|minimum| minimum.minor_units())
            .ok_or_else(|| {
                anyhow!("--minimum-partial-payment: an amount above zero such as 5.00")
            })?,
    };
    let merchant = NewMerchant {
        slug: slug.clone(),
        legal_name: name.to_owned(),
        display_name: name.to_owned(),
        country,
        default_currency,
        accent_colour: AccentColour::parse(options.accent_colour.as_deref().unwrap_or("#1d4ed8"))
            .map_err(|error| anyhow!("--accent-colour: {error}"))?,
        support_email: options.support_email.clone(),
        logo_url: logo_url.map(|url| url.as_str().to_owned()),
        payment_methods,
        minimum_partial_payment_minor,
        installments: InstallmentSettings::standard(options.installments),
    };
    let merchant_id = match merchants::create(db, &merchant).await {
        Ok(id) => id,
        Err(MerchantError::SlugTaken(slug)) => {
            return Err(anyhow!(
                "--slug: the billing link name {slug} is already taken"
            ));
        }
        Err(MerchantError::MethodUnavailable(method)) => {
            return Err(anyhow!(
                "--methods: {} is not offered in {}",
                method.code(),
                country.code()
            ));
        }
        Err(error) => return Err(error).context("creating the merchant"),
    };
    let key = api_keys::issue(db, merchant_id)
        .await
        .context("issuing the API key")?;
    Ok(CreatedMerchant {
        merchant_id,
        billing_link: public_url.billing_link(&slug),
        api_key: key.secret.expose_secret().to_owned(),
        api_key_id: key.id,
    })
}

pub async fn create_api_key(db: &Database, merchant_slug: &str) -> anyhow::Result<CreatedApiKey> {
    let slug =
        MerchantSlug::parse(merchant_slug).map_err(|error| anyhow!("--merchant: {error}"))?;
    let merchant_id = merchants::find_id(db, &slug)
        .await?
        .ok_or_else(|| anyhow!("--merchant: no merchant has the billing link name {slug}"))?;
    let key = api_keys::issue(db, merchant_id).await?;
    Ok(CreatedApiKey {
        merchant_id,
        api_key: key.secret.expose_secret().to_owned(),
        api_key_id: key.id,
    })
}

pub async fn revoke_api_key(db: &Database, key_id: &str) -> anyhow::Result<RevokedApiKey> {
    let id = ApiKeyId::parse(key_id).map_err(|_| {
        anyhow!("--key-id: an API key id is a UUID, as printed when the key was created")
    })?;
    match api_keys::revoke_any(db, id).await {
        Ok(()) => Ok(RevokedApiKey {
            api_key_id: id,
            revoked: true,
        }),
        Err(api_keys::ApiKeyError::NotFound) => {
            Err(anyhow!("--key-id: no active API key has this id"))
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn seed_demo(db: &Database, public_url: &PublicUrl) -> anyhow::Result<DemoSummary> {
    Ok(demo::seed(db, public_url, demo::Repair::EmptyMerchants).await?)
}

/// What `portico test-clock advance` did.
#[derive(Debug, Serialize)]
pub struct ClockAdvanced {
    /// The sandbox's date now.
    pub today: String,
    pub settled: usize,
    pub returned: usize,
    /// Installments whose payment was made on the way (charged, or a debit started).
    pub installments_collected: usize,
    /// Plans made delinquent on the way.
    pub plans_delinquent: usize,
}

/// Moves the sandbox's test clock `days` forward one day at a time, doing each day what the
/// running server would: collect the installments due that day, apply the bank debits that
/// settled or came back, and run the jobs that queued (the emails, the decisions after a
/// failed collection). A 150-day plan plays out in one command.
pub async fn advance_test_clock(config: &Config, days: u32) -> anyhow::Result<ClockAdvanced> {
    let (db, _) = open(config).await?;
    let sandbox = Sandbox::new(db.clone());
    let worker = worker(config, db).await?;
    let mut advanced = ClockAdvanced {
        today: String::new(),
        settled: 0,
        returned: 0,
        installments_collected: 0,
        plans_delinquent: 0,
    };
    let mut today = sandbox.today().await.context("reading the test clock")?;
    for _ in 0..days {
        today = sandbox
            .advance_clock(1)
            .await
            .context("moving the test clock")?;
        // A day's decisions (a retry date after a failure) come before its collections.
        worker.run_due().await.context("running the jobs")?;
        let collected = checkout::collect_due_installments(&worker.payments)
            .await
            .context("collecting the installments that became due")?;
        advanced.installments_collected += collected.collected;
        advanced.plans_delinquent += collected.delinquent;
        let report = checkout::apply_resolved_debits(&worker.payments)
            .await
            .context("settling the debits that became due")?;
        advanced.settled += report.settled;
        advanced.returned += report.returned;
        worker
            .run_due()
            .await
            .context("sending what the day's results call for")?;
    }
    advanced.today = app::services::clock::date_text(today);
    Ok(advanced)
}

/// The worker the admin commands run jobs with: the server's, on the same database and mail.
async fn worker(config: &Config, db: Database) -> anyhow::Result<Worker> {
    let mailer = match &config.smtp_url {
        Some(url) => Mailer::smtp(url)?,
        None => Mailer::outbox(&config.data_dir.join("outbox")).await?,
    };
    Ok(Worker {
        payments: PaymentServices {
            db: db.clone(),
            processor: Processor::Sandbox(Sandbox::new(db)),
            keys: Keys::new(config.secret_key.expose()),
        },
        mailer,
        from: MailFrom(config.mail_from.clone()),
        accounting: AccountingApps::new(config.accounting.clone()),
        public_url: match &config.public_url {
            Some(url) => url.clone(),
            None => PublicUrl::parse(&format!("http://{}", config.site_addr))?,
        },
    })
}

/// What `portico jobs` prints.
#[derive(Debug, Serialize)]
pub struct JobsListing {
    pub counts: JobCounts,
    pub jobs: Vec<JobSummary>,
}

/// How many jobs stand in each status, and the latest (at most 100) in `statuses`.
pub async fn list_jobs(db: &Database, statuses: &[&str]) -> anyhow::Result<JobsListing> {
    let mut listed = Vec::new();
    for status in statuses {
        listed.extend(jobs::list(db, status, 100).await?);
    }
    Ok(JobsListing {
        counts: jobs::counts(db).await?,
        jobs: listed,
    })
}

#[derive(Debug, Serialize)]
pub struct RetriedJob {
    pub job_id: JobId,
    pub status: &'static str,
}

/// Queues a dead job again from its first attempt.
pub async fn retry_job(db: &Database, id: &str) -> anyhow::Result<RetriedJob> {
    let job_id = JobId::parse(id)
        .map_err(|_| anyhow!("ID: {id:?} is not a job id (a UUID printed by portico jobs)"))?;
    match jobs::retry_dead(db, job_id).await {
        Ok(()) => Ok(RetriedJob {
            job_id,
            status: "queued",
        }),
        Err(JobError::NotFound) => Err(anyhow!("ID: there is no job {job_id}")),
        Err(JobError::NotDead(_)) => Err(anyhow!(
            "ID: job {job_id} is not dead; only dead jobs can be retried"
        )),
        Err(error) => Err(error).context("retrying the job"),
    }
}

/// Runs the jobs that are due now, as the server's worker would.
pub async fn run_jobs(config: &Config) -> anyhow::Result<RunReport> {
    let (db, _) = open(config).await?;
    jobs::seed_recurring(&db).await?;
    Ok(worker(config, db).await?.run_due().await?)
}
