//! The RFC 7644 protocol: SCIM errors, filters, paths, PATCH, queries (search, sort, paging,
//! projection), ETags, Bulk, the single-resource operations and the discovery documents. It
//! reads the model and policies and works on the store; it knows nothing of HTTP transport.

pub(crate) mod bulk;
mod bulkid;
pub(crate) mod crud;
pub(crate) mod discovery;
pub(crate) mod error;
pub(crate) mod etag;
pub(crate) mod filter;
mod groups;
mod input;
pub(crate) mod paging;
pub(crate) mod patch;
pub(crate) mod path;
pub(crate) mod project;
pub(crate) mod query;
pub(crate) mod reply;
pub(crate) mod resource;
mod rules;
pub(crate) mod search;
pub(crate) mod sort;
mod update;
mod users;
