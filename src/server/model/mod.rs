//! What the server is and how it deviates: the model (where it is served, auth, limits, the
//! advertised configuration), the policies the protocol code reads, and the faults that edit
//! both.

mod emulate;
mod faults;
mod policies;
pub(crate) mod schema;
mod server_model;
pub(crate) mod settings;

pub use emulate::EmulationError;
pub(crate) use emulate::emulate;
pub(crate) use faults::exhibit;
pub use faults::{Fault, Needs, UnknownFault};
pub(crate) use policies::*;
pub(crate) use server_model::{AuthMode, Limits, ServerModel};
