//! The public entry points: parse, check, format and evaluate a policy.

use std::path::Path;
use std::sync::Arc;

use crate::ast::PolicyFile;
use crate::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use crate::eval::{Decision, DecisionRef, EvalOptions, Evaluation, RecordError};
use crate::plan::Plan;
use crate::resolve::{FileResolver, Resolver, SourceLoader};

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
    /// Warnings in the bases this policy extends, one entry per file.
    base_warnings: Vec<Diagnostics>,
    /// The source it was loaded from (named by its path, for a file).
    source: Arc<SourceFile>,
}

/// One rule of a policy, as [`Policy::rules`] lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RuleInfo<'a> {
    /// The rule's name, as decisions name it.
    pub name: &'a str,
    /// The description written after the name, if any.
    pub description: Option<&'a str>,
    /// The `when` guard in canonical form, if the rule has one.
    pub when: Option<String>,
    /// The `unless` guard in canonical form, if the rule has one.
    pub unless: Option<String>,
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
    /// Several files have errors: a policy and the bases it extends, or the files of a
    /// [`crate::PolicySet`]. One entry per file, each with its own source.
    #[error("{}", join_lines(.0))]
    Files(Vec<Diagnostics>),
}

impl LoadError {
    /// The diagnostics, one entry per file that has any (none for an I/O error).
    pub fn diagnostics(&self) -> Vec<&Diagnostics> {
        match self {
            LoadError::Io { .. } => Vec::new(),
            LoadError::Invalid(d) => vec![d],
            LoadError::Files(all) => all.iter().collect(),
        }
    }

    /// One file's diagnostics as [`LoadError::Invalid`], several as [`LoadError::Files`].
    pub(crate) fn from_files(mut files: Vec<Diagnostics>) -> LoadError {
        if files.len() == 1
            && let Some(one) = files.pop()
        {
            return LoadError::Invalid(one);
        }
        LoadError::Files(files)
    }
}

fn join_lines(all: &[Diagnostics]) -> String {
    all.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl Policy {
    /// The compiled plan, for the crate's unit tests.
    #[cfg(test)]
    pub(crate) fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Parses and checks a policy; the errors (and warnings) come back as [`Diagnostics`].
    ///
    /// A policy that `extends` another needs a place to find it: use
    /// [`Policy::from_file`] or [`Policy::from_source_with`]; here it is an error.
    pub fn parse(source: &str) -> Result<Policy, Diagnostics> {
        Policy::parse_named("<policy>", source)
    }

    /// Like [`Policy::parse`], reporting positions under `name` (usually the file path).
    pub fn parse_named(name: &str, source: &str) -> Result<Policy, Diagnostics> {
        let file = Arc::new(SourceFile {
            name: name.to_owned(),
            text: source.to_owned(),
        });
        Policy::load_shared(file.clone(), &SourceLoader::none()).map_err(|mut all| {
            // Without a resolver there is one file only.
            all.pop()
                .unwrap_or_else(|| Diagnostics::new(file, Vec::new()))
        })
    }

    /// Parses and checks a policy whose `extends` are loaded through `resolver` (a host's
    /// own store of policies, see [`Resolver`]); `name` identifies this source to the
    /// resolver and in diagnostics. Problems come back per file, root first.
    pub fn from_source_with(
        name: &str,
        source: &str,
        resolver: &dyn Resolver,
    ) -> Result<Policy, LoadError> {
        let file = Arc::new(SourceFile {
            name: name.to_owned(),
            text: source.to_owned(),
        });
        Policy::load_shared(file, &SourceLoader::with(resolver)).map_err(LoadError::from_files)
    }

    /// Reads, parses and checks a policy file; an `extends "PATH"` is read relative to the
    /// file that names it.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Policy, LoadError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Policy::from_source_with(&FileResolver::name_of(path), &text, &FileResolver)
    }

    /// Resolves, checks and compiles; the problems per file when there are errors.
    /// `loader` may serve many policies: each base is parsed once for all of them.
    pub(crate) fn load_shared(
        root: Arc<SourceFile>,
        loader: &SourceLoader<'_>,
    ) -> Result<Policy, Vec<Diagnostics>> {
        let resolved = loader.resolve(root.clone());
        if !resolved.syntax.is_empty() {
            return Err(resolved.syntax);
        }
        let chain = resolved.chain;
        let mut diagnostics = resolved.diagnostics;
        let Some(ast) = resolved.ast else {
            return Err(chain.split(diagnostics));
        };
        diagnostics.extend(crate::check::check_written(&ast, &chain.merged_text()));
        if diagnostics
            .iter()
            .any(|d| d.severity() == crate::Severity::Error)
        {
            return Err(chain.split(diagnostics));
        }
        let plan = Plan::new(&ast).map_err(|errors| chain.split(errors))?;
        let mut warnings = Diagnostics::new(root.clone(), Vec::new());
        let mut base_warnings = Vec::new();
        for file in chain.split(diagnostics) {
            if Arc::ptr_eq(file.source_arc(), &root) {
                warnings = file;
            } else {
                base_warnings.push(file);
            }
        }
        Ok(Policy {
            ast,
            plan,
            warnings,
            base_warnings,
            source: root,
        })
    }

    /// The policy's name.
    pub fn name(&self) -> &str {
        &self.ast.name.value
    }

    /// The policy's `version`, if it declares one.
    pub fn version(&self) -> Option<&str> {
        self.plan.version()
    }

    /// The syntax tree (an internal type: shown only with the `internals` feature).
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn ast(&self) -> &PolicyFile {
        &self.ast
    }

    /// The syntax tree, for the crate's own consumers (`report`, `handbook`).
    #[cfg(not(feature = "internals"))]
    pub(crate) fn ast(&self) -> &PolicyFile {
        &self.ast
    }

    /// Every rule, `first of` blocks included, in source order: its name, its description
    /// and its guard as canonical text. What a host shows beside a decision's rule names.
    ///
    /// ```
    /// # use service_policy::Policy;
    /// let policy = Policy::parse(r#"policy "Demo" {
    ///   record { priority: text }
    ///   rule urgent "Urgent tickets go fast" { when priority == "urgent" then tag "fast" }
    ///   rule greet { then tag "hello" }
    /// }"#).unwrap();
    /// let rules: Vec<_> = policy.rules().collect();
    /// assert_eq!(rules[0].name, "urgent");
    /// assert_eq!(rules[0].description, Some("Urgent tickets go fast"));
    /// assert_eq!(rules[0].when.as_deref(), Some(r#"priority == "urgent""#));
    /// assert_eq!(rules[1].when, None);
    /// ```
    pub fn rules(&self) -> impl Iterator<Item = RuleInfo<'_>> {
        self.ast.items.iter().flat_map(|item| {
            let rules: &[crate::ast::RuleDef] = match item {
                crate::ast::Item::Rule(rule) => std::slice::from_ref(rule),
                crate::ast::Item::FirstOf(block) => &block.rules,
                _ => &[],
            };
            rules.iter().map(|rule| RuleInfo {
                name: rule.name.name.as_str(),
                description: rule.description.as_ref().map(|d| d.value.as_str()),
                when: rule.when().map(crate::fmt::format_expr),
                unless: rule.unless().map(crate::fmt::format_expr),
            })
        })
    }

    /// The warnings the checker found in this policy's own file (the policy has no
    /// errors).
    pub fn warnings(&self) -> &Diagnostics {
        &self.warnings
    }

    /// The name of every rule, `first of` blocks included, in source order: the rows of a
    /// per-rule view of decisions (a compliance summary, a column of statuses).
    ///
    /// ```
    /// # use service_policy::Policy;
    /// let policy = Policy::parse(r#"policy "Demo" {
    ///   rule greet { then tag "hello" }
    ///   first of {
    ///     rule urgent { when priority == "high" then tag "fast" }
    ///     rule normal { then tag "slow" }
    ///   }
    /// }"#).unwrap();
    /// assert_eq!(policy.rule_names().collect::<Vec<_>>(), ["greet", "urgent", "normal"]);
    /// ```
    pub fn rule_names(&self) -> impl Iterator<Item = &str> {
        self.ast.items.iter().flat_map(|item| {
            let rules: &[crate::ast::RuleDef] = match item {
                crate::ast::Item::Rule(rule) => std::slice::from_ref(rule),
                crate::ast::Item::FirstOf(block) => &block.rules,
                _ => &[],
            };
            rules.iter().map(|rule| rule.name.name.as_str())
        })
    }

    /// The warnings in the files of the bases it extends, one entry per file.
    pub fn base_warnings(&self) -> &[Diagnostics] {
        &self.base_warnings
    }

    /// The `effective` date: in force from the start of that day in the policy's time
    /// zone (SPEC §16). `None`: in force since always.
    pub fn effective(&self) -> Option<jiff::civil::Date> {
        self.ast.items.iter().find_map(|item| match item {
            crate::ast::Item::Effective(d) => Some(d.date),
            _ => None,
        })
    }

    /// The instant the policy comes into force, if it has an `effective` date.
    pub fn effective_from(&self) -> Option<jiff::Timestamp> {
        self.plan.effective_from()
    }

    /// Whether the policy has a policy-level `when` (a policy without one is the default
    /// of its set).
    pub fn has_when(&self) -> bool {
        self.plan.has_when()
    }

    /// Whether the policy-level `when` holds for `record` (true without one); a missing
    /// field or an error makes it not hold.
    pub fn applies_to(&self, record: &serde_json::Value, now: jiff::Timestamp) -> bool {
        crate::eval::applies(&self.plan, record, now)
    }

    /// The name of the source the policy was loaded from (its path, for a file).
    pub fn source_name(&self) -> &str {
        &self.source.name
    }

    /// The source it was loaded from; spans of the policy's syntax from this file point into
    /// it (items merged from a base lie past its end).
    pub fn source_file(&self) -> Arc<SourceFile> {
        self.source.clone()
    }

    /// Evaluates one record at `options.now`.
    pub fn evaluate(&self, record: &serde_json::Value, options: &EvalOptions) -> Decision {
        crate::eval::evaluate(&self.plan, record, options)
    }

    /// Evaluates one record into a reusable buffer: the same decision as
    /// [`Policy::evaluate`], borrowed from the policy and the buffer, so that a host that
    /// keeps one [`Evaluation`] per thread allocates nothing per record once the buffer has
    /// grown (see [`Evaluation`] for an example).
    pub fn evaluate_into<'e>(
        &'e self,
        record: &serde_json::Value,
        options: &EvalOptions,
        buffer: &'e mut Evaluation,
    ) -> DecisionRef<'e> {
        crate::eval::evaluate_into(&self.plan, record, options, buffer)
    }

    /// Evaluates one record given as JSON text (a line of JSON lines) straight from its
    /// bytes: only the fields the policy's compiled guards read are scanned, and no JSON
    /// value is built. Gives the decision and the value of the top-level field `echo`
    /// (JSON `null` when absent; `batch` echoes the record's id).
    ///
    /// `None` when the record must be read in full: the text is not a JSON object that
    /// [`read_json_record`](crate::read_json_record) accepts, or holds something the
    /// scanner leaves to it (escaped keys, floats where integers are compared, missing
    /// fields, …), or a rule needs more than its compiled guard. The caller then reads the
    /// record and calls [`Policy::evaluate_into`], which gives the same decision; so does
    /// this method whenever it answers.
    ///
    /// ```
    /// # use service_policy::{Evaluation, EvalOptions, Policy};
    /// let policy = Policy::parse(r#"policy "P" {
    ///   record { priority: "low" | "urgent" }
    ///   rule urgent { when priority == "urgent" then escalate to "supervisor" }
    /// }"#)?;
    /// let options = EvalOptions::at("2026-03-02T10:00:00Z".parse()?);
    /// let mut buffer = Evaluation::new();
    /// let line = r#"{"id": 7, "priority": "urgent"}"#;
    /// let (decision, id) = policy
    ///     .evaluate_json_line(line, Some("id"), &options, &mut buffer)
    ///     .expect("read straight from the line");
    /// assert_eq!(decision.fired().collect::<Vec<_>>(), ["urgent"]);
    /// assert_eq!(id, 7);
    /// // Not an object: left to the full reader.
    /// assert!(policy.evaluate_json_line("[1]", None, &options, &mut buffer).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate_json_line<'e>(
        &'e self,
        text: &str,
        echo: Option<&str>,
        options: &EvalOptions,
        buffer: &'e mut Evaluation,
    ) -> Option<(DecisionRef<'e>, serde_json::Value)> {
        crate::eval::evaluate_line(&self.plan, text, echo, options, buffer)
    }

    /// Evaluates one record with the reference interpreter, which walks the syntax tree
    /// directly (no compiled plan, no rule index). It gives the same decision as
    /// [`Policy::evaluate`], only slower; tests compare the two.
    #[cfg(any(test, feature = "internals"))]
    #[doc(hidden)]
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
            // A file on its own: an `extends` cannot be followed here, and `override` or
            // `remove` without a base change nothing.
            let (ast, mut diagnostics) = crate::resolve::alone(ast);
            if let Some(ast) = &ast {
                diagnostics.extend(crate::check::check_written(ast, source));
            }
            (ast, diagnostics)
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

impl Plan {
    /// Builds the plan of a policy that passed the checker, with the evaluator folding its
    /// constants; anything that cannot be compiled is returned as diagnostics. It lives
    /// here, above both stages, so that `compile` and `eval` depend only on `plan`.
    pub fn new(policy: &PolicyFile) -> Result<Plan, Vec<Diagnostic>> {
        crate::compile::compile(policy, &crate::eval::Kernel)
    }
}
