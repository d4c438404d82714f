//! TLS and proxies as a user meets them: the reference server behind a TLS front with a CA of
//! the test's own making (and, in one case, demanding a client certificate), reached with
//! `--cacert`, `--insecure`, `--cert`/`--key` and `--proxy`; each failure names its certificate
//! or proxy problem, and bad files are a usage error naming the flag.

mod common;

use common::{Killed, scimcheck, serve_binary, text};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::process::Output;
use std::sync::Arc;

/// A CA, a server certificate for `localhost` and 127.0.0.1, and a client certificate, as PEM
/// files in a temporary directory.
struct Pki {
    dir: tempfile::TempDir,
    server_cert: String,
    server_key: String,
    ca_der: CertificateDer<'static>,
}

impl Pki {
    fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_key = KeyPair::generate().unwrap();
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let issuer = Issuer::new(ca_params, ca_key);
        let leaf = |names: Vec<String>| {
            let key = KeyPair::generate().unwrap();
            let cert = CertificateParams::new(names)
                .unwrap()
                .signed_by(&key, &issuer)
                .unwrap();
            (cert.pem(), key.serialize_pem())
        };
        let (server_cert, server_key) = leaf(vec!["localhost".into(), "127.0.0.1".into()]);
        let (client_cert, client_key) = leaf(vec!["scimcheck-client".into()]);
        std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
        std::fs::write(dir.path().join("client.pem"), client_cert).unwrap();
        std::fs::write(dir.path().join("client.key"), client_key).unwrap();
        std::fs::write(dir.path().join("not-pem.txt"), "hello").unwrap();
        Pki {
            dir,
            server_cert,
            server_key,
            ca_der: ca.der().clone(),
        }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_str().unwrap().to_string()
    }
}

/// A TLS front on 127.0.0.1 forwarding each connection to the plain server at `backend`;
/// `client_auth` makes it demand a client certificate signed by the test CA. Returns its port.
fn tls_front(pki: &Pki, backend: &str, client_auth: bool) -> u16 {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let certs = vec![CertificateDer::from_pem_slice(pki.server_cert.as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(pki.server_key.as_bytes()).unwrap();
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = if client_auth {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(pki.ca_der.clone()).unwrap();
        let verifier =
            rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .unwrap();
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let mut config = builder.with_single_cert(certs, key).unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let backend = url::Url::parse(backend).unwrap();
    let backend = format!(
        "{}:{}",
        backend.host_str().unwrap(),
        backend.port().unwrap()
    );
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, backend) = (acceptor.clone(), backend.clone());
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    if let Ok(mut plain) = tokio::net::TcpStream::connect(&backend).await {
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                    }
                });
            }
        });
    });
    port
}

fn discovery(url: &str, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        url,
        "--only",
        "discovery",
        "--out",
        out.to_str().unwrap(),
        "--report",
        "json",
    ];
    args.extend_from_slice(extra);
    scimcheck(&args)
}

#[test]
fn a_server_certificate_from_an_unknown_ca_is_named_and_cacert_or_insecure_reach_it() {
    let pki = Pki::new();
    let (server, plain) = serve_binary(&[]);
    let _server = Killed(server);
    let port = tls_front(&pki, &plain, false);
    let url = format!("https://localhost:{port}/scim/v2");
    let out = tempfile::tempdir().unwrap();

    let o = discovery(&url, out.path(), &[]);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(4), "{said}");
    assert!(
        said.contains("TLS: the server's certificate is not signed by a CA this machine trusts")
            && said.contains("--cacert"),
        "{said}"
    );

    let o = discovery(&url, out.path(), &["--cacert", &pki.path("ca.pem")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = discovery(&url, out.path(), &["--insecure"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    // Plain HTTP spoken to the TLS port, and TLS to the plain one.
    let o = discovery(
        &format!("https://{}", &plain["http://".len()..]),
        out.path(),
        &[],
    );
    let said = text(&o);
    assert_eq!(o.status.code(), Some(4), "{said}");
    assert!(said.contains("does not speak TLS on this port"), "{said}");
}

#[test]
fn a_server_wanting_a_client_certificate_gets_the_one_given() {
    let pki = Pki::new();
    let (server, plain) = serve_binary(&[]);
    let _server = Killed(server);
    let port = tls_front(&pki, &plain, true);
    let url = format!("https://127.0.0.1:{port}/scim/v2");
    let out = tempfile::tempdir().unwrap();
    let ca = pki.path("ca.pem");

    let o = discovery(&url, out.path(), &["--cacert", &ca]);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(4), "{said}");
    assert!(said.contains("--cert FILE --key FILE"), "{said}");

    let (cert, key) = (pki.path("client.pem"), pki.path("client.key"));
    let o = discovery(
        &url,
        out.path(),
        &["--cacert", &ca, "--cert", &cert, "--key", &key],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn bad_certificate_files_and_proxies_are_usage_errors_naming_the_flag() {
    let pki = Pki::new();
    let out = tempfile::tempdir().unwrap();
    let url = "https://localhost:1/scim/v2";
    for (args, says) in [
        (
            vec!["--cacert", "/nonexistent/ca.pem"],
            "cannot read --cacert /nonexistent/ca.pem",
        ),
        (
            vec!["--cacert", &pki.path("not-pem.txt")],
            "no PEM certificate",
        ),
        (
            vec![
                "--cert",
                &pki.path("client.pem"),
                "--key",
                &pki.path("not-pem.txt"),
            ],
            "not a PEM certificate and its private key",
        ),
        (vec!["--cert", &pki.path("client.pem")], "--key"),
        (
            vec!["--proxy", "ftp://me:s3cret-proxy@host"],
            "use an http:// or https:// URL",
        ),
    ] {
        let o = discovery(url, out.path(), &args);
        let said = text(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {said}");
        assert!(said.contains(says), "{args:?}: {said}");
        assert!(!said.contains("s3cret-proxy"), "{said}");
    }
}

#[test]
fn requests_go_through_the_proxy_and_an_unreachable_proxy_is_named() {
    let (server, plain) = serve_binary(&[]);
    let _server = Killed(server);
    let out = tempfile::tempdir().unwrap();
    // The host does not resolve: only a proxy can take the request there. The reference
    // server answers a proxy's absolute-form request like any other.
    let url = "http://scimcheck-proxied.invalid/scim/v2";
    let origin = plain.trim_end_matches("/scim/v2");
    let o = discovery(url, out.path(), &["--proxy", origin]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://user:s3cret-proxy@{}", closed.local_addr().unwrap());
    drop(closed);
    let o = discovery(url, out.path(), &["--proxy", &dead]);
    let said = text(&o);
    assert_eq!(o.status.code(), Some(4), "{said}");
    assert!(
        said.contains("could not connect through proxy http://127.0.0.1:"),
        "{said}"
    );
    assert!(said.contains("(from --proxy)"), "{said}");
    assert!(!said.contains("s3cret-proxy"), "{said}");
}
