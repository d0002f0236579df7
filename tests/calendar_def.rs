//! Building calendars from their AST: the zone rules and every `E0304`/`E0306` problem,
//! all reported at once with their spans.
// The stage it tests is internal: built with `--features internals` (or `--all-features`).
#![cfg(feature = "internals")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests and benches stop loudly on the unexpected"
)]

use jiff::Timestamp;
use jiff::civil::date;
use service_policy::Code;
use service_policy::Duration;
use service_policy::ast::{
    CalendarDef, CalendarLine, ClockInterval, ClockTime, ClosedDays, DateLit, Ident, OpenHours,
    Span, Text,
};
use service_policy::calendar::{Calendar, time_zone};
use service_policy::diagnostic::Diagnostic;

/// Hands out distinct spans in order, so tests can tell which node a diagnostic points at.
struct Spans(std::cell::Cell<usize>);

impl Spans {
    fn new() -> Spans {
        Spans(std::cell::Cell::new(0))
    }

    fn next(&self) -> Span {
        let start = self.0.get() + 10;
        self.0.set(start);
        Span::new(start, start + 5)
    }

    fn ident(&self, name: &str) -> Ident {
        Ident {
            name: name.to_owned(),
            span: self.next(),
        }
    }

    fn text(&self, value: &str) -> Text {
        Text {
            value: value.to_owned(),
            span: self.next(),
        }
    }

    fn interval(&self, start: (u16, u16), end: (u16, u16)) -> ClockInterval {
        ClockInterval {
            start: ClockTime::new(start.0, start.1).unwrap(),
            end: ClockTime::new(end.0, end.1).unwrap(),
            span: self.next(),
        }
    }

    fn open(&self, from: &str, to: Option<&str>, intervals: Vec<ClockInterval>) -> CalendarLine {
        let from = self.ident(from);
        let to = to.map(|t| self.ident(t));
        CalendarLine::Open(OpenHours {
            from,
            to,
            intervals,
            span: self.next(),
        })
    }

    fn def(&self, lines: Vec<CalendarLine>) -> CalendarDef {
        CalendarDef {
            name: self.ident("support_hours"),
            lines,
            span: self.next(),
        }
    }
}

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn errors(def: &CalendarDef) -> Vec<Diagnostic> {
    Calendar::from_def(def, &time_zone("UTC").unwrap()).unwrap_err()
}

#[test]
fn a_valid_calendar_with_its_own_zone_and_holidays() {
    let s = Spans::new();
    let morning = s.interval((9, 0), (13, 0));
    let afternoon = s.interval((14, 0), (18, 0));
    let saturday = s.interval((10, 0), (14, 0));
    let zone = s.text("Asia/Kolkata");
    let lines = vec![
        CalendarLine::Timezone(zone),
        s.open("mon", Some("fri"), vec![morning, afternoon]),
        s.open("sat", None, vec![saturday]),
        CalendarLine::Closed(ClosedDays {
            dates: vec![DateLit {
                date: date(2026, 1, 26),
                span: s.next(),
            }],
            span: s.next(),
        }),
    ];
    let def = s.def(lines);
    let cal = Calendar::from_def(&def, &time_zone("Europe/Berlin").unwrap()).unwrap();
    assert_eq!(cal.time_zone().iana_name(), Some("Asia/Kolkata"));
    assert_eq!(cal.intervals(0), &[(540, 780), (840, 1080)]);
    assert_eq!(cal.intervals(4), &[(540, 780), (840, 1080)]);
    assert_eq!(cal.intervals(5), &[(600, 840)]);
    assert!(cal.intervals(6).is_empty());
    assert_eq!(cal.closed_dates(), &[date(2026, 1, 26)]);
    assert_eq!(
        cal.weekly_open_time(),
        Duration::from_secs((5 * 8 + 4) * 3600).unwrap()
    );
    // Saturday 2026-01-24 13:00 IST (07:30Z) plus two hours: one on Saturday, Monday
    // 2026-01-26 closed, Tuesday 09:00-10:00 IST.
    assert_eq!(
        cal.add(
            ts("2026-01-24T07:30:00Z"),
            Duration::from_secs(7200).unwrap()
        ),
        Some(ts("2026-01-27T04:30:00Z"))
    );
}

#[test]
fn without_a_timezone_line_the_policy_zone_is_used() {
    let s = Spans::new();
    let interval = s.interval((9, 0), (17, 0));
    let def = s.def(vec![s.open("mon", None, vec![interval])]);
    let cal = Calendar::from_def(&def, &time_zone("America/New_York").unwrap()).unwrap();
    assert_eq!(cal.time_zone().iana_name(), Some("America/New_York"));
    // Monday 2026-03-02 09:00 EST = 14:00Z.
    assert!(cal.is_open(ts("2026-03-02T14:00:00Z")));
    assert!(!cal.is_open(ts("2026-03-02T13:59:59Z")));
}

#[test]
fn interval_ending_at_midnight_and_touching_intervals_are_valid() {
    let s = Spans::new();
    let late = s.interval((18, 0), (24, 0));
    let early = s.interval((0, 0), (6, 0));
    let touching = s.interval((6, 0), (12, 0));
    let def = s.def(vec![
        s.open("fri", None, vec![late]),
        s.open("sat", None, vec![touching, early]),
    ]);
    let cal = Calendar::from_def(&def, &time_zone("UTC").unwrap()).unwrap();
    assert_eq!(cal.intervals(5), &[(0, 360), (360, 720)]);
    // Friday 23:00 to Saturday 01:00 is open throughout.
    assert_eq!(
        cal.business_time(ts("2026-03-06T23:00:00Z"), ts("2026-03-07T01:00:00Z")),
        Duration::from_secs(7200).unwrap()
    );
}

#[test]
fn interval_not_ending_after_its_start() {
    let s = Spans::new();
    let backwards = s.interval((17, 0), (9, 0));
    let empty = s.interval((9, 0), (9, 0));
    let fine = s.interval((9, 0), (10, 0));
    let def = s.def(vec![s.open(
        "mon",
        None,
        vec![backwards.clone(), empty.clone(), fine],
    )]);
    let found = errors(&def);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].code, Code::E0304);
    assert_eq!(
        found[0].message,
        "interval `17:00-09:00` does not end after it starts"
    );
    assert_eq!(found[0].span.range(), backwards.span.range());
    assert!(found[0].help.as_deref().unwrap().contains("`24:00`"));
    assert_eq!(
        found[1].message,
        "interval `09:00-09:00` does not end after it starts"
    );
    assert_eq!(found[1].span.range(), empty.span.range());
}

#[test]
fn starting_at_midnight_end_of_day_is_refused() {
    let s = Spans::new();
    let interval = s.interval((24, 0), (24, 0));
    let def = s.def(vec![s.open("mon", None, vec![interval])]);
    let found = errors(&def);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].message,
        "interval `24:00-24:00` does not end after it starts"
    );
}

#[test]
fn overlapping_intervals_on_a_day_even_across_lines() {
    let s = Spans::new();
    let week = s.interval((9, 0), (13, 0));
    let monday = s.interval((12, 0), (14, 0));
    let def = s.def(vec![
        s.open("mon", Some("fri"), vec![week.clone()]),
        s.open("mon", None, vec![monday.clone()]),
    ]);
    let found = errors(&def);
    assert_eq!(found.len(), 1, "reported once, not per day: {found:#?}");
    let overlap = &found[0];
    assert_eq!(overlap.code, Code::E0304);
    assert_eq!(
        overlap.message,
        "interval `12:00-14:00` overlaps `09:00-13:00` on the same day"
    );
    assert_eq!(overlap.span.range(), monday.span.range());
    assert_eq!(overlap.labels.len(), 1);
    assert_eq!(overlap.labels[0].span.range(), week.span.range());
}

#[test]
fn overlaps_on_different_days_are_each_reported() {
    let s = Spans::new();
    let a = s.interval((9, 0), (12, 0));
    let b = s.interval((10, 0), (11, 0));
    let c = s.interval((20, 0), (22, 0));
    let d = s.interval((21, 0), (24, 0));
    let def = s.def(vec![
        s.open("tue", None, vec![a, b]),
        s.open("sun", None, vec![c, d]),
    ]);
    let found = errors(&def);
    let messages: Vec<&str> = found.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "interval `10:00-11:00` overlaps `09:00-12:00` on the same day",
            "interval `21:00-24:00` overlaps `20:00-22:00` on the same day",
        ]
    );
}

#[test]
fn unknown_weekday_names() {
    let s = Spans::new();
    let interval = s.interval((9, 0), (17, 0));
    let line = s.open("monday", Some("fry"), vec![interval]);
    let CalendarLine::Open(hours) = &line else {
        unreachable!()
    };
    let (from_span, to_span) = (hours.from.span, hours.to.as_ref().unwrap().span);
    let def = s.def(vec![line]);
    let found = errors(&def);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].message, "unknown weekday `monday`");
    assert_eq!(found[0].span.range(), from_span.range());
    assert_eq!(found[1].message, "unknown weekday `fry`");
    assert_eq!(found[1].span.range(), to_span.range());
    assert!(found.iter().all(|d| d.code == Code::E0304));
    assert_eq!(
        found[0].help.as_deref(),
        Some("write `mon`; weekdays are `mon`, `tue`, `wed`, `thu`, `fri`, `sat` and `sun`")
    );
    assert_eq!(
        found[1].help.as_deref(),
        Some("weekdays are `mon`, `tue`, `wed`, `thu`, `fri`, `sat` and `sun`")
    );
}

#[test]
fn backwards_day_range_is_refused() {
    let s = Spans::new();
    let interval = s.interval((9, 0), (17, 0));
    let line = s.open("fri", Some("mon"), vec![interval]);
    let CalendarLine::Open(hours) = &line else {
        unreachable!()
    };
    let whole = hours.from.span.to(hours.to.as_ref().unwrap().span);
    let def = s.def(vec![line]);
    let found = errors(&def);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].code, Code::E0304);
    assert_eq!(found[0].message, "day range `fri-mon` runs backwards");
    assert_eq!(found[0].span.range(), whole.range());
    assert_eq!(
        found[0].help.as_deref(),
        Some(
            "write `mon-fri`, or split a range across the weekend into two lines such as `fri-sun` and `mon`"
        )
    );
}

#[test]
fn a_calendar_without_open_hours() {
    let s = Spans::new();
    let closed = CalendarLine::Closed(ClosedDays {
        dates: vec![DateLit {
            date: date(2026, 12, 25),
            span: s.next(),
        }],
        span: s.next(),
    });
    let def = s.def(vec![closed]);
    let found = errors(&def);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code, Code::E0304);
    assert_eq!(
        found[0].message,
        "calendar `support_hours` has no open hours"
    );
    assert_eq!(found[0].span.range(), def.name.span.range());
    // An empty body too.
    let empty = s.def(vec![]);
    assert_eq!(
        errors(&empty)[0].message,
        "calendar `support_hours` has no open hours"
    );
}

#[test]
fn duplicate_timezone_line() {
    let s = Spans::new();
    let first = s.text("Europe/Berlin");
    let second = s.text("Asia/Kolkata");
    let interval = s.interval((9, 0), (17, 0));
    let def = s.def(vec![
        CalendarLine::Timezone(first.clone()),
        s.open("mon", None, vec![interval]),
        CalendarLine::Timezone(second.clone()),
    ]);
    let found = errors(&def);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code, Code::E0304);
    assert_eq!(
        found[0].message,
        "calendar `support_hours` has a second `timezone` line"
    );
    assert_eq!(found[0].span.range(), second.span.range());
    assert_eq!(found[0].labels[0].span.range(), first.span.range());
}

#[test]
fn unknown_time_zone() {
    let s = Spans::new();
    let zone = s.text("Europe/Atlantis");
    let interval = s.interval((9, 0), (17, 0));
    let def = s.def(vec![
        CalendarLine::Timezone(zone.clone()),
        s.open("mon", None, vec![interval]),
    ]);
    let found = errors(&def);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code, Code::E0306);
    assert_eq!(found[0].message, "unknown time zone `Europe/Atlantis`");
    assert_eq!(found[0].span.range(), zone.span.range());
}

#[test]
fn every_problem_is_reported_at_once() {
    let s = Spans::new();
    let zone = s.text("Nowhere/Else");
    let again = s.text("UTC");
    let bad = s.interval((18, 0), (9, 0));
    let a = s.interval((9, 0), (12, 0));
    let b = s.interval((11, 0), (13, 0));
    let ok = s.interval((9, 0), (10, 0));
    let def = s.def(vec![
        CalendarLine::Timezone(zone),
        CalendarLine::Timezone(again),
        s.open("mon", None, vec![bad]),
        s.open("tue", None, vec![a, b]),
        s.open("sat", Some("tue"), vec![ok.clone()]),
        s.open("someday", None, vec![ok]),
    ]);
    let mut codes: Vec<(Code, String)> = errors(&def)
        .into_iter()
        .map(|d| (d.code, d.message))
        .collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            (
                Code::E0304,
                "calendar `support_hours` has a second `timezone` line".to_owned()
            ),
            (Code::E0304, "day range `sat-tue` runs backwards".to_owned()),
            (
                Code::E0304,
                "interval `11:00-13:00` overlaps `09:00-12:00` on the same day".to_owned()
            ),
            (
                Code::E0304,
                "interval `18:00-09:00` does not end after it starts".to_owned()
            ),
            (Code::E0304, "unknown weekday `someday`".to_owned()),
            (Code::E0306, "unknown time zone `Nowhere/Else`".to_owned()),
        ]
    );
}
