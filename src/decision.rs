//! The decision of SPEC §11 as typed structs that serialise to its exact JSON.

use jiff::Timestamp;
use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value as Json};

use crate::value::{Duration, Money};

/// The result of evaluating one record: deterministic for the same policy, record and
/// `now`, and serialised to the JSON of SPEC §11 (and read back from it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// The policy's name.
    pub policy: String,
    /// The policy's version, if it has one.
    pub version: Option<String>,
    /// The evaluation instant.
    #[serde(serialize_with = "time", deserialize_with = "read_time")]
    pub now: Timestamp,
    /// Required actions, merged, in source order.
    pub actions: Vec<Action>,
    /// The state of every deadline and limit of the rules that applied.
    pub checks: Vec<Check>,
    /// The rules that applied (in `first of`, only the chosen one).
    pub fired: Vec<String>,
    /// The rules a missing value kept from being decided.
    pub undecided: Vec<Undecided>,
    /// Record problems, rule errors and `set` conflicts.
    pub errors: Vec<ErrorEntry>,
    /// When to evaluate again if no data changes, or `None`.
    #[serde(
        serialize_with = "optional_time",
        deserialize_with = "read_optional_time"
    )]
    pub recheck_at: Option<Timestamp>,
    /// Per rule: its status and the comparisons of its guard (explain on only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<RuleTrace>>,
}

impl Decision {
    /// The total of the money actions per kind (`refund`, `compensate`) and currency, in
    /// the order each pair first appears; an error only if a total overflows.
    pub fn money_totals(&self) -> Result<Vec<(&'static str, Money)>, crate::value::MoneyError> {
        let mut totals: Vec<(&'static str, Money)> = Vec::new();
        for action in &self.actions {
            let Some(amount) = action.kind.money() else {
                continue;
            };
            let kind = action.kind.name();
            match totals
                .iter_mut()
                .find(|(k, m)| *k == kind && m.currency == amount.currency)
            {
                Some((_, total)) => *total = total.checked_add(*amount)?,
                None => totals.push((kind, *amount)),
            }
        }
        Ok(totals)
    }
}

pub(crate) fn time<S: serde::Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(t)
}

pub(crate) fn optional_time<S: serde::Serializer>(
    t: &Option<Timestamp>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.collect_str(t),
        None => s.serialize_none(),
    }
}

fn parse_time<E: serde::de::Error>(text: &str) -> Result<Timestamp, E> {
    text.parse::<Timestamp>()
        .map_err(|e| E::custom(format!("`{text}` is not an RFC 3339 time: {e}")))
}

fn read_time<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    parse_time(&text)
}

fn read_optional_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    match Option::<std::borrow::Cow<'de, str>>::deserialize(d)? {
        Some(text) => parse_time(&text).map(Some),
        None => Ok(None),
    }
}

/// Takes a text entry out of a JSON object being read.
fn take_text<E: serde::de::Error>(map: &mut Map<String, Json>, key: &str) -> Result<String, E> {
    match map.remove(key) {
        Some(Json::String(text)) => Ok(text),
        _ => Err(E::custom(format!("expected text `{key}`"))),
    }
}

/// Takes an entry out of a JSON object being read, as a typed value.
fn take<T: serde::de::DeserializeOwned, E: serde::de::Error>(
    map: &mut Map<String, Json>,
    key: &str,
) -> Result<T, E> {
    let value = map.remove(key).unwrap_or(Json::Null);
    serde_json::from_value(value).map_err(|e| E::custom(format!("`{key}`: {e}")))
}

/// One required action.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    /// What to do.
    pub kind: ActionKind,
    /// The `with { … }` arguments, in source order, or `None` without `with`.
    pub args: Option<Map<String, Json>>,
    /// The rules that required it, in source order.
    pub rules: Vec<String>,
    /// A stable digest of the policy name, the action and its arguments, for the host to
    /// act once.
    pub key: String,
}

/// The kinds of action (SPEC §10).
#[derive(Clone, Debug, PartialEq)]
pub enum ActionKind {
    /// `escalate to "T"`.
    Escalate {
        /// The level escalated to.
        to: String,
    },
    /// `notify "T"`.
    Notify {
        /// Who is notified.
        to: String,
    },
    /// `assign to "Q"`.
    Assign {
        /// The queue or person.
        to: String,
    },
    /// `require approval from "R"`.
    RequireApproval {
        /// The approver.
        from: String,
    },
    /// `follow up within D`.
    FollowUp {
        /// The duration written.
        within: Duration,
        /// `now + within`.
        due: Timestamp,
    },
    /// `refund MONEY`.
    Refund {
        /// The amount.
        amount: Money,
    },
    /// `compensate MONEY`: goodwill, not a refund.
    Compensate {
        /// The amount.
        amount: Money,
    },
    /// `tag "x"`.
    Tag {
        /// The tag.
        tag: String,
    },
    /// `set FIELD to EXPR`.
    Set {
        /// The field path.
        field: String,
        /// The value, as JSON.
        value: Json,
    },
    /// `emit "name"`.
    Emit {
        /// The event name.
        name: String,
    },
}

impl ActionKind {
    /// The amount of a money action (`refund`, `compensate`): such actions are never merged.
    pub fn money(&self) -> Option<&Money> {
        match self {
            ActionKind::Refund { amount } | ActionKind::Compensate { amount } => Some(amount),
            _ => None,
        }
    }

    /// The `"action"` name.
    pub fn name(&self) -> &'static str {
        match self {
            ActionKind::Escalate { .. } => "escalate",
            ActionKind::Notify { .. } => "notify",
            ActionKind::Assign { .. } => "assign",
            ActionKind::RequireApproval { .. } => "require_approval",
            ActionKind::FollowUp { .. } => "follow_up",
            ActionKind::Refund { .. } => "refund",
            ActionKind::Compensate { .. } => "compensate",
            ActionKind::Tag { .. } => "tag",
            ActionKind::Set { .. } => "set",
            ActionKind::Emit { .. } => "emit",
        }
    }

    /// The action's own fields as JSON pairs, in the order of SPEC §10.
    pub fn fields(&self) -> Vec<(&'static str, Json)> {
        let text = |s: &str| Json::String(s.to_owned());
        match self {
            ActionKind::Escalate { to } | ActionKind::Notify { to } | ActionKind::Assign { to } => {
                vec![("to", text(to))]
            }
            ActionKind::RequireApproval { from } => vec![("from", text(from))],
            ActionKind::FollowUp { within, due } => vec![
                ("within", Json::String(within.to_string())),
                ("due", Json::String(due.to_string())),
            ],
            ActionKind::Refund { amount } | ActionKind::Compensate { amount } => {
                vec![("amount", Json::String(amount.to_string()))]
            }
            ActionKind::Tag { tag } => vec![("tag", text(tag))],
            ActionKind::Set { field, value } => {
                vec![("field", text(field)), ("value", value.clone())]
            }
            ActionKind::Emit { name } => vec![("name", text(name))],
        }
    }
}

/// A value serialised as its `Display` text, without an intermediate string.
struct AsText<'a, T: std::fmt::Display>(&'a T);

impl<T: std::fmt::Display> Serialize for AsText<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self.0)
    }
}

impl Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ActionJson {
            kind: &self.kind,
            args: self.args.as_ref(),
            rules: &self.rules,
            key: &self.key,
        }
        .serialize(serializer)
    }
}

/// An action's JSON, from its parts: the owned [`Action`] and the borrowed decision's
/// actions print through it, so they print alike.
pub(crate) struct ActionJson<'v, R: Serialize> {
    pub(crate) kind: &'v ActionKind,
    pub(crate) args: Option<&'v Map<String, Json>>,
    pub(crate) rules: R,
    pub(crate) key: &'v str,
}

impl<R: Serialize> Serialize for ActionJson<'_, R> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("action", self.kind.name())?;
        // The fields of `ActionKind::fields`, written straight from the action: a batch
        // prints millions of them, and building JSON values first would copy every text.
        match self.kind {
            ActionKind::Escalate { to } | ActionKind::Notify { to } | ActionKind::Assign { to } => {
                map.serialize_entry("to", to)?;
            }
            ActionKind::RequireApproval { from } => map.serialize_entry("from", from)?,
            ActionKind::FollowUp { within, due } => {
                map.serialize_entry("within", &AsText(within))?;
                map.serialize_entry("due", &AsText(due))?;
            }
            ActionKind::Refund { amount } | ActionKind::Compensate { amount } => {
                map.serialize_entry("amount", &AsText(amount))?;
            }
            ActionKind::Tag { tag } => map.serialize_entry("tag", tag)?,
            ActionKind::Set { field, value } => {
                map.serialize_entry("field", field)?;
                map.serialize_entry("value", value)?;
            }
            ActionKind::Emit { name } => map.serialize_entry("name", name)?,
        }
        if let Some(args) = self.args {
            map.serialize_entry("args", args)?;
        }
        map.serialize_entry("rules", &self.rules)?;
        map.serialize_entry("key", self.key)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut map = Map::<String, Json>::deserialize(deserializer)?;
        let m = &mut map;
        let action = take_text::<D::Error>(m, "action")?;
        let kind = match action.as_str() {
            "escalate" => ActionKind::Escalate {
                to: take_text(m, "to")?,
            },
            "notify" => ActionKind::Notify {
                to: take_text(m, "to")?,
            },
            "assign" => ActionKind::Assign {
                to: take_text(m, "to")?,
            },
            "require_approval" => ActionKind::RequireApproval {
                from: take_text(m, "from")?,
            },
            "follow_up" => ActionKind::FollowUp {
                within: take(m, "within")?,
                due: parse_time(&take_text::<D::Error>(m, "due")?)?,
            },
            "refund" => ActionKind::Refund {
                amount: take(m, "amount")?,
            },
            "compensate" => ActionKind::Compensate {
                amount: take(m, "amount")?,
            },
            "tag" => ActionKind::Tag {
                tag: take_text(m, "tag")?,
            },
            "set" => ActionKind::Set {
                field: take_text(m, "field")?,
                value: m.remove("value").unwrap_or(Json::Null),
            },
            "emit" => ActionKind::Emit {
                name: take_text(m, "name")?,
            },
            other => return Err(D::Error::custom(format!("unknown action `{other}`"))),
        };
        Ok(Action {
            kind,
            args: take(m, "args")?,
            rules: take(m, "rules")?,
            key: take_text(m, "key")?,
        })
    }
}

/// The state of a deadline or a limit.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// An `expect` rule.
    Deadline(DeadlineCheck),
    /// A `limit` rule.
    Limit(LimitCheck),
}

/// The state of a deadline.
#[derive(Clone, Debug, PartialEq)]
pub struct DeadlineCheck {
    /// The rule.
    pub rule: String,
    /// Met, breached or pending.
    pub status: DeadlineStatus,
    /// The running time allowed.
    pub target: Duration,
    /// When the allowed time runs out.
    pub deadline: Timestamp,
    /// Running time from start to done (or now).
    pub elapsed: Duration,
    /// Running time left, while pending.
    pub remaining: Option<Duration>,
}

/// The status of a deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeadlineStatus {
    /// Done in time.
    Met,
    /// Done late, or not done and past the deadline.
    Breached,
    /// Not done, and time remains.
    Pending,
}

/// The state of a limit.
#[derive(Clone, Debug, PartialEq)]
pub struct LimitCheck {
    /// The rule.
    pub rule: String,
    /// Within or exceeded.
    pub status: LimitStatus,
    /// The value limited, as compared (an empty sum's zero in the maximum's currency).
    pub value: LimitValue,
    /// The maximum.
    pub limit: LimitValue,
    /// `value − limit` when exceeded (a duration for times and dates); `None` within.
    pub excess: Option<LimitValue>,
}

/// A value a `limit` compares, or their difference: one of the orderable types.
///
/// Serialises as the decision JSON spells it: a number as a JSON integer when it is whole
/// and fits 64 bits, else as its exact decimal text (`"0.25"`); money as `"350 GBP"`;
/// a duration in the literal form (`"1h30m"`); a date as `"2026-03-02"`; a time in
/// RFC 3339 UTC.
///
/// ```
/// # use service_policy::{Check, EvalOptions, LimitValue, Money, Policy};
/// let policy = Policy::parse(r#"policy "Refunds" {
///   record { refund_amount: money }
///   rule cap { limit refund_amount <= 200 GBP }
/// }"#)?;
/// let now = "2026-03-02T10:00:00Z".parse()?;
/// let decision = policy.evaluate(&serde_json::json!({"refund_amount": "350 GBP"}), &EvalOptions::at(now));
/// let Some(Check::Limit(cap)) = decision.checks.first() else { unreachable!() };
/// assert_eq!(cap.excess, Some(LimitValue::Money(Money::parse("150 GBP")?)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitValue {
    /// An exact number.
    Number(rust_decimal::Decimal),
    /// An amount of money.
    Money(Money),
    /// A duration (also the difference of two times or dates).
    Duration(Duration),
    /// A calendar date.
    Date(jiff::civil::Date),
    /// An instant.
    Time(Timestamp),
}

impl LimitValue {
    /// The limit's view of a runtime value; other kinds cannot be ordered by a limit.
    pub(crate) fn from_value(value: &crate::value::Value<'_>) -> Result<LimitValue, String> {
        use crate::value::Value;
        match value {
            Value::Number(n) => Ok(LimitValue::Number(*n)),
            Value::Money(m) => Ok(LimitValue::Money(*m)),
            Value::Duration(d) => Ok(LimitValue::Duration(*d)),
            Value::Date(d) => Ok(LimitValue::Date(*d)),
            Value::Time(t) => Ok(LimitValue::Time(*t)),
            other => Err(format!(
                "a limit compares numbers, money, durations, dates or times, found {}",
                other.kind()
            )),
        }
    }

    /// The JSON form, as in the decision.
    pub fn to_json(&self) -> Json {
        match self {
            LimitValue::Number(n) => crate::value::number_json(*n),
            other => Json::String(other.to_string()),
        }
    }

    /// Reads the JSON form back: a JSON number or decimal text is a number, then money,
    /// a duration, a date and a time are tried in that order.
    fn from_json(json: &Json) -> Option<LimitValue> {
        match json {
            Json::Number(n) => crate::value::decimal_from_json(n).map(LimitValue::Number),
            Json::String(text) => {
                if let Some(n) = crate::value::parse_decimal(text) {
                    Some(LimitValue::Number(n))
                } else if let Ok(m) = Money::parse(text) {
                    Some(LimitValue::Money(m))
                } else if let Ok(d) = Duration::parse_literal(text) {
                    Some(LimitValue::Duration(d))
                } else if let Some(d) = crate::value::parse_date(text) {
                    Some(LimitValue::Date(d))
                } else {
                    crate::value::parse_time(text).map(LimitValue::Time)
                }
            }
            _ => None,
        }
    }
}

impl std::fmt::Display for LimitValue {
    /// The decision's spelling, without JSON quotes (`350 GBP`, `1h30m`, `0.25`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LimitValue::Number(n) => write!(f, "{}", n.normalize()),
            LimitValue::Money(m) => write!(f, "{m}"),
            LimitValue::Duration(d) => write!(f, "{d}"),
            LimitValue::Date(d) => write!(f, "{d}"),
            LimitValue::Time(t) => write!(f, "{t}"),
        }
    }
}

impl Serialize for LimitValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for LimitValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = Json::deserialize(deserializer)?;
        LimitValue::from_json(&json)
            .ok_or_else(|| D::Error::custom(format!("`{json}` is not a limit's value")))
    }
}

/// The status of a limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LimitStatus {
    /// At or under the maximum.
    Within,
    /// Over it.
    Exceeded,
}

impl Check {
    /// The rule the check belongs to.
    pub fn rule(&self) -> &str {
        match self {
            Check::Deadline(d) => &d.rule,
            Check::Limit(l) => &l.rule,
        }
    }

    /// The check's status as the decision JSON spells it: `met`, `breached`, `pending`,
    /// `within` or `exceeded`.
    pub fn status_word(&self) -> &'static str {
        match self {
            Check::Deadline(d) => match d.status {
                DeadlineStatus::Met => "met",
                DeadlineStatus::Breached => "breached",
                DeadlineStatus::Pending => "pending",
            },
            Check::Limit(l) => match l.status {
                LimitStatus::Within => "within",
                LimitStatus::Exceeded => "exceeded",
            },
        }
    }
}

impl Serialize for Check {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match self {
            Check::Deadline(d) => {
                map.serialize_entry("rule", &d.rule)?;
                map.serialize_entry("kind", "deadline")?;
                map.serialize_entry("status", &d.status)?;
                map.serialize_entry("target", &d.target)?;
                map.serialize_entry("deadline", &d.deadline.to_string())?;
                map.serialize_entry("elapsed", &d.elapsed)?;
                map.serialize_entry("remaining", &d.remaining)?;
            }
            Check::Limit(l) => {
                map.serialize_entry("rule", &l.rule)?;
                map.serialize_entry("kind", "limit")?;
                map.serialize_entry("status", &l.status)?;
                map.serialize_entry("value", &l.value)?;
                map.serialize_entry("limit", &l.limit)?;
                map.serialize_entry("excess", &l.excess)?;
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Check {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut map = Map::<String, Json>::deserialize(deserializer)?;
        let m = &mut map;
        let rule = take_text::<D::Error>(m, "rule")?;
        match take_text::<D::Error>(m, "kind")?.as_str() {
            "deadline" => Ok(Check::Deadline(DeadlineCheck {
                rule,
                status: take(m, "status")?,
                target: take(m, "target")?,
                deadline: parse_time(&take_text::<D::Error>(m, "deadline")?)?,
                elapsed: take(m, "elapsed")?,
                remaining: take(m, "remaining")?,
            })),
            "limit" => Ok(Check::Limit(LimitCheck {
                rule,
                status: take(m, "status")?,
                value: take(m, "value")?,
                limit: take(m, "limit")?,
                excess: take(m, "excess")?,
            })),
            other => Err(D::Error::custom(format!("unknown check kind `{other}`"))),
        }
    }
}

/// A rule a missing value kept from being decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Undecided {
    /// The rule.
    pub rule: String,
    /// The field paths (or expressions) that were missing.
    pub missing: Vec<String>,
}

/// A problem found while evaluating.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorEntry {
    /// The rule, or `None` for a record-level problem.
    pub rule: Option<String>,
    /// The field path concerned, if any.
    pub field: Option<String>,
    /// What went wrong.
    pub message: String,
}

/// The status of a rule in a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleStatus {
    /// Its guard held and it contributed.
    Applied,
    /// Its guard did not hold.
    NotApplied,
    /// A missing value kept it from being decided.
    Undecided,
    /// It failed to evaluate.
    Error,
    /// Not evaluated: an earlier rule of its `first of` block decided the block.
    Skipped,
}

/// One rule in a trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleTrace {
    /// The rule.
    pub rule: String,
    /// Its status.
    pub status: RuleStatus,
    /// Every test of its guard (comparisons, `in`, `contains`, `matches`, `is missing`/`is
    /// present`, `during`), in evaluation order.
    pub comparisons: Vec<Comparison>,
    /// Why it applied or did not: the test that settled its guard (the last one evaluated
    /// with a result); null when undecided, failed, skipped or without a guard test.
    #[serde(default)]
    pub decided_by: Option<String>,
    /// Why it is undecided: the fields that were missing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// The optional fields whose absence decided a condition or a check of it (SPEC §6:
    /// absence is data); omitted from the JSON when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub absent: Vec<String>,
}

impl RuleTrace {
    /// A rule's trace; its reason is worked out from its status and its tests, so every
    /// evaluator gives the same one.
    pub(crate) fn new(
        rule: String,
        status: RuleStatus,
        comparisons: Vec<Comparison>,
        missing: Vec<String>,
        absent: Vec<String>,
    ) -> RuleTrace {
        // `and`/`or` stop at the test that settles them, so the last test with a result is
        // the one that decided the guard.
        let decided_by = match status {
            RuleStatus::Applied | RuleStatus::NotApplied => comparisons
                .iter()
                .rev()
                .find(|c| c.result.is_boolean())
                .map(|c| c.expr.clone()),
            _ => None,
        };
        RuleTrace {
            rule,
            status,
            comparisons,
            decided_by,
            missing,
            absent,
        }
    }
}

/// One comparison of a guard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The comparison as written.
    pub expr: String,
    /// The left value (null when missing).
    pub left: Json,
    /// The right value (null when missing).
    pub right: Json,
    /// `true`, `false`, or null when an operand was missing.
    pub result: Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_print_the_fields_their_kind_lists() {
        let kinds = [
            ActionKind::Escalate { to: "a".into() },
            ActionKind::Notify { to: "b".into() },
            ActionKind::Assign { to: "c".into() },
            ActionKind::RequireApproval { from: "d".into() },
            ActionKind::FollowUp {
                within: Duration::from_secs(5400).unwrap(),
                due: "2026-03-02T11:30:00Z".parse().unwrap(),
            },
            ActionKind::Refund {
                amount: Money::parse("12.50 USD").unwrap(),
            },
            ActionKind::Compensate {
                amount: Money::parse("10 USD").unwrap(),
            },
            ActionKind::Tag { tag: "e".into() },
            ActionKind::Set {
                field: "priority".into(),
                value: Json::from("urgent"),
            },
            ActionKind::Emit { name: "f".into() },
        ];
        for kind in kinds {
            let action = Action {
                kind: kind.clone(),
                args: None,
                rules: vec!["r".into()],
                key: "k".into(),
            };
            let Json::Object(printed) = serde_json::to_value(&action).unwrap() else {
                panic!("an action prints as an object");
            };
            let mut expected = Map::new();
            expected.insert("action".into(), Json::from(kind.name()));
            for (key, value) in kind.fields() {
                expected.insert(key.into(), value);
            }
            expected.insert("rules".into(), serde_json::json!(["r"]));
            expected.insert("key".into(), Json::from("k"));
            assert_eq!(printed, expected);
            // Key order is part of the output.
            assert!(printed.keys().eq(expected.keys()));
        }
    }
}
