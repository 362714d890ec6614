//! The handle every service stores and reads through.
//!
//! Writes go through [`Database::writer`], reads through [`Database::pool`]. On SQLite the
//! writer is a pool of one connection: SQLite lets one connection write at a time, and writers
//! that share the reading connections wait for its lock in SQLite's busy handler, which sleeps
//! in steps of up to 100 ms and leaves the lock idle meanwhile. Waiting for the one writing
//! connection instead queues them in this process, in order, and each starts the moment the
//! last commits. Readers (WAL) never wait for the writer. On PostgreSQL both are one pool.
//! The writes of the confirm path go through [`Database::write`], which on SQLite also commits
//! the writes that arrive together as one (`group_commit`).
//!
//! One set of queries serves SQLite (the embedded default) and PostgreSQL (for several server
//! instances) through sqlx's `Any` driver. That driver decodes integers, text and blobs the same
//! on both, so the schema keeps to those: ids, dates and decimals are TEXT, flags are INTEGER 0/1.

use crate::services::group_commit::{self, GroupCommit, UnitFuture};
use crate::services::merchant_cache::MerchantCache;
use sqlx::{AnyConnection, AnyPool};
use std::sync::Arc;

/// Which database is behind the pool, for the few statements whose SQL must differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Tells the backend from a `DATABASE_URL`, or `None` for a scheme Portico does not serve.
    pub fn from_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Self::Postgres)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone)]
pub struct Database {
    pool: AnyPool,
    writer: AnyPool,
    backend: Backend,
    /// SQLite's batches of writes (see `group_commit`); `None` on PostgreSQL.
    group_commit: Option<GroupCommit>,
    merchants: Arc<MerchantCache>,
}

impl Database {
    /// `writer` may be `pool` itself (PostgreSQL), or its own pool of one connection (SQLite).
    /// Needs a Tokio runtime: on SQLite it starts the writer task.
    pub fn new(pool: AnyPool, writer: AnyPool, backend: Backend) -> Self {
        Self {
            group_commit: (backend == Backend::Sqlite).then(|| GroupCommit::start(writer.clone())),
            pool,
            writer,
            backend,
            merchants: Arc::default(),
        }
    }

    /// Runs `unit` in a transaction and answers once it is committed; on SQLite together with
    /// the other writes waiting at that moment (see `group_commit`, and what a unit may do).
    /// An `Err` from `unit` rolls back its writes alone.
    pub async fn write<T, E, F>(&self, unit: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<sqlx::Error> + Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> UnitFuture<'c, Result<T, E>> + Send + 'static,
    {
        match &self.group_commit {
            Some(group_commit) => group_commit.write(unit).await,
            None => group_commit::write_alone(&self.writer, unit).await,
        }
    }

    /// For reads.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// For writes: every statement that changes rows, and every transaction.
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// A transaction on the writer that holds SQLite's write lock from its start (see
    /// `group_commit::IMMEDIATE`), so that it waits for another process's write instead of
    /// failing.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.writer.begin_with(group_commit::IMMEDIATE).await,
            Backend::Postgres => self.writer.begin().await,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The merchants recently read by their billing link (see `merchant_cache`).
    pub fn merchant_cache(&self) -> &MerchantCache {
        &self.merchants
    }

    /// Answers whether the database takes a query right now (for readiness probes).
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(drop)
    }
}

/// `$first, $first+1, ...`: `count` numbered placeholders for an `IN (...)` list, a form both
/// SQLite and PostgreSQL read.
pub fn numbered_placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|number| format!("${number}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The SQL condition for an optional filter `column = placeholder`: a plain equality when the
/// filter is set (not `$n IS NULL OR ...`, which keeps the database from using an index on
/// the column), and a condition on the NULL bind otherwise, to keep the placeholder numbering.
pub fn optional_equality(column: &str, placeholder: &str, set: bool) -> String {
    if set {
        format!("{column} = {placeholder}")
    } else {
        format!("{placeholder} IS NULL")
    }
}

#[cfg(test)]
mod tests {
    use super::{Backend, numbered_placeholders, optional_equality};

    #[test]
    fn an_unset_filter_keeps_its_placeholder() {
        assert_eq!(
            optional_equality("customer_id", "$2", true),
            "customer_id = $2"
        );
        assert_eq!(optional_equality("customer_id", "$2", false), "$2 IS NULL");
    }

    #[test]
    fn placeholders_are_numbered_from_the_first() {
        assert_eq!(numbered_placeholders(2, 3), "$2, $3, $4");
        assert_eq!(numbered_placeholders(1, 0), "");
    }

    #[test]
    fn backend_is_told_by_the_url_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://data/portico.db"),
            Some(Backend::Sqlite)
        );
        assert_eq!(Backend::from_url("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(
            Backend::from_url("postgres://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::from_url("mysql://u@h/db"), None);
    }
}
