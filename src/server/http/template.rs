//! Turns a protocol [`Reply`] into the wiremock response sent on the wire.

use wiremock::ResponseTemplate;

use crate::server::model::settings::Settings;
use crate::server::protocol::reply::{Body, Reply};

/// The wiremock response for `reply`; JSON bodies carry the media type the media policy names.
pub(crate) fn template(reply: Reply, settings: &Settings) -> ResponseTemplate {
    let mut template = ResponseTemplate::new(reply.status);
    for (name, value) in reply.headers {
        if is_valid_header_value(&value) {
            template = template.insert_header(name, value.as_str());
        }
    }
    match reply.body {
        Body::Empty => template,
        Body::Text(text) => template.set_body_raw(text.into_bytes(), "text/plain; charset=utf-8"),
        Body::Json(value) => {
            let bytes = serde_json::to_vec(&value).unwrap_or_default();
            template.set_body_raw(bytes, settings.policies.media.response.as_str())
        }
    }
}

/// Visible ASCII, space and tab only: what an HTTP header value may hold without panicking.
fn is_valid_header_value(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
}
