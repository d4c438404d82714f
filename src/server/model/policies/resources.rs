//! Policies of single resources: how input is normalised and validated, what create, replace
//! and delete do, and how a stored record is rendered, versioned and linked to others.

/// Normalising POST/PUT bodies and PATCH values against the schema.
#[derive(Debug, Clone, Default)]
pub(crate) struct InputPolicy {
    /// Body attribute names match case-sensitively, so `UserName` is ignored.
    pub(crate) names_exact: bool,
    /// Values of the wrong JSON type are stored as sent.
    pub(crate) lenient_types: bool,
    /// Non-ASCII characters in stored strings become `?`.
    pub(crate) ascii_only: bool,
    /// externalId is stored lower-cased although it is caseExact.
    pub(crate) lowercase_external_id: bool,
    /// Explicit null or [] in POST/PUT bodies answers 400.
    pub(crate) reject_null: bool,
    /// The readOnly User `groups` is stored from client input.
    pub(crate) groups_writable: bool,
    /// A client-supplied readOnly manager.displayName is stored.
    pub(crate) manager_display_name_writable: bool,
    /// Several values of a multi-valued attribute may stay `primary`.
    pub(crate) primary_not_unique: bool,
    /// A POST body without `schemas` is accepted.
    pub(crate) schemas_optional: bool,
    /// An unknown attribute in a POST or PUT body answers 500.
    pub(crate) unknown_attribute_500: bool,
    /// An enterprise manager sent as a bare string answers 500.
    pub(crate) manager_string_500: bool,
    /// A body whose `schemas` lists a URN the resource type does not have answers 400.
    pub(crate) unknown_schemas_refused: bool,
}

/// The rules of the User and Group resource types (RFC 7643 §4).
#[derive(Debug, Clone, Default)]
pub(crate) struct RulesPolicy {
    /// POST and PUT without userName succeed.
    pub(crate) user_name_optional: bool,
    /// userName uniqueness compares case-sensitively.
    pub(crate) user_name_unique_case_exact: bool,
    /// A Group without displayName is created.
    pub(crate) group_display_name_optional: bool,
    /// A member value that names no resource is stored.
    pub(crate) member_value_unchecked: bool,
    /// User attributes every POST/PUT body must carry beyond the RFC (400 invalidValue).
    pub(crate) required_user_attributes: Vec<&'static str>,
    /// Sub-attributes (`name`, `middleName`) a POST/PUT body may not carry (400 invalidValue).
    pub(crate) refused_sub_attributes: Vec<(&'static str, &'static str)>,
    /// Sub-attributes whose schema lists canonicalValues take only those (400 invalidValue).
    pub(crate) canonical_values_only: bool,
    /// A PUT or PATCH that changes the stored password is refused (400 invalidValue).
    pub(crate) password_change_refused: bool,
}

/// POST (RFC 7644 §3.3).
#[derive(Debug, Clone, Default)]
pub(crate) struct CreatePolicy {
    /// A client-supplied `id` is used.
    pub(crate) client_id_honoured: bool,
    /// Client-supplied meta.created and meta.lastModified are kept.
    pub(crate) client_meta_honoured: bool,
    /// A resource without externalId gets a server-made one.
    pub(crate) external_id_invented: bool,
    /// 201 carries no Location header.
    pub(crate) no_location_header: bool,
    /// Answers 200 instead of 201.
    pub(crate) status_200: bool,
    /// Answers with an empty body instead of the resource.
    pub(crate) empty_body: bool,
    /// What a successful create answers with (the resource it made, or a lie).
    pub(crate) answer: CreateAnswer,
}

/// What a successful create names in its answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum CreateAnswer {
    /// The resource it created.
    #[default]
    Honest,
    /// The first resource of the type that existed before the server started (a seeded one),
    /// its id, Location and representation; the new resource is created all the same.
    Foreign,
    /// The resource it created, but under the id `..` (body and Location).
    DotId,
}

/// PUT (RFC 7644 §3.5.1).
#[derive(Debug, Clone, Default)]
pub(crate) struct ReplacePolicy {
    /// PUT on an unknown id creates the resource.
    pub(crate) upsert: bool,
    /// PUT answers 200 with the unchanged resource.
    pub(crate) ignored: bool,
    /// Attributes the body leaves out are kept.
    pub(crate) keeps_omitted: bool,
    /// A body `id` other than the path's moves the resource.
    pub(crate) id_changes: bool,
}

/// DELETE (RFC 7644 §3.6).
#[derive(Debug, Clone, Default)]
pub(crate) struct DeletePolicy {
    /// Answers 204 without removing anything.
    pub(crate) ignored: bool,
    /// Answers 200 with the deleted resource.
    pub(crate) returns_body: bool,
    /// A deleted user's userName stays reserved.
    pub(crate) user_name_reserved: bool,
    /// A deleted user stays in its groups' members.
    pub(crate) user_keeps_membership: bool,
}

/// The representation of a resource.
#[derive(Debug, Clone, Default)]
pub(crate) struct RenderPolicy {
    /// Every read reports a freshly generated `id`.
    pub(crate) unstable_id: bool,
    /// `returned: never` attributes (password) are rendered.
    pub(crate) password_returned: bool,
    /// A multi-valued attribute with one element is rendered as that element.
    pub(crate) single_value_object: bool,
    /// Booleans are rendered as the strings "true"/"false".
    pub(crate) booleans_as_strings: bool,
    /// Extension URNs are missing from `schemas`.
    pub(crate) extension_urn_missing: bool,
}

/// `meta` (RFC 7643 §3.1) and its timestamps.
#[derive(Debug, Clone, Default)]
pub(crate) struct MetaPolicy {
    /// meta lacks resourceType and location.
    pub(crate) incomplete: bool,
    /// meta.location and Location are paths, not absolute URIs.
    pub(crate) location_relative: bool,
    /// Timestamps carry no UTC offset.
    pub(crate) local_timestamps: bool,
    /// A fresh resource's lastModified is one second after created.
    pub(crate) last_modified_skew: bool,
    /// lastModified never changes after creation.
    pub(crate) last_modified_frozen: bool,
    /// PATCH does not move lastModified.
    pub(crate) last_modified_unchanged_on_patch: bool,
}

/// References between resources: members, `groups` and the enterprise manager.
#[derive(Debug, Clone, Default)]
pub(crate) struct LinkPolicy {
    /// Group members carry no `$ref`.
    pub(crate) member_ref_missing: bool,
    /// A member's `$ref` is built with the other resource type's endpoint.
    pub(crate) member_ref_wrong_collection: bool,
    /// The enterprise manager carries no `$ref`.
    pub(crate) manager_ref_missing: bool,
    /// manager.displayName is shown as stored instead of derived from the manager.
    pub(crate) manager_display_name_stored: bool,
    /// The User `groups` attribute is never derived from memberships.
    pub(crate) user_groups_not_maintained: bool,
}

/// Versioning (RFC 7644 §3.14).
#[derive(Debug, Clone, Default)]
pub(crate) struct EtagPolicy {
    /// Single-resource replies carry no ETag header.
    pub(crate) header_missing: bool,
    /// The ETag header is the strong twin of the weak meta.version.
    pub(crate) header_strong: bool,
    /// If-Match is ignored.
    pub(crate) if_match_ignored: bool,
    /// If-None-Match is ignored.
    pub(crate) if_none_match_ignored: bool,
    /// The version never changes after creation.
    pub(crate) version_frozen: bool,
}
