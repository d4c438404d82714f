//! What the server is and how it deviates: the policies the protocol code reads, and the
//! faults that edit them.

mod faults;
mod policies;

pub use faults::{Fault, UnknownFault};
pub(crate) use policies::*;
