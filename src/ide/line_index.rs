//! Byte offsets to editor positions and back: lines and UTF-16 code units, as the Language
//! Server Protocol counts them (a Bengali or Devanagari letter is one unit, an emoji two).

/// A position in an editor: 0-based line and 0-based UTF-16 code unit within the line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 0-based line.
    pub line: u32,
    /// 0-based column in UTF-16 code units.
    pub character: u32,
}

/// A range between two positions, end exclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Range {
    /// First position.
    pub start: Position,
    /// One past the last.
    pub end: Position,
}

/// The start of every line of a text, for converting positions.
#[derive(Clone, Debug)]
pub struct LineIndex {
    text: String,
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            text: text.to_owned(),
            starts,
        }
    }

    /// The position of byte `offset` (clamped to the text, and back to a character
    /// boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let character = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.encode_utf16().count());
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            character: u32::try_from(character).unwrap_or(u32::MAX),
        }
    }

    /// The byte offset of `position`, or `None` past the last line. A column past the end
    /// of its line means the line's end; one inside a surrogate pair means the character.
    pub fn offset(&self, position: Position) -> Option<usize> {
        let line = usize::try_from(position.line).ok()?;
        let start = *self.starts.get(line)?;
        let end = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        let text = self.text.get(start..end)?;
        let mut units = 0usize;
        let wanted = usize::try_from(position.character).ok()?;
        for (i, c) in text.char_indices() {
            if units >= wanted {
                return Some(start + i);
            }
            units += c.len_utf16();
        }
        Some(end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_not_bytes_or_chars() {
        // `নাম` is three characters, nine bytes, three UTF-16 units; `😀` is two units.
        let text = "ab\nনাম x\n😀y";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(
            index.position(x),
            Position {
                line: 1,
                character: 4
            }
        );
        assert_eq!(
            index.offset(Position {
                line: 1,
                character: 4
            }),
            Some(x)
        );
        let y = text.find('y').unwrap();
        assert_eq!(
            index.position(y),
            Position {
                line: 2,
                character: 2
            }
        );
        assert_eq!(
            index.offset(Position {
                line: 2,
                character: 2
            }),
            Some(y)
        );
        assert_eq!(
            index.offset(Position {
                line: 0,
                character: 99
            }),
            Some(2)
        );
        assert_eq!(
            index.offset(Position {
                line: 9,
                character: 0
            }),
            None
        );
        assert_eq!(
            index.position(999),
            Position {
                line: 2,
                character: 3
            }
        );
    }

    #[test]
    fn every_offset_round_trips() {
        let text = "रिफंड.राशि <= 5000 INR\n\tনাম\n";
        let index = LineIndex::new(text);
        for (offset, _) in text.char_indices() {
            assert_eq!(index.offset(index.position(offset)), Some(offset));
        }
    }
}
