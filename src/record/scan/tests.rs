//! The scanner's contract: when it accepts a line, the strict reader accepts it too and
//! every path reads what the parsed record holds there, by the rules of
//! `eval::is_absent_path`. Unit tests for each reason to decline, then property tests
//! comparing the two readers on generated lines.

use std::borrow::Cow;

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::*;
use crate::record::read_json_record;

fn paths(list: &[&str]) -> Vec<Vec<String>> {
    list.iter()
        .map(|p| {
            if p.is_empty() {
                Vec::new()
            } else {
                p.split('.').map(str::to_owned).collect()
            }
        })
        .collect()
}

/// Scans `text` with the dotted paths; `None` if declined.
fn read<'a>(text: &'a str, list: &[&str]) -> Option<Vec<Found<'a>>> {
    let layout = Layout::new(&paths(list));
    let mut out = Vec::new();
    scan(text, &layout, &mut out).then_some(out)
}

fn text(s: &str) -> Found<'_> {
    Found::Text(Cow::Borrowed(s))
}

/// Asserts that the scanner declines `text` and says whether the strict reader accepts it.
fn declined(text: &str) -> bool {
    assert_eq!(read(text, &["a"]), None, "{text}");
    read_json_record(text).is_ok()
}

#[test]
fn reads_every_kind_of_value() {
    let line = r#" {"s": "x", "e": "caf\u00e9 \"q\"", "n": null, "t": true, "f": false,
        "i": -12, "z": 0, "m": -0, "x": 1.5, "big": 9223372036854775808,
        "min": -9223372036854775808, "o": {}, "l": [ "a" , "b" ] } "#;
    let out = read(
        line,
        &[
            "s", "e", "n", "t", "f", "i", "z", "m", "x", "big", "min", "o", "l", "missing",
        ],
    )
    .unwrap();
    let [s, e, n, t, f, i, z, m, x, big, min, o, l, missing] = out.as_slice() else {
        panic!("{out:?}");
    };
    assert_eq!(s, &text("x"));
    assert!(matches!(s, Found::Text(Cow::Borrowed("x"))));
    assert!(matches!(e, Found::Text(Cow::Owned(t)) if t == "café \"q\""), "{e:?}");
    assert_eq!(n, &Found::Null);
    assert_eq!((t, f), (&Found::Bool(true), &Found::Bool(false)));
    assert_eq!((i, z), (&Found::Int(-12), &Found::Int(0)));
    // `-0` reads as a float, as serde_json reads it.
    assert_eq!(m, &Found::Number("-0"));
    assert_eq!((x, big), (&Found::Number("1.5"), &Found::Number("9223372036854775808")));
    assert_eq!(o, &Found::Other);
    assert_eq!(min, &Found::Int(i64::MIN));
    let Found::List(list) = l else { panic!("{l:?}") };
    assert_eq!((list.len(), list.as_str()), (2, r#"[ "a" , "b" ]"#));
    assert_eq!(missing, &Found::Absent);
}

#[test]
fn paths_follow_the_rules_of_absent_paths() {
    let line = r#"{"c": {"tier": "gold", "n": null, "deep": {"x": 1}}, "s": 3, "z": null,
        "l": [{"tier": 1}]}"#;
    let list = [
        "c.tier",
        "c.n",
        "c.none",
        "c.n.x",
        "c.deep.x",
        "c.deep",
        "s.x",
        "z.x",
        "none.x",
        "l.tier",
        "",
        "c.tier",
        "c",
    ];
    let out = read(line, &list).unwrap();
    let expected = [
        text("gold"),
        Found::Null,
        Found::Absent,
        // Null on the way: absent.
        Found::Absent,
        Found::Int(1),
        Found::Other,
        // A scalar or a list on the way: a type error for the rules, not a missing field.
        Found::Other,
        Found::Absent,
        Found::Absent,
        Found::Other,
        // The empty path is always absent.
        Found::Absent,
        // A path given twice reads the same.
        text("gold"),
        Found::Other,
    ];
    assert_eq!(out, expected);
    let record = read_json_record(line).unwrap();
    for (path, found) in paths(&list).iter().zip(&out) {
        let absent = crate::eval::is_absent_path(record.as_object().unwrap(), path);
        assert_eq!(absent, matches!(found, Found::Absent | Found::Null), "{path:?}");
    }
}

#[test]
fn lists_walk_their_elements() {
    let line = r#"{"tags": ["vip", "caf\u00e9", "x\ud83d\ude00"], "mixed": ["a", null, 1],
        "nested": [[1, 2], {"k": [3]}, -4, 2.5, true, "s"], "empty": [ ]}"#;
    let out = read(line, &["tags", "mixed", "nested", "empty"]).unwrap();
    let [Found::List(tags), Found::List(mixed), Found::List(nested), Found::List(empty)] =
        out.as_slice()
    else {
        panic!("{out:?}");
    };
    let mut seen = Vec::new();
    assert_eq!(
        tags.each_text(|t| {
            seen.push(t.to_owned());
            true
        }),
        Some(true)
    );
    assert_eq!(seen, ["vip", "café", "x😀"]);
    // Stopped by the caller after the first.
    let mut calls = 0;
    assert_eq!(
        tags.each_text(|_| {
            calls += 1;
            false
        }),
        Some(false)
    );
    assert_eq!(calls, 1);
    // Stopped at the first element that is not a text.
    let mut calls = 0;
    assert_eq!(
        mixed.each_text(|_| {
            calls += 1;
            true
        }),
        None
    );
    assert_eq!((calls, mixed.len()), (1, 3));
    let items: Vec<Found<'_>> = nested.items().collect();
    assert_eq!(items.len(), nested.len());
    assert!(matches!(&items[0], Found::List(l) if l.len() == 2 && l.as_str() == "[1, 2]"));
    assert_eq!(
        items[1..],
        [
            Found::Other,
            Found::Int(-4),
            Found::Number("2.5"),
            Found::Bool(true),
            text("s")
        ]
    );
    assert!(empty.is_empty());
    assert_eq!(empty.items().count(), 0);
    assert_eq!(empty.each_text(|_| false), Some(true));
}

#[test]
fn declines_what_is_not_a_json_object() {
    for bad in [
        "", "   ", "{", "{\"a\": 1", "{\"a\" 1}", "{\"a\": 1,}", "{,}", "{\"a\": 1} x",
        "{\"a\": 1}}", "{a: 1}", "{'a': 1}", "{\"a\": tru}", "{\"a\": nul}", "{\"a\": [1,]}",
        "{\"a\": [1 2]}", "{\"a\": \"x}", "{\"a\": \"x\\\"}", "{\"a\": 1}\u{a0}", "\u{feff}{}",
    ] {
        assert!(!declined(bad), "the strict reader refuses {bad:?}");
    }
    for not_object in ["[]", "[{\"a\": 1}]", "\"a\"", "1", "null", "true"] {
        assert!(declined(not_object), "{not_object}");
    }
    // White space is serde_json's four characters, anywhere between tokens.
    assert!(read(" \t\r\n{ \"a\" \n: \t1 , \"b\":[ ] }\r\n", &["a"]).is_some());
}

#[test]
fn declines_a_key_given_twice_at_any_depth() {
    for bad in [
        r#"{"a": 1, "a": 2}"#,
        r#"{"a": 1, "b": 1, "a": 2}"#,
        r#"{"x": 1, "y": {"p": 1, "p": 2}}"#,
        r#"{"x": [1, {"p": 1, "q": {"r": 1, "r": null}}]}"#,
        r#"{"c": {"tier": 1, "tier": 1}}"#,
    ] {
        assert!(!declined(bad), "{bad}");
        // Whether or not the layout reads the key.
        assert_eq!(read(bad, &["a", "c.tier", "y.p"]), None, "{bad}");
    }
    // The same key in two objects is no duplicate.
    assert!(read(r#"{"a": {"c": 1}, "b": {"c": 1}, "c": [{"c": 1}, {"c": 1}]}"#, &["c"]).is_some());
}

#[test]
fn finds_duplicates_among_many_keys() {
    // Past the inline keys, and past 64 keys the layout expects at one level.
    let names: Vec<String> = (0..200).map(|i| format!("k{i}")).collect();
    let list: Vec<&str> = names.iter().map(String::as_str).collect();
    let object = |extra: &str| {
        let fields: Vec<String> = names.iter().map(|k| format!("\"{k}\": 1")).collect();
        format!("{{{}{extra}}}", fields.join(","))
    };
    let good = object("");
    assert!(read(&good, &list).is_some());
    assert!(read(&good, &[]).is_some());
    for extra in [", \"k0\": 2", ", \"k150\": 2", ", \"k199\": 2"] {
        let bad = object(extra);
        assert!(!declined(&bad));
        assert_eq!(read(&bad, &list), None, "{extra}");
        assert_eq!(read(&bad, &list[..10]), None, "{extra}");
    }
    // An object of 100 000 keys: sorted once, not compared pairwise.
    let huge: Vec<String> = (0..100_000).map(|i| format!("\"{i}\":0")).collect();
    let mut line = format!("{{{}}}", huge.join(","));
    assert_eq!(read(&line, &["5"]).unwrap(), [Found::Int(0)]);
    line.insert_str(1, "\"99999\":1,");
    assert!(!declined(&line));
}

#[test]
fn declines_keys_with_escapes() {
    // The strict reader accepts these; the scanner leaves them to it.
    assert!(declined(r#"{"\u0061": 1}"#));
    assert!(declined(r#"{"x": {"a\"b": 1}}"#));
    // A text value with escapes is read.
    assert_eq!(read(r#"{"a": "\u0061"}"#, &["a"]).unwrap(), [text("a")]);
}

#[test]
fn declines_the_numbers_the_strict_reader_refuses() {
    for bad in [
        "01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "1.e5", "--1", "1e400", "1e309",
        "-1e400", "1e-400", "-2.5E-999", "0.0001e-330", "1E99999999999", "Infinity", "NaN",
    ] {
        let line = format!(r#"{{"a": [{bad}]}}"#);
        assert!(!declined(&line), "the strict reader refuses {bad}");
    }
    // Numbers the strict reader accepts but the scanner leaves to it: more than 300
    // powers of ten from 1, or an exponent of more than 9 digits.
    for far in ["1e301", "1e-301", "0e9999999999", &format!("1{}", "0".repeat(301))] {
        assert!(declined(&format!(r#"{{"a": {far}}}"#)), "{far}");
    }
    for (near, found) in [
        ("1e300", Found::Number("1e300")),
        ("-1E-300", Found::Number("-1E-300")),
        ("0e-400", Found::Number("0e-400")),
        ("0.0e999999999", Found::Number("0.0e999999999")),
        ("9223372036854775807", Found::Int(i64::MAX)),
        ("-9223372036854775809", Found::Number("-9223372036854775809")),
        ("18446744073709551616", Found::Number("18446744073709551616")),
        ("1e2", Found::Number("1e2")),
        ("10", Found::Int(10)),
    ] {
        let line = format!(r#"{{"a": {near}}}"#);
        assert_eq!(read(&line, &["a"]), Some(vec![found]), "{near}");
        assert!(read_json_record(&line).is_ok());
    }
}

#[test]
fn declines_strings_serde_json_refuses() {
    for bad in [
        "\"\u{1}\"",
        "\"a\tb\"",
        r#""\x""#,
        r#""\u12""#,
        r#""\u12g4""#,
        r#""\ud800""#,
        r#""\udc00""#,
        r#""\ud800\u0041""#,
        r#""\ud800\n""#,
        r#""\ud800\ud800""#,
    ] {
        let line = format!(r#"{{"a": {bad}}}"#);
        assert!(!declined(&line), "the strict reader refuses {bad}");
    }
    let line = r#"{"a": "\ud83d\ude00\/\b\f\n\r\t\\\u0000\uFFFF"}"#;
    let expected = "😀/\u{8}\u{c}\n\r\t\\\u{0}\u{ffff}";
    assert_eq!(read(line, &["a"]).unwrap(), [text(expected)]);
}

#[test]
fn declines_nesting_past_serde_jsons_limit() {
    let nested = |levels: usize| {
        format!(
            "{}{}1{}",
            "{\"a\":".repeat(levels),
            "",
            "}".repeat(levels)
        )
    };
    let lists = |levels: usize| format!("{{\"a\":{}1{}}}", "[".repeat(levels - 1), "]".repeat(levels - 1));
    for make in [nested, lists] {
        let deepest = make(MAX_DEPTH);
        assert!(read_json_record(&deepest).is_ok());
        assert!(read(&deepest, &["a"]).is_some());
        let deeper = make(MAX_DEPTH + 1);
        assert!(!declined(&deeper));
    }
    // Deeper still, far past the limit, costs no stack: the scan stops at the limit.
    assert!(!declined(&format!("{{\"a\":{}", "[".repeat(100_000))));
    assert!(!declined(&format!("{{\"a\":{}", "{\"a\":".repeat(100_000))));
}

#[test]
fn declines_more_values_than_a_record_may_hold() {
    let within = format!("{{\"a\": [{}0]}}", "0,".repeat(MAX_RECORD_VALUES - 3));
    assert!(read(&within, &["a"]).is_some());
    let over = format!("{{\"a\": [{}0]}}", "0,".repeat(MAX_RECORD_VALUES - 2));
    assert!(!declined(&over));
}

#[test]
fn plain_text_ends_at_a_quote_a_backslash_or_a_control_character() {
    let naive = |b: &[u8]| b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
    for len in 0..20 {
        for at in 0..=len {
            for stop in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                // Plain bytes on either side of the stop, some of them UTF-8 and near it.
                let mut bytes: Vec<u8> = (0..len).map(|i| [b'a', 0x21, 0x5d, 0xc3, 0xff][i % 5]).collect();
                if at < len {
                    bytes[at] = stop;
                    // A second stop after the first must not hide it.
                    if at + 1 < len {
                        bytes[at + 1] = b'"';
                    }
                }
                assert_eq!(plain_len(&bytes), naive(&bytes), "{bytes:?}");
            }
        }
    }
}

#[test]
fn keys_are_equal_byte_for_byte() {
    let keys: Vec<Vec<u8>> = (0..40)
        .map(|len| (0..len).map(|i| b'a' + (i % 26) as u8).collect())
        .collect();
    for a in &keys {
        for b in &keys {
            assert_eq!(same(a, b), a == b);
        }
        // One byte changed, wherever it is.
        for at in 0..a.len() {
            let mut b = a.clone();
            b[at] = b'#';
            assert!(!same(a, &b), "{a:?} {at}");
        }
    }
}

#[test]
fn a_buffer_serves_every_line() {
    let layout = Layout::new(&paths(&["a", "b"]));
    let mut out = Vec::new();
    let mut lines = vec![String::from(r#"{"a": "x", "b": 2}"#)];
    lines.push(String::from(r#"{"b": 3}"#));
    let mut capacity = 0;
    for line in &lines {
        let mut buffer = recycle(std::mem::take(&mut out));
        assert!(buffer.is_empty());
        assert!(buffer.capacity() >= capacity);
        assert!(scan(line, &layout, &mut buffer));
        capacity = buffer.capacity();
        out = recycle(buffer);
    }
    assert!(capacity >= 2);
    assert_eq!(out.capacity(), capacity);
}

/// Every path of objects in `value`, up to `depth` keys long.
fn all_paths(value: &Value, depth: usize, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let Value::Object(map) = value else { return };
    if prefix.len() == depth {
        return;
    }
    for (key, inner) in map {
        prefix.push(key.clone());
        out.push(prefix.clone());
        all_paths(inner, depth, prefix, out);
        prefix.pop();
    }
}

#[test]
fn reads_the_bundled_records_as_the_strict_reader_does() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut texts = Vec::new();
    let mut folders = vec![root];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            match path.extension().and_then(|e| e.to_str()) {
                _ if path.is_dir() => folders.push(path),
                Some("jsonl") => {
                    let text = std::fs::read_to_string(&path).unwrap();
                    texts.extend(text.lines().map(str::to_owned));
                }
                Some("json") => texts.push(std::fs::read_to_string(&path).unwrap()),
                _ => {}
            }
        }
    }
    let mut read = 0;
    for text in &texts {
        // Some example lines are broken or not objects on purpose, to show `batch`'s
        // errors.
        let Ok(record @ Value::Object(_)) = read_json_record(text) else {
            assert!(!scan(text, &Layout::new(&[["x"]]), &mut Vec::new()), "{text}");
            continue;
        };
        read += 1;
        let mut paths = Vec::new();
        all_paths(&record, 3, &mut Vec::new(), &mut paths);
        paths.push(vec!["none".to_owned(), "x".to_owned()]);
        let layout = Layout::new(&paths);
        let mut out = Vec::new();
        assert!(scan(text, &layout, &mut out), "{text}");
        for (path, found) in paths.iter().zip(&out) {
            path_agrees(record.as_object().unwrap(), path, found).unwrap();
        }
    }
    assert!(read > 1000, "{read} of {}", texts.len());
}

// ---- Property tests: the scanner against the strict reader. ----

/// The keys of generated objects; the layout reads every path of one to three of the
/// first six.
const KEYS: [&str; 8] = ["a", "b", "c", "é", "a b", "", "k", "long_key_name"];

fn layout_paths() -> Vec<Vec<String>> {
    let names: Vec<String> = KEYS.iter().take(6).map(|k| (*k).to_owned()).collect();
    let mut out = vec![Vec::new()];
    for a in &names {
        out.push(vec![a.clone()]);
        for b in &names {
            out.push(vec![a.clone(), b.clone()]);
            for c in &names {
                out.push(vec![a.clone(), b.clone(), c.clone()]);
            }
        }
    }
    // A path given twice.
    out.push(vec!["a".to_owned()]);
    out
}

/// A JSON value as it will be written: strings and numbers as their raw tokens.
#[derive(Debug, Clone)]
enum J {
    Null,
    True,
    False,
    Num(String),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

/// White space between tokens, chosen by a small generator seeded by the case.
struct Ws(u64);

impl Ws {
    fn next(&mut self) -> &'static str {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        match self.0 % 8 {
            0 => " ",
            1 => "\n",
            2 => "\t \r\n",
            3 => "  ",
            _ => "",
        }
    }
}

fn render(j: &J, ws: &mut Ws, out: &mut String) {
    match j {
        J::Null => out.push_str("null"),
        J::True => out.push_str("true"),
        J::False => out.push_str("false"),
        J::Num(n) => out.push_str(n),
        J::Str(s) => {
            out.push('"');
            out.push_str(s);
            out.push('"');
        }
        J::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(ws.next());
                render(item, ws, out);
                out.push_str(ws.next());
            }
            out.push(']');
        }
        J::Obj(fields) => {
            out.push('{');
            for (i, (key, value)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(ws.next());
                out.push('"');
                out.push_str(key);
                out.push('"');
                out.push_str(ws.next());
                out.push(':');
                out.push_str(ws.next());
                render(value, ws, out);
                out.push_str(ws.next());
            }
            out.push('}');
        }
    }
}

/// Numbers: with `tame`, only forms the scanner reads whenever serde_json does.
fn number(tame: bool) -> BoxedStrategy<String> {
    let valid = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        "-?(0|[1-9][0-9]{0,24})(\\.[0-9]{1,6})?([eE][+-]?[0-9]{1,2})?",
        prop::sample::select(vec![
            "0", "-0", "-0.0", "0e-400", "1e-300", "1e300", "-9223372036854775808",
            "9223372036854775807", "9223372036854775808", "18446744073709551616", "1E+2",
        ])
        .prop_map(str::to_owned),
    ];
    if tame {
        return valid.boxed();
    }
    let zeros = "0".repeat(320);
    prop_oneof![
        3 => valid,
        1 => "-?[0-9]{1,4}(\\.[0-9]{0,3})?([eE][+-]?[0-9]{0,4})?",
        1 => prop::sample::select(vec![
            "1e-400".to_owned(), "-2.5E-999".to_owned(), "1e400".to_owned(), "1e309".to_owned(),
            "1.7976931348623157e308".to_owned(), "0e99999999999".to_owned(), "01".to_owned(),
            "-".to_owned(), "1.".to_owned(), "+1".to_owned(), ".5".to_owned(),
            "1e301".to_owned(), "1e-301".to_owned(), format!("1{zeros}"), format!("0.{zeros}1"),
            format!("-0.{zeros}"),
        ]),
    ]
    .boxed()
}

/// String contents as written between the quotes.
fn string(tame: bool) -> BoxedStrategy<String> {
    let valid = prop_oneof![
        any::<String>().prop_map(|s| {
            let quoted = serde_json::to_string(&s).unwrap();
            quoted[1..quoted.len() - 1].to_owned()
        }),
        prop::sample::select(vec![
            "x", "vip", "café", "日本", "\\\"", "\\\\", "\\u00e9", "\\u00E9x", "\\ud83d\\ude00",
            "a\\nb", "\\/", "1e-400", "", "{\\\"a\\\": 1}",
        ])
        .prop_map(str::to_owned),
    ];
    if tame {
        return valid.boxed();
    }
    prop_oneof![
        4 => valid,
        1 => prop::sample::select(vec![
            "\\ud800", "\\udc00x", "\\ud800\\u0041", "\\x", "\\u12g4", "\u{1}", "\t", "\\",
            "\\u", "\\ud83d\\", "\\ud83d\\u",
        ])
        .prop_map(str::to_owned),
    ]
    .boxed()
}

fn key(tame: bool) -> BoxedStrategy<String> {
    let plain = prop::sample::select(KEYS.to_vec()).prop_map(str::to_owned);
    if tame {
        return plain.boxed();
    }
    prop_oneof![
        6 => plain,
        1 => prop::sample::select(vec!["\\u0061", "a\\\"b", "\\n", "\\ud800"]).prop_map(str::to_owned),
    ]
    .boxed()
}

/// Object fields, mostly with distinct keys; now and then a duplicate is kept.
fn fields(
    tame: bool,
    value: impl Strategy<Value = J>,
    size: std::ops::Range<usize>,
) -> impl Strategy<Value = Vec<(String, J)>> {
    (
        prop::collection::vec((key(tame), value), size),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(mut fields, keep_duplicates)| {
            if !keep_duplicates {
                let mut seen = std::collections::HashSet::new();
                fields.retain(|(k, _)| seen.insert(k.clone()));
            }
            fields
        })
}

fn record(tame: bool) -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Null),
        Just(J::True),
        Just(J::False),
        number(tame).prop_map(J::Num),
        string(tame).prop_map(J::Str),
    ];
    let tree = leaf.prop_recursive(4, 40, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(J::Arr),
            fields(tame, inner, 0..6).prop_map(J::Obj),
        ]
    });
    fields(tame, tree, 0..9).prop_map(J::Obj)
}

fn line(tame: bool) -> impl Strategy<Value = String> {
    (record(tame), any::<u64>()).prop_map(|(j, seed)| {
        let mut ws = Ws(seed | 1);
        let mut out = String::from(ws.next());
        render(&j, &mut ws, &mut out);
        out.push_str(ws.next());
        out
    })
}

/// What a list's element should read as.
fn agrees_with(value: &Value, found: &Found<'_>) -> Result<(), String> {
    let ok = match (value, found) {
        (Value::Null, Found::Null) => true,
        (Value::Bool(a), Found::Bool(b)) => a == b,
        (Value::Number(n), Found::Int(i)) => n.as_i64() == Some(*i),
        (Value::Number(n), Found::Number(text)) => {
            n.as_i64().is_none() && serde_json::from_str::<Value>(text).ok().as_ref() == Some(value)
        }
        (Value::String(a), Found::Text(b)) => a == b,
        (Value::Object(_), Found::Other) => true,
        (Value::Array(items), Found::List(list)) => {
            if items.len() != list.len() {
                return Err(format!("{} elements, read {}", items.len(), list.len()));
            }
            let found: Vec<Found<'_>> = list.items().collect();
            if found.len() != items.len() {
                return Err(format!("{} elements walked of {}", found.len(), items.len()));
            }
            for (item, found) in items.iter().zip(&found) {
                agrees_with(item, found)?;
            }
            let mut texts = Vec::new();
            let all = list.each_text(|t| {
                texts.push(Value::String(t.to_owned()));
                true
            });
            let expected_all = items.iter().all(Value::is_string);
            match all {
                Some(true) => expected_all && texts == *items,
                None => !expected_all && texts.len() < items.len(),
                Some(false) => false,
            }
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{value} read as {found:?}"))
    }
}

/// What the path should read as, walked as `is_absent_path` walks it.
fn path_agrees(map: &Map<String, Value>, path: &[String], found: &Found<'_>) -> Result<(), String> {
    let absent = crate::eval::is_absent_path(map, path);
    if absent != matches!(found, Found::Absent | Found::Null) {
        return Err(format!("{path:?}: absent is {absent}, read {found:?}"));
    }
    let Some((last, init)) = path.split_last() else {
        return if *found == Found::Absent { Ok(()) } else { Err("empty path".into()) };
    };
    let mut current = map;
    for segment in init {
        match current.get(segment) {
            Some(Value::Object(inner)) => current = inner,
            None | Some(Value::Null) => {
                return if *found == Found::Absent { Ok(()) } else { Err(format!("{path:?}: {found:?}")) };
            }
            Some(_) => {
                return if *found == Found::Other { Ok(()) } else { Err(format!("{path:?}: {found:?}")) };
            }
        }
    }
    match current.get(last) {
        None => {
            if *found == Found::Absent {
                Ok(())
            } else {
                Err(format!("{path:?}: {found:?}"))
            }
        }
        Some(value) => agrees_with(value, found).map_err(|e| format!("{path:?}: {e}")),
    }
}

/// The contract for one line; whether the scanner accepted it.
fn contract(text: &str) -> bool {
    let paths = layout_paths();
    let layout = Layout::new(&paths);
    let mut out = Vec::new();
    let accepted = scan(text, &layout, &mut out);
    if !accepted {
        assert!(out.is_empty());
        return false;
    }
    let record = read_json_record(text);
    let Ok(Value::Object(map)) = &record else {
        panic!("accepted {text:?}, which the strict reader reads as {record:?}");
    };
    assert_eq!(out.len(), paths.len());
    for (path, found) in paths.iter().zip(&out) {
        if let Err(e) = path_agrees(map, path, found) {
            panic!("{text:?}: {e}");
        }
    }
    true
}

/// Whether a line holds only what the scanner reads whenever the strict reader does (no
/// escaped keys, numbers near 1, shallow): generated by `line(true)`.
fn strict_accepts(text: &str) -> bool {
    matches!(read_json_record(text), Ok(Value::Object(_)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// On lines of what the scanner handles, it accepts exactly what the strict reader
    /// accepts, and agrees with it on every path.
    #[test]
    fn agrees_with_the_strict_reader(text in line(true)) {
        prop_assert_eq!(contract(&text), strict_accepts(&text), "{:?}", text);
    }

    /// On any line, accepting means agreeing.
    #[test]
    fn never_accepts_what_the_strict_reader_refuses(text in line(false)) {
        contract(&text);
    }

    /// Cut anywhere, a line is read as the strict reader reads it, or declined.
    #[test]
    fn truncated_lines(text in line(false), cut in any::<prop::sample::Index>()) {
        let mut at = cut.index(text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        contract(&text[..at]);
    }

    /// One byte changed, inserted or removed.
    #[test]
    fn mutated_lines(
        text in line(true),
        at in any::<prop::sample::Index>(),
        byte in prop::sample::select(b"{}[]\":, \\0123456789.eE+-nultrfa\x01".to_vec()),
        how in 0..3u8,
    ) {
        let mut bytes = text.into_bytes();
        let at = at.index(bytes.len() + 1);
        match how {
            0 if at < bytes.len() => bytes[at] = byte,
            1 if at < bytes.len() => { bytes.remove(at); }
            _ => bytes.insert(at, byte),
        }
        let text = String::from_utf8_lossy(&bytes);
        contract(&text);
    }

    /// Arbitrary text, and text made of JSON's own characters.
    #[test]
    fn random_text(
        text in prop_oneof![any::<String>(), "[ {}\\[\\]\":,0-9a-z\\\\.eE+-]{0,40}"],
    ) {
        contract(&text);
        contract(&format!("{{\"a\":{text}}}"));
        contract(&format!("{{\"a\":\"{text}\"}}"));
    }
}
