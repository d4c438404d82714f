//! The transport against servers that misbehave on the wire (raw TCP, no HTTP library on the
//! server side): retries, bounded bodies, bounded headers, timeouts that cover the body.

use scimcheck::http::guard::{WriteGuard, key_of};
use scimcheck::http::{Body, Exchange, HttpClient, Outgoing, Pipeline, Redactor, TransportError};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const MIB: usize = 1024 * 1024;

/// Sends through the http pipeline, whose write guard is told the target is the test's own.
struct Client(u64);

impl Client {
    async fn send(&self, out: Outgoing) -> Exchange {
        let parsed = url::Url::parse(&out.url).unwrap();
        let origin = parsed.origin().ascii_serialization();
        let guard = WriteGuard::new(&origin, "scimcheck-test");
        if let Some(key) = key_of(&origin, &out.url) {
            guard.own(&key, "scimcheck-test-");
        }
        let http = HttpClient::new(Duration::from_secs(self.0), Redactor::default()).unwrap();
        Pipeline::new(http, guard)
            .send(out)
            .await
            .expect("the guard lets the test's own resource through")
    }
}

fn client(timeout_secs: u64) -> Client {
    Client(timeout_secs)
}

fn request(method: &'static str, url: String) -> Outgoing {
    let body = matches!(method, "POST" | "PUT" | "PATCH").then(|| b"{\"a\":1}".to_vec());
    Outgoing {
        method,
        url,
        headers: vec![("Content-Type".into(), "application/scim+json".into())],
        body,
        credential: true,
        busy_retries: true,
    }
}

/// Reads a request head (and whatever of the body came with it).
async fn read_head(s: &mut TcpStream) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

async fn answer_ok(mut s: TcpStream) {
    read_head(&mut s).await;
    let _ = s
        .write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
        )
        .await;
    let _ = s.shutdown().await;
}

#[derive(Clone, Copy)]
enum Hangup {
    /// RST: the socket closes with SO_LINGER 0.
    Reset,
    /// FIN: the server just closes.
    Close,
}

/// A server whose first connection reads the request and hangs up without a byte of answer;
/// later connections get a 200. Returns the base URL and the number of connections accepted.
async fn hangs_up_first(how: Hangup) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/Users", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            if count.fetch_add(1, Ordering::SeqCst) == 0 {
                read_head(&mut s).await;
                if let Hangup::Reset = how {
                    s.set_zero_linger().unwrap();
                }
                drop(s);
            } else {
                tokio::spawn(answer_ok(s));
            }
        }
    });
    (url, accepted)
}

#[tokio::test]
async fn a_get_whose_connection_is_reset_is_sent_again() {
    for how in [Hangup::Reset, Hangup::Close] {
        let (url, accepted) = hangs_up_first(how).await;
        let ex = client(5).send(request("GET", url)).await;
        assert_eq!(ex.attempts, 2, "{ex:?}");
        assert_eq!(ex.response.as_ref().map(|r| r.status), Some(200), "{ex:?}");
        assert_eq!(ex.error, None);
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
    }
}

#[tokio::test]
async fn put_and_delete_are_sent_again_too() {
    for method in ["PUT", "DELETE"] {
        let (url, _) = hangs_up_first(Hangup::Reset).await;
        let ex = client(5).send(request(method, url)).await;
        assert_eq!(ex.attempts, 2, "{method}: {ex:?}");
        assert_eq!(ex.response.as_ref().map(|r| r.status), Some(200));
    }
}

#[tokio::test]
async fn a_post_or_patch_whose_connection_is_reset_is_never_sent_again() {
    for method in ["POST", "PATCH"] {
        let (url, accepted) = hangs_up_first(Hangup::Reset).await;
        let ex = client(5).send(request(method, url)).await;
        assert_eq!(ex.attempts, 1, "{method}: {ex:?}");
        assert!(ex.response.is_none());
        assert!(
            matches!(&ex.error, Some(TransportError::Other(m)) if m.starts_with("request failed")),
            "{method}: {:?}",
            ex.error
        );
        // Give a resend every chance to show up.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(accepted.load(Ordering::SeqCst), 1, "{method} was resent");
    }
}

/// A port nothing listens on (yet).
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test]
async fn a_refused_connection_is_tried_once_more_whatever_the_method() {
    let port = closed_port();
    let started = Instant::now();
    let ex = client(5)
        .send(request("POST", format!("http://127.0.0.1:{port}/Users")))
        .await;
    assert_eq!(ex.attempts, 2);
    assert!(
        matches!(&ex.error, Some(TransportError::Connect(m)) if m.contains("(2 attempts)")),
        "{:?}",
        ex.error
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // Refused first, listening by the time of the retry: the POST gets its answer.
    let port = closed_port();
    let server = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let (s, _) = listener.accept().await.unwrap();
        answer_ok(s).await;
    });
    let ex = client(5)
        .send(request("POST", format!("http://127.0.0.1:{port}/Users")))
        .await;
    assert_eq!(ex.attempts, 2, "{ex:?}");
    assert_eq!(ex.response.as_ref().map(|r| r.status), Some(200));
    server.await.unwrap();
}

/// A server that sends `head` and then calls `body` with the socket until it fails; reports how
/// long the connection stayed open.
async fn serve_once<F, Fut>(
    head: &'static str,
    body: F,
) -> (String, tokio::task::JoinHandle<Duration>)
where
    F: FnOnce(TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/Users", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let opened = Instant::now();
        read_head(&mut s).await;
        s.write_all(head.as_bytes()).await.unwrap();
        body(s).await;
        opened.elapsed()
    });
    (url, handle)
}

fn recorded(ex: &Exchange) -> (&Body, bool) {
    let r = ex.response.as_ref().expect("a response");
    (r.body.as_ref().expect("a body"), r.truncated)
}

#[tokio::test]
async fn an_endless_body_is_cut_at_one_mebibyte_and_the_connection_dropped() {
    let (url, server) = serve_once(
        "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\n\r\n",
        |mut s| async move {
            let chunk = vec![b'x'; 64 * 1024];
            while s.write_all(&chunk).await.is_ok() {}
        },
    )
    .await;
    let started = Instant::now();
    let ex = client(20).send(request("GET", url)).await;
    let took = started.elapsed();
    let (body, truncated) = recorded(&ex);
    assert!(truncated);
    assert_eq!(body, &Body::Text("x".repeat(MIB)));
    assert_eq!(ex.attempts, 1);
    // The server notices the dropped connection (its writes fail) long before the timeout.
    let open = tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the harness dropped the connection")
        .unwrap();
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert!(open < Duration::from_secs(10), "{open:?}");
    let json = serde_json::to_value(&ex).unwrap();
    assert_eq!(json["response"]["truncated"], true);
    eprintln!("endless body: cut after {took:?}");
}

#[tokio::test]
async fn a_slow_drip_body_ends_at_the_timeout_with_what_arrived() {
    let (url, _server) = serve_once(
        "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: 100000\r\n\r\n{\"id\":",
        |mut s| async move {
            while s.write_all(b" ").await.is_ok() {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        },
    )
    .await;
    let started = Instant::now();
    let ex = client(2).send(request("GET", url)).await;
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_millis(3500),
        "{took:?}"
    );
    let (body, truncated) = recorded(&ex);
    assert!(truncated);
    let Body::Text(t) = body else {
        panic!("a cut body is text: {body:?}")
    };
    assert!(t.starts_with("{\"id\":"), "{t:?}");
    assert_eq!(ex.response.as_ref().unwrap().status, 200);
    eprintln!("slow drip: ended after {took:?}");
}

#[tokio::test]
async fn json_nested_too_deep_is_recorded_once_as_text() {
    let depth = 100_000;
    let doc = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let head: &'static str = Box::leak(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\n\r\n",
            doc.len()
        )
        .into_boxed_str(),
    );
    let sent = doc.clone();
    let (url, _server) = serve_once(head, |mut s| async move {
        let _ = s.write_all(sent.as_bytes()).await;
    })
    .await;
    let ex = client(5).send(request("GET", url)).await;
    let (body, truncated) = recorded(&ex);
    assert!(!truncated);
    assert_eq!(body, &Body::Text(doc));
    let json = serde_json::to_value(&ex).unwrap();
    assert!(
        json["response"].get("truncated").is_none(),
        "only when true"
    );
}

#[tokio::test]
async fn header_count_and_size_are_bounded() {
    let many: &'static str = Box::leak(
        format!(
            "HTTP/1.1 200 OK\r\n{}Content-Length: 0\r\n\r\n",
            (0..10_000)
                .map(|i| format!("X-H{i}: v\r\n"))
                .collect::<String>()
        )
        .into_boxed_str(),
    );
    let huge: &'static str = Box::leak(
        format!(
            "HTTP/1.1 200 OK\r\nX-Big: {}\r\nContent-Length: 0\r\n\r\n",
            "v".repeat(4 * MIB)
        )
        .into_boxed_str(),
    );
    let endless_head = "HTTP/1.1 200 OK\r\n";
    for (name, head) in [("many", many), ("huge", huge), ("endless", endless_head)] {
        let (url, _server) = serve_once(head, |mut s| async move {
            // The endless head keeps sending header lines.
            let line = b"X-More: vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv\r\n";
            while s.write_all(line).await.is_ok() {}
        })
        .await;
        let started = Instant::now();
        let ex = client(10).send(request("GET", url)).await;
        assert!(
            ex.response.is_none(),
            "{name}: {:?}",
            ex.response.map(|r| r.headers.0.len())
        );
        assert!(
            matches!(&ex.error, Some(TransportError::Other(_))),
            "{name}: {:?}",
            ex.error
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{name}: {:?}",
            started.elapsed()
        );
    }
}

#[tokio::test]
async fn json_too_big_to_hold_parsed_is_recorded_as_text_but_a_real_page_is_not() {
    let tiny = format!("[{}{{}}]", "{},".repeat(MIB / 3 - 1));
    // A list page of 1 000 users: 300 KB, some 1.5 MB parsed.
    let user = r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"ID","userName":"user@example.com","name":{"givenName":"Barbara","familyName":"Jensen"},"emails":[{"value":"bjensen@example.com","type":"work","primary":true}],"active":true,"meta":{"resourceType":"User","location":"https://example.com/v2/Users/ID"}}"#;
    let page = format!(
        r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1000,"Resources":[{}]}}"#,
        vec![user; 1000].join(",")
    );
    for (doc, json) in [(tiny, false), (page, true)] {
        let head: &'static str = Box::leak(
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\n\r\n",
                doc.len()
            )
            .into_boxed_str(),
        );
        let sent = doc.clone();
        let (url, _server) = serve_once(head, |mut s| async move {
            let _ = s.write_all(sent.as_bytes()).await;
        })
        .await;
        let ex = client(5).send(request("GET", url)).await;
        let (body, truncated) = recorded(&ex);
        assert!(!truncated);
        assert_eq!(body.json().is_some(), json, "{} bytes", doc.len());
        if !json {
            assert_eq!(body, &Body::Text(doc));
        }
    }
}

/// A server that answers every request on its own connection, as HTTP/1.0 does or as
/// `Connection: close` says; the exchange notes it (adaptive concurrency gives such a server few
/// connections), and an HTTP/1.1 keep-alive answer is not so noted.
#[tokio::test]
async fn a_server_closing_every_connection_is_noticed() {
    for (head, closes) in [
        ("HTTP/1.1 200 OK\r\nConnection: close\r\n", true),
        ("HTTP/1.0 200 OK\r\n", true),
        ("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n", false),
        ("HTTP/1.1 200 OK\r\n", false),
    ] {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/Users", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                read_head(&mut s).await;
                let answer = format!(
                    "{head}Content-Type: application/scim+json\r\nContent-Length: 2\r\n\r\n{{}}"
                );
                let _ = s.write_all(answer.as_bytes()).await;
                if closes {
                    let _ = s.shutdown().await;
                }
            }
        });
        let ex = client(5).send(request("GET", url)).await;
        assert_eq!(ex.response.as_ref().map(|r| r.status), Some(200), "{head}");
        assert_eq!(ex.closes, closes, "{head}");
    }
}
