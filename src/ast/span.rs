//! Byte ranges into a policy source.

/// A byte range into the source of one policy file.
///
/// INVARIANT: spans never take part in equality or hashing: every two spans are equal, so
/// AST nodes compare by content. Use [`Span::range`] to compare positions.
#[derive(Clone, Copy, Debug, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span over `start..end`.
    pub const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The byte range.
    pub const fn range(self) -> std::ops::Range<usize> {
        self.start..self.end
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// 1-based line and column (in characters) of the start, within `source`.
    pub fn line_col(self, source: &str) -> (usize, usize) {
        line_col(source, self.start)
    }
}

/// 1-based line and column (in characters) of byte `offset` in `source`.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = source.get(..offset).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl Eq for Span {}

impl std::hash::Hash for Span {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_never_affect_equality() {
        assert_eq!(Span::new(0, 3), Span::new(10, 20));
        assert_eq!(Span::new(0, 3).range(), 0..3);
    }

    #[test]
    fn line_and_column_count_characters() {
        let source = "ab\nনীতি x";
        assert_eq!(line_col(source, 0), (1, 1));
        assert_eq!(line_col(source, 3), (2, 1));
        let x = source.find('x').unwrap();
        assert_eq!(line_col(source, x), (2, 6));
        assert_eq!(line_col(source, 999), (2, 7));
    }
}
