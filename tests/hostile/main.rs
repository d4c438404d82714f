//! A hostile-server corpus (issue 9, deliverable 10): a small SCIM server that lies, stalls,
//! floods and leaks on loopback, one behaviour per test, each run through the real binary and
//! held to the same promises: a documented exit code, bounded time, memory and reports, a clear
//! message, inert and secret-free output, and no write to anything the run did not create.

mod discovery;
mod harness;
mod leaks;
mod lying;
mod server;
mod wire;
mod world;
