//! Properties of business time on random calendars, in zones chosen for awkward
//! transitions: `advance` is the exact, earliest inverse of `running_time`, both are
//! monotone and additive, and `is_open` agrees with them.
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
use jiff::civil::Date;
use proptest::prelude::*;
use service_policy::Duration;
use service_policy::calendar::{Calendar, Clock, time_zone};

/// Zones with DST at 02:00 (New York), at 01:00Z (Berlin), at midnight (Santiago), of
/// 30 minutes (Lord Howe), a skipped day (Apia, 2011-12-30), and odd fixed offsets.
const ZONES: [&str; 8] = [
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Asia/Kolkata",
    "Asia/Kathmandu",
];

const NANOS_PER_SECOND: i128 = 1_000_000_000;
/// 2010-01-01T00:00:00Z in seconds.
const BASE_SECOND: i64 = 1_262_304_000;
const DAY_SECONDS: i64 = 86_400;

/// Up to three intervals per weekday from sorted boundary minutes, sometimes snapped to
/// quarter hours so that boundaries land on transitions.
fn weekday_intervals() -> impl Strategy<Value = Vec<(u16, u16)>> {
    (
        prop::collection::btree_set(0u16..=1440, 0..=6),
        any::<bool>(),
    )
        .prop_map(|(points, snap)| {
            let mut points: Vec<u16> = points
                .into_iter()
                .map(|p| if snap { (p / 15 * 15).min(1440) } else { p })
                .collect();
            points.dedup();
            points
                .chunks_exact(2)
                .filter_map(|pair| match pair {
                    [s, e] if s < e => Some((*s, *e)),
                    _ => None,
                })
                .collect()
        })
}

#[derive(Debug, Clone)]
struct Case {
    calendar: Calendar,
    /// Seconds since 2010-01-01 of the start.
    start: Timestamp,
}

fn case() -> impl Strategy<Value = Case> {
    (
        0..ZONES.len(),
        prop::array::uniform7(weekday_intervals()),
        0i64..(20 * 365),
        0i64..DAY_SECONDS,
        0i64..1_000_000_000,
        prop::collection::vec(0i64..60, 0..8),
        any::<bool>(),
    )
        .prop_filter_map(
            "a calendar needs open time",
            |(zone, weekly, day, sec, nanos, holidays, near)| {
                let tz = time_zone(ZONES[zone])?;
                let mut start_second = BASE_SECOND + day * DAY_SECONDS;
                if near {
                    // Half the cases start shortly before a transition of the zone, so the
                    // walks cross it.
                    let probe = Timestamp::from_second(start_second).ok()?;
                    if let Some(transition) = tz.following(probe).next() {
                        start_second = transition.timestamp().as_second() - 2 * DAY_SECONDS;
                    }
                }
                let start = Timestamp::new(start_second + sec, i32::try_from(nanos).ok()?).ok()?;
                let start_date = start.to_zoned(tz.clone()).date();
                let closed: Vec<Date> = holidays
                    .iter()
                    .filter_map(|offset| {
                        start_date.checked_add(jiff::Span::new().days(*offset)).ok()
                    })
                    .collect();
                let calendar = Calendar::new(tz, weekly, closed).ok()?;
                Some(Case { calendar, start })
            },
        )
}

fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        (0i64..=200 * 3600).prop_map(|s| Duration::from_secs(s).unwrap()),
        (0i64..=100 * 3600 * 1_000_000_000).prop_map(Duration::from_nanos),
        (0i64..=3).prop_map(Duration::from_nanos),
    ]
}

fn pauses(start: Timestamp) -> impl Strategy<Value = Vec<(Timestamp, Timestamp)>> {
    let base = start.as_second();
    prop::collection::vec(
        (-3 * DAY_SECONDS..20 * DAY_SECONDS, 0i64..3 * DAY_SECONDS),
        0..5,
    )
    .prop_map(move |list| {
        list.into_iter()
            .map(|(offset, len)| {
                let from = Timestamp::from_second(base + offset).unwrap();
                let to = Timestamp::from_second(base + offset + len).unwrap();
                (from, to)
            })
            .collect()
    })
}

fn nanos_before(t: Timestamp, n: i128) -> Timestamp {
    Timestamp::from_nanosecond(t.as_nanosecond() - n).unwrap()
}

fn plus_seconds(t: Timestamp, s: i64) -> Timestamp {
    Timestamp::from_nanosecond(t.as_nanosecond() + i128::from(s) * NANOS_PER_SECOND).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn add_is_the_earliest_exact_inverse_of_business_time(c in case(), d in duration()) {
        let Some(due) = c.calendar.add(c.start, d) else {
            // Only when the bounded span does not hold that much open time.
            prop_assert!(c.calendar.business_time(c.start, Timestamp::MAX) < d);
            return Ok(());
        };
        prop_assert!(due >= c.start);
        prop_assert_eq!(c.calendar.business_time(c.start, due), d);
        if d > Duration::ZERO {
            let just_before = nanos_before(due, 1);
            prop_assert!(c.calendar.business_time(c.start, just_before) < d);
            // The last nanosecond counted is open.
            prop_assert!(c.calendar.is_open(just_before));
        }
    }

    #[test]
    fn add_is_monotone_in_the_duration(c in case(), a in duration(), b in duration()) {
        let (small, large) = if a <= b { (a, b) } else { (b, a) };
        let first = c.calendar.add(c.start, small);
        let second = c.calendar.add(c.start, large);
        match (first, second) {
            (Some(first), Some(second)) => prop_assert!(first <= second),
            // Unreachable is later than any instant.
            (first, second) => prop_assert!(first.is_some() || second.is_none()),
        }
    }

    #[test]
    fn business_time_is_additive(c in case(), x in 0i64..30 * DAY_SECONDS, y in 0i64..30 * DAY_SECONDS) {
        let a = c.start;
        let b = plus_seconds(a, x.min(y));
        let e = plus_seconds(a, x.max(y));
        let cal = &c.calendar;
        let sum = cal.business_time(a, b).checked_add(cal.business_time(b, e)).unwrap();
        prop_assert_eq!(sum, cal.business_time(a, e));
        prop_assert!(cal.business_time(a, e).as_nanos() <= i64::try_from(e.as_nanosecond() - a.as_nanosecond()).unwrap());
        prop_assert_eq!(cal.business_time(e, a), Duration::ZERO);
    }

    #[test]
    fn is_open_agrees_with_business_time(c in case(), offsets in prop::collection::vec(0i64..14 * DAY_SECONDS, 1..20)) {
        for offset in offsets {
            // Whole minutes, where interval boundaries fall.
            let t = Timestamp::from_second((c.start.as_second() + offset) / 60 * 60).unwrap();
            let next = Timestamp::from_nanosecond(t.as_nanosecond() + 1).unwrap();
            let open = c.calendar.business_time(t, next) == Duration::from_nanos(1);
            prop_assert_eq!(c.calendar.is_open(t), open, "at {}", t);
        }
    }

    #[test]
    fn clock_advance_is_the_earliest_exact_inverse_of_running_time(
        (c, pauses) in case().prop_flat_map(|c| { let p = pauses(c.start); (Just(c), p) }),
        d in duration(),
        with_calendar in any::<bool>(),
    ) {
        let clock = Clock { calendar: with_calendar.then_some(&c.calendar), pauses: &pauses };
        let Some(due) = clock.advance(c.start, d) else {
            prop_assert!(clock.running_time(c.start, Timestamp::MAX) < d);
            return Ok(());
        };
        prop_assert_eq!(clock.running_time(c.start, due), d);
        if d > Duration::ZERO {
            let just_before = nanos_before(due, 1);
            prop_assert!(clock.running_time(c.start, just_before) < d);
            prop_assert!(!pauses.iter().any(|(from, to)| *from <= just_before && just_before < *to));
            prop_assert!(clock.is_running(just_before));
        }
        // Pauses never add time, and all pauses removed gives the plain measure.
        let plain = Clock { calendar: clock.calendar, pauses: &[] };
        prop_assert!(clock.running_time(c.start, due) <= plain.running_time(c.start, due));
    }

    #[test]
    fn clock_running_time_is_additive(
        (c, pauses) in case().prop_flat_map(|c| { let p = pauses(c.start); (Just(c), p) }),
        x in 0i64..20 * DAY_SECONDS,
        y in 0i64..20 * DAY_SECONDS,
    ) {
        let clock = Clock { calendar: Some(&c.calendar), pauses: &pauses };
        let a = c.start;
        let b = plus_seconds(a, x.min(y));
        let e = plus_seconds(a, x.max(y));
        let sum = clock.running_time(a, b).checked_add(clock.running_time(b, e)).unwrap();
        prop_assert_eq!(sum, clock.running_time(a, e));
        // Shuffling the pauses changes nothing.
        let mut reversed = pauses.clone();
        reversed.reverse();
        let shuffled = Clock { calendar: Some(&c.calendar), pauses: &reversed };
        prop_assert_eq!(shuffled.running_time(a, e), clock.running_time(a, e));
    }
}
