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
//! The stages, each a module: [`syntax`] (text → [`ast`]), [`check`] (diagnostics),
//! [`compile`] (a plan), [`eval`] (plan + record + now → [`Decision`]); beside them
//! [`value`], [`calendar`] (business time), [`fmt`] (the canonical printer), [`diagnostic`]
//! and [`testing`] (`*.tests.yaml`). The `cli` feature (on by default) builds the
//! `service-policy` command line.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

// pest without its `std` feature (see `Cargo.toml`) names `alloc` in the parser it derives.
extern crate alloc;

pub mod ast;
pub mod calendar;
pub mod check;
pub mod compile;
pub mod diagnostic;
pub mod eval;
pub mod fmt;
#[cfg(feature = "handbook")]
pub mod handbook;
pub mod ide;
mod policy;
mod record;
pub mod resolve;
mod set;
pub mod syntax;
pub mod testing;
pub mod value;

pub use diagnostic::{Code, Diagnostic, Diagnostics, Severity, SourceFile};
pub use eval::{Decision, EvalOptions, Explain, RecordError};
pub use policy::{LoadError, Policy, check_source, format};
pub use resolve::{FileResolver, Resolver};
pub use set::{NoResolver, PolicySet, SelectError, check_sources};
pub mod report;
pub use record::{JsonRecordError, read_json_record};
pub use report::Report;
