//! The public entry points: parse, check, format and evaluate a policy.

use std::path::Path;
use std::sync::Arc;

use crate::ast::PolicyFile;
use crate::compile::Plan;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::eval::{Decision, EvalOptions, RecordError};

/// A parsed, checked and compiled policy: immutable, `Send + Sync`, cheap to share through
/// an `Arc` across threads.
///
/// ```
/// # use service_policy::Policy;
/// let policy = Policy::parse(r#"policy "Demo" {
///   rule greet { then tag "hello" }
/// }"#).unwrap();
/// assert_eq!(policy.name(), "Demo");
/// ```
#[derive(Debug)]
pub struct Policy {
    ast: PolicyFile,
    plan: Plan,
    warnings: Diagnostics,
}

/// Why a policy file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The policy has errors.
    #[error("{0}")]
    Invalid(Diagnostics),
}

impl Policy {
    /// Parses and checks a policy; the errors (and warnings) come back as [`Diagnostics`].
    pub fn parse(source: &str) -> Result<Policy, Diagnostics> {
        Policy::parse_named("<policy>", source)
    }

    /// Like [`Policy::parse`], reporting positions under `name` (usually the file path).
    pub fn parse_named(name: &str, source: &str) -> Result<Policy, Diagnostics> {
        let file = Arc::new(SourceFile {
            name: name.to_owned(),
            text: source.to_owned(),
        });
        let (ast, diagnostics) = analyse(source);
        let all = Diagnostics::new(file.clone(), diagnostics);
        let Some(ast) = ast else {
            return Err(all);
        };
        if all.has_errors() {
            return Err(all);
        }
        let plan = Plan::new(&ast).map_err(|errors| Diagnostics::new(file.clone(), errors))?;
        Ok(Policy {
            ast,
            plan,
            warnings: all,
        })
    }

    /// Reads, parses and checks a policy file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Policy, LoadError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Policy::parse_named(&path.display().to_string(), &text).map_err(LoadError::Invalid)
    }

    /// The policy's name.
    pub fn name(&self) -> &str {
        &self.ast.name.value
    }

    /// The policy's `version`, if it declares one.
    pub fn version(&self) -> Option<&str> {
        self.plan.version()
    }

    /// The syntax tree.
    pub fn ast(&self) -> &PolicyFile {
        &self.ast
    }

    /// The warnings the checker found (the policy has no errors).
    pub fn warnings(&self) -> &Diagnostics {
        &self.warnings
    }

    /// Evaluates one record at `options.now`.
    pub fn evaluate(&self, record: &serde_json::Value, options: &EvalOptions) -> Decision {
        crate::eval::evaluate(&self.plan, record, options)
    }

    /// Evaluates one record with the reference interpreter, which walks the syntax tree
    /// directly (no compiled plan, no rule index). It gives the same decision as
    /// [`Policy::evaluate`], only slower; tests compare the two.
    pub fn evaluate_reference(
        &self,
        record: &serde_json::Value,
        options: &EvalOptions,
    ) -> Decision {
        crate::eval::evaluate_reference(&self.ast, record, options)
    }

    /// Evaluates any `Serialize` record (a host's own struct) by way of its JSON form.
    ///
    /// ```
    /// # use service_policy::{EvalOptions, Policy};
    /// #[derive(serde::Serialize)]
    /// struct Ticket { priority: &'static str }
    /// let policy = Policy::parse(r#"policy "Demo" {
    ///   rule urgent { when priority == "urgent" then tag "fast" }
    /// }"#).unwrap();
    /// let now = "2026-03-02T10:00:00Z".parse().unwrap();
    /// let decision = policy.evaluate_serialize(&Ticket { priority: "urgent" }, &EvalOptions::at(now)).unwrap();
    /// assert_eq!(decision.fired, ["urgent"]);
    /// ```
    pub fn evaluate_serialize<T: serde::Serialize + ?Sized>(
        &self,
        record: &T,
        options: &EvalOptions,
    ) -> Result<Decision, RecordError> {
        let json = serde_json::to_value(record)?;
        Ok(self.evaluate(&json, options))
    }

    /// Evaluates a record written in YAML.
    pub fn evaluate_yaml(
        &self,
        yaml: &str,
        options: &EvalOptions,
    ) -> Result<Decision, RecordError> {
        let json: serde_json::Value =
            serde_saphyr::from_str(yaml).map_err(|e| RecordError::Yaml(e.to_string()))?;
        Ok(self.evaluate(&json, options))
    }
}

/// Parses and checks: the AST when it parsed, and every diagnostic found.
fn analyse(source: &str) -> (Option<PolicyFile>, Vec<Diagnostic>) {
    match crate::syntax::parse_recovering(source) {
        Ok(ast) => {
            let diagnostics = crate::check::check_written(&ast, source);
            (Some(ast), diagnostics)
        }
        Err((mut errors, partial)) => {
            if let Some(partial) = partial {
                errors.extend(
                    crate::check::check_written(&partial, source)
                        .into_iter()
                        .filter(|d| holds_without_the_broken_items(d, source)),
                );
                errors.sort_by_key(|d| (d.span.start, d.span.end));
            }
            (None, errors)
        }
    }
}

/// Whether a problem found in the items that parsed stays true whatever the items with
/// syntax errors hold. A broken item may use a name (`W0001`, `W0006` would be wrong), or
/// define one: an unknown name (`E0102`) or field (`E0103`) is kept only when no `const`,
/// `table` or `calendar` of that name is written anywhere in the source (a definition that
/// parsed would have resolved it, so such text is in a broken item). A broken `record` or
/// `ladder` is simply absent, which only hides `E0103`/`E0203`/`E0303`, never invents them.
fn holds_without_the_broken_items(diagnostic: &Diagnostic, source: &str) -> bool {
    use crate::Code;
    match diagnostic.code {
        Code::W0001 | Code::W0006 => false,
        Code::E0102 | Code::E0103 => {
            let written = source.get(diagnostic.span.range()).unwrap_or_default();
            let name = written
                .split(['.', '('])
                .next()
                .unwrap_or_default()
                .trim()
                .trim_matches('`');
            !name.is_empty() && !declared_in_text(source, name)
        }
        _ => true,
    }
}

/// Whether `const NAME`, `table NAME` or `calendar NAME` is written in `source`.
fn declared_in_text(source: &str, name: &str) -> bool {
    let words: Vec<&str> = source
        .split(|c: char| !(c == '_' || unicode_ident::is_xid_continue(c)))
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(2).any(|pair| {
        matches!(pair, [keyword, declared] if matches!(*keyword, "const" | "table" | "calendar") && *declared == name)
    })
}

/// Every diagnostic of a policy source, errors and warnings, for `service-policy check`.
pub fn check_source(name: &str, source: &str) -> Diagnostics {
    let file = Arc::new(SourceFile {
        name: name.to_owned(),
        text: source.to_owned(),
    });
    Diagnostics::new(file, analyse(source).1)
}

/// Prints a policy source in canonical form, keeping comments; syntax errors come back as
/// diagnostics.
pub fn format(source: &str) -> Result<String, Diagnostics> {
    match crate::syntax::parse_written(source) {
        Ok((ast, parens)) => Ok(crate::fmt::format_written(&ast, source, &parens)),
        Err((errors, _)) => Err(Diagnostics::new(
            Arc::new(SourceFile {
                name: "<policy>".to_owned(),
                text: source.to_owned(),
            }),
            errors,
        )),
    }
}
