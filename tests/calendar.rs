//! Business time through the public API, with exact instants: daylight-saving changes in
//! the US and the EU, holidays, weekends, starts outside open hours, `24:00`, half- and
//! quarter-hour zones, and paused clocks.
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
use jiff::civil::{Date, date};
use service_policy::Duration;
use service_policy::calendar::{Calendar, Clock, time_zone};

fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

fn hours(h: i64) -> Duration {
    Duration::from_secs(h * 3600).unwrap()
}

fn minutes(m: i64) -> Duration {
    Duration::from_secs(m * 60).unwrap()
}

/// `"09:00"` as minutes after midnight.
fn hm(text: &str) -> u16 {
    let (h, m) = text.split_once(':').unwrap();
    h.parse::<u16>().unwrap() * 60 + m.parse::<u16>().unwrap()
}

/// A calendar from lines like `("mon-fri", "09:00-13:00 14:00-18:00")`.
fn cal(zone: &str, lines: &[(&str, &str)], closed: &[Date]) -> Calendar {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let index = |name: &str| DAYS.iter().position(|d| *d == name).unwrap();
    let mut weekly: [Vec<(u16, u16)>; 7] = Default::default();
    for (days, intervals) in lines {
        let (first, last) = days.split_once('-').unwrap_or((days, days));
        for day in weekly.iter_mut().take(index(last) + 1).skip(index(first)) {
            for interval in intervals.split_whitespace() {
                let (s, e) = interval.split_once('-').unwrap();
                day.push((hm(s), hm(e)));
            }
        }
    }
    Calendar::new(time_zone(zone).unwrap(), weekly, closed.iter().copied()).unwrap()
}

fn support_hours() -> Calendar {
    cal(
        "UTC",
        &[
            ("mon-fri", "09:00-13:00 14:00-18:00"),
            ("sat", "10:00-14:00"),
        ],
        &[],
    )
}

#[test]
fn time_zones_come_from_the_bundled_database() {
    assert_eq!(
        time_zone("Asia/Kolkata").unwrap().iana_name(),
        Some("Asia/Kolkata")
    );
    assert!(time_zone("UTC").is_some());
    assert!(time_zone("Europe/Atlantis").is_none());
    assert!(time_zone("").is_none());
}

// ---- United States: America/New_York, 2026-03-08 (02:00 EST -> 03:00 EDT) and
// 2026-11-01 (02:00 EDT -> 01:00 EST), both Sundays.

#[test]
fn us_spring_forward_interval_through_the_missing_hour() {
    let c = cal("America/New_York", &[("mon-sun", "01:00-03:00")], &[]);
    // The day before: 01:00-03:00 EST is two hours.
    assert_eq!(
        c.business_time(ts("2026-03-07T05:00:00Z"), ts("2026-03-08T05:00:00Z")),
        hours(2)
    );
    // On the change 02:00-03:00 does not exist: 01:00 EST (06:00Z) to 03:00 EDT (07:00Z).
    assert_eq!(
        c.business_time(ts("2026-03-08T05:00:00Z"), ts("2026-03-09T04:00:00Z")),
        hours(1)
    );
    assert!(c.is_open(ts("2026-03-08T06:59:59Z")));
    assert!(!c.is_open(ts("2026-03-08T07:00:00Z")));
    // 90 minutes from the opening: 60 on the change day, 30 the next day at 01:00 EDT.
    assert_eq!(
        c.add(ts("2026-03-08T06:00:00Z"), minutes(90)),
        Some(ts("2026-03-09T05:30:00Z"))
    );
}

#[test]
fn us_spring_forward_opening_inside_the_gap_opens_when_the_clock_jumps() {
    // 02:30 does not exist on 2026-03-08: the opening moves to 03:00 EDT (07:00Z).
    let c = cal("America/New_York", &[("sun", "02:30-04:00")], &[]);
    assert!(!c.is_open(ts("2026-03-08T06:59:59Z")));
    assert!(c.is_open(ts("2026-03-08T07:00:00Z")));
    assert_eq!(
        c.business_time(ts("2026-03-08T00:00:00Z"), ts("2026-03-09T00:00:00Z")),
        hours(1)
    );
    // An interval wholly inside the gap has no open time that day.
    let gap_only = cal("America/New_York", &[("sun", "02:00-02:30")], &[]);
    assert_eq!(
        gap_only.business_time(ts("2026-03-08T00:00:00Z"), ts("2026-03-09T00:00:00Z")),
        Duration::ZERO
    );
    // A week later it is 30 minutes again: 02:00 EDT = 06:00Z.
    assert_eq!(
        gap_only.add(ts("2026-03-08T00:00:00Z"), minutes(10)),
        Some(ts("2026-03-15T06:10:00Z"))
    );
}

#[test]
fn us_spring_forward_office_hours_across_the_transition() {
    let c = cal("America/New_York", &[("mon-sun", "00:00-04:00")], &[]);
    // 00:00 EST (05:00Z) to 04:00 EDT (08:00Z): three hours.
    assert_eq!(
        c.business_time(ts("2026-03-08T05:00:00Z"), ts("2026-03-08T12:00:00Z")),
        hours(3)
    );
    // From 00:30 EST, two hours of open time end at 03:30 EDT = 07:30Z.
    assert_eq!(
        c.add(ts("2026-03-08T05:30:00Z"), hours(2)),
        Some(ts("2026-03-08T07:30:00Z"))
    );
}

#[test]
fn us_fall_back_repeated_hour_takes_the_earlier_instant() {
    let c = cal("America/New_York", &[("mon-sun", "01:00-03:00")], &[]);
    // 01:00 EDT (05:00Z) to 03:00 EST (08:00Z): the repeated hour is open twice.
    assert_eq!(
        c.business_time(ts("2026-11-01T04:00:00Z"), ts("2026-11-02T04:00:00Z")),
        hours(3)
    );
    assert!(c.is_open(ts("2026-11-01T06:30:00Z"))); // 01:30 EST, second pass
    assert_eq!(
        c.add(ts("2026-11-01T04:00:00Z"), hours(3)),
        Some(ts("2026-11-01T08:00:00Z"))
    );
    // 01:00-01:30 happens twice; the interval is its first occurrence only.
    let short = cal("America/New_York", &[("sun", "01:00-01:30")], &[]);
    assert_eq!(
        short.business_time(ts("2026-11-01T04:00:00Z"), ts("2026-11-02T04:00:00Z")),
        minutes(30)
    );
    assert!(short.is_open(ts("2026-11-01T05:15:00Z"))); // 01:15 EDT
    assert!(!short.is_open(ts("2026-11-01T06:15:00Z"))); // 01:15 EST
}

#[test]
fn us_always_open_calendar_counts_real_hours_across_both_changes() {
    let c = cal("America/New_York", &[("mon-sun", "00:00-24:00")], &[]);
    // Saturday noon EST to Monday noon EDT is 47 real hours.
    assert_eq!(
        c.business_time(ts("2026-03-07T17:00:00Z"), ts("2026-03-09T16:00:00Z")),
        hours(47)
    );
    assert_eq!(
        c.add(ts("2026-03-07T17:00:00Z"), hours(48)),
        Some(ts("2026-03-09T17:00:00Z"))
    );
    // Saturday noon EDT to Monday noon EST is 49 real hours.
    assert_eq!(
        c.business_time(ts("2026-10-31T16:00:00Z"), ts("2026-11-02T17:00:00Z")),
        hours(49)
    );
    assert_eq!(
        c.add(ts("2026-10-31T16:00:00Z"), hours(24)),
        Some(ts("2026-11-01T16:00:00Z"))
    );
    assert!(c.is_open(ts("2026-11-01T06:30:00Z")));
}

// ---- European Union: Europe/Berlin, 2026-03-29 (02:00 CET -> 03:00 CEST at 01:00Z) and
// 2026-10-25 (03:00 CEST -> 02:00 CET at 01:00Z), both Sundays.

#[test]
fn eu_spring_forward() {
    let c = cal("Europe/Berlin", &[("sun", "01:00-04:00")], &[]);
    // 01:00 CET (00:00Z) to 04:00 CEST (02:00Z).
    assert_eq!(
        c.business_time(ts("2026-03-28T12:00:00Z"), ts("2026-03-30T00:00:00Z")),
        hours(2)
    );
    assert_eq!(
        c.add(ts("2026-03-28T12:00:00Z"), minutes(90)),
        Some(ts("2026-03-29T01:30:00Z"))
    );
    // Office hours: Friday 16:00 CET plus two hours is Monday 10:00 CEST = 08:00Z.
    let office = cal("Europe/Berlin", &[("mon-fri", "09:00-17:00")], &[]);
    assert_eq!(
        office.add(ts("2026-03-27T15:00:00Z"), hours(2)),
        Some(ts("2026-03-30T08:00:00Z"))
    );
    assert_eq!(
        office.business_time(ts("2026-03-27T15:00:00Z"), ts("2026-03-30T08:00:00Z")),
        hours(2)
    );
}

#[test]
fn eu_fall_back() {
    let c = cal("Europe/Berlin", &[("sun", "01:00-04:00")], &[]);
    // 01:00 CEST (23:00Z the day before) to 04:00 CET (03:00Z): four hours.
    assert_eq!(
        c.business_time(ts("2026-10-24T12:00:00Z"), ts("2026-10-26T00:00:00Z")),
        hours(4)
    );
    // From 01:30 CEST, three hours end at 03:30 CET = 02:30Z.
    assert_eq!(
        c.add(ts("2026-10-24T23:30:00Z"), hours(3)),
        Some(ts("2026-10-25T02:30:00Z"))
    );
    let always = cal("Europe/Berlin", &[("mon-sun", "00:00-24:00")], &[]);
    // Sunday is 25 hours long: 00:00 CEST (22:00Z) to 24:00 CET (23:00Z next day).
    assert_eq!(
        always.business_time(ts("2026-10-24T22:00:00Z"), ts("2026-10-25T23:00:00Z")),
        hours(25)
    );
    assert_eq!(
        always.add(ts("2026-10-24T22:00:00Z"), hours(25)),
        Some(ts("2026-10-25T23:00:00Z"))
    );
}

// ---- Holidays, weekends, starts outside open hours.

#[test]
fn holiday_is_skipped_whole() {
    // 2026-01-26 (a Monday) is closed; Kolkata is UTC+05:30.
    let c = cal(
        "Asia/Kolkata",
        &[("mon-fri", "09:00-18:00")],
        &[date(2026, 1, 26)],
    );
    // Friday 17:00 IST: one hour on Friday, then Tuesday 09:00-10:00 IST (04:30Z).
    assert_eq!(
        c.add(ts("2026-01-23T11:30:00Z"), hours(2)),
        Some(ts("2026-01-27T04:30:00Z"))
    );
    assert!(!c.is_open(ts("2026-01-26T06:00:00Z")));
    assert!(c.is_open(ts("2026-01-27T06:00:00Z")));
    assert_eq!(
        c.business_time(ts("2026-01-26T00:00:00Z"), ts("2026-01-27T00:00:00Z")),
        Duration::ZERO
    );
}

#[test]
fn weekend_and_starts_outside_open_hours() {
    let c = support_hours();
    // Friday evening: the clock starts Saturday 10:00 here, and Monday 09:00 on a
    // calendar without Saturdays.
    assert_eq!(
        c.add(ts("2026-03-06T19:00:00Z"), hours(1)),
        Some(ts("2026-03-07T11:00:00Z"))
    );
    let weekdays = cal("UTC", &[("mon-fri", "09:00-17:00")], &[]);
    assert_eq!(
        weekdays.add(ts("2026-03-06T19:00:00Z"), hours(1)),
        Some(ts("2026-03-09T10:00:00Z"))
    );
    // Before opening.
    assert_eq!(
        c.add(ts("2026-03-09T07:00:00Z"), minutes(30)),
        Some(ts("2026-03-09T09:30:00Z"))
    );
    // At lunch: counting starts at 14:00.
    assert_eq!(
        c.add(ts("2026-03-09T13:30:00Z"), hours(1)),
        Some(ts("2026-03-09T15:00:00Z"))
    );
    // Saturday 13:00: one hour on Saturday, Sunday closed, one on Monday.
    assert_eq!(
        c.add(ts("2026-03-07T13:00:00Z"), hours(2)),
        Some(ts("2026-03-09T10:00:00Z"))
    );
    assert_eq!(
        c.business_time(ts("2026-03-06T17:00:00Z"), ts("2026-03-09T10:00:00Z")),
        hours(6)
    );
    assert!(!c.is_open(ts("2026-03-09T13:00:00Z")));
    assert!(c.is_open(ts("2026-03-09T12:59:59Z")));
    assert!(!c.is_open(ts("2026-03-08T12:00:00Z")));
}

#[test]
fn deadline_is_the_earliest_instant_not_the_next_opening() {
    let c = cal("UTC", &[("mon-fri", "09:00-17:00")], &[]);
    assert_eq!(
        c.add(ts("2026-03-09T09:00:00Z"), hours(8)),
        Some(ts("2026-03-09T17:00:00Z"))
    );
    // A full morning ends at the lunch break, not after it.
    assert_eq!(
        support_hours().add(ts("2026-03-09T09:00:00Z"), hours(4)),
        Some(ts("2026-03-09T13:00:00Z"))
    );
    // Zero is the start itself, even when closed.
    assert_eq!(
        c.add(ts("2026-03-07T03:00:00Z"), Duration::ZERO),
        Some(ts("2026-03-07T03:00:00Z"))
    );
    assert_eq!(
        c.add(ts("2026-03-07T03:00:00Z"), Duration::from_nanos(-1)),
        None
    );
    // `1d` is 24 open hours: three working days.
    assert_eq!(
        c.add(ts("2026-03-09T09:00:00Z"), hours(24)),
        Some(ts("2026-03-11T17:00:00Z"))
    );
}

#[test]
fn long_spans_are_exact() {
    let c = cal(
        "Europe/Berlin",
        &[("mon-fri", "09:00-17:00")],
        &[date(2026, 12, 25)],
    );
    // 2026-01-05 (Monday) to 2027-01-04 (Monday): 52 weeks of 40 hours, minus Christmas.
    let from = ts("2026-01-05T00:00:00Z");
    let to = ts("2027-01-04T00:00:00Z");
    assert_eq!(c.business_time(from, to), hours(52 * 40 - 8));
    // The last open hour is New Year's Day, which this calendar does not close.
    assert_eq!(
        c.add(from, hours(52 * 40 - 8)),
        Some(ts("2027-01-01T16:00:00Z"))
    );
    assert_eq!(
        c.add(from, hours(52 * 40 - 16)),
        Some(ts("2026-12-31T16:00:00Z"))
    );
}

#[test]
fn far_future_and_unreachable_durations_terminate() {
    let c = cal("America/New_York", &[("wed", "10:00-10:01")], &[]);
    // One minute a week: 100 hours is 6000 weeks, about 115 years.
    let due = c.add(ts("2026-01-01T00:00:00Z"), hours(100)).unwrap();
    assert_eq!(c.business_time(ts("2026-01-01T00:00:00Z"), due), hours(100));
    // 200 hours would need about 230 years: beyond the supported span.
    assert_eq!(c.add(ts("2026-01-01T00:00:00Z"), hours(200)), None);
    // Near the end of time.
    assert_eq!(c.add(ts("9999-12-20T00:00:00Z"), hours(1)), None);
    // Only the first 73,000 days after the minimum timestamp count: 10,429 Wednesdays
    // (it starts on a Monday evening local mean time).
    assert_eq!(
        c.business_time(Timestamp::MIN, Timestamp::MAX),
        minutes(10_429)
    );
}

// ---- 24:00 and midnight.

#[test]
fn interval_ending_at_midnight() {
    let c = cal(
        "UTC",
        &[("mon-fri", "00:00-24:00"), ("sat", "20:00-24:00")],
        &[],
    );
    assert!(c.is_open(ts("2026-03-09T23:59:59Z")));
    assert!(c.is_open(ts("2026-03-10T00:00:00Z")));
    assert!(c.is_open(ts("2026-03-14T23:59:59Z")));
    assert!(!c.is_open(ts("2026-03-15T00:00:00Z")));
    // Continuity across midnight: Monday 23:00 plus two hours is Tuesday 01:00.
    assert_eq!(
        c.add(ts("2026-03-09T23:00:00Z"), hours(2)),
        Some(ts("2026-03-10T01:00:00Z"))
    );
    // Friday 23:00: one hour Friday, four on Saturday evening, then Monday.
    assert_eq!(
        c.add(ts("2026-03-13T23:00:00Z"), hours(6)),
        Some(ts("2026-03-16T01:00:00Z"))
    );
    assert_eq!(
        c.business_time(ts("2026-03-09T00:00:00Z"), ts("2026-03-16T00:00:00Z")),
        hours(124)
    );
}

// ---- Zones with half- and quarter-hour offsets.

#[test]
fn kolkata_and_kathmandu_offsets() {
    let kolkata = cal("Asia/Kolkata", &[("mon-fri", "09:00-17:00")], &[]);
    // 09:00 IST = 03:30Z.
    assert!(!kolkata.is_open(ts("2026-03-02T03:29:59Z")));
    assert!(kolkata.is_open(ts("2026-03-02T03:30:00Z")));
    assert_eq!(
        kolkata.add(ts("2026-03-02T00:00:00Z"), hours(8)),
        Some(ts("2026-03-02T11:30:00Z"))
    );
    let kathmandu = cal("Asia/Kathmandu", &[("mon-fri", "10:00-17:00")], &[]);
    // 10:00 NPT = 04:15Z.
    assert!(!kathmandu.is_open(ts("2026-03-02T04:14:59Z")));
    assert!(kathmandu.is_open(ts("2026-03-02T04:15:00Z")));
    assert_eq!(
        kathmandu.add(ts("2026-03-02T04:00:00Z"), hours(1)),
        Some(ts("2026-03-02T05:15:00Z"))
    );
    // Friday 16:00 NPT (10:15Z) plus two hours: Monday 11:00 NPT = 05:15Z.
    assert_eq!(
        kathmandu.add(ts("2026-03-06T10:15:00Z"), hours(2)),
        Some(ts("2026-03-09T05:15:00Z"))
    );
    assert_eq!(
        kathmandu.business_time(ts("2026-03-06T10:15:00Z"), ts("2026-03-09T05:15:00Z")),
        hours(2)
    );
}

// ---- Paused clocks.

#[test]
fn overlapping_pauses_with_a_calendar() {
    let c = cal("UTC", &[("mon-fri", "09:00-17:00")], &[]);
    let pauses = [
        (ts("2026-03-02T10:30:00Z"), ts("2026-03-02T12:00:00Z")),
        (ts("2026-03-02T10:00:00Z"), ts("2026-03-02T11:00:00Z")),
    ];
    let clock = Clock {
        calendar: Some(&c),
        pauses: &pauses,
    };
    // 09:00-10:00 runs, 10:00-12:00 paused, then three more hours.
    assert_eq!(
        clock.advance(ts("2026-03-02T09:00:00Z"), hours(4)),
        Some(ts("2026-03-02T15:00:00Z"))
    );
    assert_eq!(
        clock.running_time(ts("2026-03-02T09:00:00Z"), ts("2026-03-02T15:00:00Z")),
        hours(4)
    );
    // Exactly the time before the pause ends at the pause, not after it.
    assert_eq!(
        clock.advance(ts("2026-03-02T09:00:00Z"), hours(1)),
        Some(ts("2026-03-02T10:00:00Z"))
    );
}

#[test]
fn pause_outside_open_hours_changes_nothing() {
    let c = cal("UTC", &[("mon-fri", "09:00-17:00")], &[]);
    let pauses = [(ts("2026-03-02T18:00:00Z"), ts("2026-03-03T08:00:00Z"))];
    let paused = Clock {
        calendar: Some(&c),
        pauses: &pauses,
    };
    let plain = Clock {
        calendar: Some(&c),
        pauses: &[],
    };
    let start = ts("2026-03-02T16:00:00Z");
    assert_eq!(
        paused.advance(start, hours(2)),
        Some(ts("2026-03-03T10:00:00Z"))
    );
    assert_eq!(
        plain.advance(start, hours(2)),
        Some(ts("2026-03-03T10:00:00Z"))
    );
    assert_eq!(
        paused.running_time(start, ts("2026-03-04T00:00:00Z")),
        hours(9)
    );
}

#[test]
fn pause_spanning_the_whole_window() {
    let c = cal("UTC", &[("mon-fri", "09:00-17:00")], &[]);
    let pauses = [(ts("2026-03-01T00:00:00Z"), ts("2026-03-04T12:00:00Z"))];
    let clock = Clock {
        calendar: Some(&c),
        pauses: &pauses,
    };
    assert_eq!(
        clock.running_time(ts("2026-03-02T09:00:00Z"), ts("2026-03-03T17:00:00Z")),
        Duration::ZERO
    );
    // The clock starts when the pause ends, Wednesday 12:00.
    assert_eq!(
        clock.advance(ts("2026-03-02T09:00:00Z"), hours(1)),
        Some(ts("2026-03-04T13:00:00Z"))
    );
    assert_eq!(
        clock.running_time(ts("2026-03-02T09:00:00Z"), ts("2026-03-04T13:00:00Z")),
        hours(1)
    );
}

#[test]
fn pauses_without_a_calendar() {
    let pauses = [
        (ts("2026-03-02T12:00:00Z"), ts("2026-03-02T13:00:00Z")),
        (ts("2026-03-01T00:00:00Z"), ts("2026-03-01T05:00:00Z")), // before the start
        (ts("2026-03-02T12:30:00Z"), ts("2026-03-02T12:45:00Z")), // inside the first
        (ts("2026-03-02T20:00:00Z"), ts("2026-03-02T19:00:00Z")), // empty
    ];
    let clock = Clock {
        calendar: None,
        pauses: &pauses,
    };
    let start = ts("2026-03-02T10:00:00Z");
    assert_eq!(
        clock.advance(start, hours(3)),
        Some(ts("2026-03-02T14:00:00Z"))
    );
    assert_eq!(
        clock.running_time(start, ts("2026-03-02T14:00:00Z")),
        hours(3)
    );
    assert_eq!(
        clock.running_time(ts("2026-03-02T14:00:00Z"), start),
        Duration::ZERO
    );
    assert_eq!(clock.advance(start, Duration::ZERO), Some(start));
}
