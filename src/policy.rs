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

    /// Evaluates a record written as JSON text. Stricter than `serde_json::from_str`
    /// followed by [`Policy::evaluate`]: a key given twice in one object, or a number that
    /// would silently read as zero (`1e-400`), is an error naming the field.
    ///
    /// ```
    /// # use service_policy::{EvalOptions, Policy};
    /// let policy = Policy::parse(r#"policy "Demo" {
    ///   rule urgent { when priority == "urgent" then tag "fast" }
    /// }"#).unwrap();
    /// let now = "2026-03-02T10:00:00Z".parse().unwrap();
    /// let options = EvalOptions::at(now);
    /// let decision = policy.evaluate_json(r#"{"priority": "urgent"}"#, &options).unwrap();
    /// assert_eq!(decision.fired, ["urgent"]);
    /// let twice = r#"{"priority": "low", "priority": "urgent"}"#;
    /// assert!(policy.evaluate_json(twice, &options).is_err());
    /// ```
    pub fn evaluate_json(
        &self,
        json: &str,
        options: &EvalOptions,
    ) -> Result<Decision, RecordError> {
        let record = crate::read_json_record(json).map_err(|e| RecordError::Json(e.to_string()))?;
        Ok(self.evaluate(&record, options))
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
            let diagnostics = crate::check::check(&ast);
            (Some(ast), diagnostics)
        }
        Err((mut errors, partial)) => {
            if let Some(partial) = partial {
                errors.extend(
                    crate::check::check(&partial)
                        .into_iter()
                        .filter(|d| holds_without_the_broken_items(d.code)),
                );
                errors.sort_by_key(|d| (d.span.start, d.span.end));
            }
            (None, errors)
        }
    }
}

/// Whether a problem found in the items that parsed stays true whatever the items with
/// syntax errors hold. A broken item may define a name (`E0102` would be wrong, and a
/// broken `const` makes its name read as an unknown field, `E0103`) or use one (`W0001`,
/// `W0006` would be wrong); a broken `record` or `ladder` is simply absent, which only
/// hides `E0203`/`E0303`, never invents them.
fn holds_without_the_broken_items(code: crate::Code) -> bool {
    use crate::Code;
    !matches!(code, Code::E0102 | Code::E0103 | Code::W0001 | Code::W0006)
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
    match crate::syntax::parse(source) {
        Ok(ast) => Ok(crate::fmt::format_policy(&ast, source)),
        Err(errors) => Err(Diagnostics::new(
            Arc::new(SourceFile {
                name: "<policy>".to_owned(),
                text: source.to_owned(),
            }),
            errors,
        )),
    }
}
