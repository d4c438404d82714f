//! The suite model: checks, steps, expectations and captures as typed data compiled by `load`,
//! with templates and regexes already parsed; no I/O.

mod builtin;
mod capability;
mod check;
mod expect;
mod json;
mod predicate;
pub(crate) mod registry;
mod step;
mod template;

pub(crate) use builtin::ArgReader;
pub use builtin::{
    AdvertisedArgs, BuiltinCall, BuiltinStep, ExpiryAspect, Feature, PageWalkArgs, RateLimitAspect,
    TokenAspect,
};
pub use capability::Capability;
pub use check::{Check, CheckId, Level, Origin, Unscoped, mentions_of};
pub use expect::{Assertion, BodyAssertion, Expect, HeaderAssertion, StatusExpect};
pub use json::JsonTemplate;
pub use predicate::{JsonType, Pattern, Predicate, ReadyPattern};
pub use registry::builtin_steps;
pub use step::{Auth, Body, Capture, CaptureSource, Method, Request, RequestStep, Role, Step};
pub use template::{Template, TemplateError, Vars, path_segment};
