//! Output files the command line writes (`batch --output`): never harm a file it does not
//! own.
//!
//! A regular file (or a new one) is written to a hidden temporary file beside it, which
//! takes the old file's permissions and is renamed over it only when the run completes.
//! A device or a pipe is written to directly: renaming over `/dev/null` would replace the
//! device. A directory or any other kind of file is refused. SIGINT, SIGTERM and SIGHUP
//! remove the temporary file before the process ends as the signal asks; SIGXFSZ (the
//! `ulimit -f` limit) is turned into a write error reported in words, after which the
//! temporary file is removed as on any error.

use std::fs::{File, OpenOptions, Permissions};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::UsageError;

/// The temporary file to remove if a signal ends the run.
static TEMPORARY: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Where the output goes.
pub(super) enum Output {
    /// A temporary file, renamed over `target` at the end.
    Replace {
        temp: tempfile::NamedTempFile,
        target: PathBuf,
    },
    /// A device or a pipe, written in place.
    Direct(File),
}

/// Opens `--output FILE` as the file's kind allows.
pub(super) fn open_output(target: &Path) -> Result<Output, UsageError> {
    // A link is followed: the file it names is the one replaced, the link stays.
    let target = match std::fs::symlink_metadata(target) {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(target)
            .map_err(|e| UsageError(format!("cannot follow `{}`: {e}", target.display())))?,
        _ => target.to_owned(),
    };
    let existing = match std::fs::metadata(&target) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(UsageError(format!(
                "cannot write `{}`: {e}",
                target.display()
            )));
        }
    };
    let permissions = match &existing {
        Some(meta) if meta.is_file() => Some(meta.permissions()),
        Some(meta) if meta.is_dir() => {
            return Err(UsageError(format!(
                "cannot write `{}`: it is a directory",
                target.display()
            )));
        }
        Some(meta) if is_device_or_pipe(meta) => {
            let file = OpenOptions::new()
                .write(true)
                .open(&target)
                .map_err(|e| UsageError(format!("cannot write `{}`: {e}", target.display())))?;
            return Ok(Output::Direct(file));
        }
        Some(_) => {
            return Err(UsageError(format!(
                "cannot write `{}`: it is neither a regular file, a device nor a pipe",
                target.display()
            )));
        }
        None => new_file_permissions(),
    };
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".service-policy-batch");
    if let Some(permissions) = &permissions {
        builder.permissions(permissions.clone());
    }
    let temp = builder
        .tempfile_in(dir)
        .map_err(|e| UsageError(format!("cannot write in `{}`: {e}", dir.display())))?;
    // The mode given at creation is narrowed by the umask; the old file's mode is kept
    // exactly.
    if let (Some(_), Some(permissions)) = (&existing, permissions) {
        temp.as_file()
            .set_permissions(permissions)
            .map_err(|e| UsageError(format!("cannot write in `{}`: {e}", dir.display())))?;
    }
    remember_temporary(temp.path());
    Ok(Output::Replace { temp, target })
}

#[cfg(unix)]
fn is_device_or_pipe(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    kind.is_char_device() || kind.is_block_device() || kind.is_fifo()
}

#[cfg(not(unix))]
fn is_device_or_pipe(_meta: &std::fs::Metadata) -> bool {
    false
}

/// A new file gets what any program's new file gets: read and write for all, less the
/// umask (applied by the system when the file is created).
#[cfg(unix)]
fn new_file_permissions() -> Option<Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(Permissions::from_mode(0o666))
}

/// Elsewhere a temporary file's default permissions are those of any new file.
#[cfg(not(unix))]
fn new_file_permissions() -> Option<Permissions> {
    None
}

fn remember_temporary(path: &Path) {
    if let Ok(mut slot) = TEMPORARY.lock() {
        *slot = Some(path.to_owned());
    }
}

/// The temporary file was renamed (or removed): a signal from now on has nothing to clean.
pub(super) fn forget_temporary() {
    if let Ok(mut slot) = TEMPORARY.lock() {
        *slot = None;
    }
}

/// Installs the handlers: SIGINT, SIGTERM and SIGHUP remove the temporary file, then end
/// the process as the signal's default action does; SIGXFSZ no longer kills the process,
/// so a write past `ulimit -f` fails with an error the command reports.
#[cfg(unix)]
pub(super) fn guard_signals() -> Result<(), UsageError> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGXFSZ};
    let failed = |e: std::io::Error| UsageError(format!("cannot watch for signals: {e}"));
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    signal_hook::flag::register(SIGXFSZ, flag).map_err(failed)?;
    let mut signals =
        signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]).map_err(failed)?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                if let Ok(slot) = TEMPORARY.lock()
                    && let Some(path) = slot.as_ref()
                {
                    let _ = std::fs::remove_file(path);
                }
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
        })
        .map_err(failed)?;
    Ok(())
}

#[cfg(not(unix))]
pub(super) fn guard_signals() -> Result<(), UsageError> {
    Ok(())
}
