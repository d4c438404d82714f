//! The pure half of the ownership proof: where the marker is found, and what an answer claims.

use super::*;
use serde_json::json;

const BASE: &str = "http://h/scim/v2";
const MARKER: &str = "scimcheck-ab12cd34-7-";

#[test]
fn the_marker_is_found_in_top_level_attributes_in_any_case() {
    assert!(carries(
        &json!({"userName": "scimcheck-ab12cd34-7-user@example.com"}),
        MARKER
    ));
    assert!(carries(
        &json!({"externalId": "SCIMCHECK-AB12CD34-7-mark"}),
        MARKER
    ));
    assert!(
        !carries(&json!({"userName": "scimcheck-ab12cd34-71-user"}), MARKER),
        "check 71 is not check 7"
    );
    assert!(!carries(&json!({"userName": "alice"}), MARKER));
    assert!(
        !carries(&json!({"id": "scimcheck-ab12cd34-7-x"}), MARKER),
        "an id is what is being proved"
    );
    // A foreign user lists a group this check created: that is not the user carrying our marker.
    let foreign = json!({"userName": "somebody", "groups": [{"value": "g1", "display": "scimcheck-ab12cd34-7-g"}]});
    assert!(!carries(&foreign, MARKER));
    assert!(!carries(&json!(["scimcheck-ab12cd34-7-x"]), MARKER));
}

#[test]
fn a_create_without_the_marker_gets_it_in_external_id() {
    let mut bare = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]});
    assert!(ensure_marker(&mut bare, MARKER));
    assert_eq!(bare["externalId"], "scimcheck-ab12cd34-7-mark");
    let mut marked = json!({"userName": "scimcheck-ab12cd34-7-u"});
    assert!(!ensure_marker(&mut marked, MARKER));
    assert!(
        marked.get("externalId").is_none(),
        "a marked body is sent as written"
    );
    let mut own_external = json!({"externalId": "given"});
    assert!(
        !ensure_marker(&mut own_external, MARKER),
        "the check's own externalId wins"
    );
}

#[test]
fn an_answer_claims_its_id_or_its_location() {
    let body = json!({"id": "42", "userName": "u"});
    let Claim::Named { key, id } = claim(BASE, "/Users", Some(&body), None) else {
        panic!("named by id")
    };
    assert_eq!((key.as_str(), id.as_str()), ("/Users/42", "42"));
    let Claim::Named { key, .. } = claim(BASE, "/Users", None, Some("/scim/v2/Users/a%20b")) else {
        panic!("named by location")
    };
    assert_eq!(key, "/Users/a%20b");
    for id in ["", ".", "..", "%2e%2E"] {
        let body = json!({"id": id});
        assert!(
            matches!(
                claim(BASE, "/Users", Some(&body), None),
                Claim::Unusable { .. }
            ),
            "{id:?}"
        );
    }
    assert!(matches!(
        claim(BASE, "/Users", Some(&json!({"id": 5})), None),
        Claim::Unusable { .. }
    ));
    for location in [
        "http://h/scim/v2/Groups/1",
        "http://other/scim/v2/Users/1",
        "/scim/v2/Users/",
        "/scim/v2/Users/1/..",
    ] {
        assert!(
            matches!(
                claim(BASE, "/Users", None, Some(location)),
                Claim::Unusable { .. }
            ),
            "{location}"
        );
    }
    assert!(matches!(claim(BASE, "/Users", None, None), Claim::Nameless));
}

#[test]
fn a_listing_yields_only_marked_resources_with_usable_ids() {
    let list = json!({"Resources": [
        {"id": "1", "userName": "scimcheck-ab12cd34-7-u"},
        {"id": "2", "userName": "someone"},
        {"id": "..", "userName": "scimcheck-ab12cd34-7-v"},
        {"userName": "scimcheck-ab12cd34-7-w"}
    ]});
    assert_eq!(
        marked_in(&list, "/Users", MARKER),
        vec!["/Users/1".to_string()]
    );
}
