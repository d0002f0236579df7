//! The loaded policies and the one place that picks a policy for a request.
//!
//! A [`Loaded`] is a complete, checked [`PolicySet`] (families, their yearly versions,
//! their `extends` bases), never changed once built; the [`Store`] holds the current one
//! and the last reload that failed.

use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};

use serde::Serialize;
use service_policy::diagnostic::JsonDiagnostic;
use service_policy::{Decision, Diagnostics, EvalOptions, LoadError, Policy, PolicySet};
use sha2::{Digest, Sha256};

/// A complete set of policies, all of which checked clean.
#[derive(Debug)]
pub(super) struct Loaded {
    set: PolicySet,
    /// SHA-256 of each policy's own file, lower-case hex, in the order of `set.policies()`.
    hashes: Vec<String>,
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
    /// The named family has no version in force at the as-of instant.
    NotInForce(String, jiff::Timestamp),
    /// The set could not pick one for this record.
    Set(service_policy::SelectError),
}

impl std::fmt::Display for SelectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SelectError::Unknown(name) => write!(f, "no policy named `{name}` is loaded"),
            SelectError::NotInForce(name, at) => {
                write!(f, "no version of `{name}` is in force at {at}")
            }
            SelectError::Set(e) => write!(f, "{e}"),
        }
    }
}

/// Reads, checks and compiles every policy among `paths` (files and folders); every
/// problem is reported, not just the first.
pub(super) fn load(paths: &[PathBuf]) -> Result<Loaded, Vec<Problem>> {
    let set = PolicySet::from_paths(paths).map_err(problems)?;
    let hashes = set
        .policies()
        .map(|p| hex(&Sha256::digest(p.source_file().text.as_bytes())))
        .collect();
    Ok(Loaded {
        set,
        hashes,
        loaded_at: jiff::Timestamp::now(),
    })
}

fn problems(error: LoadError) -> Vec<Problem> {
    match error {
        LoadError::Io { path, source } => vec![Problem {
            message: format!("cannot read `{path}`: {source}"),
            file: path,
            diagnostics: None,
            json: Vec::new(),
        }],
        other => {
            let all: Vec<Problem> = other
                .diagnostics()
                .into_iter()
                .map(|diagnostics| {
                    let file = diagnostics.source().name.clone();
                    let errors = diagnostics.errors().count();
                    Problem {
                        message: format!(
                            "`{file}` has {errors} error{}",
                            if errors == 1 { "" } else { "s" }
                        ),
                        file,
                        json: diagnostics.to_json(),
                        diagnostics: Some(diagnostics.clone()),
                    }
                })
                .collect();
            if all.is_empty() {
                vec![Problem {
                    file: String::new(),
                    message: other.to_string(),
                    diagnostics: None,
                    json: Vec::new(),
                }]
            } else {
                all
            }
        }
    }
}

/// One loaded policy as `/v1/policies` lists it.
pub(super) struct Listed<'a> {
    pub policy: &'a Policy,
    pub hash: &'a str,
}

impl Loaded {
    /// The loaded policies: families in order of first appearance, versions oldest first.
    pub fn entries(&self) -> impl Iterator<Item = Listed<'_>> {
        self.set
            .policies()
            .zip(&self.hashes)
            .map(|(policy, hash)| Listed { policy, hash })
    }

    /// Evaluates one record: with a name, against that family's version in force (at
    /// `now`); without, against the policy the set picks for the record.
    pub fn evaluate(
        &self,
        name: Option<&str>,
        record: &serde_json::Value,
        options: &EvalOptions,
    ) -> Result<Decision, SelectError> {
        match name {
            None => self.set.evaluate(record, options).map_err(SelectError::Set),
            Some(name) => {
                let at = self.set.as_of(record, options).map_err(SelectError::Set)?;
                Ok(self.named(name, at)?.evaluate(record, options))
            }
        }
    }

    /// The policy [`Loaded::evaluate`] picks for every record under `options`, when that
    /// does not depend on the record: with a name, its version in force at `options.now`
    /// (no as-of field); without, the set's only policy (`PolicySet::sole`).
    pub fn sole(&self, name: Option<&str>, options: &EvalOptions) -> Option<&Policy> {
        match name {
            None => self.set.sole(options),
            Some(name) if options.as_of_field.is_none() => self.named(name, options.now).ok(),
            Some(_) => None,
        }
    }

    /// Whether a family of that name is loaded.
    pub fn has(&self, name: &str) -> bool {
        self.set.policies().any(|p| p.name() == name)
    }

    /// The version of the family `name` in force at `at`: the last whose `effective`
    /// instant is not after it (versions come oldest first).
    pub fn named(&self, name: &str, at: jiff::Timestamp) -> Result<&Policy, SelectError> {
        if !self.has(name) {
            return Err(SelectError::Unknown(name.to_owned()));
        }
        self.set
            .in_force(name, at)
            .ok_or_else(|| SelectError::NotInForce(name.to_owned(), at))
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
        let set =
            PolicySet::from_policies(sources.iter().map(|s| Policy::parse(s).unwrap()).collect())
                .unwrap();
        let hashes = set.policies().map(|_| String::new()).collect();
        Loaded {
            set,
            hashes,
            loaded_at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    fn now() -> EvalOptions {
        EvalOptions::at("2026-03-02T10:00:00Z".parse().unwrap())
    }

    #[test]
    fn the_only_policy_decides_without_a_name_and_a_wrong_name_is_an_error() {
        let one = loaded(&[r#"policy "A" { rule r { then tag "a" } }"#]);
        let record = serde_json::json!({});
        assert_eq!(one.evaluate(None, &record, &now()).unwrap().policy, "A");
        assert_eq!(
            one.evaluate(Some("A"), &record, &now()).unwrap().policy,
            "A"
        );
        let err = one.evaluate(Some("B"), &record, &now()).unwrap_err();
        assert_eq!(err.to_string(), "no policy named `B` is loaded");
    }

    #[test]
    fn a_name_picks_among_several_and_its_version_in_force() {
        let set = loaded(&[
            r#"policy "A" { rule r { then tag "a" } }"#,
            r#"policy "B" { version "2025" effective 2025-01-01 rule r { then tag "b" } }"#,
            r#"policy "B" { version "2026" effective 2026-01-01 rule r { then tag "b" } }"#,
        ]);
        let record = serde_json::json!({});
        let err = set.evaluate(None, &record, &now()).unwrap_err();
        assert!(matches!(err, SelectError::Set(_)), "{err}");
        let b = set.evaluate(Some("B"), &record, &now()).unwrap();
        assert_eq!(b.version.as_deref(), Some("2026"));
        let early = EvalOptions::at("2024-06-01T00:00:00Z".parse().unwrap());
        let err = set.evaluate(Some("B"), &record, &early).unwrap_err();
        assert!(matches!(err, SelectError::NotInForce(..)), "{err}");
    }

    #[test]
    fn hashes_print_as_lower_case_hex() {
        assert_eq!(hex(&[0x00, 0xab, 0x7f]), "00ab7f");
    }
}
