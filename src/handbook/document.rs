//! The handbook as a small document tree (headings, paragraphs, lists, tables of inline
//! text), and its two printed forms: Markdown and a self-contained HTML page.
//!
//! Sentences are built as [`Inline`] pieces so that names from the policy stay code, values
//! stay emphasised and every piece is escaped once, by the printer of the chosen format.

use std::fmt::Write as _;

/// One run of inline text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Words of a message.
    Text(String),
    /// A name from the policy (field, constant, table, calendar, rule), printed as code.
    Code(String),
    /// A value from the policy (a team, a tag, an enumeration value), printed in bold.
    Strong(String),
}

/// A line of inline text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Inline(pub(crate) Vec<Piece>);

impl Inline {
    pub(crate) fn text(text: impl Into<String>) -> Inline {
        Inline(vec![Piece::Text(text.into())])
    }

    pub(crate) fn code(text: impl Into<String>) -> Inline {
        Inline(vec![Piece::Code(text.into())])
    }

    pub(crate) fn strong(text: impl Into<String>) -> Inline {
        Inline(vec![Piece::Strong(text.into())])
    }

    pub(crate) fn push(&mut self, other: Inline) {
        for piece in other.0 {
            match (self.0.last_mut(), piece) {
                (Some(Piece::Text(last)), Piece::Text(next)) => last.push_str(&next),
                (_, piece) => self.0.push(piece),
            }
        }
    }

    pub(crate) fn push_text(&mut self, text: &str) {
        self.push(Inline::text(text));
    }
}

/// A block of the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Block {
    /// A heading, level 1 to 4.
    Heading(u8, Inline),
    /// A paragraph.
    Paragraph(Inline),
    /// A bulleted list.
    List(Vec<Inline>),
    /// A table: a header row and body rows.
    Table(Vec<Inline>, Vec<Vec<Inline>>),
}

/// Prints the document as Markdown (CommonMark with GitHub tables).
pub(crate) fn markdown(blocks: &[Block]) -> String {
    let mut out = String::new();
    let mut previous: Option<&Block> = None;
    for block in blocks {
        if !out.is_empty() {
            out.push('\n');
        }
        // Two lists in a row would read as one: an empty comment keeps them apart.
        if matches!((previous, block), (Some(Block::List(_)), Block::List(_))) {
            out.push_str("<!-- -->\n\n");
        }
        previous = Some(block);
        match block {
            Block::Heading(level, inline) => {
                let hashes = "#".repeat(usize::from(*level));
                let _ = writeln!(out, "{hashes} {}", md_inline(inline, false));
            }
            Block::Paragraph(inline) => {
                let _ = writeln!(out, "{}", md_inline(inline, false));
            }
            Block::List(items) => {
                for item in items {
                    let _ = writeln!(out, "- {}", md_inline(item, false));
                }
            }
            Block::Table(header, rows) => {
                let cells = |row: &[Inline]| {
                    let mut line = String::from("|");
                    for cell in row {
                        let _ = write!(line, " {} |", md_inline(cell, true));
                    }
                    line
                };
                let _ = writeln!(out, "{}", cells(header));
                let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
                for row in rows {
                    let _ = writeln!(out, "{}", cells(row));
                }
            }
        }
    }
    out
}

fn md_inline(inline: &Inline, in_table: bool) -> String {
    let mut out = String::new();
    for piece in &inline.0 {
        match piece {
            Piece::Text(text) => out.push_str(&md_escape(text, in_table)),
            Piece::Strong(text) => {
                let _ = write!(out, "**{}**", md_escape(text, in_table));
            }
            Piece::Code(text) => {
                // A code span cannot escape a backtick: fence with two when one is inside.
                let text = if in_table {
                    text.replace('|', "\\|")
                } else {
                    text.clone()
                };
                let text = text.replace('\n', " ");
                if text.contains('`') {
                    let _ = write!(out, "`` {text} ``");
                } else {
                    let _ = write!(out, "`{text}`");
                }
            }
        }
    }
    out
}

/// Escapes the characters that would start Markdown syntax inside running text.
fn md_escape(text: &str, in_table: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(ch);
            }
            '|' if in_table => out.push_str("\\|"),
            '\n' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

/// Prints the document as one HTML page with its style inside: no asset from elsewhere.
pub(crate) fn html(blocks: &[Block], title: &str, lang: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n",
        html_escape(title)
    );
    for block in blocks {
        match block {
            Block::Heading(level, inline) => {
                let _ = writeln!(out, "<h{level}>{}</h{level}>", html_inline(inline));
            }
            Block::Paragraph(inline) => {
                let _ = writeln!(out, "<p>{}</p>", html_inline(inline));
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    let _ = writeln!(out, "<li>{}</li>", html_inline(item));
                }
                out.push_str("</ul>\n");
            }
            Block::Table(header, rows) => {
                out.push_str("<table>\n<thead><tr>");
                for cell in header {
                    let _ = write!(out, "<th>{}</th>", html_inline(cell));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in rows {
                    out.push_str("<tr>");
                    for cell in row {
                        let _ = write!(out, "<td>{}</td>", html_inline(cell));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

const STYLE: &str =
    "body { font-family: system-ui, sans-serif; line-height: 1.5; margin: 0; color: #1d1d1f; }
main { max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
h1 { border-bottom: 2px solid #d0d7de; padding-bottom: .3rem; }
h2 { margin-top: 2.5rem; border-bottom: 1px solid #d0d7de; }
code { background: #f3f4f6; padding: 0 .25rem; border-radius: 3px; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #d0d7de; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
@media print { main { max-width: none; } }
";

fn html_inline(inline: &Inline) -> String {
    let mut out = String::new();
    for piece in &inline.0 {
        match piece {
            Piece::Text(text) => out.push_str(&html_escape(text)),
            Piece::Code(text) => {
                let _ = write!(out, "<code>{}</code>", html_escape(text));
            }
            Piece::Strong(text) => {
                let _ = write!(out, "<strong>{}</strong>", html_escape(text));
            }
        }
    }
    out
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_policy_text_but_keeps_code_as_written() {
        let mut line = Inline::text("Tag ");
        line.push(Inline::strong("*vip* [x]"));
        line.push_text(" on ");
        line.push(Inline::code("a_b"));
        let doc = markdown(&[Block::Paragraph(line.clone())]);
        assert_eq!(doc, "Tag **\\*vip\\* \\[x\\]** on `a_b`\n");
        let table = markdown(&[Block::Table(
            vec![Inline::text("a|b")],
            vec![vec![Inline::code("x|y")]],
        )]);
        assert_eq!(table, "| a\\|b |\n|---|\n| `x\\|y` |\n");
    }

    #[test]
    fn html_escapes_everything_from_the_policy() {
        let page = html(
            &[Block::Paragraph(Inline::strong("<script>&"))],
            "A & B",
            "en",
        );
        assert!(page.contains("<strong>&lt;script&gt;&amp;</strong>"));
        assert!(page.contains("<title>A &amp; B</title>"));
        assert!(!page.contains("http"), "no asset from the network");
    }
}
