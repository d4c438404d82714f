//! Servers that break HTTP itself on the user endpoints (discovery stays honest, so the checks
//! run): bodies that are not JSON, far too big or never end, answers that stall, drip, reset
//! or stop halfway through their headers. Each request must end within --timeout, memory must
//! stay bounded, and what the creates may have left is listed rather than touched.

use crate::harness::{Outcome, assert_untouched, run, snapshot};
use crate::server::{Act, Hostile, Reply, Request};
use crate::world::World;
use std::sync::LazyLock;
use std::time::Duration;

const CHECKS: [&str; 3] = [
    "users.create.returns-201-with-id",
    "users.get.returns-resource",
    "pagination.list-without-filter",
];

const HANG: Duration = Duration::from_secs(30);

/// Answers every request under /Users with `reply`; discovery is honest.
fn on_users(reply: impl Fn(&Request, &mut World) -> Reply + Send + Sync + 'static) -> Outcome {
    let server = Hostile::start(move |req, world| {
        if req.path().starts_with("/Users") {
            reply(req, world)
        } else {
            Reply::Honest
        }
    });
    let before = snapshot(&server);
    let outcome = run(&server.base(), &CHECKS);
    outcome.assert_sane();
    assert_untouched(&server, &before);
    assert!(
        matches!(outcome.code, Some(1 | 4)),
        "a broken server does not pass\n{}",
        outcome.text()
    );
    outcome
}

fn raw(status: u16, body: Vec<u8>) -> Reply {
    Reply::Full {
        status,
        headers: vec![("Content-Type".into(), "application/scim+json".into())],
        body,
    }
}

fn head(extra: &str) -> Vec<u8> {
    format!("HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\n{extra}\r\n").into_bytes()
}

#[test]
fn garbage_json() {
    on_users(|_, _| {
        raw(
            201,
            b"{\"id\": \"abc\", ]]] <<not json>> \x00\xff\xfe".to_vec(),
        )
    });
}

#[test]
fn truncated_json() {
    on_users(|_, _| {
        raw(
            201,
            br#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"h9999","userName":"scimch"#
                .to_vec(),
        )
    });
}

/// A well-formed 50 MB user: the run reads a bounded prefix and says it stopped.
#[test]
fn fifty_megabyte_body() {
    static BIG: LazyLock<Vec<u8>> = LazyLock::new(|| {
        let mut body = br#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"h9999","userName":"big","filler":""#.to_vec();
        body.resize(body.len() + 50 * 1024 * 1024, b'x');
        body.extend_from_slice(b"\"}");
        body
    });
    let outcome = on_users(|_, _| raw(201, BIG.clone()));
    outcome.reports("truncated");
}

#[test]
fn endless_chunked_body() {
    let outcome = on_users(|_, _| {
        Reply::Script(vec![
            Act::Send(head("Transfer-Encoding: chunked\r\n")),
            Act::EndlessChunks,
        ])
    });
    outcome.reports("truncated");
}

#[test]
fn json_nested_one_hundred_thousand_levels() {
    on_users(|_, _| {
        let depth = 100_000;
        let mut body = b"{\"id\":".to_vec();
        body.extend(std::iter::repeat_n(b'[', depth));
        body.extend(std::iter::repeat_n(b']', depth));
        body.push(b'}');
        raw(201, body)
    });
}

#[test]
fn hang_before_headers() {
    on_users(|_, _| Reply::Script(vec![Act::Sleep(HANG)])).says("timed out");
}

#[test]
fn hang_after_headers_mid_body() {
    on_users(|_, _| {
        Reply::Script(vec![
            Act::Send(head("Content-Length: 5000\r\n")),
            Act::Send(
                br#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"#.to_vec(),
            ),
            Act::Sleep(HANG),
        ])
    })
    .reports("\"truncated\":true");
}

/// One byte every 100 ms: a whole answer would take minutes, the per-request timeout ends it.
#[test]
fn slow_drip() {
    on_users(|req, world| {
        let mut answer = head("Content-Length: 200\r\n");
        answer.extend(std::iter::repeat_n(b' ', 200));
        let _ = (req, world);
        Reply::Script(vec![Act::Drip(answer, Duration::from_millis(100))])
    })
    .says("timed out");
}

#[test]
fn connection_reset_before_response() {
    on_users(|_, _| Reply::Script(vec![Act::Reset]));
}

#[test]
fn close_after_partial_headers() {
    on_users(|_, _| {
        Reply::Script(vec![Act::Send(
            b"HTTP/1.1 201 Created\r\nContent-Type: applic".to_vec(),
        )])
    });
}
