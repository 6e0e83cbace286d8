//! Metering: every request that returns parts is charged before its answer leaves. Requests
//! hand their charge to one batching task per node, which commits a batch per transaction
//! (group commit) and then answers each request; see `ferrite_store::metering`.

use std::{collections::HashMap, sync::Mutex, time::Duration};

use chrono::{DateTime, Utc};
use ferrite_core::{
    AppId,
    metering::Outcome,
    plan::{Period, next_period_start},
};
use ferrite_identity::Identity;
use ferrite_store::{StoreError, metering::ChargeRequest};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Largest batch one transaction commits.
const MAX_BATCH: usize = 512;
/// Times the batching task lets other tasks run before it commits a batch.
const LINGER_YIELDS: usize = 2;

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
    /// Starts the batching task on the current runtime.
    pub fn start(identity: Arc<Identity>) -> Arc<Meter> {
        let (sender, receiver) = mpsc::channel(4096);
        tokio::spawn(run_batches(identity.clone(), receiver));
        Arc::new(Meter { identity, sender, apps: Mutex::new(HashMap::new()) })
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
        self.sender.send(pending).await.map_err(|_| MeterError::Store("the meter stopped".into()))?;
        let outcome =
            answer.await.map_err(|_| MeterError::Store("the meter stopped".into()))?.map_err(MeterError::Store)?;
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
        // A batch costs the same few store round trips whatever its size. Before committing, let
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
        let day = now.format("%Y-%m-%d").to_string();
        let requests: Vec<ChargeRequest> = batch
            .iter()
            .map(|p| ChargeRequest {
                app: p.app,
                period: Period::for_app(p.is_evaluation, now).key(),
                day: day.clone(),
                parts: p.parts,
            })
            .collect();
        let mut result = identity.store().charge_batch(&requests).await;
        if result.is_err() {
            // A busy or briefly unreachable store: one retry before refusing the batch.
            tokio::time::sleep(Duration::from_millis(20)).await;
            result = identity.store().charge_batch(&requests).await;
        }
        match result {
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
