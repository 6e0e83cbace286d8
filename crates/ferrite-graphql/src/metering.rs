//! Metering: every request that returns parts is charged before its answer leaves.
//!
//! Requests hand their charges to one batching task per node, which commits a batch per
//! transaction (group commit) and then answers each request; see `ferrite_store::metering`. On
//! SQLite the commit runs right on the task, in tens of microseconds with nothing awaited.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::{DateTime, Utc};
use ferrite_core::{
    AppId, ChargeBatchId,
    metering::Outcome,
    plan::{Period, next_period_start},
};
use ferrite_identity::Identity;
use ferrite_store::{Backend, Store, StoreError, metering::ChargeRequest};
use tokio::sync::{mpsc, oneshot};

/// Largest batch one transaction commits.
const MAX_BATCH: usize = 512;
/// Times the batching task lets other tasks run before it commits a batch.
const LINGER_YIELDS: usize = 2;
/// How often SQLite's write-ahead log is copied into the database file, which the charging
/// connection leaves to a job of its own so that no request waits on its fsync. At 4,000
/// charges/s the log stays under the size at which SQLite would checkpoint by itself.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// A decided charge, with what the answer tells the client.
#[derive(Debug, Clone, Copy)]
pub struct Charged {
    pub outcome: Outcome,
    /// When the allowance resets; `None` for the lifetime evaluation allowance.
    pub resets_at: Option<DateTime<Utc>>,
    pub requested: u64,
}

struct Pending {
    app: AppId,
    is_evaluation: bool,
    parts: i64,
    reply: oneshot::Sender<Result<Outcome, String>>,
}

pub struct Meter {
    identity: Arc<Identity>,
    sender: mpsc::Sender<Pending>,
    /// client id → (app, is evaluation): both fixed for an app's life.
    apps: Mutex<HashMap<String, (AppId, bool)>>,
}

#[derive(Debug, thiserror::Error)]
pub enum MeterError {
    #[error("the application no longer exists")]
    UnknownApp,
    #[error("usage could not be recorded: {0}")]
    Store(String),
}

impl Meter {
    /// Starts the batching task on the current runtime. On SQLite, whoever starts a meter also
    /// runs [`Meter::checkpoint`] every [`Meter::checkpoint_every`].
    pub fn start(identity: Arc<Identity>) -> Arc<Meter> {
        let (sender, receiver) = mpsc::channel(4096);
        tokio::spawn(run_batches(identity.clone(), receiver));
        Arc::new(Meter { identity, sender, apps: Mutex::new(HashMap::new()) })
    }

    /// How often the write-ahead log needs a checkpoint: only on SQLite, whose charging connection
    /// never checkpoints by itself (that would fsync on a runtime thread).
    pub fn checkpoint_every(&self) -> Option<Duration> {
        (self.identity.store().backend() == Backend::Sqlite).then_some(CHECKPOINT_EVERY)
    }

    /// A passive checkpoint of the write-ahead log, on a pool connection.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        self.identity.store().checkpoint().await
    }

    async fn app(&self, client_id: &str) -> Result<(AppId, bool), MeterError> {
        if let Some(found) = self.apps.lock().expect("meter lock").get(client_id) {
            return Ok(*found);
        }
        match self.identity.store().app_by_client_id(client_id).await {
            Ok((app, _)) => {
                let found = (app.id, app.is_evaluation);
                self.apps.lock().expect("meter lock").insert(client_id.to_owned(), found);
                Ok(found)
            }
            Err(StoreError::NotFound) => Err(MeterError::UnknownApp),
            Err(err) => Err(MeterError::Store(err.to_string())),
        }
    }

    /// Charges `parts` to the app behind `client_id`; returns once the charge is committed.
    pub async fn charge(&self, client_id: &str, parts: u64) -> Result<Charged, MeterError> {
        let (app, is_evaluation) = self.app(client_id).await?;
        let (reply, answer) = oneshot::channel();
        let pending = Pending { app, is_evaluation, parts: parts.min(i64::MAX as u64) as i64, reply };
        let stopped = || MeterError::Store("the meter stopped".into());
        self.sender.send(pending).await.map_err(|_| stopped())?;
        let outcome = answer.await.map_err(|_| stopped())?.map_err(MeterError::Store)?;
        let resets_at = if is_evaluation { None } else { Some(next_period_start(self.identity.now())) };
        metrics::counter!("parts_charged_total").increment(if matches!(outcome, Outcome::Charged { .. }) {
            parts
        } else {
            0
        });
        Ok(Charged { outcome, resets_at, requested: parts })
    }
}

async fn run_batches(identity: Arc<Identity>, mut receiver: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // A batch costs one transaction whatever its size. Before committing, let
        // the requests that are ready to run reach their charge too, so they join this batch:
        // yielding takes no time when nothing else is ready.
        for _ in 0..LINGER_YIELDS {
            tokio::task::yield_now().await;
            if batch.len() >= MAX_BATCH || receiver.is_empty() {
                break;
            }
            let room = MAX_BATCH - batch.len();
            receiver.recv_many(&mut batch, room).await;
        }
        // One `now` per batch: all its charges fall in one period and one day.
        let now = identity.now();
        let requests: Vec<ChargeRequest> =
            batch.iter().map(|p| charge_request(p.app, p.is_evaluation, p.parts, now)).collect();
        match commit(identity.store(), &requests).await {
            Ok(outcomes) => {
                for (pending, outcome) in batch.drain(..).zip(outcomes) {
                    let _ = pending.reply.send(Ok(outcome));
                }
            }
            Err(err) => {
                tracing::error!(error = %err, charges = batch.len(), "a batch of charges failed");
                for pending in batch.drain(..) {
                    let _ = pending.reply.send(Err(err.to_string()));
                }
            }
        }
    }
}

fn charge_request(app: AppId, is_evaluation: bool, parts: i64, now: DateTime<Utc>) -> ChargeRequest {
    ChargeRequest {
        app,
        period: Period::for_app(is_evaluation, now).key(),
        day: now.format("%Y-%m-%d").to_string(),
        parts,
    }
}

/// Commits charges; a busy or briefly unreachable store gets one retry, under the same batch id
/// so that a commit whose reply was lost is not charged again, before they are refused.
async fn commit(store: &Store, requests: &[ChargeRequest]) -> Result<Vec<Outcome>, StoreError> {
    let batch = ChargeBatchId::new();
    match store.charge_batch(batch, requests).await {
        Err(_) => {
            tokio::time::sleep(Duration::from_millis(20)).await;
            store.charge_batch(batch, requests).await
        }
        done => done,
    }
}
