use anyhow::Context as _;
use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;
use server::config::Config;
use server::startup::{Application, shutdown_signal};
use server::{database, telemetry};

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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let cli = Cli::parse();
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
    }
    Ok(())
}
