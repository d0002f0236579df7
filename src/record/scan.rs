//! Reading a JSON line straight into the fields a policy reads, without building a
//! `serde_json::Value`.
//!
//! A [`Layout`] lists the paths to read (`customer.tier` is `["customer", "tier"]`), as a
//! tree of keys compiled once. [`scan`] walks the line's bytes once, checking everything
//! [`read_json_record`](super::read_json_record) checks, and hands back one [`Found`] per
//! path: a text without escapes is a slice of the line, a list is its raw text, walked
//! again only if a rule reads it.
//!
//! The strategy is "agree or decline": whenever the scanner returns `true`, the strict
//! reader accepts the line too, and every [`Found`] says what the parsed record holds at
//! its path. Anything the scanner does not handle makes it decline, and the caller falls
//! back to the strict reader, which names the problem. The scanner declines:
//!
//! - text that is not JSON, trailing text, a top level that is not an object;
//! - a key given twice in any object at any depth (keys are compared as written, which is
//!   exact because a key holding a backslash escape is declined);
//! - a key holding a backslash escape (such keys are rare, and comparing them for
//!   duplicates would mean unescaping every one);
//! - a number serde_json refuses (`01`, `1.`, `1e999`) and a non-zero number more than
//!   300 powers of ten away from 1 (`1e-400`, which the strict reader refuses because it
//!   reads as zero, lies there), or with an exponent of more than 9 digits;
//! - more than [`MAX_RECORD_VALUES`] values, or nesting deeper than serde_json's
//!   recursion limit (127 arrays and objects).
//!
//! No allocation on the usual line: keys are compared with the keys the layout expects
//! (a bit per expected key says it was seen) and, for the others, pairwise as written while
//! an object has at most [`INLINE_KEYS`] of them; a larger object collects them in a sorted
//! list, so an object of 100 000 keys costs `n log n` comparisons, not `n²`. Only a text
//! with escapes that a path reads is copied (unescaped).

use std::borrow::Cow;
use std::collections::HashMap;

use super::MAX_RECORD_VALUES;
use super::keys::{hash, same};

/// The deepest nesting of arrays and objects serde_json reads (its recursion limit is 128
/// levels, the 128th refused); the top-level object is level 1.
const MAX_DEPTH: usize = 127;

/// How many keys an object may hold, besides those the layout expects, before duplicates
/// are found by sorting instead of pairwise comparison (which allocates nothing).
pub const INLINE_KEYS: usize = 32;

/// The widest decimal magnitude of a non-zero number the scanner accepts: within it, every
/// number is finite and non-zero as an `f64`, so serde_json reads it and the strict reader
/// does not refuse it as vanishing.
const MAX_MAGNITUDE: i64 = 300;

/// The most digits of an exponent the scanner reads.
const MAX_EXPONENT_DIGITS: usize = 9;

/// What a requested path holds on the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found<'a> {
    /// The key is not there, or an object on the way is absent or null.
    Absent,
    /// The value is `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer token (no fraction, no exponent) that fits `i64`; `-0` is not one (it
    /// reads as a float).
    Int(i64),
    /// Any other number (a float, or an integer beyond `i64`), as written: serde_json
    /// reads the same text into the same number.
    Number(&'a str),
    /// A text, unescaped: borrowed from the line when it had no escapes.
    Text(Cow<'a, str>),
    /// An array; see [`ListText`].
    List(ListText<'a>),
    /// Anything else: an object, or a value that is not an object where the path goes on.
    Other,
}

/// An array's raw text (from `[` to `]`, already checked), with ways to walk its elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListText<'a> {
    raw: &'a str,
    len: usize,
}

impl<'a> ListText<'a> {
    /// How many elements the array has.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the array is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The array as written on the line, brackets included.
    pub fn as_str(&self) -> &'a str {
        self.raw
    }

    /// The elements in order, each as a [`Found`]: `Null`, `Bool`, `Int`, `Text`, `List`
    /// (a nested array) or `Other` (an object or another number); never `Absent`.
    pub fn items(&self) -> Items<'a> {
        let mut scanner = Scanner::new(self.raw);
        // The raw text starts with its `[`, checked when the line was scanned.
        scanner.pos = 1;
        Items {
            scanner,
            first: true,
            done: false,
        }
    }

    /// Calls `f` on each element, in order, while the elements are texts and `f` returns
    /// `true` ("go on"). Returns `Some(true)` when every element was a text and `f` never
    /// stopped, `Some(false)` when `f` stopped, and `None`, having stopped there, at the
    /// first element that is not a text (`null` included).
    pub fn each_text(&self, mut f: impl FnMut(&str) -> bool) -> Option<bool> {
        for item in self.items() {
            match item {
                Found::Text(text) => {
                    if !f(&text) {
                        return Some(false);
                    }
                }
                _ => return None,
            }
        }
        Some(true)
    }
}

/// The elements of a [`ListText`], from [`ListText::items`].
#[derive(Debug, Clone)]
pub struct Items<'a> {
    scanner: Scanner<'a>,
    first: bool,
    done: bool,
}

impl<'a> Iterator for Items<'a> {
    type Item = Found<'a>;

    fn next(&mut self) -> Option<Found<'a>> {
        if self.done {
            return None;
        }
        let s = &mut self.scanner;
        s.skip_ws();
        if self.first {
            self.first = false;
            if s.peek() == Some(b']') {
                self.done = true;
                return None;
            }
        }
        let item = s
            .value(1, None, &EMPTY, &mut [])
            .ok()
            .and_then(|token| token.found());
        s.skip_ws();
        match s.bump() {
            Some(b',') if item.is_some() => {}
            _ => self.done = true,
        }
        item
    }
}

/// No paths: walking a list's elements again fills nothing.
static EMPTY: Layout = Layout {
    nodes: Vec::new(),
    paths: 0,
};

/// Paths to read, compiled once into a tree of keys: each path a list of object keys
/// (`customer.tier` is `["customer", "tier"]`). An empty path always reads as absent.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// The tree; the root (index 0) is the top-level object.
    nodes: Vec<Node>,
    /// How many paths were given.
    paths: usize,
}

#[derive(Debug, Clone, Default)]
struct Node {
    /// The keys leading on, in the order the paths first name them, each with its node.
    children: Vec<(Box<[u8]>, usize)>,
    /// An open-addressing table of the children by [`hash`] of their key: a child's place
    /// plus one, 0 for an empty slot. Twice as many slots as children, a power of two.
    table: Vec<u32>,
    /// The paths that end here.
    ends: Vec<usize>,
    /// The paths that go on below.
    below: Vec<usize>,
}

impl Node {
    /// Builds the table of the children.
    fn index(&mut self) {
        let size = (self.children.len() * 2).next_power_of_two();
        let mut table = vec![0u32; size];
        for (place, (key, _)) in self.children.iter().enumerate() {
            let Ok(entry) = u32::try_from(place + 1) else {
                // Past 4 billion keys at one level, the rest are never matched; no layout
                // a policy builds comes near.
                break;
            };
            let mut slot = hash(key);
            for _ in 0..size {
                slot &= size - 1;
                match table.get_mut(slot) {
                    Some(free @ 0) => {
                        *free = entry;
                        break;
                    }
                    _ => slot += 1,
                }
            }
        }
        self.table = table;
    }

    /// The child reached by `key`: its place among the children and its node.
    #[inline(always)]
    fn child(&self, key: &[u8]) -> Option<(usize, usize)> {
        let size = self.table.len();
        let mut slot = hash(key);
        // INVARIANT: the table is at least half empty, so the probe ends at an empty slot
        // long before this bound.
        for _ in 0..size {
            slot &= size - 1;
            let place = usize::try_from(*self.table.get(slot)?).ok()?.checked_sub(1)?;
            let (child, node) = self.children.get(place)?;
            if same(child, key) {
                return Some((place, *node));
            }
            slot += 1;
        }
        None
    }
}

const ROOT: usize = 0;

impl Layout {
    /// Compiles the paths, in order: [`scan`] gives one [`Found`] per path, in this order.
    pub fn new<P: AsRef<[S]>, S: AsRef<str>>(paths: &[P]) -> Layout {
        let mut nodes = vec![Node::default()];
        let mut index: HashMap<(usize, &str), usize> = HashMap::new();
        for (path_index, path) in paths.iter().enumerate() {
            let path = path.as_ref();
            let Some((_, init)) = path.split_last() else {
                continue;
            };
            let mut at = ROOT;
            for (depth, segment) in path.iter().enumerate() {
                let segment = segment.as_ref();
                let next = match index.get(&(at, segment)) {
                    Some(&next) => next,
                    None => {
                        let next = nodes.len();
                        nodes.push(Node::default());
                        if let Some(parent) = nodes.get_mut(at) {
                            parent.children.push((segment.as_bytes().into(), next));
                        }
                        index.insert((at, segment), next);
                        next
                    }
                };
                if let Some(node) = nodes.get_mut(next) {
                    if depth < init.len() {
                        node.below.push(path_index);
                    } else {
                        node.ends.push(path_index);
                    }
                }
                at = next;
            }
        }
        for node in &mut nodes {
            node.index();
        }
        Layout {
            nodes,
            paths: paths.len(),
        }
    }

    /// How many paths the layout reads (empty ones included).
    pub fn len(&self) -> usize {
        self.paths
    }

    /// Whether the layout reads no path.
    pub fn is_empty(&self) -> bool {
        self.paths == 0
    }

    /// The child of `node` reached by `key`: its place among the children and its index.
    #[inline(always)]
    fn child(&self, node: usize, key: &[u8]) -> Option<(usize, usize)> {
        self.nodes.get(node)?.child(key)
    }

    /// Records what `node`'s key holds: the paths ending there read it, the paths going
    /// on below read `Other` from a scalar or list (null leaves them absent, an object was
    /// walked already).
    #[inline(always)]
    fn assign<'a>(&self, node: usize, token: &Token<'a>, out: &mut [Found<'a>]) -> Step<()> {
        let Some(node) = self.nodes.get(node) else {
            return Ok(());
        };
        if let Some((&last, others)) = node.ends.split_last() {
            let found = token.found().ok_or(Decline)?;
            // A path given twice reads a copy; the last one takes the value.
            for &path in others {
                if let Some(slot) = out.get_mut(path) {
                    *slot = found.clone();
                }
            }
            if let Some(slot) = out.get_mut(last) {
                *slot = found;
            }
        }
        if !matches!(token, Token::Object | Token::Null) {
            for &path in &node.below {
                if let Some(slot) = out.get_mut(path) {
                    *slot = Found::Other;
                }
            }
        }
        Ok(())
    }
}

/// Scans one line. `out` receives one [`Found`] per path of the layout, in layout order.
///
/// Returns `false` ("decline"), leaving `out` empty, whenever
/// [`read_json_record`](super::read_json_record) would refuse the text, when the top level
/// is not an object, and for what the scanner does not handle (see the module doc); the
/// caller then reads the line with `read_json_record`.
pub fn scan<'a>(text: &'a str, layout: &Layout, out: &mut Vec<Found<'a>>) -> bool {
    out.clear();
    out.extend(std::iter::repeat_with(|| Found::Absent).take(layout.len()));
    let mut s = Scanner::new(text);
    s.skip_ws();
    let accepted = s.peek() == Some(b'{')
        && s.value(0, Some(ROOT), layout, out).is_ok()
        && {
            s.skip_ws();
            s.pos == s.bytes.len()
        };
    if !accepted {
        out.clear();
    }
    accepted
}

/// Empties a buffer of [`Found`]s and gives it back for another line's borrows, keeping
/// its allocation (so one buffer serves every line of a stream).
pub fn recycle<'b>(mut out: Vec<Found<'_>>) -> Vec<Found<'b>> {
    out.clear();
    out.into_iter().map(|_| Found::Absent).collect()
}

/// The scanner declines the line.
#[derive(Debug)]
struct Decline;

type Step<T> = Result<T, Decline>;

/// A value as scanned, before it is turned into a [`Found`] (texts are unescaped only if a
/// path reads them).
enum Token<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Text { raw: &'a str, escaped: bool },
    /// A float or an integer beyond `i64`, as written.
    Number(&'a str),
    List(ListText<'a>),
    Object,
}

impl<'a> Token<'a> {
    #[inline(always)]
    fn found(&self) -> Option<Found<'a>> {
        Some(match *self {
            Token::Null => Found::Null,
            Token::Bool(b) => Found::Bool(b),
            Token::Int(n) => Found::Int(n),
            Token::Text { raw, escaped: false } => Found::Text(Cow::Borrowed(raw)),
            Token::Text { raw, escaped: true } => Found::Text(Cow::Owned(unescape(raw)?)),
            Token::Number(raw) => Found::Number(raw),
            Token::Object => Found::Other,
            Token::List(list) => Found::List(list),
        })
    }
}

/// The keys of one object that the layout does not expect, for finding duplicates.
struct Keys<'a> {
    inline: [&'a [u8]; INLINE_KEYS],
    len: usize,
    /// Every key once there are more than fit inline; sorted at the end.
    spill: Vec<&'a [u8]>,
}

impl<'a> Keys<'a> {
    fn new() -> Self {
        Keys {
            inline: [&[]; INLINE_KEYS],
            len: 0,
            spill: Vec::new(),
        }
    }

    /// Adds a key; declines on a duplicate among the inline keys.
    fn insert(&mut self, key: &'a [u8]) -> Step<()> {
        if self.spill.is_empty() {
            if self.inline.get(..self.len).unwrap_or(&[]).contains(&key) {
                return Err(Decline);
            }
            if let Some(slot) = self.inline.get_mut(self.len) {
                *slot = key;
                self.len += 1;
                return Ok(());
            }
            self.spill.extend_from_slice(&self.inline);
        }
        self.spill.push(key);
        Ok(())
    }

    /// Declines if the spilled keys hold a duplicate.
    fn finish(&mut self) -> Step<()> {
        if self.spill.is_empty() {
            return Ok(());
        }
        self.spill.sort_unstable();
        if self.spill.windows(2).any(|w| w.first() == w.get(1)) {
            return Err(Decline);
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Values met so far, as the strict reader counts them.
    values: usize,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Self {
        Scanner {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            values: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn expect(&mut self, byte: u8) -> Step<()> {
        if self.bump() == Some(byte) {
            Ok(())
        } else {
            Err(Decline)
        }
    }

    /// serde_json's white space: space, tab, line feed, carriage return.
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    #[inline(always)]
    fn slice(&self, start: usize, end: usize) -> Step<&'a str> {
        self.text.get(start..end).ok_or(Decline)
    }

    /// One value at `depth` (the container holding it); `at` is the layout node its key
    /// leads to, if a path goes through it.
    fn value(
        &mut self,
        depth: usize,
        at: Option<usize>,
        layout: &Layout,
        out: &mut [Found<'a>],
    ) -> Step<Token<'a>> {
        self.values += 1;
        if self.values > MAX_RECORD_VALUES {
            return Err(Decline);
        }
        match self.peek().ok_or(Decline)? {
            b'{' => {
                self.object(depth + 1, at, layout, out)?;
                Ok(Token::Object)
            }
            b'[' => self.list(depth + 1).map(Token::List),
            b'"' => {
                let (raw, escaped) = self.string()?;
                Ok(Token::Text { raw, escaped })
            }
            b't' => self.word(b"true", Token::Bool(true)),
            b'f' => self.word(b"false", Token::Bool(false)),
            b'n' => self.word(b"null", Token::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(Decline),
        }
    }

    fn word(&mut self, word: &[u8], token: Token<'a>) -> Step<Token<'a>> {
        let end = self.pos + word.len();
        if self.bytes.get(self.pos..end) == Some(word) {
            self.pos = end;
            Ok(token)
        } else {
            Err(Decline)
        }
    }

    fn object(
        &mut self,
        depth: usize,
        at: Option<usize>,
        layout: &Layout,
        out: &mut [Found<'a>],
    ) -> Step<()> {
        if depth > MAX_DEPTH {
            return Err(Decline);
        }
        self.expect(b'{')?;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        let mut keys = Keys::new();
        // The layout's keys met in this object, a bit per place among the node's children.
        let mut seen: u64 = 0;
        loop {
            if self.peek() != Some(b'"') {
                return Err(Decline);
            }
            let (start, end, escaped) = self.string_span()?;
            let key = self.bytes.get(start..end).ok_or(Decline)?;
            if escaped {
                return Err(Decline);
            }
            self.skip_ws();
            self.expect(b':')?;
            self.skip_ws();
            let child = at.and_then(|node| layout.child(node, key));
            match child {
                Some((place, _)) if place < 64 => {
                    let bit = 1u64 << place;
                    if seen & bit != 0 {
                        return Err(Decline);
                    }
                    seen |= bit;
                }
                _ => keys.insert(key)?,
            }
            let node = child.map(|(_, node)| node);
            let token = self.value(depth, node, layout, out)?;
            if let Some(node) = node {
                layout.assign(node, &token, out)?;
            }
            self.skip_ws();
            match self.bump() {
                Some(b',') => self.skip_ws(),
                Some(b'}') => break,
                _ => return Err(Decline),
            }
        }
        keys.finish()
    }

    fn list(&mut self, depth: usize) -> Step<ListText<'a>> {
        if depth > MAX_DEPTH {
            return Err(Decline);
        }
        let start = self.pos;
        self.expect(b'[')?;
        self.skip_ws();
        let mut len = 0;
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                self.value(depth, None, &EMPTY, &mut [])?;
                len += 1;
                self.skip_ws();
                match self.bump() {
                    Some(b',') => self.skip_ws(),
                    Some(b']') => break,
                    _ => return Err(Decline),
                }
            }
        }
        Ok(ListText {
            raw: self.slice(start, self.pos)?,
            len,
        })
    }

    /// A string at its opening quote: its raw content and whether it holds escapes.
    // The steps taken for every key (this, `string_span`, the layout's `child` and
    // `assign`) are inlined: each is a few dozen instructions, fewer than a call and its
    // saved registers cost (docs/performance.md).
    #[inline(always)]
    fn string(&mut self) -> Step<(&'a str, bool)> {
        let (start, end, escaped) = self.string_span()?;
        Ok((self.slice(start, end)?, escaped))
    }

    /// A string at its opening quote: where its raw content starts and ends, and whether
    /// it holds escapes. The escapes are checked as serde_json checks them: one of
    /// `"\/bfnrtu`, four hex digits after `u`, surrogates in pairs; control characters are
    /// refused.
    #[inline(always)]
    fn string_span(&mut self) -> Step<(usize, usize, bool)> {
        self.expect(b'"')?;
        let start = self.pos;
        let mut escaped = false;
        loop {
            // Straight to the next byte that is not plain text.
            let rest = self.bytes.get(self.pos..).ok_or(Decline)?;
            self.pos += plain_len(rest).ok_or(Decline)?;
            match self.bump().ok_or(Decline)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    match self.bump().ok_or(Decline)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => {
                            let unit = self.hex4()?;
                            if (0xDC00..=0xDFFF).contains(&unit) {
                                return Err(Decline);
                            }
                            if (0xD800..=0xDBFF).contains(&unit) {
                                self.expect(b'\\')?;
                                self.expect(b'u')?;
                                if !(0xDC00..=0xDFFF).contains(&self.hex4()?) {
                                    return Err(Decline);
                                }
                            }
                        }
                        _ => return Err(Decline),
                    }
                }
                0x00..=0x1F => return Err(Decline),
                _ => {}
            }
        }
        Ok((start, self.pos - 1, escaped))
    }

    fn hex4(&mut self) -> Step<u16> {
        let digits = self.bytes.get(self.pos..self.pos + 4).ok_or(Decline)?;
        self.pos += 4;
        hex4(digits).ok_or(Decline)
    }

    /// A number as serde_json reads it: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Step<Token<'a>> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let int_start = self.pos;
        // The integer part, read as a `u64` while it fits.
        let mut value = Some(0u64);
        match self.bump() {
            Some(b'0') => {}
            Some(first @ b'1'..=b'9') => {
                value = Some(u64::from(first - b'0'));
                while let Some(c @ b'0'..=b'9') = self.peek() {
                    value = value
                        .and_then(|v| v.checked_mul(10))
                        .and_then(|v| v.checked_add(u64::from(c - b'0')));
                    self.pos += 1;
                }
            }
            _ => return Err(Decline),
        }
        let int_len = self.pos - int_start;
        if let Some(b'.' | b'e' | b'E') = self.peek() {
            self.float(int_start, int_len)?;
            return self.raw_number(start);
        }
        match value {
            // `-0` reads as a float.
            Some(0) if negative => self.raw_number(start),
            Some(v) => {
                let v = i128::from(v);
                match i64::try_from(if negative { -v } else { v }) {
                    Ok(n) => Ok(Token::Int(n)),
                    Err(_) => self.raw_number(start),
                }
            }
            // Past `u64`: serde_json reads a float, which must be finite.
            None => {
                let magnitude = i64::try_from(int_len).map_err(|_| Decline)? - 1;
                if magnitude > MAX_MAGNITUDE {
                    return Err(Decline);
                }
                self.raw_number(start)
            }
        }
    }

    /// The number read from `start` to here, as written.
    fn raw_number(&self, start: usize) -> Step<Token<'a>> {
        self.text.get(start..self.pos).map(Token::Number).ok_or(Decline)
    }

    /// The rest of a number with a fraction or an exponent, its integer part (`int_len`
    /// digits from `int_start`) read.
    fn float(&mut self, int_start: usize, int_len: usize) -> Step<()> {
        // Where the first non-zero digit is, counting the integer part's digits and then
        // the fraction's.
        let mut first_nonzero = self
            .bytes
            .get(int_start..self.pos)
            .and_then(|d| d.iter().position(|&c| c != b'0'));
        if self.peek() == Some(b'.') {
            self.pos += 1;
            let frac_start = self.pos;
            self.digits();
            if self.pos == frac_start {
                return Err(Decline);
            }
            if first_nonzero.is_none() {
                first_nonzero = self
                    .bytes
                    .get(frac_start..self.pos)
                    .and_then(|d| d.iter().position(|&c| c != b'0'))
                    .map(|p| int_len + p);
            }
        }
        let mut exponent: i64 = 0;
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            let negative_exp = match self.peek() {
                Some(b'-') => {
                    self.pos += 1;
                    true
                }
                Some(b'+') => {
                    self.pos += 1;
                    false
                }
                _ => false,
            };
            let exp_start = self.pos;
            self.digits();
            let digits = self.bytes.get(exp_start..self.pos).ok_or(Decline)?;
            if digits.is_empty() || digits.len() > MAX_EXPONENT_DIGITS {
                return Err(Decline);
            }
            exponent = digits
                .iter()
                .fold(0, |n, &d| n * 10 + i64::from(d - b'0'));
            if negative_exp {
                exponent = -exponent;
            }
        }
        // Zero, with any exponent, reads as zero.
        if let Some(first_nonzero) = first_nonzero {
            let lead = i64::try_from(first_nonzero).map_err(|_| Decline)?;
            let whole = i64::try_from(int_len).map_err(|_| Decline)?;
            let magnitude = whole - 1 - lead + exponent;
            if !(-MAX_MAGNITUDE..=MAX_MAGNITUDE).contains(&magnitude) {
                return Err(Decline);
            }
        }
        Ok(())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }
}

/// How many bytes of `bytes` are plain text in a string, before a `"`, a `\\` or a
/// control character; `None` if the text ends first. Eight bytes at a time: a byte is
/// flagged in a word by the borrow of a subtraction, and the lowest flag is exact (a false
/// flag only ever sits above a true one).
fn plain_len(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const QUOTES: u64 = ONES * b'"' as u64;
    const BACKSLASHES: u64 = ONES * b'\\' as u64;
    const SPACES: u64 = ONES * 0x20;
    let mut chunks = bytes.chunks_exact(8);
    let mut done = 0;
    for chunk in &mut chunks {
        let word = chunk.try_into().map_or(0, u64::from_le_bytes);
        let quote = word ^ QUOTES;
        let backslash = word ^ BACKSLASHES;
        let stop = (quote.wrapping_sub(ONES) & !quote
            | backslash.wrapping_sub(ONES) & !backslash
            | word.wrapping_sub(SPACES) & !word)
            & HIGH;
        if stop != 0 {
            return Some(done + (stop.trailing_zeros() / 8) as usize);
        }
        done += 8;
    }
    let tail = chunks.remainder();
    tail.iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|p| done + p)
}

fn hex4(digits: &[u8]) -> Option<u16> {
    digits.iter().try_fold(0u16, |n, &c| {
        let d = (c as char).to_digit(16)?;
        Some(n << 4 | d as u16)
    })
}

/// Unescapes a string's content as checked by [`Scanner::string`].
fn unescape(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find('\\') {
        out.push_str(rest.get(..at)?);
        let bytes = rest.as_bytes();
        let (ch, used) = match bytes.get(at + 1)? {
            b'"' => ('"', 2),
            b'\\' => ('\\', 2),
            b'/' => ('/', 2),
            b'b' => ('\u{8}', 2),
            b'f' => ('\u{c}', 2),
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            b'u' => {
                let unit = u32::from(hex4(bytes.get(at + 2..at + 6)?)?);
                if (0xD800..=0xDBFF).contains(&unit) {
                    let low = u32::from(hex4(bytes.get(at + 8..at + 12)?)?);
                    let code = 0x1_0000 + ((unit - 0xD800) << 10) + low.checked_sub(0xDC00)?;
                    (char::from_u32(code)?, 12)
                } else {
                    (char::from_u32(unit)?, 6)
                }
            }
            _ => return None,
        };
        out.push(ch);
        rest = rest.get(at + used..)?;
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests;
