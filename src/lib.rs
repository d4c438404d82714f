//! scimcheck: a conformance test harness for SCIM 2.0 service providers (RFC 7643 / RFC 7644).

pub mod server;
