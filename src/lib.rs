//! Customer-service policy as code.
//!
//! A policy says how fast each ticket must be answered, how large a refund an agent may
//! give and when a case goes to a supervisor. This crate parses such a policy, checks it
//! against its record schema, and evaluates interaction records against it at a given
//! instant, returning a [`Decision`]: required actions, the state of every deadline and
//! limit, the rules that could not be decided, and when to look again.
#![warn(missing_docs)]

pub mod ast;
pub mod calendar;
pub mod check;
pub mod compile;
pub mod diagnostic;
pub mod eval;
pub mod fmt;
mod policy;
pub mod syntax;
pub mod testing;
pub mod value;

pub use diagnostic::{Code, Diagnostic, Diagnostics, Severity, SourceFile};
pub use eval::{Decision, EvalOptions, Explain, RecordError};
pub use policy::{LoadError, Policy, check_source, format};
