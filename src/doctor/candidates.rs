//! Where a SCIM base URL may be, given what a user pasted: the URL itself, with a pasted endpoint
//! (`/Users`) cut off, a doubled prefix (`/scim/v2/scim/v2`) collapsed, the usual roots added
//! (`/scim/v2`, `/scim`, `/v2`) and stripped, and the usual roots under the origin.

/// Path segments that name an endpoint under a SCIM root, never the root itself.
const ENDPOINTS: [&str; 10] = [
    "Users",
    "Groups",
    "ServiceProviderConfig",
    "ServiceProviderConfigs",
    "Schemas",
    "ResourceTypes",
    "Bulk",
    "Me",
    ".search",
    "oauth",
];

/// Roots SCIM servers are commonly served at, relative to a prefix.
const ROOTS: [&str; 5] = ["scim/v2", "scim", "v2", "api/scim/v2", "scim/v1"];

/// Why a candidate is worth a probe, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    Given,
    EndpointCut,
    DoubledPrefix,
    RootAdded,
    Stripped,
    UsualRoot,
    /// The base the server's own `meta.location` names.
    Advertised,
}

impl Why {
    pub fn label(self) -> &'static str {
        match self {
            Why::Given => "as given",
            Why::EndpointCut => "without the endpoint pasted with it",
            Why::DoubledPrefix => "doubled prefix collapsed",
            Why::RootAdded => "a usual root added",
            Why::Stripped => "a path segment stripped",
            Why::UsualRoot => "a usual root of the origin",
            Why::Advertised => "named by the server's meta.location",
        }
    }
}

/// Candidate base URLs (no query, no trailing slash) for `given`, most likely first, each once.
pub fn candidates(given: &url::Url) -> Vec<(String, Why)> {
    let origin = given.origin().ascii_serialization();
    let segs: Vec<&str> = given
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let mut out: Vec<(String, Why)> = Vec::new();
    let mut push = |parts: &[&str], why: Why| {
        let url = if parts.is_empty() {
            origin.clone()
        } else {
            format!("{origin}/{}", parts.join("/"))
        };
        if !out.iter().any(|(u, _)| *u == url) {
            out.push((url, why));
        }
    };
    push(&segs, Why::Given);
    let mut base = segs.clone();
    if let Some(i) = segs
        .iter()
        .position(|s| ENDPOINTS.iter().any(|e| e.eq_ignore_ascii_case(s)))
    {
        base.truncate(i);
        push(&base, Why::EndpointCut);
    }
    for k in (1..=base.len() / 2).rev() {
        let n = base.len();
        if base[n - 2 * k..n - k] == base[n - k..] {
            base.truncate(n - k);
            push(&base, Why::DoubledPrefix);
            break;
        }
    }
    for root in ROOTS {
        let mut parts = base.clone();
        parts.extend(root.split('/'));
        push(&parts, Why::RootAdded);
    }
    for i in (0..base.len()).rev() {
        push(&base[..i], Why::Stripped);
    }
    for root in ROOTS {
        push(&root.split('/').collect::<Vec<_>>(), Why::UsualRoot);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(given: &str) -> Vec<String> {
        candidates(&url::Url::parse(given).unwrap())
            .into_iter()
            .map(|(u, _)| u.trim_start_matches("https://h").to_string())
            .collect()
    }

    #[test]
    fn the_origin_alone_tries_the_usual_roots() {
        assert_eq!(
            urls("https://h"),
            ["", "/scim/v2", "/scim", "/v2", "/api/scim/v2", "/scim/v1"]
        );
    }

    #[test]
    fn a_pasted_endpoint_is_cut_and_a_doubled_prefix_collapsed() {
        let got = urls("https://h/scim/v2/Users/42");
        assert_eq!(got[..2], ["/scim/v2/Users/42", "/scim/v2"]);
        let got = urls("https://h/scim/v2/scim/v2/");
        assert_eq!(got[..2], ["/scim/v2/scim/v2", "/scim/v2"]);
        let got = urls("https://h/tenant/scim/v2/scim/v2/Groups");
        assert_eq!(
            got[..3],
            [
                "/tenant/scim/v2/scim/v2/Groups",
                "/tenant/scim/v2/scim/v2",
                "/tenant/scim/v2"
            ]
        );
    }

    #[test]
    fn a_prefix_gets_roots_added_and_segments_stripped() {
        let got = urls("https://h/api");
        assert!(got.starts_with(&["/api".into(), "/api/scim/v2".into(), "/api/scim".into()]));
        assert!(got.contains(&String::new()) && got.contains(&"/scim/v2".to_string()));
        let got = urls("https://h/scim/v2/v2");
        assert!(got.contains(&"/scim/v2".to_string()));
        assert_eq!(
            got.len(),
            got.iter().collect::<std::collections::BTreeSet<_>>().len()
        );
    }
}
