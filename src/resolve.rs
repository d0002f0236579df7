//! Resolve: a policy that `extends` a base → one ordinary policy tree (SPEC §16).
//!
//! Takes the parsed child, loads its base through a [`Resolver`] (files relative to the
//! including file by default), resolves the base's own base first (chains up to
//! [`MAX_EXTENDS_DEPTH`]), then lays the child over it: `override` replaces the base's item
//! in its position (inside a `first of` too), `remove rule` drops one, `timezone`,
//! `ladder`, `version` and the policy-level `when` replace the base's, `record` adds
//! fields, and every other item follows the base's. Nothing after this stage knows a
//! family existed: a merged policy is just a policy.
//!
//! Strategy for diagnostics: each file of a chain is parsed into its own range of
//! positions (the root at 0, each base after the previous file's end), so a span of the
//! merged tree says which file it points into; `Chain::split` turns diagnostics on the
//! merged tree back into one [`Diagnostics`] per file. A problem between a child and its
//! base stands in the file that holds it and names the other file in its help.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ast::{Item, PolicyFile, Span};
use crate::diagnostic::{Code, Diagnostic, Diagnostics, SourceFile};

/// The longest chain of `extends`: a policy, its base, the base's base, … (eight files).
pub const MAX_EXTENDS_DEPTH: usize = 8;

/// Where the bases named by `extends "…"` come from.
///
/// The default, [`FileResolver`], reads files relative to the including file. A host that
/// keeps its policies elsewhere (a database, a configuration service, memory) implements
/// this trait and passes it to [`crate::Policy::from_source_with`] or
/// [`crate::PolicySet::from_sources`].
///
/// ```
/// use service_policy::{Policy, Resolver, SourceFile};
///
/// struct Memory;
/// impl Resolver for Memory {
///     fn load(&self, _from: &str, target: &str) -> Result<SourceFile, String> {
///         match target {
///             "base" => Ok(SourceFile {
///                 name: "base".to_owned(),
///                 text: r#"policy "Base" { rule hello { then tag "hi" } }"#.to_owned(),
///             }),
///             other => Err(format!("no policy named `{other}` in the store")),
///         }
///     }
/// }
///
/// let child = r#"policy "Child" extends "base" { rule bye { then tag "bye" } }"#;
/// let policy = Policy::from_source_with("child", child, &Memory).unwrap();
/// let now = "2026-03-02T10:00:00Z".parse().unwrap();
/// let decision = policy.evaluate(&serde_json::json!({}), &service_policy::EvalOptions::at(now));
/// assert_eq!(decision.fired, ["hello", "bye"]);
/// ```
pub trait Resolver: Send + Sync {
    /// The source named `target` (the text of `extends "…"`) as seen from the source
    /// named `from`. The returned name identifies the source: two `extends` that reach
    /// the same name reach the same policy (a cycle is found by name).
    fn load(&self, from: &str, target: &str) -> Result<SourceFile, String>;
}

/// Reads bases from files, each path relative to the directory of the including file.
#[derive(Clone, Copy, Debug, Default)]
pub struct FileResolver;

impl FileResolver {
    /// The name this resolver gives the file at `path` (`./a/../b.policy` is
    /// `b.policy`): name a root file so, and a base reached from another file is known
    /// as the same source.
    pub fn name_of(path: &Path) -> String {
        normalise(path)
    }
}

impl Resolver for FileResolver {
    fn load(&self, from: &str, target: &str) -> Result<SourceFile, String> {
        let dir = Path::new(from).parent().unwrap_or(Path::new(""));
        let path: PathBuf = dir.join(target);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        Ok(SourceFile {
            name: normalise(&path),
            text,
        })
    }
}

/// `a/./b/../c.policy` → `a/c.policy`, so one file reached two ways has one name.
fn normalise(path: &Path) -> String {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                let popped = matches!(
                    out.components().next_back(),
                    Some(std::path::Component::Normal(_))
                ) && out.pop();
                if !popped {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out.display().to_string()
}

/// The files of one family chain, each with the first position of its range.
#[derive(Debug, Clone)]
pub(crate) struct Chain {
    /// Root first, then its base, the base's base, …
    pub(crate) files: Vec<(usize, Arc<SourceFile>)>,
}

impl Chain {
    /// One text in which every file of the chain stands at its own offset, so that a span of
    /// the merged tree reads what its author wrote (gaps between files are spaces).
    pub(crate) fn merged_text(&self) -> String {
        let mut files: Vec<&(usize, Arc<SourceFile>)> = self.files.iter().collect();
        files.sort_by_key(|(base, _)| *base);
        let mut text = String::new();
        for (base, file) in files {
            while text.len() < *base {
                text.push(' ');
            }
            if text.len() == *base {
                text.push_str(&file.text);
            }
        }
        text
    }

    /// The file a position belongs to, and the position within it.
    fn locate(&self, offset: usize) -> (usize, usize) {
        self.files
            .iter()
            .enumerate()
            .find(|(_, (base, file))| *base <= offset && offset <= base + file.text.len())
            .map_or((0, offset), |(i, (base, _))| (i, offset - base))
    }

    /// Diagnostics on the merged tree, back in the files they point into: one
    /// [`Diagnostics`] per file that has any, root first. A label in another file than its
    /// diagnostic's is dropped and its place named in the help instead.
    pub(crate) fn split(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostics> {
        let mut per_file: Vec<Vec<Diagnostic>> = vec![Vec::new(); self.files.len()];
        for mut d in diagnostics {
            let (file, start) = self.locate(d.span.start);
            let shift = d.span.start - start;
            d.span = Span::new(start, d.span.end.saturating_sub(shift).max(start));
            let mut elsewhere = Vec::new();
            d.labels.retain_mut(|label| {
                let (lfile, lstart) = self.locate(label.span.start);
                if lfile == file {
                    let lshift = label.span.start - lstart;
                    label.span = Span::new(lstart, label.span.end.saturating_sub(lshift));
                    true
                } else {
                    elsewhere.push((lfile, lstart, std::mem::take(&mut label.message)));
                    false
                }
            });
            for (lfile, lstart, message) in elsewhere {
                if let Some((_, source)) = self.files.get(lfile) {
                    let (line, column) = crate::ast::span_line_col(&source.text, lstart);
                    let place = format!("{message}: `{}` {line}:{column}", source.name);
                    d.help = Some(match d.help.take() {
                        Some(help) => format!("{help}; {place}"),
                        None => place,
                    });
                }
            }
            if let Some(bucket) = per_file.get_mut(file) {
                bucket.push(d);
            }
        }
        self.files
            .iter()
            .zip(per_file)
            .filter(|(_, items)| !items.is_empty())
            .map(|((_, source), items)| Diagnostics::new(source.clone(), items))
            .collect()
    }
}

/// A family resolved into one tree, with the files it came from.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// The merged tree (no `extends`, `override` or `remove` left), or `None` when a file
    /// did not parse or a base could not be loaded.
    pub(crate) ast: Option<PolicyFile>,
    /// The files of the chain.
    pub(crate) chain: Chain,
    /// Every problem found while merging, on the merged positions.
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Syntax errors in files of the chain (each on its own positions), which stop the
    /// merge.
    pub(crate) syntax: Vec<Diagnostics>,
}

/// What a resolver gave for one `(from, target)`.
type Loaded = Result<Arc<SourceFile>, String>;

/// Loads and resolves bases for one or many policies, each base read, parsed and merged
/// once however many policies extend it (a set of fifty branches over one base parses the
/// base once).
///
/// INVARIANT: a root is parsed at position 0, so its spans are its own; each base gets
/// its own range after [`crate::syntax::MAX_SOURCE_BYTES`], fixed once, so a base's
/// merged tree can be shared by every child.
pub(crate) struct SourceLoader<'r> {
    resolver: Option<&'r dyn Resolver>,
    next_offset: Cell<usize>,
    sources: RefCell<HashMap<(String, String), Loaded>>,
    merged: RefCell<HashMap<String, Arc<Resolved>>>,
}

impl<'r> SourceLoader<'r> {
    /// Bases served by `resolver`.
    pub(crate) fn with(resolver: &'r dyn Resolver) -> SourceLoader<'r> {
        SourceLoader::new(Some(resolver))
    }

    /// No way to load a base: `extends` is an error.
    pub(crate) fn none() -> SourceLoader<'static> {
        SourceLoader::new(None)
    }

    fn new(resolver: Option<&'r dyn Resolver>) -> SourceLoader<'r> {
        SourceLoader {
            resolver,
            next_offset: Cell::new(crate::syntax::MAX_SOURCE_BYTES + 1),
            sources: RefCell::new(HashMap::new()),
            merged: RefCell::new(HashMap::new()),
        }
    }

    /// Parses `root` and every base it reaches, and merges them.
    pub(crate) fn resolve(&self, root: Arc<SourceFile>) -> Resolved {
        self.resolve_at(root, 0, &mut Vec::new())
    }

    fn load(&self, from: &str, target: &str) -> Result<Arc<SourceFile>, String> {
        let key = (from.to_owned(), target.to_owned());
        if let Some(found) = self.sources.borrow().get(&key) {
            return found.clone();
        }
        let loaded = match self.resolver {
            Some(resolver) => resolver.load(from, target).map(Arc::new),
            None => Err(String::new()),
        };
        self.sources.borrow_mut().insert(key, loaded.clone());
        loaded
    }

    /// A base, merged with its own bases, from the cache or resolved now.
    fn base(&self, source: Arc<SourceFile>, stack: &mut Vec<String>) -> Arc<Resolved> {
        if let Some(done) = self.merged.borrow().get(&source.name) {
            return done.clone();
        }
        let offset = self.next_offset.get();
        self.next_offset.set(offset + source.text.len() + 1);
        let name = source.name.clone();
        let resolved = Arc::new(self.resolve_at(source, offset, stack));
        self.merged.borrow_mut().insert(name, resolved.clone());
        resolved
    }

    fn resolve_at(
        &self,
        source: Arc<SourceFile>,
        offset: usize,
        stack: &mut Vec<String>,
    ) -> Resolved {
        let mut resolved = Resolved {
            ast: None,
            chain: Chain {
                files: vec![(offset, source.clone())],
            },
            diagnostics: Vec::new(),
            syntax: Vec::new(),
        };
        let mut ast = match crate::syntax::parse_at(&source.text, offset) {
            Ok(ast) => ast,
            Err(_) => {
                // Reported on the file's own positions, the items that parsed included.
                resolved
                    .syntax
                    .push(crate::policy::check_source(&source.name, &source.text));
                return resolved;
            }
        };
        let Some(target) = ast.extends.take() else {
            stray_overrides(&mut ast, &mut resolved.diagnostics);
            resolved.ast = Some(ast);
            return resolved;
        };
        if self.resolver.is_none() {
            resolved.diagnostics.push(no_resolver(&target));
            return resolved;
        }
        let next = match self.load(&source.name, &target.value) {
            Ok(next) => next,
            Err(message) => {
                resolved.diagnostics.push(
                    Diagnostic::new(
                        Code::E0102,
                        target.span,
                        format!("cannot load the base `{}`", target.value),
                    )
                    .with_primary_label("named here")
                    .with_help(message),
                );
                return resolved;
            }
        };
        if next.name == source.name || stack.contains(&next.name) {
            let mut cycle: Vec<String> = stack.iter().map(|n| format!("`{n}`")).collect();
            cycle.push(format!("`{}`", source.name));
            cycle.push(format!("`{}`", next.name));
            resolved.diagnostics.push(
                Diagnostic::new(
                    Code::E0309,
                    target.span,
                    format!("`extends` goes round in a cycle: {}", cycle.join(" → ")),
                )
                .with_primary_label("this base leads back here")
                .with_help("a base must not extend, directly or not, a policy built on it"),
            );
            return resolved;
        }
        stack.push(source.name.clone());
        let base = self.base(next.clone(), stack);
        stack.pop();
        resolved
            .chain
            .files
            .extend(base.chain.files.iter().cloned());
        resolved.syntax.extend(base.syntax.iter().cloned());
        resolved
            .diagnostics
            .extend(base.diagnostics.iter().cloned());
        if resolved.chain.files.len() > MAX_EXTENDS_DEPTH {
            resolved.diagnostics.push(
                Diagnostic::new(
                    Code::E0002,
                    target.span,
                    format!("a chain of `extends` longer than {MAX_EXTENDS_DEPTH} files"),
                )
                .with_primary_label("one base too many")
                .with_help("let the branches extend one common base directly"),
            );
            return resolved;
        }
        let Some(base_ast) = base.ast.clone() else {
            return resolved;
        };
        resolved.ast = Some(merge(base_ast, ast, &next.name, &mut resolved.diagnostics));
        resolved
    }
}

/// A file checked on its own, its bases unread: an `extends` is reported as needing a
/// resolver (`check` of files and folders follows them instead), stray `override`s and
/// `remove`s as `E0308`.
pub(crate) fn alone(mut ast: PolicyFile) -> (Option<PolicyFile>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    if let Some(target) = ast.extends.take() {
        // Without the base, every name it defines would read as unknown: say only this.
        diagnostics.push(no_resolver(&target));
        return (None, diagnostics);
    }
    stray_overrides(&mut ast, &mut diagnostics);
    (Some(ast), diagnostics)
}

fn no_resolver(target: &crate::ast::Text) -> Diagnostic {
    Diagnostic::new(
        Code::E0102,
        target.span,
        format!("cannot load the base `{}` without a resolver", target.value),
    )
    .with_primary_label("this policy extends another")
    .with_help("load it with `Policy::from_file`, `Policy::from_source_with` or `PolicySet`")
}

/// `override`/`remove` in a policy without a base: `E0308`, and the item dropped.
fn stray_overrides(ast: &mut PolicyFile, diagnostics: &mut Vec<Diagnostic>) {
    ast.extends = None;
    ast.items.retain(|item| {
        let (span, what) = match item {
            Item::Override(o) => (o.span, "override"),
            Item::Remove(r) => (r.span, "remove"),
            _ => return true,
        };
        diagnostics.push(
            Diagnostic::new(
                Code::E0308,
                span,
                format!("`{what}` in a policy that extends no base"),
            )
            .with_primary_label("there is nothing to change here")
            .with_help(format!(
                "add `extends \"base.policy\"` after the policy's name, or drop `{what}`"
            )),
        );
        false
    });
}

/// Where a named item stands in the merged list: a top-level item, or a rule of a
/// `first of`.
#[derive(Clone, Copy)]
enum Place {
    Top(usize),
    InFirstOf(usize, usize),
}

fn find(items: &[Item], kind: &str, name: &str) -> Option<Place> {
    for (i, item) in items.iter().enumerate() {
        if let Some((k, ident)) = item.defined_name()
            && k == kind
            && ident.name == name
        {
            return Some(Place::Top(i));
        }
        if kind == "rule"
            && let Item::FirstOf(block) = item
            && let Some(j) = block.rules.iter().position(|r| r.name.name == name)
        {
            return Some(Place::InFirstOf(i, j));
        }
    }
    None
}

fn name_span(items: &[Item], place: Place) -> Option<Span> {
    match place {
        Place::Top(i) => items
            .get(i)
            .and_then(Item::defined_name)
            .map(|(_, n)| n.span),
        Place::InFirstOf(i, j) => match items.get(i) {
            Some(Item::FirstOf(block)) => block.rules.get(j).map(|r| r.name.span),
            _ => None,
        },
    }
}

/// The child laid over its (already merged) base.
fn merge(
    base: PolicyFile,
    child: PolicyFile,
    base_name: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> PolicyFile {
    let mut items = base.items;
    // Each version states its own date: a base's `effective` is not the child's.
    items.retain(|b| !matches!(b, Item::Effective(_)));
    // INVARIANT: `items[..from_base]` are the base's items; `override`/`remove` look only
    // there, so a child never overrides what it added itself.
    let mut from_base = items.len();
    let mut removed_rules: Vec<String> = Vec::new();
    for item in child.items {
        match item {
            Item::Version(_) | Item::Timezone(_) | Item::Ladder(_) | Item::When(_) => {
                let same = items
                    .iter()
                    .take(from_base)
                    .position(|b| std::mem::discriminant(b) == std::mem::discriminant(&item));
                match same.and_then(|i| items.get_mut(i)) {
                    Some(slot) => *slot = item,
                    None => items.push(item),
                }
            }
            Item::Effective(_) => items.push(item),
            Item::Record(schema) => merge_record(&mut items, schema, base_name, diagnostics),
            Item::Const(_) | Item::Calendar(_) | Item::Table(_) | Item::Rule(_) => {
                if let Some((kind, ident)) = item.defined_name()
                    && let Some(place) =
                        find(items.get(..from_base).unwrap_or(&[]), kind, &ident.name)
                {
                    diagnostics.push(redefined(kind, ident, &items, place, base_name));
                    continue;
                }
                items.push(item);
            }
            Item::FirstOf(mut block) => {
                block.rules.retain(|rule| {
                    match find(
                        items.get(..from_base).unwrap_or(&[]),
                        "rule",
                        &rule.name.name,
                    ) {
                        Some(place) => {
                            diagnostics
                                .push(redefined("rule", &rule.name, &items, place, base_name));
                            false
                        }
                        None => true,
                    }
                });
                items.push(Item::FirstOf(block));
            }
            Item::Override(over) => {
                let replacement = *over.item;
                let Some((kind, ident)) = replacement.defined_name() else {
                    continue;
                };
                match find(items.get(..from_base).unwrap_or(&[]), kind, &ident.name) {
                    Some(Place::Top(i)) => {
                        if let Some(slot) = items.get_mut(i) {
                            *slot = replacement;
                        }
                    }
                    Some(Place::InFirstOf(i, j)) => {
                        if let (Some(Item::FirstOf(block)), Item::Rule(rule)) =
                            (items.get_mut(i), replacement)
                            && let Some(slot) = block.rules.get_mut(j)
                        {
                            *slot = rule;
                        }
                    }
                    None => {
                        let removed = kind == "rule" && removed_rules.contains(&ident.name);
                        diagnostics.push(missing(kind, ident, over.span, base_name, removed));
                    }
                }
            }
            Item::Remove(remove) => {
                match find(
                    items.get(..from_base).unwrap_or(&[]),
                    "rule",
                    &remove.name.name,
                ) {
                    Some(Place::Top(i)) => {
                        items.remove(i);
                        from_base = from_base.saturating_sub(1);
                    }
                    Some(Place::InFirstOf(i, j)) => {
                        if let Some(Item::FirstOf(block)) = items.get_mut(i) {
                            block.rules.remove(j);
                        }
                    }
                    None => {
                        let removed = removed_rules.contains(&remove.name.name);
                        diagnostics.push(missing(
                            "rule",
                            &remove.name,
                            remove.span,
                            base_name,
                            removed,
                        ));
                        continue;
                    }
                }
                removed_rules.push(remove.name.name.clone());
            }
        }
    }
    // A `first of` whose rules were all removed says nothing.
    items.retain(|item| !matches!(item, Item::FirstOf(block) if block.rules.is_empty()));
    PolicyFile {
        name: child.name,
        extends: None,
        items,
        comments: Vec::new(),
        span: child.span,
    }
}

/// `E0101`: the child defines a name its base has, without `override`.
fn redefined(
    kind: &str,
    ident: &crate::ast::Ident,
    items: &[Item],
    place: Place,
    base_name: &str,
) -> Diagnostic {
    let mut d = Diagnostic::new(
        Code::E0101,
        ident.span,
        format!(
            "the base `{base_name}` already has a {kind} `{}`",
            ident.name
        ),
    )
    .with_primary_label("defined again here without `override`")
    .with_help(format!(
        "write `override {kind} {} …` to replace the base's, or choose another name",
        ident.name
    ));
    if let Some(span) = name_span(items, place) {
        d = d.with_label(span, format!("the base's {kind} is here"));
    }
    d
}

/// `E0308`: `override`/`remove` of a name the base lacks.
fn missing(
    kind: &str,
    ident: &crate::ast::Ident,
    span: Span,
    base_name: &str,
    removed: bool,
) -> Diagnostic {
    let message = format!("the base `{base_name}` has no {kind} `{}`", ident.name);
    let d = Diagnostic::new(Code::E0308, span, message).with_primary_label("nothing to change");
    if removed {
        d.with_help(format!("`{}` was removed above", ident.name))
    } else {
        d.with_help(format!(
            "drop `override` to add a new {kind}, or check the name against `{base_name}`"
        ))
    }
}

/// A child's `record { … }` adds fields to the base's; one field with two types is `E0201`.
fn merge_record(
    items: &mut Vec<Item>,
    schema: crate::ast::Schema,
    base_name: &str,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(Item::Record(base)) = items.iter_mut().find(|i| matches!(i, Item::Record(_))) else {
        items.push(Item::Record(schema));
        return;
    };
    for field in schema.fields {
        let dotted = field.path.dotted();
        match base.fields.iter().find(|f| f.path.dotted() == dotted) {
            Some(existing) if existing.ty == field.ty => {}
            Some(existing) => diagnostics.push(
                Diagnostic::new(
                    Code::E0201,
                    field.ty.span,
                    format!("the field `{dotted}` has another type in the base `{base_name}`"),
                )
                .with_primary_label("declared here with this type")
                .with_label(existing.ty.span, "the base declares it with this type")
                .with_help("a child adds fields to its base's record; it cannot change one"),
            ),
            None => base.fields.push(field),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Memory(Vec<(&'static str, &'static str)>);

    impl Resolver for Memory {
        fn load(&self, _from: &str, target: &str) -> Result<SourceFile, String> {
            self.0
                .iter()
                .find(|(name, _)| *name == target)
                .map(|(name, text)| SourceFile {
                    name: (*name).to_owned(),
                    text: (*text).to_owned(),
                })
                .ok_or_else(|| format!("no `{target}`"))
        }
    }

    fn run(child: &str, store: Vec<(&'static str, &'static str)>) -> Resolved {
        let root = Arc::new(SourceFile {
            name: "child".to_owned(),
            text: child.to_owned(),
        });
        SourceLoader::with(&Memory(store)).resolve(root)
    }

    fn rule_names(file: &PolicyFile) -> Vec<String> {
        let mut names = Vec::new();
        for item in &file.items {
            match item {
                Item::Rule(r) => names.push(r.name.name.clone()),
                Item::FirstOf(b) => {
                    names.extend(b.rules.iter().map(|r| format!("first:{}", r.name.name)));
                }
                _ => {}
            }
        }
        names
    }

    const BASE: &str = r#"policy "Base" {
  const cap = 100 USD
  rule a { then tag "a" }
  first of { rule b { then tag "b" } rule c { then tag "c" } }
  rule d { then tag "d" }
}"#;

    #[test]
    fn overrides_keep_the_base_position_and_additions_follow() {
        let r = run(
            r#"policy "Child" extends "base" {
  override rule b { then tag "b2" }
  remove rule a
  rule e { then tag "e" }
}"#,
            vec![("base", BASE)],
        );
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
        let ast = r.ast.unwrap();
        assert_eq!(ast.name.value, "Child");
        assert_eq!(rule_names(&ast), ["first:b", "first:c", "d", "e"]);
    }

    #[test]
    fn positions_of_each_file_map_back_to_that_file() {
        let r = run(
            r#"policy "Child" extends "base" { override const nope = 1 }"#,
            vec![("base", BASE)],
        );
        let split = r.chain.split(r.diagnostics);
        assert_eq!(split.len(), 1);
        assert_eq!(split[0].source().name, "child");
        let d = &split[0].items()[0];
        assert_eq!(d.code, Code::E0308);
        assert_eq!(
            &split[0].source().text[d.span.range()],
            "override const nope = 1"
        );
    }

    #[test]
    fn a_cycle_is_e0309_and_a_long_chain_e0002() {
        let r = run(
            r#"policy "A" extends "b" {}"#,
            vec![
                ("b", r#"policy "B" extends "child" {}"#),
                ("child", r#"policy "A" extends "b" {}"#),
            ],
        );
        assert_eq!(r.diagnostics[0].code, Code::E0309);
        let chain: Vec<(&'static str, &'static str)> = vec![
            ("1", r#"policy "x" extends "2" {}"#),
            ("2", r#"policy "x" extends "3" {}"#),
            ("3", r#"policy "x" extends "4" {}"#),
            ("4", r#"policy "x" extends "5" {}"#),
            ("5", r#"policy "x" extends "6" {}"#),
            ("6", r#"policy "x" extends "7" {}"#),
            ("7", r#"policy "x" extends "8" {}"#),
            ("8", r#"policy "x" {}"#),
        ];
        let ok = run(r#"policy "x" extends "2" {}"#, chain.clone());
        assert!(ok.diagnostics.is_empty(), "eight files are allowed");
        let too_long = run(r#"policy "x" extends "1" {}"#, chain);
        assert_eq!(too_long.diagnostics[0].code, Code::E0002);
    }

    #[test]
    fn file_names_are_normalised() {
        assert_eq!(normalise(Path::new("a/./b/../c.policy")), "a/c.policy");
        assert_eq!(normalise(Path::new("../x.policy")), "../x.policy");
    }
}
