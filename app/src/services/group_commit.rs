//! Group commit: on SQLite, the writes that arrive together share one transaction, and so one
//! disk sync.
//!
//! With `synchronous = FULL` every SQLite commit waits for the disk (about 0.8 ms here), and
//! SQLite commits one transaction at a time, so a server that commits each write on its own
//! cannot commit more than about 1,300 a second, however fast the rest is. A confirm makes three
//! (the payment, the charge, the status change with the end of the checkout). Here the units of
//! work queue for one writer task; it takes every unit waiting, runs each in a savepoint of one
//! transaction, and commits once. A unit that fails is rolled back to its savepoint alone; the
//! others stand. No caller hears of its unit until the transaction holding it is on disk, so an
//! answer never reports a write a crash could still take back.
//!
//! A unit must only touch the database through the connection it is given, and quickly: the
//! batch waits for it. Reads through the read pool inside a unit do not see the batch's writes.
//!
//! PostgreSQL commits concurrent transactions side by side on its own: there a unit is one
//! transaction of its own, on the shared pool.

use sqlx::{AnyConnection, AnyPool, Connection};
use std::future::Future;
use std::pin::Pin;
use tokio::sync::{mpsc, oneshot};

/// What a unit of work returns: a future borrowing the connection it was given.
pub type UnitFuture<'c, T> = Pin<Box<dyn Future<Output = T> + Send + 'c>>;

/// At most this many units share a transaction, so that one batch cannot hold the writer for
/// long.
const MAX_BATCH: usize = 64;

/// SQLite's writer takes the write lock as the transaction begins. A plain (deferred) `BEGIN`
/// reads first and asks for the lock at the first write; if another process (the admin CLI)
/// wrote meanwhile, SQLite refuses at once with "database is locked", without waiting out the
/// busy timeout, since the transaction's snapshot is stale.
pub(crate) const IMMEDIATE: &str = "BEGIN IMMEDIATE";

/// A unit with its result's way back to the caller, its types erased for the queue.
type QueuedUnit = Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> UnitFuture<'c, Finished> + Send>;

/// A unit that has run: whether its writes stand, and how its caller is told once they are on
/// disk (or at once, for a unit that failed and was rolled back).
struct Finished {
    keep: bool,
    answer: Box<dyn FnOnce() + Send>,
}

/// The queue in front of SQLite's writer task.
#[derive(Debug, Clone)]
pub struct GroupCommit {
    queue: mpsc::UnboundedSender<QueuedUnit>,
}

impl GroupCommit {
    /// Starts the writer task on `writer` (a pool of one connection). Needs a Tokio runtime.
    pub fn start(writer: AnyPool) -> Self {
        let (queue, units) = mpsc::unbounded_channel();
        tokio::spawn(run_batches(writer, units));
        Self { queue }
    }

    /// Runs `unit` in the next batch and answers with its result once the batch is committed.
    /// A batch that could not be committed answers `WorkerCrashed` (the cause is logged): none
    /// of its writes were kept.
    pub async fn write<T, E, F>(&self, unit: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<sqlx::Error> + Send + 'static,
        F: for<'c> FnOnce(&'c mut AnyConnection) -> UnitFuture<'c, Result<T, E>> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T, E>>();
        let queued: QueuedUnit = Box::new(move |connection| {
            Box::pin(async move {
                let result = unit(connection).await;
                Finished {
                    keep: result.is_ok(),
                    answer: Box::new(move || {
                        // A caller that stopped waiting has nothing left to tell.
                        let _ = reply.send(result);
                    }),
                }
            })
        });
        if self.queue.send(queued).is_err() {
            return Err(E::from(sqlx::Error::WorkerCrashed));
        }
        answer
            .await
            .unwrap_or_else(|_| Err(E::from(sqlx::Error::WorkerCrashed)))
    }
}

/// One transaction of its own on `pool`, committed when `unit` succeeds (PostgreSQL's way).
pub async fn write_alone<T, E, F>(pool: &AnyPool, unit: F) -> Result<T, E>
where
    E: From<sqlx::Error>,
    F: for<'c> FnOnce(&'c mut AnyConnection) -> UnitFuture<'c, Result<T, E>>,
{
    let mut transaction = pool.begin().await?;
    let result = unit(&mut transaction).await;
    if result.is_ok() {
        transaction.commit().await?;
    }
    result
}

async fn run_batches(writer: AnyPool, mut units: mpsc::UnboundedReceiver<QueuedUnit>) {
    while let Some(first) = units.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match units.try_recv() {
                Ok(unit) => batch.push(unit),
                Err(_) => break,
            }
        }
        // In a task of its own: a unit that panics loses its batch (nobody is told of a write
        // that was not kept), not the writer.
        if let Err(error) = tokio::spawn(commit_batch(writer.clone(), batch)).await {
            tracing::error!(%error, "a batch of writes stopped: none of it was kept");
        }
    }
}

async fn commit_batch(writer: AnyPool, batch: Vec<QueuedUnit>) {
    let size = batch.len();
    if let Err(error) = try_commit_batch(&writer, batch).await {
        // The callers' answers were dropped with the batch: each hears `WorkerCrashed`.
        tracing::error!(%error, units = size, "a batch of writes could not be committed");
    }
}

async fn try_commit_batch(writer: &AnyPool, batch: Vec<QueuedUnit>) -> Result<(), sqlx::Error> {
    let mut connection = writer.acquire().await?;
    let mut transaction = Connection::begin_with(&mut *connection, IMMEDIATE).await?;
    let mut kept = Vec::with_capacity(batch.len());
    for unit in batch {
        // A nested begin is a SAVEPOINT.
        let mut savepoint = Connection::begin(&mut *transaction).await?;
        let finished = unit(&mut savepoint).await;
        if finished.keep {
            savepoint.commit().await?;
            kept.push(finished.answer);
        } else {
            savepoint.rollback().await?;
            // Its writes are gone already: it may hear at once.
            (finished.answer)();
        }
    }
    transaction.commit().await?;
    for answer in kept {
        answer();
    }
    Ok(())
}
