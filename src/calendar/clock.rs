//! The running clock of one deadline: open time of an optional calendar, minus pauses.

use jiff::Timestamp;

use super::{Calendar, MAX_SPAN_NANOS, nanos_to_duration};
use crate::value::Duration;

/// The running clock of one deadline (SPEC §9): time runs while the calendar (if any) is
/// open and no pause covers it.
///
/// Pauses are already resolved (an open-ended pause has `to = now`); they may overlap,
/// come in any order, lie outside the measured span, or be empty (`to <= from`, ignored).
///
/// ```
/// # #[cfg(feature = "internals")] { // an internal module
/// use jiff::Timestamp;
/// use service_policy::calendar::Clock;
/// use service_policy::value::Duration;
///
/// let t = |s: &str| s.parse::<Timestamp>().unwrap();
/// let pauses = [(t("2026-03-02T10:00:00Z"), t("2026-03-02T11:00:00Z"))];
/// let clock = Clock { calendar: None, pauses: &pauses };
/// let due = clock.advance(t("2026-03-02T09:00:00Z"), Duration::from_secs(7200).unwrap());
/// assert_eq!(due, Some(t("2026-03-02T12:00:00Z")));
/// # }
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Clock<'a> {
    /// Open hours the clock runs in; `None` runs all the time.
    pub calendar: Option<&'a Calendar>,
    /// Intervals `[from, to)` during which the clock stands still.
    pub pauses: &'a [(Timestamp, Timestamp)],
}

impl Clock<'_> {
    /// Whether the clock runs at `t`: the calendar (if any) is open and no pause covers
    /// `t` (pauses are half-open, like intervals).
    #[cfg(any(test, feature = "internals"))]
    pub fn is_running(&self, t: Timestamp) -> bool {
        let open = self.calendar.is_none_or(|calendar| calendar.is_open(t));
        open && !self.pauses.iter().any(|(from, to)| *from <= t && t < *to)
    }

    /// The running time in `[from, to)`: open (with a calendar) and not paused; zero when
    /// `to <= from`. Only the first [`super::MAX_SPAN_DAYS`] after `from` are counted.
    pub fn running_time(&self, from: Timestamp, to: Timestamp) -> Duration {
        let from = from.as_nanosecond();
        let to = to.as_nanosecond().min(from.saturating_add(MAX_SPAN_NANOS));
        if to <= from {
            return Duration::ZERO;
        }
        let mut total = self.base_nanos(from, to);
        for (p_from, p_to) in merged(self.pauses) {
            let (s, e) = (p_from.max(from), p_to.min(to));
            if e > s {
                // INVARIANT: merged pauses are disjoint, so no time is subtracted twice.
                total -= self.base_nanos(s, e);
            }
        }
        nanos_to_duration(total)
    }

    /// The running time in `[from, to)` counted exactly, or `None` when `to` lies more than
    /// [`super::MAX_SPAN_DAYS`] after `from` (an error for the rule, never a cut total).
    pub fn checked_running_time(&self, from: Timestamp, to: Timestamp) -> Option<Duration> {
        super::within_span(from, to).then(|| self.running_time(from, to))
    }

    /// The earliest instant at which `d` of running time has passed since `from`: the
    /// deadline of a clock started at `from`. `advance(from, 0)` is `from` itself, even
    /// when the clock is stopped there. `None` for a negative `d`, or when the instant lies
    /// more than [`super::MAX_SPAN_DAYS`] after `from` or outside the range of timestamps.
    ///
    /// It is the inverse of [`Clock::running_time`]: `running_time(from, advance(from, d))
    /// == d`, and no earlier instant has that running time.
    pub fn advance(&self, from: Timestamp, d: Duration) -> Option<Timestamp> {
        let start = from.as_nanosecond();
        let mut remaining = i128::from(d.as_nanos());
        if remaining < 0 {
            return None;
        }
        if remaining == 0 {
            return Some(from);
        }
        let limit = start.saturating_add(MAX_SPAN_NANOS);
        let mut cur = start;
        for (p_from, p_to) in merged(self.pauses) {
            if p_to <= cur {
                continue;
            }
            let run_until = p_from.max(cur);
            let available = self.base_nanos(cur, run_until.min(limit));
            if available >= remaining {
                // The earliest instant in `[cur, run_until]`, so before the pause.
                return self.finish(cur, remaining, limit);
            }
            remaining -= available;
            cur = p_to;
            if cur > limit {
                return None;
            }
        }
        self.finish(cur, remaining, limit)
    }

    /// Running nanoseconds in `[from, to)` ignoring pauses.
    fn base_nanos(&self, from: i128, to: i128) -> i128 {
        match self.calendar {
            Some(calendar) => calendar.open_nanos(from, to),
            None => (to - from).max(0),
        }
    }

    /// The earliest instant after `cur` with `remaining` running time ignoring pauses, if
    /// within `limit`.
    fn finish(&self, cur: i128, remaining: i128, limit: i128) -> Option<Timestamp> {
        let due = match self.calendar {
            Some(calendar) => calendar.add_nanos(cur, remaining)?,
            None => cur.checked_add(remaining)?,
        };
        if due > limit {
            return None;
        }
        Timestamp::from_nanosecond(due).ok()
    }
}

/// The pauses as sorted, disjoint, non-empty nanosecond intervals; overlapping or touching
/// pauses are joined.
fn merged(pauses: &[(Timestamp, Timestamp)]) -> Vec<(i128, i128)> {
    let mut list: Vec<(i128, i128)> = pauses
        .iter()
        .map(|(from, to)| (from.as_nanosecond(), to.as_nanosecond()))
        .filter(|(from, to)| to > from)
        .collect();
    list.sort_unstable();
    let mut out: Vec<(i128, i128)> = Vec::with_capacity(list.len());
    for (from, to) in list {
        match out.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => out.push((from, to)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn is_running_needs_an_open_calendar_and_no_pause() {
        let pauses = [(ts("2026-03-02T10:00:00Z"), ts("2026-03-02T11:00:00Z"))];
        let always = Clock {
            calendar: None,
            pauses: &pauses,
        };
        assert!(always.is_running(ts("2026-03-02T09:59:59Z")));
        assert!(!always.is_running(ts("2026-03-02T10:00:00Z")));
        assert!(always.is_running(ts("2026-03-02T11:00:00Z")));
        let weekly: [Vec<(u16, u16)>; 7] =
            std::array::from_fn(|d| if d < 5 { vec![(540, 1020)] } else { vec![] });
        let calendar = Calendar::new(jiff::tz::TimeZone::UTC, weekly, []).unwrap();
        let office = Clock {
            calendar: Some(&calendar),
            pauses: &pauses,
        };
        assert!(office.is_running(ts("2026-03-02T09:00:00Z")));
        assert!(!office.is_running(ts("2026-03-02T10:30:00Z")));
        assert!(!office.is_running(ts("2026-03-02T08:59:59Z")));
        assert!(!office.is_running(ts("2026-03-07T12:00:00Z")));
    }

    #[test]
    fn calendars_and_clocks_can_be_shared_across_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Calendar>();
        shareable::<Clock<'static>>();
    }

    #[test]
    fn merging_joins_overlapping_and_touching_pauses_and_drops_empty_ones() {
        let pauses = [
            (ts("2026-01-01T05:00:00Z"), ts("2026-01-01T06:00:00Z")),
            (ts("2026-01-01T01:00:00Z"), ts("2026-01-01T03:00:00Z")),
            (ts("2026-01-01T02:00:00Z"), ts("2026-01-01T04:00:00Z")),
            (ts("2026-01-01T04:00:00Z"), ts("2026-01-01T04:30:00Z")),
            (ts("2026-01-01T08:00:00Z"), ts("2026-01-01T07:00:00Z")),
        ];
        let h = |hour: i128| ts("2026-01-01T00:00:00Z").as_nanosecond() + hour * 3_600_000_000_000;
        assert_eq!(
            merged(&pauses),
            vec![(h(1), h(4) + 1_800_000_000_000), (h(5), h(6))]
        );
    }
}
