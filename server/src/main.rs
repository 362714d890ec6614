use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use secrecy::ExposeSecret;
use serde::Serialize;
use server::admin::{self, MerchantOptions};
use server::config::Config;
use server::startup::{Application, shutdown_signal};
use server::{database, telemetry};
use std::process::ExitCode;

/// Portico: a self-hostable invoice payment portal.
///
/// Configured by environment variables; see the README's configuration table.
#[derive(Parser)]
#[command(name = "portico", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (the default).
    Serve,
    /// Apply the database migrations, then exit.
    Migrate,
    /// Write a consistent copy of the live SQLite database to a new file (PostgreSQL:
    /// use pg_dump).
    Backup {
        /// The file to write; it must not exist yet.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Manage merchants and their API keys.
    #[command(subcommand)]
    Merchant(MerchantCommand),
    /// Seed the demo merchants, customers and invoices (skipping any that exist), and print
    /// their billing links.
    Demo,
    /// The sandbox processor's test clock.
    #[command(subcommand, name = "test-clock")]
    TestClock(TestClockCommand),
    /// The outbox's jobs (emails, processor follow-ups, housekeeping): with no subcommand,
    /// how many stand in each status and the queued, running and dead ones.
    Jobs(JobsArgs),
}

#[derive(Args)]
struct JobsArgs {
    #[command(subcommand)]
    command: Option<JobsCommand>,
    /// List the jobs in this status instead: queued, running, done or dead.
    #[arg(long, value_parser = ["queued", "running", "done", "dead"])]
    status: Option<String>,
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Queue a dead job again, from its first attempt.
    Retry {
        /// The job's id, as `portico jobs` prints it.
        id: String,
    },
    /// Run the jobs that are due now, as the server's worker would, and exit.
    Run,
}

#[derive(Subcommand)]
enum TestClockCommand {
    /// Move the sandbox's clock forward and settle or return every bank debit that became
    /// due (works while the server runs: both share the database).
    Advance {
        /// How many days to move forward (1 to 3650).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=3650))]
        days: u32,
    },
}

#[derive(Subcommand)]
enum MerchantCommand {
    /// Create a merchant and its first API key; prints merchant_id, billing_link and api_key.
    Create(CreateMerchant),
    /// Issue or revoke API keys.
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCommand),
    /// Let someone open the merchant's dashboard (at /dashboard, signing in by email code).
    #[command(name = "add-user")]
    AddUser {
        /// The merchant's billing link name.
        #[arg(long)]
        merchant: String,
        /// The user's email address, where the sign-in codes go.
        #[arg(long)]
        email: String,
        /// admin (changes anything) or viewer (reads everything, changes nothing).
        #[arg(long, value_parser = ["admin", "viewer"])]
        role: String,
    },
}

#[derive(Args)]
struct CreateMerchant {
    /// The name customers see.
    #[arg(long)]
    name: String,
    /// The billing link name: /pay/{slug}.
    #[arg(long)]
    slug: String,
    /// US or CA.
    #[arg(long)]
    country: String,
    /// USD or CAD (the country's currency by default).
    #[arg(long)]
    currency: Option<String>,
    /// Where customers write with billing questions.
    #[arg(long)]
    support_email: Option<String>,
    /// The brand colour, #rrggbb.
    #[arg(long)]
    accent_colour: Option<String>,
    /// An https:// URL of the merchant's logo.
    #[arg(long)]
    logo_url: Option<String>,
    /// Comma-separated: us_ach, ca_pad, ca_eft, card (the country's by default).
    #[arg(long)]
    methods: Option<String>,
    /// The smallest part of an invoice a customer may pay, e.g. 5.00 (1.00 by default); paying
    /// an invoice's whole balance is always allowed.
    #[arg(long)]
    minimum_partial_payment: Option<String>,
    /// Do not offer installments (offered on the standard terms by default: 30 to 150 days,
    /// one payment every 30 days, no fee, from 100.00).
    #[arg(long)]
    no_installments: bool,
}

#[derive(Subcommand)]
enum ApiKeyCommand {
    /// Issue another API key for a merchant.
    Create {
        /// The merchant's billing link name (slug).
        #[arg(long)]
        merchant: String,
    },
    /// Revoke an API key at once.
    Revoke {
        /// The api_key_id printed when the key was created.
        #[arg(long)]
        key_id: String,
    },
}

/// Serving a page allocates and frees many small buffers (the rendered HTML, headers, the
/// reactive owner tree); with glibc's allocator a quarter of step 1's CPU time was in malloc
/// and free (perf, December 2026). mimalloc is built for that pattern.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    telemetry::init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // The chain of causes, on one line each, without a backtrace: this is for people.
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env().context("reading the configuration")?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let application = Application::build(config).await?;
            application.run_until_stopped(shutdown_signal()).await?;
        }
        Command::Migrate => {
            let db = database::connect(config.database_url.expose_secret()).await?;
            database::migrate(&db).await?;
            println!("The database is up to date.");
        }
        Command::Backup { to } => {
            let db = database::connect(config.database_url.expose_secret()).await?;
            database::backup(&db, &to).await?;
            print_json(&serde_json::json!({ "backup": to.display().to_string() }))?;
        }
        Command::Merchant(MerchantCommand::Create(args)) => {
            let (db, public_url) = admin::open(&config).await?;
            let options = MerchantOptions {
                name: args.name,
                slug: args.slug,
                country: args.country,
                currency: args.currency,
                support_email: args.support_email,
                accent_colour: args.accent_colour,
                logo_url: args.logo_url,
                methods: args.methods,
                minimum_partial_payment: args.minimum_partial_payment,
                installments: !args.no_installments,
            };
            print_json(&admin::create_merchant(&db, &public_url, &options).await?)?;
        }
        Command::Merchant(MerchantCommand::ApiKey(ApiKeyCommand::Create { merchant })) => {
            let (db, _) = admin::open(&config).await?;
            print_json(&admin::create_api_key(&db, &merchant).await?)?;
        }
        Command::Merchant(MerchantCommand::ApiKey(ApiKeyCommand::Revoke { key_id })) => {
            let (db, _) = admin::open(&config).await?;
            print_json(&admin::revoke_api_key(&db, &key_id).await?)?;
        }
        Command::Merchant(MerchantCommand::AddUser {
            merchant,
            email,
            role,
        }) => {
            let (db, public_url) = admin::open(&config).await?;
            print_json(&admin::add_user(&db, &public_url, &merchant, &email, &role).await?)?;
        }
        Command::Demo => {
            let (db, public_url) = admin::open(&config).await?;
            print_json(&admin::seed_demo(&db, &public_url).await?)?;
        }
        Command::TestClock(TestClockCommand::Advance { days }) => {
            print_json(&admin::advance_test_clock(&config, days).await?)?;
        }
        Command::Jobs(JobsArgs {
            command: Some(JobsCommand::Retry { id }),
            ..
        }) => {
            let (db, _) = admin::open(&config).await?;
            print_json(&admin::retry_job(&db, &id).await?)?;
        }
        Command::Jobs(JobsArgs {
            command: Some(JobsCommand::Run),
            ..
        }) => {
            print_json(&admin::run_jobs(&config).await?)?;
        }
        Command::Jobs(JobsArgs {
            command: None,
            status,
        }) => {
            let (db, _) = admin::open(&config).await?;
            let statuses = match status.as_deref() {
                Some(status) => vec![status],
                None => vec!["queued", "running", "dead"],
            };
            print_json(&admin::list_jobs(&db, &statuses).await?)?;
        }
    }
    Ok(())
}

fn print_json(value: &impl Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
