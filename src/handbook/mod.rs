//! The policy as a staff handbook (SPEC §20): every rule in plain sentences, tables as
//! tables, calendars as weekly hours, in Markdown or a self-contained HTML page.
//!
//! Strategy: walk the syntax tree once and build a small document of inline text, each
//! sentence formatted from a Project Fluent message of the chosen language (English
//! behind it), then print the document in the chosen format. Nothing is paraphrased by
//! hand from the source text: the words come from the structure, so the handbook and the
//! enforced rules cannot disagree. Names keep the policy's own spelling and script.
//!
//! ```
//! use service_policy::Policy;
//! use service_policy::handbook::{self, Format, Language};
//!
//! let policy = Policy::parse(r#"policy "Help desk" {
//!   rule first_reply "Answer every ticket within an hour" {
//!     expect first_reply_at within 1h of opened_at
//!     on breach: escalate to "supervisor"
//!   }
//! }"#)?;
//! let book = handbook::render(&policy, Language::En, Format::Markdown);
//! assert!(book.text.contains("## Answer every ticket within an hour"));
//! assert!(book.text.contains("escalate to **supervisor**"));
//! assert!(book.fallbacks.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod build;
mod document;
mod messages;

use crate::Policy;

/// A language the handbook is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    /// English (complete: every other language falls back to it).
    En,
    /// Hindi.
    Hi,
    /// Bengali.
    Bn,
    /// Tamil.
    Ta,
    /// Tagalog.
    Tl,
}

impl Language {
    /// Every language shipped, English first.
    pub const ALL: [Language; 5] = [
        Language::En,
        Language::Hi,
        Language::Bn,
        Language::Ta,
        Language::Tl,
    ];

    /// The language code (`"en"`, `"hi"`, `"bn"`, `"ta"`, `"tl"`).
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Hi => "hi",
            Language::Bn => "bn",
            Language::Ta => "ta",
            Language::Tl => "tl",
        }
    }

    /// The language with this code, if shipped.
    pub fn from_code(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.code() == code)
    }
}

/// The printed form of a handbook.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Format {
    /// Markdown with tables, for a wiki or a repository.
    #[default]
    Markdown,
    /// One HTML page with its style inside; it loads nothing from elsewhere.
    Html,
}

/// A written handbook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Handbook {
    /// The document.
    pub text: String,
    /// Ids of the messages the language lacks that were written in English instead.
    pub fallbacks: Vec<String>,
}

/// Writes `policy` as a staff handbook in `language` and `format`.
pub fn render(policy: &Policy, language: Language, format: Format) -> Handbook {
    let messages = messages::Messages::new(language);
    let blocks = build::handbook(policy.ast(), &messages);
    let text = match format {
        Format::Markdown => document::markdown(&blocks),
        Format::Html => document::html(&blocks, policy.name(), language.code()),
    };
    Handbook {
        text,
        fallbacks: messages.fallbacks(),
    }
}

/// The ids of messages that English has and `language` lacks (empty for English): what a
/// translator still has to write.
pub fn missing_messages(language: Language) -> Vec<String> {
    missing_between(messages::source(Language::En), messages::source(language))
}

/// The ids defined in the `english` message file and not in `translated`.
fn missing_between(english: &str, translated: &str) -> Vec<String> {
    let english = messages::ids(english);
    let translated = messages::ids(translated);
    english.difference(&translated).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_round_trip() {
        for language in Language::ALL {
            assert_eq!(Language::from_code(language.code()), Some(language));
        }
        assert_eq!(Language::from_code("fr"), None);
    }

    #[test]
    fn a_translation_lacking_messages_lists_them_in_order() {
        let english = "b = B\na = A { $x }\n-term = T\nc = C\n";
        let partial = "c = Ç\n";
        assert_eq!(missing_between(english, partial), ["a", "b"]);
        assert!(missing_between(english, english).is_empty());
    }

    #[test]
    fn english_lacks_nothing_and_no_translation_has_ids_english_lacks() {
        assert!(missing_messages(Language::En).is_empty());
        let english = messages::ids(messages::source(Language::En));
        for language in Language::ALL {
            let extra: Vec<_> = messages::ids(messages::source(language))
                .difference(&english)
                .cloned()
                .collect();
            assert!(extra.is_empty(), "{}: {extra:?}", language.code());
        }
    }
}
