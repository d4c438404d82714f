//! Content negotiation (RFC 7644 §3.8, §8.1): which Accept headers and request Content-Types
//! the server takes, faults included.

use crate::server::model::settings::Settings;
use crate::server::protocol::error::ScimError;

const ACCEPTABLE: &[&str] = &[
    "application/scim+json",
    "application/json",
    "application/*",
    "*/*",
];

/// One media range of an Accept header: lower-cased type and its q value.
fn media_ranges(accept: &str) -> Vec<(String, f32)> {
    accept
        .split(',')
        .filter_map(|range| {
            let mut parts = range.split(';');
            let media = parts.next()?.trim().to_ascii_lowercase();
            if media.is_empty() {
                return None;
            }
            let q = parts
                .filter_map(|p| p.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
                .map_or(1.0, |(_, v)| v.trim().parse::<f32>().unwrap_or(1.0));
            Some((media, q))
        })
        .collect()
}

/// Checks the Accept header values (joined); absent or empty accepts anything.
pub(crate) fn check_accept(accept: Option<&str>, settings: &Settings) -> Result<(), ScimError> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Ok(());
    };
    let wanted: Vec<String> = media_ranges(accept)
        .into_iter()
        .filter(|(_, q)| *q > 0.0)
        .map(|(media, _)| media)
        .collect();
    let only = |media: &str| !wanted.is_empty() && wanted.iter().all(|m| m == media);
    let refused = if (settings.policies.media.refuse_scim_accept && only("application/scim+json"))
        || (settings.policies.media.refuse_json_accept && only("application/json"))
    {
        true
    } else {
        !wanted.iter().any(|m| ACCEPTABLE.contains(&m.as_str()))
    };
    if refused {
        return Err(ScimError::new(
            406,
            "the Accept header admits neither application/scim+json nor application/json",
        ));
    }
    Ok(())
}

/// Checks a request body's Content-Type; a missing one is accepted.
pub(crate) fn check_content_type(
    content_type: Option<&str>,
    settings: &Settings,
) -> Result<(), ScimError> {
    let Some(content_type) = content_type else {
        return Ok(());
    };
    let (media, params) = match content_type.split_once(';') {
        Some((media, params)) => (media, params.trim()),
        None => (content_type, ""),
    };
    let media = media.trim().to_ascii_lowercase();
    let refused = match media.as_str() {
        "application/scim+json" => false,
        "application/json" => settings.policies.media.refuse_json_content_type,
        _ => true,
    } || (settings.policies.media.refuse_content_type_parameters
        && !params.is_empty());
    if refused {
        return Err(ScimError::new(
            415,
            format!("unsupported request Content-Type '{content_type}'; use application/scim+json"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_headers() {
        let ok = Settings::for_tests(&[]);
        for accept in [
            None,
            Some(""),
            Some("application/scim+json"),
            Some("application/json"),
            Some("APPLICATION/*"),
            Some("text/html, */*;q=0.1"),
            Some("application/scim+json; charset=utf-8; q=0.9"),
        ] {
            assert!(check_accept(accept, &ok).is_ok(), "{accept:?}");
        }
        for accept in [
            "text/html",
            "application/xml, text/*",
            "application/json;q=0",
            "garbage",
        ] {
            assert_eq!(
                check_accept(Some(accept), &ok).unwrap_err().status,
                406,
                "{accept}"
            );
        }
        let faulty = Settings::with(|_, p| p.media.refuse_scim_accept = true);
        assert!(check_accept(Some("application/scim+json"), &faulty).is_err());
        assert!(check_accept(Some("application/scim+json, application/json"), &faulty).is_ok());
    }

    #[test]
    fn content_types() {
        let ok = Settings::for_tests(&[]);
        for ct in [
            None,
            Some("application/scim+json"),
            Some("application/json; charset=utf-8"),
        ] {
            assert!(check_content_type(ct, &ok).is_ok(), "{ct:?}");
        }
        for ct in ["text/plain", "application/xml", ""] {
            assert_eq!(
                check_content_type(Some(ct), &ok).unwrap_err().status,
                415,
                "{ct}"
            );
        }
        let faulty = Settings::with(|_, p| {
            p.media.refuse_json_content_type = true;
            p.media.refuse_content_type_parameters = true;
        });
        assert!(check_content_type(Some("application/json"), &faulty).is_err());
        assert!(check_content_type(Some("application/scim+json; charset=utf-8"), &faulty).is_err());
        assert!(check_content_type(Some("application/scim+json"), &faulty).is_ok());
    }
}
