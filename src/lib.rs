//! scimcheck: a conformance test harness for SCIM 2.0 service providers (RFC 7643 / RFC 7644).

pub mod check;
pub mod cli;
pub mod doctor;
pub mod harness;
pub mod http;
pub mod load;
pub mod outcome;
pub mod profile;
pub mod report;
pub mod run;
pub mod secret;
pub mod server;
pub mod suite;
