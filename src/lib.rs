//! Customer-service policy as code.
//!
//! A policy says how fast each ticket must be answered, how large a refund an agent may
//! give and when a case goes to a supervisor. This crate parses such a policy, checks it
//! against its record schema, and evaluates interaction records against it at a given
//! instant, returning a [`Decision`]: required actions, the state of every deadline and
//! limit, the rules that could not be decided, and when to look again.
//!
//! ```
//! use service_policy::{EvalOptions, Policy};
//!
//! let policy = Policy::parse(r#"
//! policy "Help desk" {
//!   rule first_reply {
//!     expect first_reply_at within 1h of opened_at
//!     at 50%: notify "team-lead"
//!     on breach: escalate to "supervisor"
//!   }
//! }"#)?;
//!
//! let ticket = serde_json::json!({ "opened_at": "2026-03-02T09:00:00Z" });
//! let now: jiff::Timestamp = "2026-03-02T09:40:00Z".parse()?;
//! let decision = policy.evaluate(&ticket, &EvalOptions::at(now));
//!
//! // 40 of 60 minutes used, no reply yet: warn the team lead, look again at the deadline.
//! assert_eq!(decision.fired, ["first_reply"]);
//! let json = serde_json::to_value(&decision)?;
//! assert_eq!(json["actions"][0]["action"], "notify");
//! assert_eq!(json["checks"][0]["status"], "pending");
//! assert_eq!(json["checks"][0]["remaining"], "20m");
//! assert_eq!(json["recheck_at"], "2026-03-02T10:00:00Z");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The public surface
//!
//! A host needs only what is re-exported here and the five public modules:
//!
//! - loading and evaluating: [`Policy`], [`PolicySet`], [`EvalOptions`], [`Explain`],
//!   [`Budget`], [`Resolver`]/[`FileResolver`], [`LoadError`], [`SelectError`];
//! - the decision and its typed parts: [`Decision`], [`Action`], [`ActionKind`], [`Check`],
//!   [`DeadlineCheck`], [`LimitCheck`], [`Undecided`], [`ErrorEntry`], [`RuleTrace`];
//! - the values they hold: [`Money`], [`Currency`], [`Duration`], and, so a host names the
//!   same types without a direct dependency, [`Decimal`] (`rust_decimal`) and [`Timestamp`]
//!   (`jiff`);
//! - diagnostics as data ([`Diagnostics`], [`Diagnostic`], [`Code`], [`Span`]) and their
//!   rendering (`diagnostic::render::render_human`, feature `render`);
//! - entry points of the tools around a policy: [`check_source`], [`format()`], [`testing`]
//!   (`*.tests.yaml`), [`report`] (compliance report and diff), [`handbook`] (feature
//!   `handbook`) and [`ide`] (editor answers).
//!
//! The stages themselves — `syntax` (text → syntax tree), `check`, `compile` (a plan),
//! `eval` (plan + record + now → [`Decision`]), `value`, `calendar`, `fmt`, `resolve` — are
//! private: they change without notice. The non-default `internals` feature makes them
//! visible (hidden from the documentation) for the crate's own tests, benchmarks and fuzz
//! targets; a host never enables it.
//!
//! Host structs that hold a [`Timestamp`] or a [`Decimal`] and derive `serde` need jiff's
//! `serde` feature and one of rust_decimal's `serde-*` features in the host's own
//! `Cargo.toml` (`jiff = { version = "0.2", features = ["serde"] }`,
//! `rust_decimal = { version = "1", features = ["serde-str"] }`); the decision's own fields
//! serialise without them.
//!
//! The `cli` feature (on by default) builds the `service-policy` command line, which uses
//! only this public surface.
#![warn(missing_docs)]
#![forbid(unsafe_code)]
#![warn(unnameable_types)]

// pest without its `std` feature (see `Cargo.toml`) names `alloc` in the parser it derives.
extern crate alloc;

// The stages are private; `internals` shows them, undocumented, to the crate's own tests,
// benchmarks and fuzz targets.
macro_rules! stages {
    ($($name:ident),* $(,)?) => {$(
        #[cfg(feature = "internals")]
        #[doc(hidden)]
        pub mod $name;
        #[cfg(not(feature = "internals"))]
        mod $name;
    )*};
}
stages!(
    ast, calendar, check, compile, eval, fmt, plan, resolve, syntax, value
);

mod decision;
pub mod diagnostic;
#[cfg(feature = "handbook")]
pub mod handbook;
pub mod ide;
mod policy;
stages!(record);
pub mod report;
mod set;
pub mod testing;

pub use ast::Span;
pub use diagnostic::{Code, Diagnostic, Diagnostics, Severity, SourceFile};
pub use eval::{
    Action, ActionKind, ActionRef, Budget, Check, Comparison, DEFAULT_RULE_STEPS, DeadlineCheck,
    DeadlineStatus, Decision, DecisionRef, ErrorEntry, EvalOptions, Evaluation, Explain,
    LimitCheck, LimitStatus, LimitValue, RecordError, RuleStatus, RuleTrace, Undecided,
};
pub use jiff::Timestamp;
pub use policy::{LoadError, Policy, RuleInfo, check_source, format};
pub use record::{InstantError, JsonRecordError, parse_instant, read_json_record};
pub use report::Report;
pub use resolve::{FileResolver, MAX_EXTENDS_DEPTH, Resolver};
pub use rust_decimal::Decimal;
pub use set::{NoResolver, PolicySet, SelectError, check_sources};
pub use value::{Currency, Duration, DurationError, Money, MoneyError};
