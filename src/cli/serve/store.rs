//! The loaded policies and the one place that picks a policy for a request.
//!
//! A [`Loaded`] is a complete, checked set of policies, never changed once built; the
//! [`Store`] holds the current one and the last reload that failed. Loading and selecting
//! are the seam where policy sets (several versions of a family) take over from plain files.

use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};

use serde::Serialize;
use service_policy::diagnostic::JsonDiagnostic;
use service_policy::{Decision, Diagnostics, EvalOptions, Policy};
use sha2::{Digest, Sha256};

/// One policy file, loaded.
#[derive(Debug)]
pub(super) struct Entry {
    pub policy: Policy,
    /// The file it came from, as given.
    pub file: String,
    /// SHA-256 of the file's text, lower-case hex.
    pub hash: String,
}

/// A complete set of policies, all of which checked clean.
#[derive(Debug)]
pub(super) struct Loaded {
    entries: Vec<Entry>,
    /// When this set was loaded.
    pub loaded_at: jiff::Timestamp,
}

/// Why a file could not be loaded.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Problem {
    pub file: String,
    pub message: String,
    #[serde(skip)]
    pub diagnostics: Option<Diagnostics>,
    #[serde(rename = "diagnostics")]
    pub json: Vec<JsonDiagnostic>,
}

/// A reload that failed: the previous version kept serving.
#[derive(Debug, Clone, Serialize)]
pub(super) struct ReloadFailure {
    pub at: String,
    pub problems: Vec<Problem>,
}

/// Why no policy could be picked for a request.
#[derive(Debug)]
pub(super) enum SelectError {
    /// No loaded policy has that name.
    Unknown(String),
    /// Several are loaded and the request named none.
    Ambiguous(Vec<String>),
}

impl std::fmt::Display for SelectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SelectError::Unknown(name) => write!(f, "no policy named `{name}` is loaded"),
            SelectError::Ambiguous(names) => write!(
                f,
                "{} policies are loaded ({}): name one with `policy`",
                names.len(),
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// Reads, checks and compiles every file; all problems are reported, not just the first.
pub(super) fn load(files: &[PathBuf]) -> Result<Loaded, Vec<Problem>> {
    let mut entries: Vec<Entry> = Vec::with_capacity(files.len());
    let mut problems = Vec::new();
    for path in files {
        let file = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                problems.push(Problem {
                    message: format!("cannot read `{file}`: {e}"),
                    file,
                    diagnostics: None,
                    json: Vec::new(),
                });
                continue;
            }
        };
        match Policy::parse_named(&file, &text) {
            Ok(policy) => {
                if let Some(other) = entries.iter().find(|e| e.policy.name() == policy.name()) {
                    problems.push(Problem {
                        message: format!(
                            "`{file}` and `{}` both define the policy \"{}\"",
                            other.file,
                            policy.name()
                        ),
                        file,
                        diagnostics: None,
                        json: Vec::new(),
                    });
                    continue;
                }
                let hash = hex(&Sha256::digest(text.as_bytes()));
                entries.push(Entry { policy, file, hash });
            }
            Err(diagnostics) => {
                let errors = diagnostics.errors().count();
                problems.push(Problem {
                    message: format!(
                        "`{file}` has {errors} error{}",
                        if errors == 1 { "" } else { "s" }
                    ),
                    file,
                    json: diagnostics.to_json(),
                    diagnostics: Some(diagnostics),
                });
            }
        }
    }
    if problems.is_empty() {
        Ok(Loaded {
            entries,
            loaded_at: jiff::Timestamp::now(),
        })
    } else {
        Err(problems)
    }
}

impl Loaded {
    /// The loaded policies, in the order their files were given.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The policy a request asks for: the one named, or the only one loaded.
    pub fn select(&self, name: Option<&str>) -> Result<&Policy, SelectError> {
        match name {
            Some(name) => self
                .entries
                .iter()
                .find(|e| e.policy.name() == name)
                .map(|e| &e.policy)
                .ok_or_else(|| SelectError::Unknown(name.to_owned())),
            None => match self.entries.as_slice() {
                [only] => Ok(&only.policy),
                many => Err(SelectError::Ambiguous(
                    many.iter().map(|e| e.policy.name().to_owned()).collect(),
                )),
            },
        }
    }

    /// Evaluates one record against the policy the request asks for.
    pub fn evaluate(
        &self,
        name: Option<&str>,
        record: &serde_json::Value,
        options: &EvalOptions,
    ) -> Result<Decision, SelectError> {
        Ok(self.select(name)?.evaluate(record, options))
    }
}

/// The current policies and the last failed reload, shared by every request.
#[derive(Debug)]
pub(super) struct Store {
    current: RwLock<Arc<Loaded>>,
    failure: RwLock<Option<ReloadFailure>>,
}

impl Store {
    pub fn new(loaded: Loaded) -> Store {
        Store {
            current: RwLock::new(Arc::new(loaded)),
            failure: RwLock::new(None),
        }
    }

    /// The version serving now; a request keeps it until it ends.
    pub fn current(&self) -> Arc<Loaded> {
        // A writer never panics while holding the lock (it only swaps an `Arc`), so a
        // poisoned lock still holds a whole value.
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The last reload that failed since the last one that succeeded.
    pub fn failure(&self) -> Option<ReloadFailure> {
        self.failure
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Swaps in a new version and clears the failure.
    pub fn replace(&self, loaded: Loaded) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(loaded);
        *self.failure.write().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Keeps the current version and records why the new one was refused.
    pub fn refuse(&self, problems: Vec<Problem>) {
        let at = jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .unwrap_or_else(|_| jiff::Timestamp::now());
        *self.failure.write().unwrap_or_else(PoisonError::into_inner) = Some(ReloadFailure {
            at: at.to_string(),
            problems,
        });
    }
}

/// Lower-case hexadecimal.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(sources: &[&str]) -> Loaded {
        Loaded {
            entries: sources
                .iter()
                .map(|s| Entry {
                    policy: Policy::parse(s).unwrap(),
                    file: "p.policy".into(),
                    hash: String::new(),
                })
                .collect(),
            loaded_at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_only_policy_is_picked_without_a_name_and_a_wrong_name_is_an_error() {
        let one = loaded(&[r#"policy "A" { rule r { then tag "a" } }"#]);
        assert_eq!(one.select(None).unwrap().name(), "A");
        assert_eq!(one.select(Some("A")).unwrap().name(), "A");
        let err = one.select(Some("B")).unwrap_err();
        assert_eq!(err.to_string(), "no policy named `B` is loaded");
    }

    #[test]
    fn several_policies_need_a_name() {
        let two = loaded(&[
            r#"policy "A" { rule r { then tag "a" } }"#,
            r#"policy "B" { rule r { then tag "b" } }"#,
        ]);
        let err = two.select(None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "2 policies are loaded (`A`, `B`): name one with `policy`"
        );
        assert_eq!(two.select(Some("B")).unwrap().name(), "B");
    }

    #[test]
    fn hashes_print_as_lower_case_hex() {
        assert_eq!(hex(&[0x00, 0xab, 0x7f]), "00ab7f");
    }
}
