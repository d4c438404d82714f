//! The in-memory state: records in creation order, their versions and timestamps, the links
//! between them, and their client-facing rendering. It reads the model and policies only.

pub(crate) mod links;
mod records;
pub(crate) mod render;
pub(crate) mod version;

pub(crate) use records::{Record, Store, after, format_timestamp, now};
