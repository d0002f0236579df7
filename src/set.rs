//! Policy sets: the policies given to a command or a host, routed per record (SPEC §16).
//!
//! Takes loaded [`Policy`] values (from files and folders, or from a host's own sources)
//! and returns, per record, the one policy that decides it. Policies of one name are the
//! versions of a *family*, ordered by `effective`. A record goes to the family whose
//! policy-level `when` holds (the family without a `when` when none does), and within it
//! to the version in force at the record's as-of instant. Everything a set needs is worked
//! out at load; choosing costs one `when` per family and a binary search per record.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::Timestamp;

use crate::SourceFile;
use crate::ast::{BinaryOp, CompareOp, Expr, ExprKind, Item, Span, TestOp};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::eval::{Decision, EvalOptions};
use crate::policy::{LoadError, Policy};
use crate::resolve::{FileResolver, Resolver, SourceLoader};

/// The most files a folder given to a set may hold, and the deepest folder walked: a
/// bound on the work of loading.
pub const MAX_SET_FILES: usize = 10_000;
const MAX_FOLDER_DEPTH: usize = 16;

/// An immutable set of policies, `Send + Sync`: share it through an `Arc`.
///
/// ```
/// use service_policy::{EvalOptions, PolicySet, SourceFile};
///
/// let source = |name: &str, text: &str| SourceFile { name: name.into(), text: text.into() };
/// let set = PolicySet::from_sources(
///     vec![
///         source("main", r#"policy "Main" { rule r { then tag "main" } }"#),
///         source("vip", r#"policy "VIP" { when tier == "vip" rule r { then tag "vip" } }"#),
///     ],
///     &service_policy::NoResolver,
/// )
/// .unwrap();
/// let now = "2026-03-02T10:00:00Z".parse().unwrap();
/// let vip = set.evaluate(&serde_json::json!({"tier": "vip"}), &EvalOptions::at(now)).unwrap();
/// assert_eq!(vip.policy, "VIP");
/// let other = set.evaluate(&serde_json::json!({"tier": "gold"}), &EvalOptions::at(now)).unwrap();
/// assert_eq!(other.policy, "Main");
/// ```
#[derive(Debug)]
pub struct PolicySet {
    families: Vec<Family>,
    warnings: Vec<Diagnostics>,
}

/// The versions of one policy name, oldest first (a version without `effective` first).
#[derive(Debug)]
struct Family {
    name: String,
    versions: Vec<Arc<Policy>>,
}

/// Why no policy of a set could decide a record.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// No family's `when` holds and the set has no default family.
    #[error("no policy applies to this record (none of {}) and the set has no policy without `when`", names(.0))]
    NoPolicy(Vec<String>),
    /// Several families claim the record.
    #[error("several policies apply to this record: {}", names(.0))]
    Ambiguous(Vec<String>),
    /// The family's first version comes into force after the record's as-of instant.
    #[error("no version of `{family}` is in force at {as_of}: the first is effective from {first}")]
    NotInForce {
        /// The family's name.
        family: String,
        /// The as-of instant.
        as_of: Timestamp,
        /// The first version's `effective` date.
        first: jiff::civil::Date,
    },
    /// The as-of field is absent or not an instant.
    #[error("the as-of field `{field}` {problem}")]
    AsOf {
        /// The field path.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
}

fn names(all: &[String]) -> String {
    all.iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A resolver that has nothing to give: every `extends` is an error. For sets of
/// sources that stand alone.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoResolver;

impl Resolver for NoResolver {
    fn load(&self, _from: &str, target: &str) -> Result<SourceFile, String> {
        Err(format!("`{target}` is not in this store of policies"))
    }
}

impl PolicySet {
    /// Loads every policy among `paths`: files, and folders of `*.policy` files (walked in
    /// name order). Bases named by `extends` are read relative to the file naming them
    /// and parsed once for the whole set.
    pub fn from_paths(paths: &[PathBuf]) -> Result<PolicySet, LoadError> {
        let files = policy_files(paths)?;
        let loader = SourceLoader::with(&FileResolver);
        let mut policies = Vec::new();
        let mut problems = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(|source| LoadError::Io {
                path: path.display().to_string(),
                source,
            })?;
            let root = SourceFile {
                name: FileResolver::name_of(&path),
                text,
            };
            match Policy::load_shared(Arc::new(root), &loader) {
                Ok(policy) => policies.push(policy),
                Err(files) => problems.extend(files),
            }
        }
        finish(policies, problems)
    }

    /// Loads a set from sources a host keeps itself; `resolver` serves their `extends`.
    pub fn from_sources(
        sources: Vec<SourceFile>,
        resolver: &dyn Resolver,
    ) -> Result<PolicySet, LoadError> {
        let loader = SourceLoader::with(resolver);
        let mut policies = Vec::new();
        let mut problems = Vec::new();
        for source in sources {
            match Policy::load_shared(Arc::new(source), &loader) {
                Ok(policy) => policies.push(policy),
                Err(files) => problems.extend(files),
            }
        }
        finish(policies, problems)
    }

    /// A set of policies already loaded.
    pub fn from_policies(policies: Vec<Policy>) -> Result<PolicySet, LoadError> {
        finish(policies, Vec::new())
    }

    /// Every policy of the set: families in order of first appearance, versions oldest
    /// first.
    pub fn policies(&self) -> impl Iterator<Item = &Policy> {
        self.families
            .iter()
            .flat_map(|f| f.versions.iter().map(|p| p.as_ref()))
    }

    /// Warnings about the set as a whole (`W0008`), one entry per file.
    pub fn warnings(&self) -> &[Diagnostics] {
        &self.warnings
    }

    /// The policy that decides `record`: the family whose `when` holds (or the default
    /// family), its version in force at the as-of instant (`options.as_of_field`, else
    /// `options.now`).
    pub fn select(
        &self,
        record: &serde_json::Value,
        options: &EvalOptions,
    ) -> Result<&Policy, SelectError> {
        let as_of = as_of(record, options)?;
        let mut holding: Vec<(&Family, Option<&Arc<Policy>>)> = Vec::new();
        let mut defaults: Vec<(&Family, Option<&Arc<Policy>>)> = Vec::new();
        for family in &self.families {
            let in_force = family.in_force(as_of);
            // Before every version, the first one says what the family is for.
            let Some(judge) = in_force.or_else(|| family.versions.first()) else {
                continue;
            };
            if !judge.has_when() {
                defaults.push((family, in_force));
            } else if judge.applies_to(record, options.now) {
                holding.push((family, in_force));
            }
        }
        let chosen = match (holding.as_slice(), defaults.as_slice()) {
            ([one], _) | ([], [one]) => *one,
            ([], []) => {
                let all = self.families.iter().map(|f| f.name.clone()).collect();
                return Err(SelectError::NoPolicy(all));
            }
            ([], many) | (many, _) => {
                let all = many.iter().map(|(f, _)| f.name.clone()).collect();
                return Err(SelectError::Ambiguous(all));
            }
        };
        match chosen {
            (family, Some(policy)) => {
                let undated: Vec<String> = family
                    .versions
                    .iter()
                    .filter(|p| p.effective_from().is_none())
                    .map(|p| format!("{} ({})", p.name(), p.source_name()))
                    .collect();
                if policy.effective_from().is_none() && undated.len() > 1 {
                    return Err(SelectError::Ambiguous(undated));
                }
                Ok(policy)
            }
            (family, None) => Err(SelectError::NotInForce {
                family: family.name.clone(),
                as_of,
                first: family
                    .versions
                    .first()
                    .and_then(|p| p.effective())
                    .unwrap_or_default(),
            }),
        }
    }

    /// The instant whose rules judge `record`: its `options.as_of_field` when set, else
    /// `options.now`.
    pub fn as_of(
        &self,
        record: &serde_json::Value,
        options: &EvalOptions,
    ) -> Result<Timestamp, SelectError> {
        as_of(record, options)
    }

    /// The version of the family `name` in force at `at`: the last whose `effective`
    /// instant is not after it. `None` when no family has that name or none of its
    /// versions is in force yet.
    pub fn in_force(&self, name: &str, at: Timestamp) -> Option<&Policy> {
        self.families
            .iter()
            .find(|f| f.name == name)
            .and_then(|f| f.in_force(at))
            .map(Arc::as_ref)
    }

    /// Evaluates `record` with the policy [`PolicySet::select`] picks; the decision names
    /// that policy and its version.
    pub fn evaluate(
        &self,
        record: &serde_json::Value,
        options: &EvalOptions,
    ) -> Result<Decision, SelectError> {
        Ok(self.select(record, options)?.evaluate(record, options))
    }

    /// The policy [`PolicySet::select`] picks for every record under `options`, when that
    /// does not depend on the record: the set holds one policy, without a policy-level
    /// `when`, in force at `options.now`, and `options` names no as-of field. A host may
    /// then evaluate with that policy directly (`batch` reads lines straight into it).
    pub fn sole(&self, options: &EvalOptions) -> Option<&Policy> {
        let [family] = self.families.as_slice() else {
            return None;
        };
        let [policy] = family.versions.as_slice() else {
            return None;
        };
        let in_force = policy
            .effective_from()
            .is_none_or(|from| from <= options.now);
        (options.as_of_field.is_none() && !policy.has_when() && in_force).then_some(policy)
    }

    /// [`PolicySet::evaluate`] into a reusable buffer (see [`Policy::evaluate_into`]).
    pub fn evaluate_into<'e>(
        &'e self,
        record: &serde_json::Value,
        options: &EvalOptions,
        buffer: &'e mut crate::Evaluation,
    ) -> Result<crate::DecisionRef<'e>, SelectError> {
        Ok(self
            .select(record, options)?
            .evaluate_into(record, options, buffer))
    }
}

impl Family {
    /// The last version whose `effective` instant is not after `at`.
    fn in_force(&self, at: Timestamp) -> Option<&Arc<Policy>> {
        let after = self
            .versions
            .partition_point(|p| p.effective_from().is_none_or(|from| from <= at));
        after.checked_sub(1).and_then(|i| self.versions.get(i))
    }
}

/// The as-of instant of a record.
fn as_of(record: &serde_json::Value, options: &EvalOptions) -> Result<Timestamp, SelectError> {
    let Some(field) = &options.as_of_field else {
        return Ok(options.now);
    };
    let problem = |problem: &str| SelectError::AsOf {
        field: field.clone(),
        problem: problem.to_owned(),
    };
    let mut value = record;
    for segment in field.split('.') {
        value = value
            .get(segment)
            .ok_or_else(|| problem("is missing from the record"))?;
    }
    let text = value
        .as_str()
        .ok_or_else(|| problem("must be a time like `2026-03-02T09:00:00Z`"))?;
    text.parse::<Timestamp>().map_err(|e| {
        if crate::value::time_out_of_range(text) {
            problem(&format!(
                "is outside the range of times: {}",
                crate::value::TIME_RANGE
            ))
        } else {
            problem(&format!("is not a time: {e}"))
        }
    })
}

/// Every diagnostic of a set of policy sources, one entry per file that has any (the
/// sources first, in order, then bases outside them): each file checked with its bases,
/// each problem reported once however many policies share its file, then the problems of
/// the set as a whole (`E0309`, `W0008`). For `service-policy check` and editors.
pub fn check_sources(sources: Vec<SourceFile>, resolver: &dyn Resolver) -> Vec<Diagnostics> {
    let loader = SourceLoader::with(resolver);
    let mut files: Vec<(Arc<SourceFile>, Vec<Diagnostic>)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut add = |files: &mut Vec<(Arc<SourceFile>, Vec<Diagnostic>)>, found: &Diagnostics| {
        let index = match files
            .iter()
            .position(|(f, _)| f.name == found.source().name)
        {
            Some(index) => index,
            None => {
                files.push((found.source_arc().clone(), Vec::new()));
                files.len() - 1
            }
        };
        for d in found.items() {
            let key = (
                found.source().name.clone(),
                d.code,
                d.span.start,
                d.span.end,
                d.message.clone(),
            );
            if seen.insert(key)
                && let Some((_, list)) = files.get_mut(index)
            {
                list.push(d.clone());
            }
        }
    };
    let mut policies = Vec::new();
    for source in sources {
        let source = Arc::new(source);
        files.push((source.clone(), Vec::new()));
        match Policy::load_shared(source, &loader) {
            Ok(policy) => {
                add(&mut files, policy.warnings());
                for base in policy.base_warnings() {
                    add(&mut files, base);
                }
                policies.push(policy);
            }
            Err(found) => {
                for file in &found {
                    add(&mut files, file);
                }
            }
        }
    }
    let (families, problems) = families(policies);
    for problem in problems.iter().chain(overlaps(&families).iter()) {
        add(&mut files, problem);
    }
    files
        .into_iter()
        .filter(|(_, items)| !items.is_empty())
        .map(|(source, items)| Diagnostics::new(source, items))
        .collect()
}

/// Families, `E0309` for two versions of one date, `W0008` for overlapping `when`s.
fn finish(policies: Vec<Policy>, mut problems: Vec<Diagnostics>) -> Result<PolicySet, LoadError> {
    let (families, more) = families(policies);
    problems.extend(more);
    // A base shared by several policies reports its problems once.
    let mut seen = std::collections::HashSet::new();
    problems.retain(|d| seen.insert((d.source().name.clone(), d.to_string())));
    if problems.iter().any(Diagnostics::has_errors) {
        return Err(LoadError::from_files(problems));
    }
    let warnings = overlaps(&families);
    Ok(PolicySet { families, warnings })
}

/// The policies grouped by name, versions ordered by date; `E0309` for two versions of
/// one date.
fn families(policies: Vec<Policy>) -> (Vec<Family>, Vec<Diagnostics>) {
    let mut problems = Vec::new();
    let mut families: Vec<Family> = Vec::new();
    for policy in policies {
        let policy = Arc::new(policy);
        match families.iter_mut().find(|f| f.name == policy.name()) {
            Some(family) => family.versions.push(policy),
            None => families.push(Family {
                name: policy.name().to_owned(),
                versions: vec![policy],
            }),
        }
    }
    for family in &mut families {
        family
            .versions
            .sort_by_key(|p| (p.effective_from(), p.source_name().to_owned()));
        for pair in family.versions.windows(2) {
            // Two undated versions are not refused here: a folder may hold a policy and a
            // proposed change of it (`diff`); a record that reaches them is an error.
            if let [earlier, later] = pair
                && earlier.effective_from().is_some()
                && earlier.effective_from() == later.effective_from()
            {
                problems.push(same_date(&family.name, earlier, later));
            }
        }
    }
    (families, problems)
}

/// `E0309` in the later file, naming the earlier.
fn same_date(family: &str, earlier: &Policy, later: &Policy) -> Diagnostics {
    let span = later
        .ast()
        .items
        .iter()
        .find_map(|item| match item {
            Item::Effective(d) => Some(d.span),
            _ => None,
        })
        .unwrap_or(later.ast().name.span);
    let when = match later.effective() {
        Some(date) => format!("the same `effective` date {date}"),
        None => "no `effective` date".to_owned(),
    };
    let diagnostic = Diagnostic::new(
        Code::E0309,
        span,
        format!("two versions of `{family}` have {when}"),
    )
    .with_primary_label("this version")
    .with_help(format!(
        "the other is `{}`; give each version its own `effective` date",
        earlier.source_name()
    ));
    Diagnostics::new(later.source_file(), vec![diagnostic])
}

/// `W0008` where two families' `when`s provably overlap, in the later file.
fn overlaps(families: &[Family]) -> Vec<Diagnostics> {
    let mut out = Vec::new();
    let whens: Vec<(&Policy, &Expr, Span)> = families
        .iter()
        .filter_map(|f| f.versions.last())
        .filter_map(|p| {
            p.ast().items.iter().find_map(|item| match item {
                Item::When(w) => Some((p.as_ref(), &w.cond, w.span)),
                _ => None,
            })
        })
        .collect();
    for (i, (later, later_cond, span)) in whens.iter().enumerate() {
        for (earlier, earlier_cond, _) in whens.iter().take(i) {
            if both_hold(earlier_cond, later_cond) {
                let diagnostic = Diagnostic::new(
                    Code::W0008,
                    *span,
                    format!(
                        "`{}` and `{}` can both apply to one record",
                        earlier.name(),
                        later.name()
                    ),
                )
                .with_primary_label("this condition overlaps another policy's")
                .with_help(format!(
                    "make the `when` of this file and of `{}` exclude each other",
                    earlier.source_name()
                ));
                out.push(Diagnostics::new(later.source_file(), vec![diagnostic]));
                break;
            }
        }
    }
    out
}

/// Whether two conditions provably both hold for some record: the same condition, or
/// equality tests of one field with a value both admit. Anything else is not proved (no
/// warning rather than a wrong one).
fn both_hold(a: &Expr, b: &Expr) -> bool {
    if a == b {
        return true;
    }
    match (admitted(a), admitted(b)) {
        (Some((fa, va)), Some((fb, vb))) => fa == fb && va.iter().any(|v| vb.contains(v)),
        _ => false,
    }
}

/// `field == LIT`, `LIT == field`, `field in [LIT, …]`: the field and the values it admits.
fn admitted(e: &Expr) -> Option<(String, Vec<&ExprKind>)> {
    match &e.kind {
        ExprKind::Binary(BinaryOp::Compare(CompareOp::Eq), lhs, rhs) => {
            match (&lhs.kind, &rhs.kind) {
                (ExprKind::Path(p), lit @ ExprKind::Literal(_))
                | (lit @ ExprKind::Literal(_), ExprKind::Path(p)) => Some((p.dotted(), vec![lit])),
                _ => None,
            }
        }
        ExprKind::Test(TestOp::In, lhs, rhs) => match (&lhs.kind, &rhs.kind) {
            (ExprKind::Path(p), ExprKind::List(items)) => Some((
                p.dotted(),
                items
                    .iter()
                    .map(|i| &i.kind)
                    .filter(|k| matches!(k, ExprKind::Literal(_)))
                    .collect(),
            )),
            _ => None,
        },
        _ => None,
    }
}

/// The `*.policy` files among `paths`, folders walked in name order.
fn policy_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let before = out.len();
            walk(path, 0, &mut out)?;
            if out.len() == before {
                return Err(LoadError::Io {
                    path: path.display().to_string(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        "no `*.policy` file in this folder",
                    ),
                });
            }
        } else {
            out.push(path.clone());
        }
        if out.len() > MAX_SET_FILES {
            return Err(LoadError::Io {
                path: path.display().to_string(),
                source: std::io::Error::other(format!(
                    "more than {MAX_SET_FILES} policy files in one set"
                )),
            });
        }
    }
    Ok(out)
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let io = |source| LoadError::Io {
        path: dir.display().to_string(),
        source,
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort();
    for entry in entries {
        if out.len() > MAX_SET_FILES {
            break;
        }
        if entry.is_dir() {
            if depth < MAX_FOLDER_DEPTH {
                walk(&entry, depth + 1, out)?;
            }
        } else if entry.extension().is_some_and(|e| e == "policy") {
            out.push(entry);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn sets_are_shareable_across_threads() {
        assert_send_sync::<PolicySet>();
    }

    fn set(sources: &[(&str, &str)]) -> Result<PolicySet, LoadError> {
        PolicySet::from_sources(
            sources
                .iter()
                .map(|(name, text)| SourceFile {
                    name: (*name).to_owned(),
                    text: (*text).to_owned(),
                })
                .collect(),
            &NoResolver,
        )
    }

    fn at(now: &str) -> EvalOptions {
        EvalOptions::at(now.parse().unwrap())
    }

    #[test]
    fn versions_change_at_the_start_of_the_effective_day_in_the_policy_zone() {
        let s = set(&[
            ("a", r#"policy "P" { version "1" timezone "Asia/Kolkata" effective 2025-01-01 rule r { then tag "x" } }"#),
            ("b", r#"policy "P" { version "2" timezone "Asia/Kolkata" effective 2026-01-01 rule r { then tag "x" } }"#),
        ])
        .unwrap();
        let record = serde_json::json!({});
        // Midnight in Kolkata is 18:30 UTC the day before.
        let before = s.evaluate(&record, &at("2025-12-31T18:29:59Z")).unwrap();
        assert_eq!(before.version.as_deref(), Some("1"));
        let at_start = s.evaluate(&record, &at("2025-12-31T18:30:00Z")).unwrap();
        assert_eq!(at_start.version.as_deref(), Some("2"));
        let early = s
            .evaluate(&record, &at("2024-06-01T00:00:00Z"))
            .unwrap_err();
        assert!(matches!(early, SelectError::NotInForce { .. }));
        assert!(early.to_string().contains("2025-01-01"), "{early}");
    }

    #[test]
    fn two_versions_of_one_date_are_e0309() {
        let err = set(&[
            (
                "a",
                r#"policy "P" { effective 2025-01-01 rule r { then tag "x" } }"#,
            ),
            (
                "b",
                r#"policy "P" { effective 2025-01-01 rule r { then tag "y" } }"#,
            ),
        ])
        .unwrap_err();
        let all = err.diagnostics();
        assert_eq!(all[0].items()[0].code, Code::E0309);
        assert_eq!(all[0].source().name, "b");
    }

    #[test]
    fn two_undated_versions_load_but_a_record_reaching_them_is_an_error() {
        let s = set(&[
            ("a", r#"policy "P" { rule r { then tag "x" } }"#),
            ("b", r#"policy "P" { rule r { then tag "y" } }"#),
        ])
        .unwrap();
        let err = s.evaluate(&serde_json::json!({}), &at("2026-01-01T00:00:00Z"));
        let text = err.unwrap_err().to_string();
        assert!(text.contains("P (a)") && text.contains("P (b)"), "{text}");
    }

    #[test]
    fn equal_literals_in_two_whens_are_w0008() {
        let s = set(&[
            (
                "a",
                r#"policy "A" { when branch == "x" rule r { then tag "a" } }"#,
            ),
            (
                "b",
                r#"policy "B" { when branch in ["y", "x"] rule r { then tag "b" } }"#,
            ),
            (
                "c",
                r#"policy "C" { when branch == "z" rule r { then tag "c" } }"#,
            ),
        ])
        .unwrap();
        assert_eq!(s.warnings().len(), 1);
        assert_eq!(s.warnings()[0].items()[0].code, Code::W0008);
        assert_eq!(s.warnings()[0].source().name, "b");
    }
}
