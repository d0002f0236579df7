//! Sentences from Project Fluent message files, one per language, embedded at build time.
//!
//! A message is formatted with its arguments, each of which is inline text (names stay
//! code, values stay bold) or a number (for plural forms). Inline arguments pass through
//! Fluent as private-use markers and are put back afterwards, so translators can move
//! them anywhere in a sentence. A message a language lacks falls back to English and is
//! remembered, so the caller can say which ones did.

use std::cell::RefCell;
use std::collections::BTreeSet;

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};

use super::Language;
use super::document::{Inline, Piece};

/// The message file of a language, as shipped.
pub(crate) fn source(language: Language) -> &'static str {
    match language {
        Language::En => include_str!("../../locales/en/handbook.ftl"),
        Language::Hi => include_str!("../../locales/hi/handbook.ftl"),
        Language::Bn => include_str!("../../locales/bn/handbook.ftl"),
        Language::Ta => include_str!("../../locales/ta/handbook.ftl"),
        Language::Tl => include_str!("../../locales/tl/handbook.ftl"),
    }
}

/// An argument of a message.
pub(crate) enum Arg {
    /// Inline text, placed as it is.
    Inline(Inline),
    /// A whole number, which also selects plural forms.
    Count(i64),
}

impl From<Inline> for Arg {
    fn from(inline: Inline) -> Arg {
        Arg::Inline(inline)
    }
}

const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// The messages of one language with English behind them.
pub(crate) struct Messages {
    language: FluentBundle<FluentResource>,
    english: FluentBundle<FluentResource>,
    fallbacks: RefCell<BTreeSet<String>>,
}

fn bundle(language: Language) -> FluentBundle<FluentResource> {
    let id: unic_langid::LanguageIdentifier = language.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new(vec![id]);
    // Isolation marks would end up inside Markdown and HTML; names are already marked up.
    bundle.set_use_isolating(false);
    // A file with a syntax error still yields the messages that parsed; a test keeps every
    // shipped file clean.
    let resource = FluentResource::try_new(source(language).to_owned()).unwrap_or_else(|(r, _)| r);
    let _ = bundle.add_resource(resource);
    bundle
}

/// The message ids (with `.attribute` names) that a message file defines.
pub(crate) fn ids(text: &str) -> BTreeSet<String> {
    let resource = FluentResource::try_new(text.to_owned()).unwrap_or_else(|(r, _)| r);
    let mut ids = BTreeSet::new();
    for entry in resource.entries() {
        if let fluent_syntax::ast::Entry::Message(message) = entry
            && message.value.is_some()
        {
            ids.insert(message.id.name.to_owned());
        }
    }
    ids
}

impl Messages {
    pub(crate) fn new(language: Language) -> Messages {
        Messages {
            language: bundle(language),
            english: bundle(Language::En),
            fallbacks: RefCell::new(BTreeSet::new()),
        }
    }

    /// The ids that fell back to English so far.
    pub(crate) fn fallbacks(&self) -> Vec<String> {
        self.fallbacks.borrow().iter().cloned().collect()
    }

    /// Formats message `id` with `args`. An id missing in English too prints as itself,
    /// which the tests rule out for every id the handbook uses.
    pub(crate) fn get(&self, id: &str, args: Vec<(&str, Arg)>) -> Inline {
        let (bundle, pattern) = match self.language.get_message(id).and_then(|m| m.value()) {
            Some(pattern) => (&self.language, pattern),
            None => {
                self.fallbacks.borrow_mut().insert(id.to_owned());
                match self.english.get_message(id).and_then(|m| m.value()) {
                    Some(pattern) => (&self.english, pattern),
                    None => return Inline::text(id),
                }
            }
        };
        let mut fluent_args = FluentArgs::new();
        let mut inlines = Vec::new();
        for (name, arg) in args {
            match arg {
                Arg::Inline(inline) => {
                    let marker = format!("{OPEN}{}{CLOSE}", inlines.len());
                    inlines.push(inline);
                    fluent_args.set(name, FluentValue::from(marker));
                }
                Arg::Count(n) => fluent_args.set(name, FluentValue::from(n)),
            }
        }
        let mut errors = Vec::new();
        let formatted = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        splice(&formatted, &inlines)
    }

    /// A message without arguments.
    pub(crate) fn plain(&self, id: &str) -> Inline {
        self.get(id, Vec::new())
    }
}

/// Puts the inline arguments back where their markers landed.
fn splice(formatted: &str, inlines: &[Inline]) -> Inline {
    let mut out = Inline::default();
    let mut rest = formatted;
    while let Some(open) = rest.find(OPEN) {
        let (before, after) = rest.split_at(open);
        out.push_text(before);
        let after = after.get(OPEN.len_utf8()..).unwrap_or_default();
        let Some(close) = after.find(CLOSE) else {
            rest = after;
            continue;
        };
        let index: Option<usize> = after.get(..close).and_then(|n| n.parse().ok());
        if let Some(inline) = index.and_then(|i| inlines.get(i)) {
            out.push(inline.clone());
        }
        rest = after.get(close + CLOSE.len_utf8()..).unwrap_or_default();
    }
    out.push_text(rest);
    out.0
        .retain(|p| !matches!(p, Piece::Text(t) if t.is_empty()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_file_parses_cleanly() {
        for language in Language::ALL {
            let result = FluentResource::try_new(source(language).to_owned());
            assert!(result.is_ok(), "{} has syntax errors", language.code());
        }
    }

    #[test]
    fn arguments_keep_their_markup_wherever_the_translation_puts_them() {
        let messages = Messages::new(Language::En);
        let line = messages.get(
            "action-escalate",
            vec![("to", Arg::Inline(Inline::strong("प्रबंधक")))],
        );
        assert!(line.0.contains(&Piece::Strong("प्रबंधक".to_owned())));
        assert!(messages.fallbacks().is_empty());
    }

    #[test]
    fn plural_forms_follow_the_number() {
        let messages = Messages::new(Language::En);
        let one = messages.get("duration-hours", vec![("n", Arg::Count(1))]);
        let two = messages.get("duration-hours", vec![("n", Arg::Count(2))]);
        assert_eq!(one, Inline::text("1 hour"));
        assert_eq!(two, Inline::text("2 hours"));
    }

    #[test]
    fn an_unknown_id_falls_back_and_is_remembered() {
        let messages = Messages::new(Language::Ta);
        let _ = messages.plain("no-such-message");
        assert_eq!(messages.fallbacks(), ["no-such-message"]);
    }
}
