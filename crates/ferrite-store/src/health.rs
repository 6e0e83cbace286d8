//! Whether PostgreSQL answers, as one probe sees it, so callers can refuse at once while it is
//! down instead of each waiting for the pool's acquire timeout; it recovers by itself.

use std::{
    sync::{
        Arc, Weak,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use sqlx::{Connection, PgConnection, postgres::PgConnectOptions};

/// How often the probe asks; also how long one attempt may take.
const PROBE_EVERY: Duration = Duration::from_millis(500);
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub(crate) struct Health {
    available: AtomicBool,
}

impl Health {
    /// Starts the probe on its own connection (not the pool's, which busy requests may hold); it
    /// ends when the last handle is dropped.
    pub(crate) fn watch(options: PgConnectOptions) -> Arc<Health> {
        let health = Arc::new(Health { available: AtomicBool::new(true) });
        tokio::spawn(probe(Arc::downgrade(&health), options));
        health
    }

    pub(crate) fn is_available(&self) -> bool {
        self.available.load(Ordering::Relaxed)
    }
}

async fn probe(health: Weak<Health>, options: PgConnectOptions) {
    let mut connection: Option<PgConnection> = None;
    loop {
        let answered = ask(&mut connection, &options).await;
        let Some(health) = health.upgrade() else { return };
        if health.available.swap(answered, Ordering::Relaxed) != answered {
            if answered {
                tracing::info!("the database answers again");
            } else {
                tracing::error!("the database does not answer: requests that need it get 503 until it does");
            }
        }
        drop(health);
        tokio::time::sleep(PROBE_EVERY).await;
    }
}

async fn ask(connection: &mut Option<PgConnection>, options: &PgConnectOptions) -> bool {
    if connection.is_none() {
        *connection =
            tokio::time::timeout(PROBE_TIMEOUT, PgConnection::connect_with(options)).await.ok().and_then(Result::ok);
    }
    let Some(open) = connection.as_mut() else { return false };
    let answered = matches!(tokio::time::timeout(PROBE_TIMEOUT, open.ping()).await, Ok(Ok(())));
    if !answered {
        *connection = None;
    }
    answered
}
