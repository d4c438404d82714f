//! The HTTP edge: the wiremock adapter, routing, content negotiation and the conversion of
//! replies into responses. It calls the protocol layer and nothing calls it back.

pub(crate) mod handler;
mod media;
pub(crate) mod oauth;
mod route;
mod template;
