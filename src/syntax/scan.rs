//! A cheap lexical pre-scan that runs before pest.
//!
//! It skips texts, backticked names and comments the way the grammar does, and so can
//! (1) collect the comments for the formatter, (2) refuse sources that are too large or
//! nest too deeply *before* the recursive-descent parser could exhaust the stack, and
//! (3) after a failed parse, find where each top-level item starts so every item can be
//! parsed on its own and report its own error.

use crate::ast::{Comment, Span};
use crate::diagnostic::{Code, Diagnostic};

/// The largest source accepted, in bytes (1 MiB): far above any real policy, small
/// enough that parsing stays well under a second.
pub const MAX_SOURCE_BYTES: usize = 1 << 20;

/// The deepest nesting of `(`, `[` and `{` accepted.
pub const MAX_NESTING: usize = 256;

/// What the scanner sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Token {
    /// `(`, `[` or `{`.
    Open(u8),
    /// `)`, `]` or `}`.
    Close(u8),
    /// A word: letters, digits and `_`.
    Word,
    /// `.`.
    Dot,
    /// A text literal, a backticked name or any other character.
    Other,
}

/// Walks the source token by token, reporting comments to `on_comment`.
/// Returns an error for an unterminated text or backticked name.
pub(crate) fn walk(
    source: &str,
    mut on_comment: impl FnMut(Span),
    mut on_token: impl FnMut(Token, Span) -> bool,
) -> Result<(), Diagnostic> {
    let bytes = source.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        let token = match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = source
                    .get(i..)
                    .unwrap_or("")
                    .find('\n')
                    .map_or(source.len(), |n| i + n);
                let end = if end > i && bytes.get(end - 1) == Some(&b'\r') {
                    end - 1
                } else {
                    end
                };
                on_comment(Span::new(i, end));
                i = end;
                continue;
            }
            b'"' => {
                i += 1;
                loop {
                    match bytes.get(i) {
                        Some(b'"') => {
                            i += 1;
                            break;
                        }
                        Some(b'\\') if !matches!(bytes.get(i + 1), Some(b'\n') | None) => i += 2,
                        Some(b'\n') | None => {
                            return Err(Diagnostic::new(Code::E0001, Span::new(start, i), "unterminated text")
                                .with_primary_label("this text is never closed")
                                .with_help("close it with `\"` on the same line; write `\\\"` for a quote inside"));
                        }
                        Some(_) => i += 1,
                    }
                }
                Token::Other
            }
            b'`' => {
                i += 1;
                loop {
                    match bytes.get(i) {
                        Some(b'`') => {
                            i += 1;
                            break;
                        }
                        Some(b'\n') | None => {
                            return Err(Diagnostic::new(Code::E0001, Span::new(start, i), "unterminated backticked name")
                                .with_primary_label("this name is never closed")
                                .with_help("close it with a backtick on the same line, as in `` `first reply at` ``"));
                        }
                        Some(_) => i += 1,
                    }
                }
                Token::Other
            }
            b'(' | b'[' | b'{' => {
                i += 1;
                Token::Open(b)
            }
            b')' | b']' | b'}' => {
                i += 1;
                Token::Close(b)
            }
            b'.' => {
                i += 1;
                Token::Dot
            }
            _ => {
                let word_char = unicode_ident::is_xid_continue;
                let rest = source.get(i..).unwrap_or("");
                let len: usize = rest
                    .chars()
                    .take_while(|c| word_char(*c))
                    .map(char::len_utf8)
                    .sum();
                if len == 0 {
                    i += rest.chars().next().map_or(1, char::len_utf8);
                    Token::Other
                } else {
                    i += len;
                    Token::Word
                }
            }
        };
        if !on_token(token, Span::new(start, i)) {
            break;
        }
    }
    Ok(())
}

/// The result of the pre-scan: the comments, or the problems that stop parsing.
pub(crate) fn prescan(source: &str) -> Result<Vec<Comment>, Vec<Diagnostic>> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(vec![
            Diagnostic::new(
                Code::E0002,
                Span::new(0, 0),
                format!(
                    "policy is larger than {MAX_SOURCE_BYTES} bytes ({} bytes)",
                    source.len()
                ),
            )
            .with_primary_label("this file is too large")
            .with_help("split the policy into several files"),
        ]);
    }
    let mut comments = Vec::new();
    // Open brackets, innermost last. `list<` opens too: type nesting recurses in the parser
    // like brackets do, while a bare `<` is a comparison and opens nothing.
    let mut open: Vec<u8> = Vec::new();
    let mut after_list = false;
    let mut after_dot = false;
    let mut too_deep = None;
    walk(
        source,
        |span| {
            let text = source
                .get(span.start + 2..span.end)
                .unwrap_or("")
                .to_owned();
            comments.push(Comment { text, span });
        },
        |token, span| {
            let ch = source.as_bytes().get(span.start).copied().unwrap_or(b' ');
            let opens = match token {
                Token::Open(b) => Some(b),
                Token::Other if ch == b'<' && after_list => Some(b'<'),
                _ => None,
            };
            if let Some(b) = opens {
                open.push(b);
                if open.len() > MAX_NESTING {
                    too_deep = Some(span);
                    return false;
                }
            } else if matches!(token, Token::Close(_)) || (ch == b'>' && open.last() == Some(&b'<'))
            {
                open.pop();
            }
            after_list =
                token == Token::Word && !after_dot && source.get(span.range()) == Some("list");
            after_dot = token == Token::Dot;
            true
        },
    )
    .map_err(|d| vec![d])?;
    if let Some(span) = too_deep {
        return Err(vec![
            Diagnostic::new(
                Code::E0002,
                span,
                format!("nesting deeper than {MAX_NESTING} levels"),
            )
            .with_primary_label("too deep here")
            .with_help("split the expression, for example into `const` definitions"),
        ]);
    }
    Ok(comments)
}

/// Words that start a top-level item.
const ITEM_KEYWORDS: [&str; 13] = [
    "version",
    "timezone",
    "ladder",
    "record",
    "calendar",
    "const",
    "table",
    "rule",
    "first",
    "effective",
    "when",
    "override",
    "remove",
];

/// A piece of the source expected to hold one item (or one rule of a `first of`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Piece {
    /// Where it starts and ends.
    pub span: Span,
    /// Whether it starts with `first` (a `first of` block).
    pub first_of: bool,
}

/// Splits the text inside the braces at `depth` (1: the policy body) into pieces, each
/// starting at one of `starts` at that depth and not after a `.`, ending before the next
/// or at the closing brace. `within` limits the search.
pub(crate) fn split(
    source: &str,
    within: Span,
    depth_wanted: usize,
    starts: &[&str],
) -> Vec<Piece> {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut depth = 0usize;
    let mut after_dot = false;
    // The item after `override` (and the `rule` of `remove rule`) belongs to it.
    let mut after_prefix = false;
    let mut end = within.end;
    let text = source.get(within.range()).unwrap_or("");
    let _ = walk(
        text,
        |_| {},
        |token, span| {
            let span = Span::new(span.start + within.start, span.end + within.start);
            match token {
                Token::Open(_) => depth += 1,
                Token::Close(_) => {
                    if depth == depth_wanted {
                        end = span.start;
                        return false;
                    }
                    depth = depth.saturating_sub(1);
                }
                Token::Word if depth == depth_wanted && !after_dot => {
                    let word = source.get(span.range()).unwrap_or("");
                    let prefixed = std::mem::replace(
                        &mut after_prefix,
                        word == "override" || word == "remove",
                    );
                    if starts.contains(&word) && !prefixed {
                        if let Some(last) = pieces.last_mut() {
                            last.span.end = span.start;
                        }
                        pieces.push(Piece {
                            span: Span::new(span.start, within.end),
                            first_of: word == "first",
                        });
                    }
                }
                _ => {}
            }
            after_dot = token == Token::Dot;
            true
        },
    );
    if let Some(last) = pieces.last_mut() {
        last.span.end = end.max(last.span.start);
    }
    pieces
}

/// The top-level items of a policy body.
pub(crate) fn items(source: &str) -> Vec<Piece> {
    split(source, Span::new(0, source.len()), 1, &ITEM_KEYWORDS)
}

/// The rules inside a `first of` piece.
pub(crate) fn rules(source: &str, piece: Span) -> Vec<Piece> {
    split(source, piece, 1, &["rule"])
}

/// The last bracket opened and never closed, if any.
pub(crate) fn unclosed(source: &str) -> Option<Span> {
    let mut open = Vec::new();
    let _ = walk(
        source,
        |_| {},
        |token, span| {
            match token {
                Token::Open(_) => open.push(span),
                Token::Close(_) => {
                    open.pop();
                }
                _ => {}
            }
            true
        },
    );
    open.last().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_skip_texts_and_backticks() {
        let src = "a // one\n\"// not\" `x // y` // two";
        let comments = prescan(src).unwrap();
        let texts: Vec<_> = comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, [" one", " two"]);
        assert_eq!(&src[comments[0].span.range()], "// one");
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let src = "(".repeat(100_000);
        let errors = prescan(&src).unwrap_err();
        assert_eq!(errors[0].code, Code::E0002);
        assert_eq!(errors[0].span.start, MAX_NESTING);
        assert!(prescan(&"(".repeat(MAX_NESTING)).is_ok());
        let types = format!("{}text{}", "list<".repeat(100_000), ">".repeat(100_000));
        assert_eq!(prescan(&types).unwrap_err()[0].code, Code::E0002);
        assert!(prescan("a < b < c < d").is_ok(), "comparisons open nothing");
        let brackets = "\"((((\"".repeat(1000);
        assert!(prescan(&brackets).is_ok(), "brackets in texts do not count");
    }

    #[test]
    fn size_limit() {
        let src = " ".repeat(MAX_SOURCE_BYTES + 1);
        assert_eq!(prescan(&src).unwrap_err()[0].code, Code::E0002);
    }

    #[test]
    fn unterminated_text() {
        let errors = prescan("policy \"x {\n}").unwrap_err();
        assert_eq!(errors[0].message, "unterminated text");
        assert_eq!(errors[0].span, Span::new(7, 11));
    }

    #[test]
    fn items_split_at_depth_one() {
        let src = "policy \"p\" { const a = x.rule rule r { when (rule) } first of { rule s {} } }";
        let pieces = items(src);
        let texts: Vec<_> = pieces.iter().map(|p| src[p.span.range()].trim()).collect();
        assert_eq!(
            texts,
            [
                "const a = x.rule",
                "rule r { when (rule) }",
                "first of { rule s {} }"
            ]
        );
        assert!(pieces[2].first_of);
        let inner = rules(src, pieces[2].span);
        assert_eq!(src[inner[0].span.range()].trim(), "rule s {}");
    }
}
