//! Connecting to the database named by `DATABASE_URL` and bringing its schema up to date.

use app::services::{Backend, Database};
use sqlx::Executor;
use sqlx::any::AnyPoolOptions;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error("DATABASE_URL must start with sqlite:// or postgres://")]
    UnsupportedUrl,
    #[error("could not create the folder for the SQLite database {path}")]
    CreateDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("could not connect to the database")]
    Connect(#[source] sqlx::Error),
    #[error("could not apply the database migrations")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0} exists already: a backup never overwrites a file")]
    BackupExists(String),
    #[error(
        "portico backup copies SQLite databases; back up PostgreSQL with pg_dump (see the README)"
    )]
    BackupOfPostgres,
    #[error("could not write the backup")]
    Backup(#[source] sqlx::Error),
}

pub async fn connect(url: &str) -> Result<Database, DatabaseError> {
    sqlx::any::install_default_drivers();
    let backend = Backend::from_url(url).ok_or(DatabaseError::UnsupportedUrl)?;
    if backend == Backend::Sqlite {
        create_sqlite_parent_dir(url)?;
    }
    // SQLite's readers work beside its one writer (WAL); writes queue here for the writing
    // connection (see `app::services::database`). PostgreSQL takes both on one pool.
    // An in-memory SQLite database lives in its one connection: it cannot be shared at all.
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    let readers = open_pool(
        url,
        backend,
        match backend {
            Backend::Sqlite if in_memory => 1,
            Backend::Sqlite => 4,
            Backend::Postgres => 16,
        },
    )
    .await?;
    let writer = match backend {
        Backend::Sqlite if !in_memory => open_pool(url, backend, 1).await?,
        Backend::Sqlite | Backend::Postgres => readers.clone(),
    };
    Ok(Database::new(readers, writer, backend))
}

async fn open_pool(
    url: &str,
    backend: Backend,
    connections: u32,
) -> Result<sqlx::AnyPool, DatabaseError> {
    AnyPoolOptions::new()
        .max_connections(connections)
        // A write waits for the one writing connection; under a burst of confirms that queue
        // is long, and ten seconds of it means something is wrong.
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(move |connection, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers work while one connection writes. FULL sync makes
                    // every commit durable across a power loss too: with NORMAL, a payment
                    // answered as recorded could vanish with the last commits of the WAL.
                    // The busy timeout now covers other processes only (the admin CLI).
                    connection
                        .execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                        )
                        .await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await
        .map_err(DatabaseError::Connect)
}

pub async fn migrate(db: &Database) -> Result<(), DatabaseError> {
    MIGRATOR.run(db.writer()).await?;
    Ok(())
}

/// Writes a consistent copy of a live SQLite database to `to` (`VACUUM INTO`: one read
/// transaction, so writes go on meanwhile and the copy is of one moment). The copy is a
/// complete database: point `DATABASE_URL` at it to restore.
pub async fn backup(db: &Database, to: &std::path::Path) -> Result<(), DatabaseError> {
    if db.backend() == Backend::Postgres {
        return Err(DatabaseError::BackupOfPostgres);
    }
    if to.exists() {
        return Err(DatabaseError::BackupExists(to.display().to_string()));
    }
    sqlx::query("VACUUM INTO $1")
        .bind(to.display().to_string())
        .execute(db.pool())
        .await
        .map_err(DatabaseError::Backup)?;
    Ok(())
}

/// SQLite creates the database file (with `mode=rwc`) but not the folder it sits in.
fn create_sqlite_parent_dir(url: &str) -> Result<(), DatabaseError> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    match std::path::Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|source| DatabaseError::CreateDir {
                path: dir.display().to_string(),
                source,
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// The admin CLI writes to the same SQLite file as the running server. A transaction that
    /// read before another process wrote must still be able to write: it holds the lock from
    /// its start, and the other process waits for it.
    #[tokio::test]
    async fn a_transaction_writes_although_another_process_wrote_after_it_began() {
        let folder = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/shared.db?mode=rwc", folder.path().display());
        let server = connect(&url).await.unwrap();
        let cli = connect(&url).await.unwrap();
        sqlx::query("CREATE TABLE counters (value INTEGER NOT NULL)")
            .execute(server.writer())
            .await
            .unwrap();
        sqlx::query("INSERT INTO counters (value) VALUES (0)")
            .execute(server.writer())
            .await
            .unwrap();

        let mut transaction = server.begin_write().await.unwrap();
        let (value,): (i64,) = sqlx::query_as("SELECT value FROM counters")
            .fetch_one(&mut *transaction)
            .await
            .unwrap();
        let other_write = tokio::spawn(async move {
            sqlx::query("UPDATE counters SET value = value + 10")
                .execute(cli.writer())
                .await
        });
        // Long enough for the other write to have gone through, had nothing held it back.
        tokio::time::sleep(Duration::from_millis(200)).await;
        sqlx::query("UPDATE counters SET value = $1")
            .bind(value + 1)
            .execute(&mut *transaction)
            .await
            .expect("the write of a transaction begun first goes through");
        transaction.commit().await.unwrap();
        other_write
            .await
            .unwrap()
            .expect("the other process's write waited its turn");

        let (value,): (i64,) = sqlx::query_as("SELECT value FROM counters")
            .fetch_one(server.pool())
            .await
            .unwrap();
        assert_eq!(value, 11);
    }
}
