//! Arbitrary bytes into the record scanner: no panic, and whenever it accepts a line the
//! strict reader accepts it too, with the same value at every path the layout reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use service_policy::read_json_record;
use service_policy::record::scan::{Found, Layout, scan};
use std::sync::OnceLock;

const PATHS: [&[&str]; 8] = [
    &["a"],
    &["b"],
    &["a", "b"],
    &["a", "a", "a"],
    &["tags"],
    &["c", "d"],
    &[""],
    &[],
];

fn layout() -> &'static Layout {
    static LAYOUT: OnceLock<Layout> = OnceLock::new();
    LAYOUT.get_or_init(|| Layout::new(&PATHS))
}

/// What `found` should be for `value` at the path's end.
fn agrees(value: &Value, found: &Found<'_>) -> bool {
    match (value, found) {
        (Value::Null, Found::Null) => true,
        (Value::Bool(a), Found::Bool(b)) => a == b,
        (Value::Number(n), Found::Int(i)) => n.as_i64() == Some(*i),
        (Value::Number(n), Found::Number(text)) => {
            n.as_i64().is_none() && serde_json::from_str::<Value>(text).ok().as_ref() == Some(value)
        }
        (Value::String(a), Found::Text(b)) => a == b,
        (Value::Object(_), Found::Other) => true,
        (Value::Array(items), Found::List(list)) => {
            list.len() == items.len()
                && list.items().count() == items.len()
                && items.iter().zip(list.items()).all(|(v, f)| agrees(v, &f))
        }
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut out = Vec::new();
    if !scan(&text, layout(), &mut out) {
        assert!(out.is_empty());
        return;
    }
    let Ok(Value::Object(map)) = read_json_record(&text) else {
        panic!("the scanner accepted what the strict reader refuses: {text:?}");
    };
    for (path, found) in PATHS.iter().zip(&out) {
        let mut current = &map;
        let mut expected = None;
        for (i, key) in path.iter().enumerate() {
            match current.get(*key) {
                None | Some(Value::Null) if i + 1 < path.len() => break,
                Some(Value::Object(inner)) if i + 1 < path.len() => current = inner,
                Some(_) if i + 1 < path.len() => {
                    expected = Some(*found == Found::Other);
                    break;
                }
                None => break,
                Some(value) => expected = Some(agrees(value, found)),
            }
        }
        let ok = expected.unwrap_or(*found == Found::Absent);
        assert!(ok, "{text:?}: {path:?} read as {found:?}");
    }
});
