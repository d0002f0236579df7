//! `--watch`: reload the policies when their files change.
//!
//! The watcher reports changes on its own thread; a task on the runtime waits for a quiet
//! moment (editors save in several steps), loads every policy again and swaps the new set
//! in only when all of it checks clean. A broken edit leaves the old set serving and is
//! logged and shown in `/v1/policies` until a later edit fixes it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;

use super::metrics::Metrics;
use super::store::{self, Store};
use super::{UsageError, describe, log};

/// How long the files must stay quiet before a reload.
const SETTLE: Duration = Duration::from_millis(100);

/// Starts watching; changes are picked up for as long as the returned watcher lives.
pub(super) fn start(
    paths: &[PathBuf],
    files: Vec<PathBuf>,
    store: Arc<Store>,
    metrics: Arc<Metrics>,
) -> Result<RecommendedWatcher, UsageError> {
    let (sender, receiver) = mpsc::unbounded_channel();
    let named: Vec<PathBuf> = files.iter().map(|f| absolute(f)).collect();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
        if let Ok(event) = event
            && concerns_policies(&event, &named)
        {
            // The receiver is gone only when the server is stopping.
            let _ = sender.send(());
        }
    })
    .map_err(|e| UsageError(format!("cannot watch the policy files: {e}")))?;
    for path in paths {
        // A file is watched through its folder: editors often save by writing a new file
        // and renaming it over the old one, which a watch on the old file would miss.
        let (target, mode) = if path.is_dir() {
            (path.clone(), RecursiveMode::Recursive)
        } else {
            let parent = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            (parent.to_path_buf(), RecursiveMode::NonRecursive)
        };
        watcher
            .watch(&target, mode)
            .map_err(|e| UsageError(format!("cannot watch `{}`: {e}", target.display())))?;
    }
    tokio::spawn(reload_on_change(paths.to_vec(), receiver, store, metrics));
    Ok(watcher)
}

/// Whether an event may change what is loaded: a write, creation, removal or rename of a
/// `*.policy` file or of a file named on the command line. Reads are not changes (the
/// reload itself reads every file).
fn concerns_policies(event: &Event, named: &[PathBuf]) -> bool {
    let changes = match event.kind {
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) => true,
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Any | EventKind::Other => false,
    };
    changes
        && event
            .paths
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "policy") || named.iter().any(|n| n == p))
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

async fn reload_on_change(
    paths: Vec<PathBuf>,
    mut changes: mpsc::UnboundedReceiver<()>,
    store: Arc<Store>,
    metrics: Arc<Metrics>,
) {
    while changes.recv().await.is_some() {
        // Wait until the files have been quiet for a moment, then reload once.
        loop {
            tokio::time::sleep(SETTLE).await;
            let mut more = false;
            while changes.try_recv().is_ok() {
                more = true;
            }
            if !more {
                break;
            }
        }
        reload(&paths, &store, &metrics);
    }
}

/// Loads every policy again; swaps the set in when it checks clean, keeps the old one
/// otherwise.
fn reload(paths: &[PathBuf], store: &Store, metrics: &Metrics) {
    let loaded = store::load(paths);
    match loaded {
        Ok(loaded) => {
            let current = store.current();
            let unchanged = same_files(&current, &loaded);
            if unchanged && store.failure().is_none() {
                return;
            }
            let names: Vec<String> = loaded.entries().map(|e| describe(e.policy)).collect();
            store.replace(loaded);
            metrics.reload("applied");
            log(&format!("reloaded: {}", names.join(", ")));
        }
        Err(problems) => {
            for problem in &problems {
                match &problem.diagnostics {
                    Some(diagnostics) => log(&format!(
                        "reload refused, the previous version keeps serving: {}\n{diagnostics}",
                        problem.message
                    )),
                    None => log(&format!(
                        "reload refused, the previous version keeps serving: {}",
                        problem.message
                    )),
                }
            }
            store.refuse(problems);
            metrics.reload("refused");
        }
    }
}

/// Whether two sets were loaded from the same files with the same contents.
fn same_files(old: &store::Loaded, new: &store::Loaded) -> bool {
    old.entries().count() == new.entries().count()
        && old
            .entries()
            .zip(new.entries())
            .all(|(a, b)| a.policy.source_name() == b.policy.source_name() && a.hash == b.hash)
}
