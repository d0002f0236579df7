//! `service-policy fmt`: rewrite policies in canonical form, or show what would change.

use std::path::{Path, PathBuf};

use service_policy::diagnostic::render::render_human;

use super::{Outcome, UsageError, exit, out, policy_files, read_text, stderr_color};

pub(super) fn run(paths: &[PathBuf], check: bool) -> Outcome {
    let files = policy_files(paths)?;
    if files.is_empty() {
        return Err(UsageError("no `*.policy` files found".into()));
    }
    let mut changed = 0usize;
    let mut invalid = 0usize;
    for file in &files {
        let text = read_text(file)?;
        let formatted = match service_policy::format(&text) {
            Ok(formatted) => formatted,
            Err(diagnostics) => {
                // Name the file in the diagnostics; `format` does not know it.
                let named = service_policy::check_source(&file.display().to_string(), &text);
                let shown = if named.is_empty() { diagnostics } else { named };
                eprint!("{}", render_human(&shown, stderr_color()));
                invalid += 1;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        changed += 1;
        if check {
            out(&format!("{}\n", diff(file, &text, &formatted)))?;
        } else {
            write_atomically(file, &formatted)?;
            out(&format!("formatted {}\n", file.display()))?;
        }
    }
    if check && changed > 0 {
        eprintln!(
            "{changed} of {} file{} would be reformatted; run `service-policy fmt` to fix",
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        );
    }
    Ok(exit(invalid > 0 || (check && changed > 0)))
}

/// A unified diff of the current text against the canonical one.
fn diff(path: &Path, old: &str, new: &str) -> String {
    let name = path.display().to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&name, &format!("{name} (formatted)"))
        .to_string()
}

/// Writes through a temporary file in the same folder and a rename, so a crash never leaves
/// a half-written policy.
pub(super) fn write_atomically(path: &Path, text: &str) -> Result<(), UsageError> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| UsageError(format!("cannot write in `{}`: {e}", dir.display())))?;
    temp.write_all(text.as_bytes())
        .map_err(|e| UsageError(format!("cannot write `{}`: {e}", path.display())))?;
    temp.persist(path)
        .map_err(|e| UsageError(format!("cannot replace `{}`: {e}", path.display())))?;
    Ok(())
}
