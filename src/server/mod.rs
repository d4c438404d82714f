//! The reference SCIM 2.0 service provider on wiremock, with named faults.
