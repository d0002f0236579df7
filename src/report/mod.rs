//! Compliance figures over many decisions (SPEC §17) and what a change would do (§18).
//!
//! A [`Report`] takes decisions one at a time (`add`, or `add_record` to group them by record
//! fields and periods) and keeps counts, exact sums and percentile stores per group and rule,
//! never the decisions: its memory grows with groups × rules, not with records. Parts built
//! in parallel combine with [`Report::merge`]; the figures do not depend on the order of
//! adding or merging. [`Report::summary`] (also the [`serde::Serialize`] form) gives the
//! figures; [`render`] prints them as a table, Markdown or a self-contained HTML page.
//!
//! It reads only the public [`Decision`] and, for the names and kinds of the rules, the
//! policy's syntax tree.

pub mod diff;
mod quantiles;
pub mod render;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::Value as Json;

use crate::ast::{ClauseKind, Item, RuleDef};
use crate::{ActionKind, Check, DeadlineStatus, LimitStatus, LimitValue};
use crate::{Decision, Policy};
use quantiles::Quantiles;
pub use quantiles::{EXACT_LIMIT, SKETCH_ERROR};

/// Bad line numbers listed in a report; more are counted, not listed.
pub const LISTED_BAD_LINES: usize = 1000;

/// Percentiles of elapsed time reported for each deadline rule.
const ELAPSED_PS: [u32; 3] = [50, 90, 99];
/// Percentiles of breach overrun.
const OVERRUN_PS: [u32; 2] = [50, 90];
/// Upper bounds of the elapsed histogram, in percent of the rule's target; a last bin holds
/// everything above the last bound.
pub const HISTOGRAM_BOUNDS: [u32; 8] = [25, 50, 75, 100, 125, 150, 200, 300];

/// How records are grouped.
#[derive(Clone, Debug, Default)]
pub struct ReportConfig {
    /// Record fields (dotted paths) to group by, outermost first.
    pub by: Vec<String>,
    /// A period of a record time field, for trends.
    pub period: Option<PeriodBy>,
}

/// Trends per period of a record time field.
#[derive(Clone, Debug)]
pub struct PeriodBy {
    /// Day, week or month.
    pub unit: Period,
    /// The record field holding an RFC 3339 instant (a dotted path).
    pub field: String,
}

/// A length of period (in UTC; weeks start on Monday).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// `2026-03-02`.
    Day,
    /// The Monday that starts the week: `2026-03-02`.
    Week,
    /// `2026-03`.
    Month,
}

/// What kind of rule: a deadline (`expect`), a limit, or actions only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    /// `expect … within …`.
    Deadline,
    /// `limit …`.
    Limit,
    /// Only `then`.
    Action,
}

/// The label of a record whose grouping field is missing (or not text, number or boolean).
pub const MISSING: &str = "(missing)";

/// Aggregated compliance figures; see the [module](self) docs.
///
/// ```
/// use service_policy::{EvalOptions, Policy, report::Report};
///
/// let policy = Policy::parse(r#"policy "Desk" {
///   rule first_reply { expect first_reply_at within 1h of opened_at }
/// }"#)?;
/// let now: jiff::Timestamp = "2026-03-02T12:00:00Z".parse()?;
/// let mut report = Report::for_policy(&policy, Default::default());
/// for reply in ["2026-03-02T09:30:00Z", "2026-03-02T11:00:00Z"] {
///     let ticket = serde_json::json!({"opened_at": "2026-03-02T09:00:00Z", "first_reply_at": reply});
///     report.add(&policy.evaluate(&ticket, &EvalOptions::at(now)));
/// }
/// let figures = report.summary();
/// let rule = &figures.total.rules[0];
/// assert_eq!((rule.met, rule.breached), (1, 1));
/// assert_eq!(rule.attainment.as_deref(), Some("0.5000"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Report {
    config: ReportConfig,
    /// Rules known before any decision (from the policy) or learnt from checks.
    kinds: BTreeMap<String, RuleKind>,
    total: Figures,
    groups: BTreeMap<Vec<String>, Figures>,
    periods: BTreeMap<String, Figures>,
    bad_lines: u64,
    bad_line_numbers: Vec<u64>,
}

/// The figures of one group.
#[derive(Clone, Debug, Default)]
struct Figures {
    records: u64,
    rules: BTreeMap<String, RuleFigures>,
    /// (kind, target) → count.
    actions: BTreeMap<(String, String), u64>,
}

#[derive(Clone, Debug, Default)]
struct RuleFigures {
    fired: u64,
    met: u64,
    breached: u64,
    pending: u64,
    within: u64,
    exceeded: u64,
    undecided: u64,
    error: u64,
    elapsed: Quantiles,
    overrun: Quantiles,
    histogram: [u64; HISTOGRAM_BOUNDS.len() + 1],
    /// Currency code ("" for a plain number) → total excess.
    excess: BTreeMap<String, Decimal>,
}

impl Report {
    /// An empty report grouping records as `config` says.
    pub fn new(config: ReportConfig) -> Report {
        Report {
            config,
            ..Report::default()
        }
    }

    /// An empty report that knows every rule of `policy`, so rules that never applied are
    /// still listed (as not applicable) with their kind.
    pub fn for_policy(policy: &Policy, config: ReportConfig) -> Report {
        let mut report = Report::new(config);
        report.declare_rules(policy);
        report
    }

    /// Declares the rules of one more policy (for a set of policies).
    pub fn declare_rules(&mut self, policy: &Policy) {
        for item in &policy.ast().items {
            match item {
                Item::Rule(rule) => self.declare(rule),
                Item::FirstOf(block) => block.rules.iter().for_each(|r| self.declare(r)),
                _ => {}
            }
        }
    }

    fn declare(&mut self, rule: &RuleDef) {
        let kind = rule
            .clauses
            .iter()
            .find_map(|c| match c.kind {
                ClauseKind::Expect(_) => Some(RuleKind::Deadline),
                ClauseKind::Limit(_) => Some(RuleKind::Limit),
                _ => None,
            })
            .unwrap_or(RuleKind::Action);
        self.kinds.insert(rule.name.name.clone(), kind);
    }

    /// Adds one decision to the overall figures (and to the group of no field values).
    pub fn add(&mut self, decision: &Decision) {
        self.add_record(&Json::Null, decision);
    }

    /// Adds one decision for `record`, grouped by the record's fields and period.
    pub fn add_record(&mut self, record: &Json, decision: &Decision) {
        for check in &decision.checks {
            let kind = match check {
                Check::Deadline(_) => RuleKind::Deadline,
                Check::Limit(_) => RuleKind::Limit,
            };
            if !self.kinds.contains_key(check.rule()) {
                self.kinds.insert(check.rule().to_owned(), kind);
            }
        }
        for name in &decision.fired {
            if !self.kinds.contains_key(name) {
                self.kinds.insert(name.clone(), RuleKind::Action);
            }
        }
        self.total.add(decision);
        if !self.config.by.is_empty() {
            let key: Vec<String> = self
                .config
                .by
                .iter()
                .map(|field| label(lookup(record, field)))
                .collect();
            self.groups.entry(key).or_default().add(decision);
        }
        if let Some(period) = &self.config.period {
            let label = period_label(lookup(record, &period.field), period.unit);
            self.periods.entry(label).or_default().add(decision);
        }
    }

    /// Counts a line that gave no decision (listing the first [`LISTED_BAD_LINES`]).
    pub fn add_bad_line(&mut self, line: u64) {
        self.bad_lines += 1;
        if self.bad_line_numbers.len() < LISTED_BAD_LINES {
            self.bad_line_numbers.push(line);
        }
    }

    /// Adds every figure of `other` (a report of other records with the same configuration).
    pub fn merge(&mut self, other: Report) {
        for (name, kind) in other.kinds {
            self.kinds.entry(name).or_insert(kind);
        }
        self.total.merge(other.total);
        for (key, figures) in other.groups {
            self.groups.entry(key).or_default().merge(figures);
        }
        for (key, figures) in other.periods {
            self.periods.entry(key).or_default().merge(figures);
        }
        self.bad_lines += other.bad_lines;
        self.bad_line_numbers.extend(other.bad_line_numbers);
        self.bad_line_numbers.sort_unstable();
        self.bad_line_numbers.truncate(LISTED_BAD_LINES);
    }

    /// The figures: overall, per group, per period.
    pub fn summary(&self) -> Summary {
        let total = self.total.summary(&self.kinds, BTreeMap::new());
        let groups = self
            .groups
            .iter()
            .map(|(key, figures)| {
                let key = self
                    .config
                    .by
                    .iter()
                    .cloned()
                    .zip(key.iter().cloned())
                    .collect();
                figures.summary(&self.kinds, key)
            })
            .collect();
        // Dated periods in order, then records without a usable time.
        let periods = self
            .periods
            .iter()
            .filter(|(label, _)| label.as_str() != MISSING)
            .chain(
                self.periods
                    .iter()
                    .filter(|(label, _)| label.as_str() == MISSING),
            )
            .map(|(label, figures)| {
                let s = figures.summary(&self.kinds, BTreeMap::new());
                PeriodSummary {
                    period: label.clone(),
                    records: s.records,
                    rules: s.rules,
                }
            })
            .collect();
        let exact = self
            .total
            .rules
            .values()
            .all(|r| r.elapsed.is_exact() && r.overrun.is_exact())
            && self
                .groups
                .values()
                .flat_map(|g| g.rules.values())
                .all(|r| r.elapsed.is_exact() && r.overrun.is_exact());
        Summary {
            records: self.total.records + self.bad_lines,
            decisions: self.total.records,
            bad_lines: BadLines {
                count: self.bad_lines,
                lines: self.bad_line_numbers.clone(),
            },
            by: self.config.by.clone(),
            period: self.config.period.as_ref().map(|p| PeriodInfo {
                unit: p.unit,
                field: p.field.clone(),
            }),
            percentiles: if exact {
                "exact (nearest rank)".to_owned()
            } else {
                format!(
                    "exact (nearest rank) up to {EXACT_LIMIT} values per group and rule, then a DDSketch within {SKETCH_ERROR} relative error"
                )
            },
            total,
            groups,
            periods,
        }
    }
}

impl Serialize for Report {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.summary().serialize(serializer)
    }
}

impl Figures {
    /// Updates the figures of rule `name`, allocating its name only the first time.
    fn rule(&mut self, name: &str, update: impl FnOnce(&mut RuleFigures)) {
        if let Some(figures) = self.rules.get_mut(name) {
            update(figures);
            return;
        }
        let mut figures = RuleFigures::default();
        update(&mut figures);
        self.rules.insert(name.to_owned(), figures);
    }

    fn add(&mut self, decision: &Decision) {
        self.records += 1;
        for name in &decision.fired {
            self.rule(name, |r| r.fired += 1);
        }
        for check in &decision.checks {
            match check {
                Check::Deadline(d) => {
                    self.rule(&d.rule, |r| {
                        let elapsed = d.elapsed.to_jiff().as_secs();
                        let target = d.target.to_jiff().as_secs();
                        match d.status {
                            DeadlineStatus::Met => r.met += 1,
                            DeadlineStatus::Breached => {
                                r.breached += 1;
                                r.overrun.add(elapsed.saturating_sub(target));
                            }
                            DeadlineStatus::Pending => r.pending += 1,
                        }
                        if d.status != DeadlineStatus::Pending {
                            r.elapsed.add(elapsed);
                            let bin = histogram_bin(elapsed, target);
                            if let Some(slot) = r.histogram.get_mut(bin) {
                                *slot += 1;
                            }
                        }
                    });
                }
                Check::Limit(l) => self.rule(&l.rule, |r| match l.status {
                    LimitStatus::Within => r.within += 1,
                    LimitStatus::Exceeded => {
                        r.exceeded += 1;
                        if let Some((currency, amount)) = amount_of(l.excess.as_ref()) {
                            *r.excess.entry(currency).or_default() += amount;
                        }
                    }
                }),
            }
        }
        for undecided in &decision.undecided {
            if !decision.checks.iter().any(|c| c.rule() == undecided.rule) {
                self.rule(&undecided.rule, |r| r.undecided += 1);
            }
        }
        // A rule counts once as `error`, however many entries name it, and only when it has
        // no other status in this decision.
        let mut seen: Vec<&str> = Vec::new();
        for error in &decision.errors {
            let Some(rule) = error.rule.as_deref() else {
                continue;
            };
            if seen.contains(&rule)
                || decision.checks.iter().any(|c| c.rule() == rule)
                || decision.undecided.iter().any(|u| u.rule == rule)
            {
                continue;
            }
            seen.push(rule);
            self.rule(rule, |r| r.error += 1);
        }
        for action in &decision.actions {
            let (kind, target) = action_target(&action.kind);
            *self.actions.entry((kind.to_owned(), target)).or_default() += 1;
        }
    }

    fn merge(&mut self, other: Figures) {
        self.records += other.records;
        for (name, theirs) in other.rules {
            let mine = self.rules.entry(name).or_default();
            mine.fired += theirs.fired;
            mine.met += theirs.met;
            mine.breached += theirs.breached;
            mine.pending += theirs.pending;
            mine.within += theirs.within;
            mine.exceeded += theirs.exceeded;
            mine.undecided += theirs.undecided;
            mine.error += theirs.error;
            mine.elapsed.merge(theirs.elapsed);
            mine.overrun.merge(theirs.overrun);
            for (slot, n) in mine.histogram.iter_mut().zip(theirs.histogram) {
                *slot += n;
            }
            for (currency, amount) in theirs.excess {
                *mine.excess.entry(currency).or_default() += amount;
            }
        }
        for (key, n) in other.actions {
            *self.actions.entry(key).or_default() += n;
        }
    }

    fn summary(
        &self,
        kinds: &BTreeMap<String, RuleKind>,
        key: BTreeMap<String, String>,
    ) -> GroupSummary {
        let empty = RuleFigures::default();
        let rules = kinds
            .iter()
            .map(|(name, &kind)| {
                let r = self.rules.get(name).unwrap_or(&empty);
                r.summary(name, kind, self.records)
            })
            .collect();
        let actions = self
            .actions
            .iter()
            .map(|((kind, target), &count)| ActionCount {
                action: kind.clone(),
                target: target.clone(),
                count,
            })
            .collect();
        GroupSummary {
            key,
            records: self.records,
            rules,
            actions,
        }
    }
}

impl RuleFigures {
    fn summary(&self, name: &str, kind: RuleKind, records: u64) -> RuleSummary {
        let decided = self.met + self.breached + self.pending + self.within + self.exceeded;
        let not_applicable = records.saturating_sub(decided + self.undecided + self.error);
        let (elapsed, overrun, histogram) = if kind == RuleKind::Deadline {
            let e = self.elapsed.percentiles(&ELAPSED_PS);
            let o = self.overrun.percentiles(&OVERRUN_PS);
            let name_of = |p: &u32| format!("p{p}");
            (
                Some(
                    ELAPSED_PS
                        .iter()
                        .map(name_of)
                        .zip(e.into_iter().map(duration_text))
                        .collect(),
                ),
                Some(
                    OVERRUN_PS
                        .iter()
                        .map(name_of)
                        .zip(o.into_iter().map(duration_text))
                        .collect(),
                ),
                Some(
                    self.histogram
                        .iter()
                        .enumerate()
                        .map(|(i, &count)| HistogramBin {
                            upto_percent: HISTOGRAM_BOUNDS.get(i).copied(),
                            count,
                        })
                        .collect(),
                ),
            )
        } else {
            (None, None, None)
        };
        RuleSummary {
            rule: name.to_owned(),
            kind,
            fired: self.fired,
            fired_rate: ratio(self.fired, records),
            met: self.met,
            breached: self.breached,
            pending: self.pending,
            within: self.within,
            exceeded: self.exceeded,
            undecided: self.undecided,
            error: self.error,
            not_applicable,
            attainment: ratio(self.met, self.met + self.breached),
            exceeded_rate: ratio(self.exceeded, self.within + self.exceeded),
            elapsed,
            overrun,
            elapsed_histogram: histogram,
            excess: self
                .excess
                .iter()
                .map(|(c, a)| (c.clone(), a.normalize().to_string()))
                .collect(),
        }
    }
}

/// The bin of the elapsed histogram for `elapsed` against `target`.
fn histogram_bin(elapsed: i64, target: i64) -> usize {
    if target <= 0 {
        return HISTOGRAM_BOUNDS.len();
    }
    let percent = i128::from(elapsed) * 100;
    HISTOGRAM_BOUNDS
        .iter()
        .position(|&b| percent <= i128::from(b) * i128::from(target))
        .unwrap_or(HISTOGRAM_BOUNDS.len())
}

/// `part / whole` with four decimals, or `None` when `whole` is zero.
fn ratio(part: u64, whole: u64) -> Option<String> {
    if whole == 0 {
        return None;
    }
    let r = Decimal::from(part).checked_div(Decimal::from(whole))?;
    Some(
        r.round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointNearestEven)
            .to_string(),
    )
    .map(|s| {
        if s.contains('.') {
            s
        } else {
            format!("{s}.0000")
        }
    })
    .map(|s| pad4(&s))
}

/// Pads a decimal to four places (`0.5` → `0.5000`).
fn pad4(s: &str) -> String {
    match s.split_once('.') {
        Some((int, frac)) if frac.len() < 4 => format!("{int}.{frac:0<4}"),
        _ => s.to_owned(),
    }
}

fn duration_text(secs: Option<i64>) -> Option<String> {
    secs.and_then(crate::value::Duration::from_secs)
        .map(|d| d.to_string())
}

/// The amount and currency of an excess: `"2000 INR"`, or a plain number.
/// An excess that adds up: money (by currency; `""` for the currency-less zero) and
/// numbers (`""`); an excess of time is counted, not summed.
fn amount_of(excess: Option<&LimitValue>) -> Option<(String, Decimal)> {
    match excess? {
        LimitValue::Money(m) => Some((
            m.currency.map_or_else(String::new, |c| c.code().to_owned()),
            m.amount,
        )),
        LimitValue::Number(n) => Some((String::new(), *n)),
        LimitValue::Duration(_) | LimitValue::Date(_) | LimitValue::Time(_) => None,
    }
}

/// An action's kind and target, as the report counts them.
pub(crate) fn action_target(kind: &ActionKind) -> (&'static str, String) {
    let target = match kind {
        ActionKind::Escalate { to } | ActionKind::Notify { to } | ActionKind::Assign { to } => {
            to.clone()
        }
        ActionKind::RequireApproval { from } => from.clone(),
        ActionKind::FollowUp { within, .. } => within.to_string(),
        ActionKind::Refund { amount } | ActionKind::Compensate { amount } => amount
            .currency
            .map(|c| c.code().to_owned())
            .unwrap_or_default(),
        ActionKind::Tag { tag } => tag.clone(),
        ActionKind::Set { field, .. } => field.clone(),
        ActionKind::Emit { name } => name.clone(),
    };
    (kind.name(), target)
}

/// The value at a dotted path of a record.
fn lookup<'a>(record: &'a Json, path: &str) -> Option<&'a Json> {
    path.split('.').try_fold(record, |v, seg| v.get(seg))
}

/// A grouping label for a field value.
fn label(value: Option<&Json>) -> String {
    match value {
        Some(Json::String(s)) => s.clone(),
        Some(Json::Bool(b)) => b.to_string(),
        Some(Json::Number(n)) => n.to_string(),
        _ => MISSING.to_owned(),
    }
}

/// The period label of an instant field, or [`MISSING`] when it is not an RFC 3339 instant.
fn period_label(value: Option<&Json>, unit: Period) -> String {
    let Some(ts) = value
        .and_then(Json::as_str)
        .and_then(|s| s.parse::<jiff::Timestamp>().ok())
    else {
        return MISSING.to_owned();
    };
    let date = ts.to_zoned(jiff::tz::TimeZone::UTC).date();
    match unit {
        Period::Day => date.to_string(),
        Period::Week => {
            let back = i64::from(date.weekday().to_monday_zero_offset());
            date.checked_sub(jiff::Span::new().days(back))
                .map_or_else(|_| date.to_string(), |d| d.to_string())
        }
        Period::Month => format!("{:04}-{:02}", date.year(), date.month()),
    }
}

/// The figures of a [`Report`], as printed by `report --format json` (schema in
/// `docs/cli.md`). Ratios are decimal strings with four places; durations are literals.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Non-blank lines read (decisions and bad lines).
    pub records: u64,
    /// Records that gave a decision.
    pub decisions: u64,
    /// Lines that gave no decision.
    pub bad_lines: BadLines,
    /// The grouping fields.
    pub by: Vec<String>,
    /// The trend period, if any.
    pub period: Option<PeriodInfo>,
    /// How percentiles were computed.
    pub percentiles: String,
    /// Every record.
    pub total: GroupSummary,
    /// One entry per combination of `by` values that occurred, sorted.
    pub groups: Vec<GroupSummary>,
    /// One entry per period, oldest first (`(missing)` last).
    pub periods: Vec<PeriodSummary>,
}

/// Lines that gave no decision.
#[derive(Clone, Debug, Serialize)]
pub struct BadLines {
    /// How many.
    pub count: u64,
    /// The first line numbers (at most [`LISTED_BAD_LINES`]), ascending.
    pub lines: Vec<u64>,
}

/// The trend period.
#[derive(Clone, Debug, Serialize)]
pub struct PeriodInfo {
    /// Day, week or month.
    pub unit: Period,
    /// The record time field.
    pub field: String,
}

/// The figures of one group.
#[derive(Clone, Debug, Serialize)]
pub struct GroupSummary {
    /// The `by` field values of the group (empty for the total).
    pub key: BTreeMap<String, String>,
    /// Decisions in the group.
    pub records: u64,
    /// One entry per rule, by name.
    pub rules: Vec<RuleSummary>,
    /// Actions by kind and target.
    pub actions: Vec<ActionCount>,
}

/// The figures of one period.
#[derive(Clone, Debug, Serialize)]
pub struct PeriodSummary {
    /// `2026-03-02` (day or week start) or `2026-03` (month).
    pub period: String,
    /// Decisions in the period.
    pub records: u64,
    /// One entry per rule.
    pub rules: Vec<RuleSummary>,
}

/// How often an action was required.
#[derive(Clone, Debug, Serialize)]
pub struct ActionCount {
    /// The kind (`escalate`, `refund`, …).
    pub action: String,
    /// Level, queue, approver, tag, field, event, currency or follow-up duration.
    pub target: String,
    /// Decisions that required it.
    pub count: u64,
}

/// The figures of one rule in one group.
#[derive(Clone, Debug, Serialize)]
pub struct RuleSummary {
    /// The rule's name.
    pub rule: String,
    /// Deadline, limit or action.
    pub kind: RuleKind,
    /// Decisions in which the rule applied.
    pub fired: u64,
    /// `fired / records`.
    pub fired_rate: Option<String>,
    /// Deadlines met.
    pub met: u64,
    /// Deadlines breached.
    pub breached: u64,
    /// Deadlines still running.
    pub pending: u64,
    /// Limits kept.
    pub within: u64,
    /// Limits exceeded.
    pub exceeded: u64,
    /// Decisions where a missing value left the rule undecided.
    pub undecided: u64,
    /// Decisions where the rule erred.
    pub error: u64,
    /// Decisions with none of the above for this rule.
    pub not_applicable: u64,
    /// `met / (met + breached)`; null without either.
    pub attainment: Option<String>,
    /// `exceeded / (within + exceeded)`.
    pub exceeded_rate: Option<String>,
    /// Elapsed running time of met and breached deadlines: p50, p90, p99.
    pub elapsed: Option<BTreeMap<String, Option<String>>>,
    /// Time past the deadline of breached ones: p50, p90.
    pub overrun: Option<BTreeMap<String, Option<String>>>,
    /// Met and breached deadlines by elapsed ÷ target.
    pub elapsed_histogram: Option<Vec<HistogramBin>>,
    /// Total excess per currency (`""` for plain numbers).
    pub excess: BTreeMap<String, String>,
}

/// One bin of the elapsed histogram.
#[derive(Clone, Debug, Serialize)]
pub struct HistogramBin {
    /// Elapsed up to this percent of the target (above the previous bin); null for the last.
    pub upto_percent: Option<u32>,
    /// How many.
    pub count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_have_four_places() {
        assert_eq!(ratio(1, 2).as_deref(), Some("0.5000"));
        assert_eq!(ratio(2, 2).as_deref(), Some("1.0000"));
        assert_eq!(ratio(2, 3).as_deref(), Some("0.6667"));
        assert_eq!(ratio(0, 3).as_deref(), Some("0.0000"));
        assert_eq!(ratio(1, 0), None);
    }

    #[test]
    fn histogram_bins_are_shares_of_the_target() {
        assert_eq!(histogram_bin(0, 100), 0);
        assert_eq!(histogram_bin(25, 100), 0);
        assert_eq!(histogram_bin(26, 100), 1);
        assert_eq!(histogram_bin(100, 100), 3);
        assert_eq!(histogram_bin(301, 100), 8);
        assert_eq!(histogram_bin(5, 0), 8);
    }

    #[test]
    fn periods_are_utc_days_monday_weeks_and_months() {
        let t = Json::String("2026-03-05T23:30:00-02:00".into());
        assert_eq!(period_label(Some(&t), Period::Day), "2026-03-06");
        assert_eq!(period_label(Some(&t), Period::Week), "2026-03-02");
        assert_eq!(period_label(Some(&t), Period::Month), "2026-03");
        assert_eq!(period_label(None, Period::Month), MISSING);
    }

    #[test]
    fn excess_keeps_its_currency() {
        let money = LimitValue::Money(crate::Money::parse("2000.50 INR").unwrap());
        assert_eq!(
            amount_of(Some(&money)),
            Some(("INR".into(), Decimal::new(200050, 2)))
        );
        assert_eq!(
            amount_of(Some(&LimitValue::Number(Decimal::from(3)))),
            Some((String::new(), Decimal::from(3)))
        );
        let late = LimitValue::Duration(crate::Duration::from_secs(60).unwrap());
        assert_eq!(amount_of(Some(&late)), None);
        assert_eq!(amount_of(None), None);
    }
}
