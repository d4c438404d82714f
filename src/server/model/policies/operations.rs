//! Policies of the compound operations: PATCH (RFC 7644 §3.5.2) and Bulk (§3.7).

/// PATCH.
#[derive(Debug, Clone, Default)]
pub(crate) struct PatchPolicy {
    /// PATCH answers 200 with the unchanged resource.
    pub(crate) ignored: bool,
    /// Op names must be lower case.
    pub(crate) op_case_sensitive: bool,
    /// Operations without `path` answer 400 noTarget.
    pub(crate) pathless_unsupported: bool,
    /// Paths with a value filter answer 501.
    pub(crate) value_filter_unsupported: bool,
    /// Names in paths match case-sensitively.
    pub(crate) path_names_exact: bool,
    /// "True"/"False" strings for booleans are refused.
    pub(crate) reject_string_booleans: bool,
    /// `add` on a multi-valued attribute replaces it.
    pub(crate) add_replaces: bool,
    /// `add` appends values already present.
    pub(crate) add_duplicates: bool,
    /// `remove` with a value filter removes every value.
    pub(crate) remove_filter_removes_all: bool,
    /// replace/remove whose filter matches nothing succeed.
    pub(crate) no_target_ignored: bool,
    /// Required attributes may be removed.
    pub(crate) remove_required_allowed: bool,
    /// readOnly `id` and `meta.created` may be replaced.
    pub(crate) readonly_allowed: bool,
    /// A path-less replace on a Group empties its members.
    pub(crate) group_pathless_replace_clears_members: bool,
    /// The operations before a failing one stay applied.
    pub(crate) not_atomic: bool,
    /// Success answers 204 without a body.
    pub(crate) returns_204: bool,
}

/// Bulk.
#[derive(Debug, Clone, Default)]
pub(crate) struct BulkPolicy {
    /// `bulkId:` references are not resolved.
    pub(crate) bulk_ids_unresolved: bool,
    /// failOnErrors is ignored.
    pub(crate) fail_on_errors_ignored: bool,
    /// More than maxOperations operations are processed.
    pub(crate) max_operations_ignored: bool,
    /// Bodies larger than maxPayloadSize are processed.
    pub(crate) max_payload_ignored: bool,
    /// Each result's `status` is a JSON number.
    pub(crate) status_as_number: bool,
    /// A POST operation without bulkId is processed.
    pub(crate) post_without_bulk_id_accepted: bool,
}
