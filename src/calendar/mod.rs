//! Business-hours calendars and the running clock of deadlines.
//!
//! Takes a calendar definition (from the AST, or from parts) and answers three questions
//! about instants: is the calendar open at `t`, how much open time lies between two
//! instants, and when has a given amount of open time passed since an instant. [`Clock`]
//! adds the paused intervals of a deadline on top.
//!
//! Strategy: a calendar is a weekly pattern of civil intervals in one zone plus closed
//! dates. Each civil date `D` maps its intervals to instants with one monotone map `m`
//! (a time in a daylight-saving gap becomes the instant the gap ends; a time in a fold
//! becomes its earlier instant), so the open intervals of all days are disjoint, sorted,
//! and every question is a walk over days. Walks skip whole weeks arithmetically while no
//! zone transition is near, subtracting the open time of the closed dates among them from
//! a running sum kept beside the sorted dates (one binary search a stretch), so their cost
//! grows with the number of transitions in the span, not with its length nor with the
//! number of holidays; spans are capped at [`MAX_SPAN_DAYS`] so that every call is bounded.

mod clock;
mod def;

use std::sync::OnceLock;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone, TimeZoneDatabase};
use jiff::{Span, Timestamp};

use crate::value::Duration;

pub use clock::Clock;

/// Minutes in a civil day; `24:00` is this many minutes after midnight.
pub const MINUTES_PER_DAY: u16 = 1440;

/// The longest span, in days of 24 hours, that business time is measured over (about 200
/// years). [`Calendar::business_time`] and [`Clock::running_time`] count only the first
/// `MAX_SPAN_DAYS` after `from`; [`Calendar::add`] and [`Clock::advance`] return `None`
/// when the result would lie further than that from the start. The bound keeps every call
/// fast and keeps results inside [`Duration`]'s range (about 292 years).
pub const MAX_SPAN_DAYS: i64 = 73_000;

/// Whether `[from, to)` is no longer than [`MAX_SPAN_DAYS`] (an empty span always is).
pub(crate) fn within_span(from: Timestamp, to: Timestamp) -> bool {
    to.as_nanosecond() - from.as_nanosecond() <= MAX_SPAN_NANOS
}

const NANOS_PER_SECOND: i128 = 1_000_000_000;
const NANOS_PER_MINUTE: i128 = 60 * NANOS_PER_SECOND;
const NANOS_PER_DAY: i128 = 86_400 * NANOS_PER_SECOND;
const NANOS_PER_WEEK: i128 = 7 * NANOS_PER_DAY;
const MAX_SPAN_NANOS: i128 = MAX_SPAN_DAYS as i128 * NANOS_PER_DAY;
/// How far from a zone transition a week must stay to be counted arithmetically. Offsets
/// are within ±26h, so a civil day can be moved by a transition at most this far away.
const TRANSITION_MARGIN_NANOS: i128 = 3 * NANOS_PER_DAY;

/// Looks up an IANA zone in the time zone database bundled into this crate (never the
/// host's, so results do not depend on the machine), e.g. `"Asia/Kolkata"`; `"UTC"` works.
/// The lookup ignores ASCII case.
///
/// ```
/// use service_policy::calendar::time_zone;
/// assert!(time_zone("Asia/Kolkata").is_some());
/// assert!(time_zone("Mars/Olympus_Mons").is_none());
/// ```
pub fn time_zone(name: &str) -> Option<TimeZone> {
    static DB: OnceLock<TimeZoneDatabase> = OnceLock::new();
    DB.get_or_init(TimeZoneDatabase::bundled).get(name).ok()
}

/// Why [`Calendar::new`] refused its parts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// An interval starts or ends after `24:00`, or does not end after it starts.
    #[error(
        "interval {}-{} on `{}` must end after it starts, within 00:00-24:00",
        clock(*start), clock(*end), weekday_name(*weekday)
    )]
    BadInterval {
        /// 0 = Monday … 6 = Sunday.
        weekday: usize,
        /// Start, minutes after midnight.
        start: u16,
        /// End, minutes after midnight.
        end: u16,
    },
    /// Two intervals of one weekday overlap.
    #[error("intervals on `{}` overlap at {}", weekday_name(*weekday), clock(*at))]
    Overlap {
        /// 0 = Monday … 6 = Sunday.
        weekday: usize,
        /// The start of the later interval, minutes after midnight.
        at: u16,
    },
    /// No weekday has any open time.
    #[error("calendar has no open hours")]
    NeverOpen,
}

/// A business-hours calendar: weekly open intervals in one time zone, minus closed dates.
///
/// Immutable and cheap to share; every query is a pure function of the calendar and its
/// arguments.
///
/// ```
/// use jiff::Timestamp;
/// use service_policy::calendar::{Calendar, time_zone};
/// use service_policy::value::Duration;
///
/// let nine_to_five = vec![(9 * 60, 17 * 60)];
/// let weekdays = [
///     nine_to_five.clone(), nine_to_five.clone(), nine_to_five.clone(),
///     nine_to_five.clone(), nine_to_five, vec![], vec![],
/// ];
/// let cal = Calendar::new(time_zone("UTC").unwrap(), weekdays, []).unwrap();
/// // Friday 16:00 plus two open hours is Monday 10:00.
/// let friday: Timestamp = "2026-03-06T16:00:00Z".parse().unwrap();
/// let due = cal.add(friday, Duration::from_secs(7200).unwrap()).unwrap();
/// assert_eq!(due, "2026-03-09T10:00:00Z".parse::<Timestamp>().unwrap());
/// ```
#[derive(Clone, Debug)]
pub struct Calendar {
    tz: TimeZone,
    // INVARIANT: every day's intervals are sorted, each `start < end <= 1440`, and no two
    // overlap (they may touch).
    weekly: [Box<[(u16, u16)]>; 7],
    // INVARIANT: sorted and without duplicates, for binary search.
    closed: Box<[Date]>,
    // INVARIANT: `closed.len() + 1` entries; entry `i` is the open time (in nanoseconds,
    // away from zone transitions) of the weekdays of `closed[..i]`, so the open time lost
    // to the closed dates of any stretch is a difference of two entries.
    closed_sums: Box<[i128]>,
    // INVARIANT: positive; the open time of one week without holidays or transitions.
    week_nanos: i128,
}

impl Calendar {
    /// A calendar from parts: the zone, the open intervals of each weekday (index 0 =
    /// Monday … 6 = Sunday) as minutes after midnight with ends up to 1440 (`24:00`), and
    /// the closed dates. Intervals of a day may be given in any order and may touch, but
    /// must not overlap. Refuses a calendar without any open time, since no deadline could
    /// ever pass on it.
    pub fn new(
        tz: TimeZone,
        weekly: [Vec<(u16, u16)>; 7],
        closed: impl IntoIterator<Item = Date>,
    ) -> Result<Calendar, CalendarError> {
        let mut week_minutes: i128 = 0;
        let mut days: [Box<[(u16, u16)]>; 7] = Default::default();
        let mut day_nanos = [0i128; 7];
        for (weekday, ((mut intervals, slot), nanos)) in weekly
            .into_iter()
            .zip(days.iter_mut())
            .zip(day_nanos.iter_mut())
            .enumerate()
        {
            for &(start, end) in &intervals {
                if start >= end || end > MINUTES_PER_DAY {
                    return Err(CalendarError::BadInterval {
                        weekday,
                        start,
                        end,
                    });
                }
                week_minutes += i128::from(end - start);
                *nanos += i128::from(end - start) * NANOS_PER_MINUTE;
            }
            intervals.sort_unstable();
            for pair in intervals.windows(2) {
                if let [(_, first_end), (second_start, _)] = pair
                    && second_start < first_end
                {
                    return Err(CalendarError::Overlap {
                        weekday,
                        at: *second_start,
                    });
                }
            }
            *slot = intervals.into_boxed_slice();
        }
        if week_minutes == 0 {
            return Err(CalendarError::NeverOpen);
        }
        let mut closed: Vec<Date> = closed.into_iter().collect();
        closed.sort_unstable();
        closed.dedup();
        let mut closed_sums = Vec::with_capacity(closed.len() + 1);
        let mut sum: i128 = 0;
        closed_sums.push(sum);
        for date in &closed {
            sum += weekday_index(*date)
                .and_then(|weekday| day_nanos.get(weekday))
                .copied()
                .unwrap_or(0);
            closed_sums.push(sum);
        }
        Ok(Calendar {
            tz,
            weekly: days,
            closed: closed.into_boxed_slice(),
            closed_sums: closed_sums.into_boxed_slice(),
            week_nanos: week_minutes * NANOS_PER_MINUTE,
        })
    }

    /// The calendar's time zone.
    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    /// The open intervals of a weekday (0 = Monday … 6 = Sunday), sorted, as minutes after
    /// midnight; empty for an index above 6.
    pub fn intervals(&self, weekday: usize) -> &[(u16, u16)] {
        self.weekly.get(weekday).map_or(&[], |day| day)
    }

    /// The closed dates, sorted.
    pub fn closed_dates(&self) -> &[Date] {
        &self.closed
    }

    /// The open time of a week without holidays or daylight-saving changes.
    pub fn weekly_open_time(&self) -> Duration {
        // INVARIANT: at most 7 * 1440 minutes, far inside i64 nanoseconds.
        Duration::from_nanos(i64::try_from(self.week_nanos).unwrap_or(i64::MAX))
    }

    /// Whether the calendar is open at `t` (`t during CAL`): `t` lies in an open interval
    /// of a day that is not closed. Intervals are half-open: open at 09:00, closed at 17:00
    /// for `09:00-17:00`.
    pub fn is_open(&self, t: Timestamp) -> bool {
        let date = self.tz.to_datetime(t).date();
        let t = t.as_nanosecond();
        // The intervals of the day before end at or before `m(date, 00:00) <= t`; in a fold
        // across midnight `t` may already lie in the next day's intervals.
        let next = date.tomorrow().ok();
        [Some(date), next]
            .into_iter()
            .flatten()
            .any(|day| self.day_intervals(day).any(|(s, e)| s <= t && t < e))
    }

    /// The open time in `[from, to)`; zero when `to <= from`. Only the first
    /// [`MAX_SPAN_DAYS`] after `from` are counted.
    pub fn business_time(&self, from: Timestamp, to: Timestamp) -> Duration {
        let from = from.as_nanosecond();
        let to = to.as_nanosecond().min(from.saturating_add(MAX_SPAN_NANOS));
        nanos_to_duration(self.open_nanos(from, to))
    }

    /// The open time in `[from, to)` counted exactly, or `None` when `to` lies more than
    /// [`MAX_SPAN_DAYS`] after `from`: evaluation reports that as an error for the rule,
    /// never a total cut short.
    pub fn checked_business_time(&self, from: Timestamp, to: Timestamp) -> Option<Duration> {
        within_span(from, to).then(|| self.business_time(from, to))
    }

    /// The earliest instant at which `d` of open time has passed since `start`, walking
    /// forward through open intervals (a start outside open hours starts counting at the
    /// next opening). `add(start, 0)` is `start` itself. `None` for a negative `d`, or when
    /// the instant lies more than [`MAX_SPAN_DAYS`] after `start` or outside the range of
    /// timestamps.
    pub fn add(&self, start: Timestamp, d: Duration) -> Option<Timestamp> {
        let nanos = self.add_nanos(start.as_nanosecond(), i128::from(d.as_nanos()))?;
        Timestamp::from_nanosecond(nanos).ok()
    }

    /// Open nanoseconds in `[from, to)`, both in nanoseconds since the epoch.
    fn open_nanos(&self, from: i128, to: i128) -> i128 {
        if to <= from {
            return 0;
        }
        let Some(mut day) = self.local_date(from) else {
            return 0;
        };
        // Midnight of the first day is at or before `from`; at the very start of the
        // timestamp range it may not be representable, and any value below `from` keeps
        // that partial day out of week skipping just the same.
        let mut day_start = self.instant(day, 0).unwrap_or(from - 1);
        let mut total: i128 = 0;
        // Each pass moves `day` forward by at least one date, and `day_start` never
        // decreases; the span is capped, so the loop ends after at most ~MAX_SPAN_DAYS
        // passes (far fewer thanks to week skipping).
        while day_start < to {
            if day_start >= from {
                let by_span = (to - day_start) / NANOS_PER_WEEK;
                let weeks = self.skippable_weeks(day_start, by_span);
                if weeks > 0 {
                    let Some(next) = add_days(day, weeks * 7) else {
                        break;
                    };
                    total += i128::from(weeks) * self.week_nanos - self.closed_nanos(day, next);
                    day = next;
                    match self.instant(day, 0) {
                        Some(start) => day_start = start,
                        None => break,
                    }
                    continue;
                }
            }
            for (s, e) in self.day_intervals(day) {
                let s = s.max(from);
                let e = e.min(to);
                if e > s {
                    total += e - s;
                }
            }
            let Some((next, start)) = self.next_day(day) else {
                break;
            };
            day = next;
            day_start = start;
        }
        total
    }

    fn add_nanos(&self, start: i128, d: i128) -> Option<i128> {
        if d < 0 {
            return None;
        }
        if d == 0 {
            return Some(start);
        }
        let limit = start.saturating_add(MAX_SPAN_NANOS);
        let mut remaining = d;
        let mut day = self.local_date(start)?;
        // As in `open_nanos`, an unrepresentable first midnight counts as before `start`.
        let mut day_start = self.instant(day, 0).unwrap_or(start - 1);
        // Same bound as in `open_nanos`: dates only move forward, and the walk stops at
        // `limit`.
        while day_start <= limit {
            if day_start >= start {
                // Skip only weeks that leave some time to find inside a later day, so the
                // result is the earliest instant (the end of an interval, not the next
                // opening).
                let by_limit = (limit - day_start) / NANOS_PER_WEEK;
                let most = self.skippable_weeks(day_start, by_limit);
                let (weeks, open) = self.weeks_before(day, most, remaining);
                if weeks > 0 {
                    remaining -= open;
                    day = add_days(day, weeks * 7)?;
                    day_start = self.instant(day, 0)?;
                    continue;
                }
            }
            for (s, e) in self.day_intervals(day) {
                let s = s.max(start);
                if e <= s {
                    continue;
                }
                if e - s >= remaining {
                    let due = s + remaining;
                    return (due - start <= MAX_SPAN_NANOS).then_some(due);
                }
                remaining -= e - s;
            }
            (day, day_start) = self.next_day(day)?;
        }
        None
    }

    /// The open time lost to closed dates in `[from, to)`, away from zone transitions:
    /// two binary searches, whatever the number of closed dates.
    fn closed_nanos(&self, from: Date, to: Date) -> i128 {
        #[cfg(test)]
        tests::count_lookup();
        let first = self.closed.partition_point(|closed| *closed < from);
        let last = self.closed.partition_point(|closed| *closed < to);
        let sum = |i: usize| self.closed_sums.get(i).copied().unwrap_or(0);
        sum(last) - sum(first)
    }

    /// The open time of `weeks` whole weeks from `day`, counted arithmetically: only for
    /// weeks that [`Calendar::skippable_weeks`] allows.
    fn weeks_open(&self, day: Date, weeks: i64) -> Option<i128> {
        let end = add_days(day, weeks.checked_mul(7)?)?;
        Some(i128::from(weeks) * self.week_nanos - self.closed_nanos(day, end))
    }

    /// The most whole weeks from `day`, at most `most` (skippable ones), whose open time is
    /// less than `remaining`, and that open time: the earliest instant with `remaining`
    /// open time then lies in a later day. The open time grows with the number of weeks, so
    /// a binary search finds it in a number of steps logarithmic in `most`, however many
    /// of the weeks' dates are closed.
    fn weeks_before(&self, day: Date, most: i64, remaining: i128) -> (i64, i128) {
        let (mut low, mut low_open) = (0i64, 0i128);
        let mut high = most;
        while low < high {
            let mid = low + (high - low + 1) / 2;
            match self.weeks_open(day, mid) {
                Some(open) if open < remaining => (low, low_open) = (mid, open),
                _ => high = mid - 1,
            }
        }
        (low, low_open)
    }

    /// How many whole weeks from the midnight `day_start` can be counted arithmetically
    /// (each weekday's open time, less that of their closed dates), at most `max_weeks`:
    /// no zone transition lies near them, so every civil time maps to an instant with one
    /// offset.
    fn skippable_weeks(&self, day_start: i128, max_weeks: i128) -> i64 {
        let mut weeks = i64::try_from(max_weeks.max(0)).unwrap_or(i64::MAX);
        if weeks == 0 {
            return 0;
        }
        // Transitions strictly after `window_start`, so one exactly a margin before
        // `day_start` is seen too.
        let Some(window_start) = timestamp(day_start - TRANSITION_MARGIN_NANOS - 1) else {
            return 0;
        };
        if let Some(transition) = self.tz.following(window_start).next() {
            // The last skipped week must end more than a margin before the transition.
            let room = transition.timestamp().as_nanosecond() - day_start - TRANSITION_MARGIN_NANOS;
            let by_transition = if room <= 0 {
                0
            } else {
                (room - 1) / NANOS_PER_WEEK
            };
            weeks = weeks.min(i64::try_from(by_transition).unwrap_or(i64::MAX));
        }
        weeks
    }

    /// The open intervals of a civil date as nanosecond instants, in order; none on a
    /// closed date. An interval whose ends map to the same instant (inside a gap) is empty
    /// and left out.
    fn day_intervals(&self, day: Date) -> impl Iterator<Item = (i128, i128)> + '_ {
        #[cfg(test)]
        tests::count_day();
        let closed = self.closed.binary_search(&day).is_ok();
        let weekday = weekday_index(day).unwrap_or(0);
        let intervals: &[(u16, u16)] = if closed { &[] } else { self.intervals(weekday) };
        intervals.iter().filter_map(move |&(start, end)| {
            let s = self.instant(day, start)?;
            let e = self.instant(day, end)?;
            (e > s).then_some((s, e))
        })
    }

    /// The map `m`: the instant (nanoseconds) of `minutes` after midnight on `day` in the
    /// calendar's zone; 1440 is midnight of the next day. Monotone in the civil time.
    fn instant(&self, day: Date, minutes: u16) -> Option<i128> {
        let dt = civil(day, minutes)?;
        let ts = match self.tz.to_ambiguous_timestamp(dt).offset() {
            AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).ok()?,
            // A repeated civil time takes its earlier instant, the one under the offset
            // before the transition (SPEC §7).
            AmbiguousOffset::Fold { before, .. } => before.to_timestamp(dt).ok()?,
            // A civil time that does not exist moves to the first instant after the gap,
            // the transition itself: unlike shifting by the gap's length (jiff's
            // `compatible`), this keeps the map monotone, so no interval turns inside out
            // and the skipped hour holds no open time.
            AmbiguousOffset::Gap { after, .. } => {
                // Under the offset after the transition the civil time lies before it.
                let before_gap = after.to_timestamp(dt).ok()?;
                self.tz.following(before_gap).next()?.timestamp()
            }
        };
        Some(ts.as_nanosecond())
    }

    /// The next date and the instant it starts.
    fn next_day(&self, day: Date) -> Option<(Date, i128)> {
        let next = day.tomorrow().ok()?;
        Some((next, self.instant(next, 0)?))
    }

    /// The civil date at an instant in the calendar's zone.
    fn local_date(&self, t: i128) -> Option<Date> {
        Some(self.tz.to_datetime(timestamp(t)?).date())
    }
}

/// The weekday names of calendar lines, Monday first.
pub(crate) const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn weekday_name(index: usize) -> &'static str {
    WEEKDAYS.get(index).copied().unwrap_or("?")
}

/// `HH:MM` for minutes after midnight.
pub(crate) fn clock(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn civil(day: Date, minutes: u16) -> Option<DateTime> {
    if minutes >= MINUTES_PER_DAY {
        return Some(day.tomorrow().ok()?.to_datetime(Time::midnight()));
    }
    let hour = i8::try_from(minutes / 60).ok()?;
    let minute = i8::try_from(minutes % 60).ok()?;
    Some(day.to_datetime(Time::new(hour, minute, 0, 0).ok()?))
}

/// The index of a date's weekday, 0 = Monday.
fn weekday_index(day: Date) -> Option<usize> {
    usize::try_from(day.weekday().to_monday_zero_offset()).ok()
}

fn add_days(day: Date, days: i64) -> Option<Date> {
    day.checked_add(Span::new().try_days(days).ok()?).ok()
}

fn timestamp(nanos: i128) -> Option<Timestamp> {
    Timestamp::from_nanosecond(nanos).ok()
}

/// Converts nanoseconds to a duration, saturating at its range.
fn nanos_to_duration(nanos: i128) -> Duration {
    let clamped = nanos.clamp(i128::from(i64::MIN), i128::from(i64::MAX));
    Duration::from_nanos(i64::try_from(clamped).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use std::cell::Cell;

    thread_local! {
        /// Days walked one by one, and look-ups of closed dates over a stretch, on this
        /// thread: the work of a walk, counted.
        static WORK: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
    }

    pub(super) fn count_day() {
        WORK.with(|work| work.set((work.get().0 + 1, work.get().1)));
    }

    pub(super) fn count_lookup() {
        WORK.with(|work| work.set((work.get().0, work.get().1 + 1)));
    }

    /// The days walked and stretch look-ups `f` costs.
    fn work<T>(f: impl FnOnce() -> T) -> (T, (u64, u64)) {
        WORK.with(|work| work.set((0, 0)));
        let out = f();
        (out, WORK.with(Cell::get))
    }

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn cal(tz: &str, weekly: [Vec<(u16, u16)>; 7], closed: &[Date]) -> Calendar {
        Calendar::new(time_zone(tz).unwrap(), weekly, closed.iter().copied()).unwrap()
    }

    fn every_day(start: u16, end: u16) -> [Vec<(u16, u16)>; 7] {
        std::array::from_fn(|_| vec![(start, end)])
    }

    #[test]
    fn gap_maps_to_the_transition_and_fold_to_the_earlier_instant() {
        let c = cal("America/New_York", every_day(0, 1440), &[]);
        let spring = jiff::civil::date(2026, 3, 8);
        // 02:30 does not exist; 03:00 EDT is 07:00Z.
        assert_eq!(
            c.instant(spring, 150),
            Some(ts("2026-03-08T07:00:00Z").as_nanosecond())
        );
        assert_eq!(
            c.instant(spring, 120),
            Some(ts("2026-03-08T07:00:00Z").as_nanosecond())
        );
        assert_eq!(
            c.instant(spring, 119),
            Some(ts("2026-03-08T06:59:00Z").as_nanosecond())
        );
        let fall = jiff::civil::date(2026, 11, 1);
        // 01:30 happens twice; the earlier is 01:30 EDT = 05:30Z.
        assert_eq!(
            c.instant(fall, 90),
            Some(ts("2026-11-01T05:30:00Z").as_nanosecond())
        );
        assert_eq!(
            c.instant(fall, 120),
            Some(ts("2026-11-01T07:00:00Z").as_nanosecond())
        );
    }

    /// An independent statement of the map: `m(c)` is the first instant whose civil time
    /// is at or after `c`. Around one transition `T` the civil time rises steadily before
    /// `T` and after it, so that first instant is `c` under the old offset, `T` itself, or
    /// `c` under the new offset, whichever comes first and reaches `c`.
    fn first_instant_reaching(tz: &TimeZone, c: DateTime, transition: Timestamp) -> Timestamp {
        let old = tz.to_offset(Timestamp::from_nanosecond(transition.as_nanosecond() - 1).unwrap());
        let new = tz.to_offset(transition);
        let on_old_side = old.to_timestamp(c).ok().filter(|a| *a < transition);
        let at_transition = Some(transition).filter(|t| tz.to_datetime(*t) >= c);
        let on_new_side = new.to_timestamp(c).ok().filter(|b| *b >= transition);
        [on_old_side, at_transition, on_new_side]
            .into_iter()
            .flatten()
            .min()
            .unwrap()
    }

    #[test]
    fn the_day_map_is_monotone_and_is_the_first_instant_reaching_each_civil_time() {
        let zones = [
            "America/New_York",
            "Europe/Berlin",
            "America/Santiago",
            "Australia/Lord_Howe",
            "Pacific/Apia",
            "America/St_Johns",
        ];
        for zone in zones {
            let c = cal(zone, every_day(0, 1440), &[]);
            let tz = c.time_zone().clone();
            for transition in tz.following(ts("2010-01-01T00:00:00Z")).take(30) {
                let t = transition.timestamp();
                let local_day = tz.to_datetime(t).date();
                let mut previous = i128::MIN;
                for day in [
                    local_day.yesterday().unwrap(),
                    local_day,
                    local_day.tomorrow().unwrap(),
                ] {
                    for minutes in (0..=1440).step_by(5) {
                        let got = c.instant(day, minutes).unwrap();
                        assert!(got >= previous, "{zone} {day} {minutes}: not monotone");
                        previous = got;
                        let expected = first_instant_reaching(&tz, civil(day, minutes).unwrap(), t);
                        assert_eq!(
                            got,
                            expected.as_nanosecond(),
                            "{zone} {day} minute {minutes}"
                        );
                    }
                }
            }
        }
    }

    /// Day by day without skipping weeks: the reference the fast walk must agree with.
    fn open_nanos_day_by_day(c: &Calendar, from: i128, to: i128) -> i128 {
        let mut day = c.local_date(from).unwrap();
        let last = c.local_date(to).unwrap().tomorrow().unwrap();
        let mut total = 0;
        while day <= last {
            for (s, e) in c.day_intervals(day) {
                total += (e.min(to) - s.max(from)).max(0);
            }
            day = day.tomorrow().unwrap();
        }
        total
    }

    proptest::proptest! {
        #[test]
        fn skipping_weeks_agrees_with_walking_day_by_day(
            zone in proptest::sample::select(vec!["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu"]),
            hours in proptest::array::uniform7(proptest::collection::btree_set(0u16..=24, 0..=4)),
            holidays in proptest::collection::vec(0i64..400, 0..120),
            from_day in 0i64..7000,
            from_minute in 0i64..1440,
            span_minutes in 0i64..(400 * 1440),
        ) {
            // Whole-hour boundaries, so intervals meet transitions and midnight often.
            let mut weekly: [Vec<(u16, u16)>; 7] = hours.map(|set| {
                let points: Vec<u16> = set.into_iter().map(|h| h * 60).collect();
                points.chunks_exact(2).filter_map(|p| match p {
                    [s, e] => Some((*s, *e)),
                    _ => None,
                }).collect()
            });
            if weekly.iter().all(Vec::is_empty) {
                weekly[0].push((0, 1440));
            }
            let base = jiff::civil::date(2010, 1, 1);
            let from_date = add_days(base, from_day).unwrap();
            let closed: Vec<Date> = holidays.iter().map(|h| add_days(from_date, *h).unwrap()).collect();
            let c = cal(zone, weekly, &closed);
            let from = ts("2010-01-01T00:00:00Z").as_nanosecond()
                + i128::from(from_day * 1440 + from_minute) * NANOS_PER_MINUTE;
            let to = from + i128::from(span_minutes) * NANOS_PER_MINUTE;
            let open = open_nanos_day_by_day(&c, from, to);
            proptest::prop_assert_eq!(c.open_nanos(from, to), open);
            // Adding that open time lands on the earliest instant that has it.
            if open > 0 {
                let due = c.add_nanos(from, open).unwrap();
                proptest::prop_assert_eq!(open_nanos_day_by_day(&c, from, due), open);
                proptest::prop_assert!(open_nanos_day_by_day(&c, from, due - 1) < open);
            }
        }
    }

    /// Every `step`-th date from `first`, `count` of them.
    fn every(first: Date, step: i64, count: i64) -> Vec<Date> {
        (0..count)
            .map(|i| add_days(first, i * step).unwrap())
            .collect()
    }

    fn office_hours() -> [Vec<(u16, u16)>; 7] {
        std::array::from_fn(|d| if d < 5 { vec![(540, 1020)] } else { vec![] })
    }

    #[test]
    fn business_time_walks_as_few_days_whatever_the_number_of_holidays() {
        let from = ts("2000-01-03T12:00:00Z");
        let to = ts("2190-01-01T00:00:00Z");
        for zone in ["UTC", "America/New_York"] {
            let free = cal(zone, office_hours(), &[]);
            // 23 000 closed dates, one every third day over the whole span.
            let dense = cal(zone, office_hours(), &every(date(2000, 1, 1), 3, 23_000));
            let (free_time, free_work) = work(|| free.business_time(from, to));
            let (dense_time, dense_work) = work(|| dense.business_time(from, to));
            // The same days are walked one by one (those near zone transitions), and one
            // look-up of closed dates is made per stretch of whole weeks.
            assert_eq!(dense_work, free_work, "{zone}");
            assert!(dense_time < free_time, "{zone}");
            let exact = open_nanos_day_by_day(&dense, from.as_nanosecond(), to.as_nanosecond());
            assert_eq!(i128::from(dense_time.as_nanos()), exact, "{zone}");
        }
        // Without transitions a walk of 190 years is a handful of days.
        let utc = cal("UTC", office_hours(), &every(date(2000, 1, 1), 3, 23_000));
        let ((), (days, lookups)) = work(|| {
            utc.business_time(from, to);
        });
        assert!(
            days <= 16 && lookups <= 2,
            "{days} days, {lookups} look-ups"
        );
    }

    #[test]
    fn adding_business_time_walks_as_few_days_whatever_the_number_of_holidays() {
        let start = ts("2000-01-03T12:00:00Z");
        // Every date closed for 150 years but the first of each month: the open time is
        // found past tens of thousands of closed dates.
        let mut closed = every(date(2000, 1, 1), 1, 150 * 366);
        closed.retain(|d| d.day() != 1);
        for zone in ["UTC", "America/New_York"] {
            let dense = cal(zone, office_hours(), &closed);
            let hours = Duration::from_secs(200 * 3600).unwrap();
            let (due, (days, lookups)) = work(|| dense.add(start, hours).unwrap());
            let (s, e) = (start.as_nanosecond(), due.as_nanosecond());
            let want = i128::from(hours.as_nanos());
            assert_eq!(open_nanos_day_by_day(&dense, s, e), want, "{zone}");
            assert!(open_nanos_day_by_day(&dense, s, e - 1) < want, "{zone}");
            // About 36 months pass, past some 1 100 closed dates; a stretch of whole weeks
            // costs a binary search (at most 14 look-ups over 150 years), the days near
            // each zone transition (two a year in New York) are walked one by one.
            let bound = if zone == "UTC" { (16, 100) } else { (100, 200) };
            assert!(
                days <= bound.0 && lookups <= bound.1,
                "{zone}: {days} days, {lookups} look-ups"
            );
        }
    }

    #[test]
    fn errors_from_parts_read_in_clock_times() {
        let bad = CalendarError::BadInterval {
            weekday: 4,
            start: 1020,
            end: 540,
        };
        assert_eq!(
            bad.to_string(),
            "interval 17:00-09:00 on `fri` must end after it starts, within 00:00-24:00"
        );
        let overlap = CalendarError::Overlap {
            weekday: 6,
            at: 605,
        };
        assert_eq!(overlap.to_string(), "intervals on `sun` overlap at 10:05");
    }

    #[test]
    fn new_refuses_bad_parts() {
        let utc = time_zone("UTC").unwrap();
        let mut weekly: [Vec<(u16, u16)>; 7] = Default::default();
        assert_eq!(
            Calendar::new(utc.clone(), weekly.clone(), []).unwrap_err(),
            CalendarError::NeverOpen
        );
        weekly[2] = vec![(600, 540)];
        assert!(matches!(
            Calendar::new(utc.clone(), weekly.clone(), []),
            Err(CalendarError::BadInterval { weekday: 2, .. })
        ));
        weekly[2] = vec![(600, 1441)];
        assert!(matches!(
            Calendar::new(utc.clone(), weekly.clone(), []),
            Err(CalendarError::BadInterval { .. })
        ));
        weekly[2] = vec![(600, 700), (540, 601)];
        assert_eq!(
            Calendar::new(utc.clone(), weekly.clone(), []).unwrap_err(),
            CalendarError::Overlap {
                weekday: 2,
                at: 600
            }
        );
        weekly[2] = vec![(600, 700), (540, 600)];
        assert!(Calendar::new(utc, weekly, []).is_ok());
    }

    #[test]
    fn week_skipping_matches_day_by_day_counting() {
        // One open hour on Wednesdays; 2026-01-07 is a Wednesday. Over 20 weeks of UTC
        // (no transitions) the count must be exact whichever path is taken.
        let mut weekly: [Vec<(u16, u16)>; 7] = Default::default();
        weekly[2] = vec![(600, 660)];
        let c = cal("UTC", weekly, &[jiff::civil::date(2026, 2, 4)]);
        let bt = c.business_time(ts("2026-01-01T00:00:00Z"), ts("2026-05-21T00:00:00Z"));
        // Wednesdays from 2026-01-07 to 2026-05-20: 20, minus the closed 2026-02-04.
        assert_eq!(bt, Duration::from_secs(19 * 3600).unwrap());
    }
}
