//! A hand-rolled HTTP/1.1 server on loopback, so a behaviour can misbehave at the byte level
//! (hang, drip, reset, never end a body) where a well-behaved HTTP library would not let it.
//! Every request it reads is recorded before it is answered.

use crate::world::World;
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio::task::AbortHandle;

/// One runtime serves every case's listeners; each case has its own ports.
static RUNTIME: LazyLock<Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
});

/// Longest request head the server reads; scimcheck's are far shorter.
const MAX_HEAD: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The request target as sent (`/scim/v2/Users/abc?x=1`), not decoded.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path below the SCIM root, without the query: `/Users/abc`.
    pub fn path(&self) -> &str {
        let path = self.target.split('?').next().unwrap_or_default();
        path.strip_prefix(crate::world::ROOT).unwrap_or(path)
    }

    pub fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, q)| q)
    }

    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    pub fn is(&self, method: &str, path: &str) -> bool {
        self.method == method && self.path() == path
    }
}

/// One step of a scripted (misbehaving) answer; the connection closes after the script.
#[derive(Debug, Clone)]
pub enum Act {
    Send(Vec<u8>),
    Sleep(Duration),
    /// Writes the bytes one at a time with a pause between them.
    Drip(Vec<u8>, Duration),
    /// Chunked body chunks forever (until the peer goes away).
    EndlessChunks,
    /// An abortive close: the peer sees a TCP reset.
    Reset,
}

/// What the server answers to one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Whatever the honest little SCIM world in `world.rs` would answer.
    Honest,
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    Script(Vec<Act>),
}

impl Reply {
    pub fn json(status: u16, body: &Value) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Content-Type".into(), "application/scim+json".into())],
            body: serde_json::to_vec(body).expect("json"),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Full { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

pub type Handler = dyn Fn(&Request, &mut World) -> Reply + Send + Sync;

struct Shared {
    world: Mutex<World>,
    log: Mutex<Vec<Request>>,
    handler: Box<Handler>,
    /// After this many requests the listener goes away: later connections are refused.
    refuse_after: Option<usize>,
    seen: AtomicUsize,
    tasks: Mutex<Vec<AbortHandle>>,
}

/// A running misbehaving server; dropping it stops every task it started.
pub struct Hostile {
    pub port: u16,
    shared: Arc<Shared>,
}

impl Hostile {
    pub fn start(handler: impl Fn(&Request, &mut World) -> Reply + Send + Sync + 'static) -> Self {
        Self::start_with(None, handler)
    }

    pub fn start_with(
        refuse_after: Option<usize>,
        handler: impl Fn(&Request, &mut World) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let listener = RUNTIME
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind loopback");
        let port = listener.local_addr().expect("an address").port();
        let shared = Arc::new(Shared {
            world: Mutex::new(World::new(port)),
            log: Mutex::new(Vec::new()),
            handler: Box::new(handler),
            refuse_after,
            seen: AtomicUsize::new(0),
            tasks: Mutex::new(Vec::new()),
        });
        let accept = RUNTIME.spawn(accept_loop(listener, Arc::clone(&shared)));
        shared.tasks.lock().unwrap().push(accept.abort_handle());
        Hostile { port, shared }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, crate::world::ROOT)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.shared.log.lock().unwrap().clone()
    }

    pub fn world<T>(&self, f: impl FnOnce(&World) -> T) -> T {
        f(&self.shared.world.lock().unwrap())
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        for task in self.shared.tasks.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        if shared
            .refuse_after
            .is_some_and(|n| shared.seen.load(Ordering::SeqCst) >= n)
        {
            return; // the listener is dropped: connection refused from now on
        }
        // Re-check the limit now and then even when nobody connects.
        let accepted = tokio::time::timeout(Duration::from_millis(50), listener.accept()).await;
        let Ok(Ok((stream, _))) = accepted else {
            continue;
        };
        let conn = RUNTIME.spawn(connection(stream, Arc::clone(&shared)));
        shared.tasks.lock().unwrap().push(conn.abort_handle());
    }
}

/// Serves requests on one connection (keep-alive) until a script ends it or the peer leaves.
async fn connection(mut stream: TcpStream, shared: Arc<Shared>) {
    let mut buffer = Vec::new();
    loop {
        if shared
            .refuse_after
            .is_some_and(|n| shared.seen.load(Ordering::SeqCst) >= n)
        {
            return;
        }
        let Some(request) = read_request(&mut stream, &mut buffer).await else {
            return;
        };
        shared.seen.fetch_add(1, Ordering::SeqCst);
        shared.log.lock().unwrap().push(request.clone());
        let reply = {
            let mut world = shared.world.lock().unwrap();
            match (shared.handler)(&request, &mut world) {
                Reply::Honest => world.honest(&request),
                other => other,
            }
        };
        let keep = match reply {
            Reply::Honest => unreachable!("resolved above"),
            Reply::Full {
                status,
                headers,
                body,
            } => write_full(&mut stream, status, &headers, &body).await,
            Reply::Script(acts) => {
                play(&mut stream, acts).await;
                false
            }
        };
        if !keep {
            return;
        }
    }
}

async fn write_full(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> bool {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status)).into_bytes();
    for (name, value) in headers {
        head.extend_from_slice(name.as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    stream.write_all(&head).await.is_ok() && stream.write_all(body).await.is_ok()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

async fn play(stream: &mut TcpStream, acts: Vec<Act>) {
    for act in acts {
        let ok = match act {
            Act::Send(bytes) => stream.write_all(&bytes).await.is_ok(),
            Act::Sleep(d) => {
                tokio::time::sleep(d).await;
                true
            }
            Act::Drip(bytes, every) => {
                let mut ok = true;
                for b in bytes {
                    if stream.write_all(&[b]).await.is_err() {
                        ok = false;
                        break;
                    }
                    tokio::time::sleep(every).await;
                }
                ok
            }
            Act::EndlessChunks => {
                let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "a".repeat(64 * 1024));
                while stream.write_all(chunk.as_bytes()).await.is_ok() {}
                false
            }
            Act::Reset => {
                let _ = stream.set_zero_linger();
                return;
            }
        };
        if !ok {
            return;
        }
    }
    let _ = stream.shutdown().await;
}

/// Reads one request (head, then a Content-Length body); None when the peer went away.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Request> {
    let head_end = loop {
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buffer.len() > MAX_HEAD {
            return None;
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let total = head_end + 4 + length;
    while buffer.len() < total {
        let mut chunk = vec![0u8; 64 * 1024];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = buffer[head_end + 4..total].to_vec();
    buffer.drain(..total);
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}
