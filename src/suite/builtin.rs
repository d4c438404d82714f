//! Built-in steps as typed calls: each built-in's arguments are a struct checked at load time,
//! so a run never discovers a missing or misspelt argument.

use super::{Origin, Template};

/// A built-in step and where it is written.
#[derive(Debug, Clone)]
pub struct BuiltinStep {
    pub call: BuiltinCall,
    /// The role the suite declares, if it overrides the inferred one.
    pub role: Option<super::Role>,
    pub origin: Origin,
}

/// A call of one built-in step (named in `registry::BUILTINS`) with its checked arguments.
#[derive(Debug, Clone)]
pub enum BuiltinCall {
    ResourceTypeSchemasPublished,
    PageWalk(PageWalkArgs),
    BulkOverMaxOperations,
    BulkOverMaxPayload,
}

/// Arguments of `page-walk`.
#[derive(Debug, Clone)]
pub struct PageWalkArgs {
    /// The collection to walk (default `/Users`).
    pub endpoint: Template,
    /// A filter scoping the walk to the check's own data.
    pub filter: Template,
    /// The page size asked for.
    pub count: usize,
    /// The resources that must each be seen exactly once.
    pub ids: Vec<Template>,
}

/// How a built-in's arguments are read from its `with:` mapping; `load` implements it and
/// reports every problem at the argument's position.
pub(crate) trait ArgReader {
    /// An optional string argument (templated).
    fn text(&mut self, key: &str) -> Option<Template>;
    /// A required string argument; `why` is the message when it is missing.
    fn required_text(&mut self, key: &str, why: &str) -> Option<Template>;
    /// A required integer above zero.
    fn positive(&mut self, key: &str, why: &str) -> Option<usize>;
    /// A required, non-empty list of strings (each templated).
    fn text_list(&mut self, key: &str, why: &str) -> Option<Vec<Template>>;
}

impl PageWalkArgs {
    pub(crate) fn read(r: &mut dyn ArgReader) -> Option<PageWalkArgs> {
        let endpoint = r.text("endpoint");
        let filter = r.required_text(
            "filter",
            "page-walk needs a `filter` scoping the walk to the check's own data",
        );
        let count = r.positive("count", "page-walk needs a positive `count`");
        let ids = r.text_list(
            "ids",
            "page-walk needs `ids`: the resources that must each be seen once",
        );
        Some(PageWalkArgs {
            endpoint: endpoint.unwrap_or_else(|| Template::literal("/Users")),
            filter: filter?,
            count: count?,
            ids: ids?,
        })
    }
}
