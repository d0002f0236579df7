//! `service-policy serve`: the decision service of SPEC §19, for hosts not written in Rust.
//!
//! The policies are loaded once into an immutable [`store::Loaded`] held behind an `Arc`;
//! every request clones that `Arc` when it starts, so a reload (`--watch`) swaps in a new
//! version atomically while requests in flight finish on the one they started with. The
//! HTTP stack is axum on tokio; tower and tower-http bound each request's body, time and the
//! number served at once, and every error leaves as JSON with a stable `code`.

mod api;
mod metrics;
mod playground;
mod store;
mod straight;
mod watch;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use service_policy::diagnostic::render::render_human;

use super::{Outcome, UsageError, exit, read_text, stderr_color};

/// What `serve` was asked for on the command line.
#[derive(Debug)]
pub(super) struct Options {
    /// Policy files and folders.
    pub paths: Vec<PathBuf>,
    /// Where to listen.
    pub addr: SocketAddr,
    /// Reload changed policy files.
    pub watch: bool,
    /// A file holding the bearer token every `/v1` request must carry.
    pub token_file: Option<PathBuf>,
    /// The largest request body, in bytes.
    pub max_body: usize,
    /// The longest a request may take.
    pub timeout: Duration,
    /// How many requests are served at once; the others wait their turn.
    pub max_concurrent: usize,
    /// The record field whose instant picks each family's version in force.
    pub as_of: Option<String>,
}

pub(super) fn run(options: Options) -> Outcome {
    let token = match &options.token_file {
        None => None,
        Some(path) => {
            let text = read_text(path)?;
            let token = text.trim();
            if token.is_empty() {
                return Err(UsageError(format!(
                    "the token file `{}` is empty",
                    path.display()
                )));
            }
            Some(api::Token::new(token))
        }
    };
    let files = super::policy_files(&options.paths)?;
    if files.is_empty() {
        return Err(UsageError("no `*.policy` files found".into()));
    }
    let loaded = match store::load(&options.paths) {
        Ok(loaded) => loaded,
        Err(problems) => {
            for problem in &problems {
                match &problem.diagnostics {
                    Some(diagnostics) => eprint!("{}", render_human(diagnostics, stderr_color())),
                    None => eprintln!("error: {}", problem.message),
                }
            }
            return Ok(exit(true));
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| UsageError(format!("cannot start the server's runtime: {e}")))?;
    runtime.block_on(serve(options, files, token, loaded))
}

async fn serve(
    options: Options,
    files: Vec<PathBuf>,
    token: Option<api::Token>,
    loaded: store::Loaded,
) -> Outcome {
    let listener = tokio::net::TcpListener::bind(options.addr)
        .await
        .map_err(|e| UsageError(format!("cannot listen on {}: {e}", options.addr)))?;
    let bound = listener
        .local_addr()
        .map_err(|e| UsageError(format!("cannot read the bound address: {e}")))?;
    let store = Arc::new(store::Store::new(loaded));
    let metrics = Arc::new(metrics::Metrics::new());
    for entry in store.current().entries() {
        log(&format!("loaded {}", describe(entry.policy)));
    }
    let _watcher = if options.watch {
        Some(watch::start(
            &options.paths,
            files,
            Arc::clone(&store),
            Arc::clone(&metrics),
        )?)
    } else {
        None
    };
    let state = api::AppState {
        store,
        metrics,
        token: token.map(Arc::new),
        as_of: options.as_of.clone(),
        read: read_from_env(),
    };
    let app = api::router(state, &options);
    // Tests and scripts read this line to learn the port when `--addr` asked for port 0.
    log(&format!("listening on http://{bound}"));
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| UsageError(format!("the server stopped: {e}")))?;
    log("stopped");
    Ok(exit(false))
}

/// How evaluation bodies are read: straight, unless `SERVICE_POLICY_READ_IN_FULL` is set
/// to anything but `0` or nothing (to compare the two, or to rule the straight reader out
/// when chasing a problem; the answers are the same).
fn read_from_env() -> api::Read {
    match std::env::var_os("SERVICE_POLICY_READ_IN_FULL") {
        Some(value) if !value.is_empty() && value != "0" => {
            log("reading every record in full (SERVICE_POLICY_READ_IN_FULL)");
            api::Read::InFull
        }
        _ => api::Read::Straight,
    }
}

/// Resolves on SIGTERM or Ctrl-C; axum then stops accepting and lets requests in flight
/// finish.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    log("shutting down: finishing the requests in flight");
}

/// One line on standard error, prefixed with the time: the service's whole log.
fn log(message: &str) {
    let now = jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| jiff::Timestamp::now());
    eprintln!("{now} serve: {message}");
}

/// `policy "Retail" 2026.1 (effective 2026-01-01) from retail.policy`, for the log.
fn describe(policy: &service_policy::Policy) -> String {
    let mut text = format!("policy \"{}\"", policy.name());
    if let Some(version) = policy.version() {
        text.push_str(&format!(" {version}"));
    }
    if let Some(effective) = policy.effective() {
        text.push_str(&format!(" (effective {effective})"));
    }
    text.push_str(&format!(" from {}", policy.source_name()));
    text
}
