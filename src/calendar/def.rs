//! Building a [`Calendar`] from its AST, with every problem reported as a diagnostic.

use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::{Calendar, MINUTES_PER_DAY, WEEKDAYS, clock, time_zone};
use crate::ast::{CalendarDef, CalendarLine, ClockInterval, Ident, Span};
use crate::diagnostic::{Code, Diagnostic};

/// An interval kept for one weekday, with the span it came from.
#[derive(Clone, Copy)]
struct Placed {
    start: u16,
    end: u16,
    span: Span,
}

impl Calendar {
    /// Builds and validates a calendar from its AST; `policy_tz` is used when the calendar
    /// has no `timezone` line.
    ///
    /// Every problem is reported, each with its span: `E0304` for an interval that does
    /// not end after it starts, intervals that overlap on a day, an unknown weekday name, a
    /// day range that runs backwards (`fri-mon`; weeks start on Monday), a second
    /// `timezone` line, or a calendar without open hours; `E0306` for an unknown time zone.
    pub fn from_def(def: &CalendarDef, policy_tz: &TimeZone) -> Result<Calendar, Vec<Diagnostic>> {
        let mut diagnostics = Vec::new();
        let mut tz: Option<TimeZone> = None;
        let mut seen_timezone: Option<Span> = None;
        let mut days: [Vec<Placed>; 7] = Default::default();
        let mut closed: Vec<Date> = Vec::new();
        let mut rejected_hours = false;

        for line in &def.lines {
            match line {
                CalendarLine::Timezone(name) => {
                    if let Some(first) = seen_timezone {
                        diagnostics.push(
                            Diagnostic::new(
                                Code::E0304,
                                name.span,
                                format!(
                                    "calendar `{}` has a second `timezone` line",
                                    def.name.name
                                ),
                            )
                            .with_primary_label("second time zone")
                            .with_label(first, "first set here")
                            .with_help("keep one `timezone` line per calendar"),
                        );
                        continue;
                    }
                    seen_timezone = Some(name.span);
                    match time_zone(&name.value) {
                        Some(zone) => tz = Some(zone),
                        None => diagnostics.push(
                            Diagnostic::new(
                                Code::E0306,
                                name.span,
                                format!("unknown time zone `{}`", name.value),
                            )
                            .with_primary_label("not in the time zone database")
                            .with_help(
                                "use an IANA name such as `Europe/Berlin`, `Asia/Kolkata` or `UTC`",
                            ),
                        ),
                    }
                }
                CalendarLine::Open(hours) => {
                    let Some(range) = day_range(&hours.from, hours.to.as_ref(), &mut diagnostics)
                    else {
                        rejected_hours = true;
                        continue;
                    };
                    for interval in &hours.intervals {
                        let Some(placed) = check_interval(interval, &mut diagnostics) else {
                            rejected_hours = true;
                            continue;
                        };
                        for day in days.iter_mut().take(range.1 + 1).skip(range.0) {
                            day.push(placed);
                        }
                    }
                }
                CalendarLine::Closed(list) => closed.extend(list.dates.iter().map(|d| d.date)),
            }
        }

        let mut reported: Vec<(Span, Span)> = Vec::new();
        for day in &mut days {
            day.sort_by_key(|p| (p.start, p.end));
            for pair in day.windows(2) {
                let [first, second] = pair else { continue };
                if second.start >= first.end {
                    continue;
                }
                // A range line puts one interval on several days; say it once.
                let key = (first.span, second.span);
                if reported
                    .iter()
                    .any(|(a, b)| a.range() == key.0.range() && b.range() == key.1.range())
                {
                    continue;
                }
                reported.push(key);
                rejected_hours = true;
                let (earlier, later) = if first.span.start <= second.span.start {
                    (first, second)
                } else {
                    (second, first)
                };
                diagnostics.push(
                    Diagnostic::new(
                        Code::E0304,
                        later.span,
                        format!(
                            "interval `{}-{}` overlaps `{}-{}` on the same day",
                            clock(later.start),
                            clock(later.end),
                            clock(earlier.start),
                            clock(earlier.end)
                        ),
                    )
                    .with_primary_label("overlaps another interval")
                    .with_label(earlier.span, "the other interval")
                    .with_help("intervals of a day must not overlap; join them into one or move one boundary"),
                );
            }
        }

        // Said only when nothing else explains it: a calendar whose every line was
        // refused has no open hours as a consequence, not as a second problem.
        let open = days.iter().any(|day| !day.is_empty());
        if !open && !rejected_hours {
            diagnostics.push(
                Diagnostic::new(
                    Code::E0304,
                    def.name.span,
                    format!("calendar `{}` has no open hours", def.name.name),
                )
                .with_primary_label("never open")
                .with_help("add a line such as `mon-fri 09:00-17:00`"),
            );
        }

        if !diagnostics.is_empty() {
            return Err(diagnostics);
        }
        let zone = tz.unwrap_or_else(|| policy_tz.clone());
        let weekly = days.map(|day| day.iter().map(|p| (p.start, p.end)).collect());
        Calendar::new(zone, weekly, closed).map_err(|error| {
            // Every condition `new` refuses was reported above; keep a diagnostic anyway
            // rather than trusting that in silence.
            vec![
                Diagnostic::new(
                    Code::E0304,
                    def.span,
                    format!("invalid calendar `{}`", def.name.name),
                )
                .with_primary_label(error.to_string()),
            ]
        })
    }
}

/// The weekday indices `first..=last` of a day or range, or `None` after reporting.
fn day_range(
    from: &Ident,
    to: Option<&Ident>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(usize, usize)> {
    let first = weekday(from, diagnostics);
    let last = match to {
        Some(to) => weekday(to, diagnostics),
        None => first,
    };
    let (first, last) = (first?, last?);
    if last < first {
        let span = to.map_or(from.span, |to| from.span.to(to.span));
        let names = (
            WEEKDAYS.get(first).copied().unwrap_or_default(),
            WEEKDAYS.get(last).copied().unwrap_or_default(),
        );
        diagnostics.push(
            Diagnostic::new(
                Code::E0304,
                span,
                format!("day range `{}-{}` runs backwards", names.0, names.1),
            )
            .with_primary_label("weeks run from `mon` to `sun`")
            .with_help(format!(
                "write `{}-{}`, or split a range across the weekend into two lines such as `{}` and `{}`",
                names.1,
                names.0,
                day_span(names.0, "sun"),
                day_span("mon", names.1),
            )),
        );
        return None;
    }
    Some((first, last))
}

fn weekday(name: &Ident, diagnostics: &mut Vec<Diagnostic>) -> Option<usize> {
    let found = WEEKDAYS.iter().position(|day| *day == name.name);
    if found.is_none() {
        // `Thursday` or `THU` most likely mean the short name they start with.
        let lower = name.name.to_lowercase();
        let all = "weekdays are `mon`, `tue`, `wed`, `thu`, `fri`, `sat` and `sun`";
        let help = match WEEKDAYS.iter().find(|day| lower.starts_with(*day)) {
            Some(day) => format!("write `{day}`; {all}"),
            None => all.to_owned(),
        };
        diagnostics.push(
            Diagnostic::new(
                Code::E0304,
                name.span,
                format!("unknown weekday `{}`", name.name),
            )
            .with_primary_label("not a weekday")
            .with_help(help),
        );
    }
    found
}

fn check_interval(interval: &ClockInterval, diagnostics: &mut Vec<Diagnostic>) -> Option<Placed> {
    let (start, end) = (interval.start.minutes, interval.end.minutes);
    if start < end && end <= MINUTES_PER_DAY {
        return Some(Placed {
            start,
            end,
            span: interval.span,
        });
    }
    let (message, help) = if end > MINUTES_PER_DAY || start > MINUTES_PER_DAY {
        (
            format!(
                "interval `{}-{}` lies outside the day",
                clock(start),
                clock(end)
            ),
            "times of day run from `00:00` to `24:00`",
        )
    } else {
        (
            format!(
                "interval `{}-{}` does not end after it starts",
                clock(start),
                clock(end)
            ),
            "for hours past midnight, end the day at `24:00` and open the next day at `00:00`",
        )
    };
    diagnostics.push(
        Diagnostic::new(Code::E0304, interval.span, message)
            .with_primary_label("invalid interval")
            .with_help(help),
    );
    None
}

/// `a-b`, or just `a` when both are the same day.
fn day_span(first: &str, last: &str) -> String {
    if first == last {
        first.to_owned()
    } else {
        format!("{first}-{last}")
    }
}
