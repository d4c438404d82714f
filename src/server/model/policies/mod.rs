//! The knobs the protocol code reads: one small struct per concern, each field a named
//! deviation from RFC 7643/7644. `Policies::default()` is the conformant server; faults and,
//! later, vendor profiles are edits of these values (see `faults.rs`).

mod exchange;
mod operations;
mod query;
mod resources;

pub(crate) use exchange::{
    AuthPolicy, DiscoveryPolicy, EmulationPolicy, ErrorPolicy, MeAnswer, MePolicy, MediaPolicy,
    RateLimitPolicy, ResponseMediaType, SitePolicy,
};
pub(crate) use operations::{BulkPolicy, PatchPolicy};
pub(crate) use query::{
    CaseRule, FilterPolicy, ListPolicy, PagingPolicy, ProjectionPolicy, SearchPolicy, SortPolicy,
};
pub(crate) use resources::{
    CreateAnswer, CreatePolicy, DeletePolicy, EtagPolicy, InputPolicy, LinkPolicy, MetaPolicy,
    RenderPolicy, ReplacePolicy, RulesPolicy,
};

/// Every policy of the server; the default follows the RFCs everywhere.
#[derive(Debug, Clone, Default)]
pub(crate) struct Policies {
    pub(crate) errors: ErrorPolicy,
    pub(crate) media: MediaPolicy,
    pub(crate) auth: AuthPolicy,
    pub(crate) me: MePolicy,
    pub(crate) discovery: DiscoveryPolicy,
    pub(crate) input: InputPolicy,
    pub(crate) rules: RulesPolicy,
    pub(crate) create: CreatePolicy,
    pub(crate) replace: ReplacePolicy,
    pub(crate) delete: DeletePolicy,
    pub(crate) render: RenderPolicy,
    pub(crate) meta: MetaPolicy,
    pub(crate) links: LinkPolicy,
    pub(crate) etag: EtagPolicy,
    pub(crate) filter: FilterPolicy,
    pub(crate) sort: SortPolicy,
    pub(crate) paging: PagingPolicy,
    pub(crate) list: ListPolicy,
    pub(crate) projection: ProjectionPolicy,
    pub(crate) search: SearchPolicy,
    pub(crate) patch: PatchPolicy,
    pub(crate) bulk: BulkPolicy,
    pub(crate) rate_limit: RateLimitPolicy,
    pub(crate) site: SitePolicy,
    pub(crate) emulation: EmulationPolicy,
}
