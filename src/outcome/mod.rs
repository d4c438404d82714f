//! Outcomes as data: what each check and step found, between `run` (which produces them) and
//! `report` (which renders them). Pure: no I/O, no async.

mod cause;
mod error;
mod finding;
mod result;
mod role;

pub use cause::{RootCause, root_causes};
pub use error::StepError;
pub use finding::{Finding, FindingKind};
pub use result::{
    CheckResult, CleanupOutcome, Form, LeftBehind, Status, StepOutcome, Summary, UnscopedRun,
};
pub use role::{Role, StepShape, infer_roles};
