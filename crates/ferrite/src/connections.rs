//! The accept loop. Every connection has a deadline for its request headers (which also bounds
//! how long it may sit idle), request bodies must keep arriving at a minimum rate, and open
//! connections are bounded: when the bound is reached or the process runs out of descriptors, the
//! longest-open connections with no request in progress are closed to make room, so one client
//! holding idle sockets cannot lock the others out.

use std::{
    collections::BTreeMap,
    convert::Infallible,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    Router,
    body::{Body, Bytes},
    extract::ConnectInfo,
    http::{Request, Response, StatusCode, header},
};
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::{Deserialize, Serialize};
use tokio::{
    net::{TcpListener, TcpStream},
    time::{Instant, Sleep},
};
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tower::ServiceExt;

/// Connection limits and timeouts (`[http]` in the configuration).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Time a client has to send a request's headers, counted from when the connection opens or
    /// its previous response was sent; so it is also how long an idle keep-alive connection stays.
    #[serde(with = "humantime_serde")]
    pub header_timeout: Duration,
    /// The longest pause while a request body arrives; after this much time a body must also have
    /// come at `body_min_rate` on average.
    #[serde(with = "humantime_serde")]
    pub body_timeout: Duration,
    /// Bytes per second a request body must average once `body_timeout` has passed.
    pub body_min_rate: u64,
    /// Open connections at most. By default derived from the open-file limit (see README).
    pub max_connections: Option<usize>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            body_min_rate: 1024,
            max_connections: None,
        }
    }
}

impl HttpConfig {
    pub fn validate(&self) -> Result<(), String> {
        if self.header_timeout < Duration::from_millis(100) || self.body_timeout < Duration::from_millis(100) {
            return Err("`http.header_timeout` and `http.body_timeout` must be at least 100ms".into());
        }
        if self.body_min_rate == 0 {
            return Err("`http.body_min_rate` must be at least 1 (byte per second)".into());
        }
        if self.max_connections == Some(0) {
            return Err("`http.max_connections` must be at least 1".into());
        }
        Ok(())
    }
}

/// Descriptors kept for everything but client connections: the database pools (on SQLite three
/// pools: main, catalogue and uploads, each connection holding up to three files), the search
/// index, logs and the runtime.
fn reserved_descriptors(database_connections: u32) -> u64 {
    64 + 9 * u64::from(database_connections)
}

/// Past this many connections memory, not descriptors, is the limit.
const MAX_DERIVED_CONNECTIONS: u64 = 10_000;

/// Raises the soft open-file limit to the hard one (as most servers do) and returns it.
pub fn raise_open_file_limit() -> u64 {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) else { return 1024 };
    if soft < hard && setrlimit(Resource::RLIMIT_NOFILE, hard, hard).is_ok() {
        return hard;
    }
    soft
}

/// The configured bound, or what the open-file limit leaves after the reserve (a quarter of it
/// when the limit is small), at most [`MAX_DERIVED_CONNECTIONS`].
pub fn max_connections(config: &HttpConfig, open_files: u64, database_connections: u32) -> usize {
    if let Some(max) = config.max_connections {
        return max;
    }
    let reserve = reserved_descriptors(database_connections);
    let derived = if open_files > 2 * reserve { open_files - reserve } else { open_files / 4 };
    derived.clamp(1, MAX_DERIVED_CONNECTIONS) as usize
}

/// Serves `app` on `listener` until `shutdown` is cancelled, then lets open requests finish for
/// at most `drain`.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    config: &HttpConfig,
    max_connections: usize,
    shutdown: CancellationToken,
    drain: Duration,
) {
    let open = Arc::new(OpenConnections::default());
    let tasks = TaskTracker::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(config.header_timeout);
    let pace = Pace { timeout: config.body_timeout, min_rate: config.body_min_rate };
    // Out of descriptors, accept fails for every waiting connection: one warning a second.
    let (mut last_warning, mut shed_since_warning): (Option<Instant>, usize) = (None, 0);
    loop {
        let accepted = tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, remote) = match accepted {
            Ok(accepted) => accepted,
            Err(err) if out_of_descriptors(&err) => {
                // The connection waits in the backlog: make room, then take it, without spinning.
                let shed = open.shed_idle((open.len() / 10).max(1));
                shed_since_warning += shed;
                if last_warning.is_none_or(|at| at.elapsed() >= Duration::from_secs(1)) {
                    tracing::warn!(error = %err, open = open.len(), shed = shed_since_warning, "out of file descriptors: closing idle connections");
                    (last_warning, shed_since_warning) = (Some(Instant::now()), 0);
                }
                tokio::time::sleep(Duration::from_millis(if shed > 0 { 10 } else { 100 })).await;
                continue;
            }
            Err(err) => {
                tracing::debug!(error = %err, "accept failed");
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
        };
        if open.total() >= max_connections {
            if open.shed_idle(1) == 0 && !open.any_closing() {
                refuse(&stream);
                continue;
            }
            // Until a connection asked to close has closed, its descriptor is still taken.
            let room = async {
                while open.total() >= max_connections {
                    open.closed.notified().await;
                }
            };
            let _ = tokio::time::timeout(Duration::from_secs(1), room).await;
        }
        let (id, stop, busy) = open.add(&shutdown);
        let connection = http.serve_connection(
            TokioIo::new(stream),
            hyper::service::service_fn({
                let app = app.clone();
                move |request| handle(app.clone(), request, remote, busy.clone(), pace)
            }),
        );
        let open = open.clone();
        tasks.spawn(async move {
            tokio::pin!(connection);
            let finished = tokio::select! {
                result = connection.as_mut() => Some(result),
                () = stop.cancelled() => None,
            };
            // Asked to stop (shed or shutdown): an idle connection closes now, a busy one after
            // its response.
            let result = match finished {
                Some(result) => result,
                None => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(err) = result {
                tracing::debug!(error = %err, %remote, "connection ended");
            }
            open.remove(id);
        });
    }
    drop(listener);
    tasks.close();
    if tokio::time::timeout(drain, tasks.wait()).await.is_err() {
        tracing::warn!(timeout = ?drain, "requests still running at the shutdown deadline were cut off");
    }
}

fn out_of_descriptors(err: &std::io::Error) -> bool {
    use nix::errno::Errno;
    let code = err.raw_os_error();
    [Errno::EMFILE, Errno::ENFILE, Errno::ENOBUFS, Errno::ENOMEM].iter().any(|e| code == Some(*e as i32))
}

/// At the bound with every connection busy: say so in one write that cannot block, and close.
fn refuse(stream: &TcpStream) {
    let _ = stream.try_write(
        b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    );
    tracing::debug!("connection refused: every connection is busy");
}

async fn handle(
    app: Router,
    request: Request<Incoming>,
    remote: SocketAddr,
    busy: Arc<AtomicUsize>,
    pace: Pace,
) -> Result<Response<Body>, Infallible> {
    let _busy = Busy::start(busy);
    let too_slow = Arc::new(AtomicBool::new(false));
    let mut request = request.map(|body| Body::new(PacedBody::new(body, pace, too_slow.clone())));
    request.extensions_mut().insert(ConnectInfo(remote));
    let response = app.oneshot(request).await?;
    if too_slow.load(Ordering::Relaxed) {
        // Whatever the handler made of the cut body, the client hears why; the rest of its body
        // is not read, so the connection closes.
        let mut response = Response::new(Body::from("the request body arrived too slowly\n"));
        *response.status_mut() = StatusCode::REQUEST_TIMEOUT;
        response.headers_mut().insert(header::CONNECTION, header::HeaderValue::from_static("close"));
        return Ok(response);
    }
    Ok(response)
}

/// The open connections, oldest first, each with how many requests it has in progress.
#[derive(Default)]
struct OpenConnections {
    next_id: AtomicUsize,
    entries: Mutex<BTreeMap<usize, Entry>>,
    /// Signalled whenever a connection has closed.
    closed: tokio::sync::Notify,
}

struct Entry {
    busy: Arc<AtomicUsize>,
    stop: CancellationToken,
}

impl OpenConnections {
    fn add(&self, shutdown: &CancellationToken) -> (usize, CancellationToken, Arc<AtomicUsize>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let entry = Entry { busy: Arc::default(), stop: shutdown.child_token() };
        let handles = (id, entry.stop.clone(), entry.busy.clone());
        self.entries.lock().expect("connections lock").insert(id, entry);
        handles
    }

    fn remove(&self, id: usize) {
        self.entries.lock().expect("connections lock").remove(&id);
        self.closed.notify_one();
    }

    /// Connections open, including those asked to close that have not closed yet.
    fn total(&self) -> usize {
        self.entries.lock().expect("connections lock").len()
    }

    /// Connections open and not yet asked to close.
    fn len(&self) -> usize {
        self.entries.lock().expect("connections lock").values().filter(|e| !e.stop.is_cancelled()).count()
    }

    fn any_closing(&self) -> bool {
        self.entries.lock().expect("connections lock").values().any(|e| e.stop.is_cancelled())
    }

    /// Asks up to `count` of the longest-open connections with no request in progress to close;
    /// returns how many were asked.
    fn shed_idle(&self, count: usize) -> usize {
        let entries = self.entries.lock().expect("connections lock");
        let idle = entries.values().filter(|e| !e.stop.is_cancelled() && e.busy.load(Ordering::Relaxed) == 0);
        let mut shed = 0;
        for entry in idle.take(count) {
            entry.stop.cancel();
            shed += 1;
        }
        shed
    }
}

/// Counts a request in progress on its connection while it lives.
struct Busy(Arc<AtomicUsize>);

impl Busy {
    fn start(count: Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Self(count)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[derive(Debug, Clone, Copy)]
struct Pace {
    timeout: Duration,
    min_rate: u64,
}

#[derive(Debug, thiserror::Error)]
#[error("the request body arrived too slowly")]
struct BodyTooSlow;

/// A request body that fails once it pauses longer than `pace.timeout`, or falls below
/// `pace.min_rate` on average after the first `pace.timeout`.
struct PacedBody {
    inner: Incoming,
    pace: Pace,
    started: Instant,
    received: u64,
    deadline: Pin<Box<Sleep>>,
    too_slow: Arc<AtomicBool>,
}

impl PacedBody {
    fn new(inner: Incoming, pace: Pace, too_slow: Arc<AtomicBool>) -> Self {
        let started = Instant::now();
        Self { inner, pace, started, received: 0, deadline: Box::pin(tokio::time::sleep(pace.timeout)), too_slow }
    }

    fn next_deadline(&self) -> Instant {
        let pause = Instant::now() + self.pace.timeout;
        let earned = Duration::from_secs_f64(self.received as f64 / self.pace.min_rate as f64);
        pause.min(self.started + self.pace.timeout + earned)
    }
}

impl HttpBody for PacedBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    this.received += data.len() as u64;
                }
                let next = this.next_deadline();
                this.deadline.as_mut().reset(next);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(other) => Poll::Ready(other.map(|frame| frame.map_err(Into::into))),
            Poll::Pending if this.deadline.as_mut().poll(cx).is_ready() => {
                this.too_slow.store(true, Ordering::Relaxed);
                Poll::Ready(Some(Err(BodyTooSlow.into())))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_bound_leaves_descriptors_for_the_rest_of_the_server() {
        let config = HttpConfig::default();
        assert_eq!(max_connections(&config, 1024, 16), 1024 - (64 + 9 * 16));
        assert_eq!(max_connections(&config, 64, 16), 16, "a quarter of a small limit");
        assert_eq!(max_connections(&config, 1 << 20, 16), 10_000);
        let set = HttpConfig { max_connections: Some(7), ..config };
        assert_eq!(max_connections(&set, 1024, 16), 7);
    }

    #[test]
    fn shedding_takes_the_oldest_idle_connections_only() {
        let open = OpenConnections::default();
        let shutdown = CancellationToken::new();
        let (_, first, first_busy) = open.add(&shutdown);
        let (_, second, _) = open.add(&shutdown);
        let (_, third, _) = open.add(&shutdown);
        first_busy.fetch_add(1, Ordering::Relaxed);
        assert_eq!(open.shed_idle(1), 1);
        assert!(!first.is_cancelled() && second.is_cancelled() && !third.is_cancelled());
        assert_eq!(open.len(), 2);
        assert_eq!(open.shed_idle(5), 1, "only the third is idle and not yet asked");
        assert!(third.is_cancelled());
    }
}
