use super::*;
use serde_json::json;

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const EXT: &str = "urn:example:ext:2.0:User";

fn fixtures(ext_required: bool) -> Fixtures {
    let resource_types = json!({"Resources": [{
        "name": "User", "endpoint": "/Users", "schema": USER,
        "schemaExtensions": [{"schema": EXT, "required": ext_required}]
    }]});
    let schemas = json!([
        {"id": USER, "attributes": [
            {"name": "userName", "type": "string", "required": true},
            {"name": "name", "type": "complex", "required": true, "subAttributes": [
                {"name": "givenName", "type": "string"},
                {"name": "familyName", "type": "string", "required": true}
            ]},
            {"name": "active", "type": "boolean", "required": "true"},
            {"name": "emails", "type": "complex", "multiValued": true, "subAttributes": [
                {"name": "value", "type": "string", "required": true},
                {"name": "type", "type": "string", "canonicalValues": ["work", "home"]}
            ]},
            {"name": "id", "type": "string", "required": true, "mutability": "readOnly"}
        ]},
        {"id": EXT, "attributes": [
            {"name": "badge", "type": "integer", "required": true}
        ]}
    ]);
    Fixtures::from_discovery(Some(&resource_types), Some(&schemas))
}

fn words(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|w| w.to_lowercase()).collect()
}

#[test]
fn what_the_server_requires_is_filled_in_and_what_it_does_not_declare_left_out() {
    let f = fixtures(false);
    let mut body = json!({"schemas": [USER], "userName": "u",
        "emails": [{"value": "u@example.com", "type": "work", "display": "U"}]});
    let adapted = f.adapt(
        "/Users",
        &mut body,
        &words(&["userName"]),
        "scimcheck-r-1-",
        false,
    );
    assert_eq!(
        body,
        json!({"schemas": [USER], "userName": "u",
            "name": {"familyName": "scimcheck-r-1-familyName"}, "active": true,
            "emails": [{"value": "u@example.com", "type": "work"}]})
    );
    let Adapted::Changed(notes) = adapted else {
        panic!("{adapted:?}")
    };
    assert_eq!(
        notes,
        [
            "User name: required by the server, filled in",
            "User active: required by the server, filled in",
            "User emails.display: not declared by the server, left out",
        ]
    );
    // A complex value that is there gets its required sub-attribute.
    let mut body = json!({"userName": "u", "name": {"givenName": "Ann"}, "active": false});
    f.adapt("/Users/42", &mut body, &BTreeSet::new(), "p-", false);
    assert_eq!(
        body["name"],
        json!({"givenName": "Ann", "familyName": "p-familyName"})
    );
    assert_eq!(body["active"], false);
}

#[test]
fn user_name_is_never_filled_and_other_endpoints_are_untouched() {
    let f = fixtures(false);
    let mut body = json!({"name": {"familyName": "F"}, "active": true});
    assert_eq!(
        f.adapt("/Users", &mut body, &BTreeSet::new(), "p-", false),
        Adapted::Unchanged
    );
    assert!(body.get("userName").is_none());
    let mut group = json!({"displayName": "g"});
    assert_eq!(
        f.adapt("/Groups", &mut group, &BTreeSet::new(), "p-", false),
        Adapted::Unchanged
    );
}

#[test]
fn an_attribute_the_check_is_about_blocks_instead_of_being_adapted() {
    let f = fixtures(false);
    let mut body = json!({"userName": "u", "name": {"familyName": "F"}});
    let got = f.adapt("/Users", &mut body, &words(&["active"]), "p-", false);
    assert_eq!(
        got,
        Adapted::Blocked(
            "the server declares active required, and this check is about active: not adapted"
                .into()
        )
    );
    let mut body = json!({"userName": "u", "name": {"familyName": "F"}, "active": true,
        "emails": [{"value": "x", "display": "X"}]});
    let got = f.adapt("/Users", &mut body, &words(&["display"]), "p-", false);
    assert!(matches!(got, Adapted::Blocked(r) if r.contains("emails.display")));
}

#[test]
fn a_step_expecting_the_refusal_sends_the_required_attribute_it_is_about_left_out() {
    let f = fixtures(false);
    let mut body = json!({"userName": "u", "name": {"givenName": "G"}});
    let got = f.adapt("/Users", &mut body, &words(&["familyName"]), "p-", true);
    assert_eq!(body["name"], json!({"givenName": "G"}), "{got:?}");
    assert!(!matches!(got, Adapted::Blocked(_)), "{got:?}");
}

#[test]
fn a_required_extension_is_added_with_its_urn() {
    let f = fixtures(true);
    let mut body = json!({"schemas": [USER], "userName": "u", "name": {"familyName": "F"},
        "active": true});
    f.adapt("/Users", &mut body, &BTreeSet::new(), "p-", false);
    assert_eq!(body["schemas"], json!([USER, EXT]));
    assert_eq!(body[EXT], json!({"badge": 1}));
    assert_eq!(
        f.required(),
        [
            "User name",
            "User active",
            &format!("User {EXT}"),
            &format!("User {EXT}:badge")
        ]
    );
}

#[test]
fn set_values_apply_to_every_body_of_their_type() {
    let o = Override::parse("user.name.formatted=Ann Smith").unwrap();
    let ext = Override::parse(&format!("User.{EXT}.badge=7")).unwrap();
    assert_eq!(ext.container.as_deref(), Some(EXT));
    assert_eq!(ext.value, json!(7));
    let f = fixtures(false).with_overrides(vec![o, ext]);
    let mut body = json!({"schemas": [USER], "userName": "u", "name": {"familyName": "F"},
        "active": true});
    f.adapt("/Users", &mut body, &BTreeSet::new(), "p-", false);
    assert_eq!(body["name"]["formatted"], "Ann Smith");
    assert_eq!(body[EXT]["badge"], 7);
    assert_eq!(body["schemas"], json!([USER, EXT]));
    for bad in ["User", "name=x", "User.=x", "User.urn:a:b=1"] {
        assert!(Override::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_check_using_an_attribute_the_server_does_not_declare_is_named() {
    let f = fixtures(false);
    assert_eq!(
        f.undeclared_used(&words(&["title", "userName", "nickName", "eq"])),
        Some(
            "the server's /Schemas does not declare nickName, title, which this check uses".into()
        )
    );
    assert_eq!(
        f.undeclared_used(&words(&["name", "active", "emails"])),
        None
    );
    // A server that publishes no schema gives nothing to go by.
    assert_eq!(
        Fixtures::default().undeclared_used(&words(&["title"])),
        None
    );
}

#[test]
fn unique_in_a_set_value_becomes_the_check_s_prefix() {
    let o = Override::parse(r#"User.emails=[{"value": "${unique}@example.com"}]"#).unwrap();
    let f = fixtures(false).with_overrides(vec![o]);
    let mut body = json!({"userName": "u", "name": {"familyName": "F"}, "active": true});
    f.adapt(
        "/Users",
        &mut body,
        &BTreeSet::new(),
        "scimcheck-r-7-",
        false,
    );
    assert_eq!(
        body["emails"],
        json!([{"value": "scimcheck-r-7@example.com"}])
    );
}
