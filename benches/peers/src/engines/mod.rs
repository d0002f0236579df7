//! One module per engine; each `load` parses and compiles the workload's policy.

pub mod cedar;
pub mod cel;
pub mod floor;
pub mod rego;
pub mod rhai;
pub mod service_policy;
