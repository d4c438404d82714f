//! How the client reaches a server beyond its URL — the certificates it trusts, the client
//! certificate it shows, the proxy it goes through — and failures to reach it that name the
//! certificate or proxy problem instead of a bare "could not connect".

use crate::secret::{Secret, split_url_credentials};
use std::fmt;
use std::path::Path;

/// Connection options shared by `run`, `doctor` and `cleanup`.
#[derive(Clone, Default)]
pub struct Connect {
    /// Accept any server certificate (`--insecure`).
    pub insecure: bool,
    /// CA certificates trusted besides the system's (`--cacert`).
    pub roots: Vec<reqwest::Certificate>,
    /// The client certificate and key shown to servers that ask (`--cert`, `--key`).
    pub identity: Option<reqwest::Identity>,
    pub proxy: ProxyChoice,
}

/// Which proxy requests go through.
#[derive(Clone, Default)]
pub enum ProxyChoice {
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` from the environment.
    #[default]
    FromEnv,
    /// None at all (the embedded reference server on loopback).
    Direct,
    /// `--proxy URL` (still honouring `NO_PROXY`).
    Url {
        /// The URL without its password, for messages.
        shown: String,
        /// The proxy's password, which the redactor must know.
        password: Option<Secret>,
        proxy: Box<reqwest::Proxy>,
    },
}

/// A problem with the connection options themselves (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConnectError(String);

fn read(flag: &str, path: &Path) -> Result<Vec<u8>, ConnectError> {
    std::fs::read(path)
        .map_err(|e| ConnectError(format!("cannot read {flag} {}: {e}", path.display())))
}

impl Connect {
    /// Loads `--cacert`, `--cert`/`--key` and `--proxy`; every problem names its flag and file.
    pub fn load(
        insecure: bool,
        cacert: Option<&Path>,
        cert_and_key: Option<(&Path, &Path)>,
        proxy: Option<&str>,
    ) -> Result<Connect, ConnectError> {
        let mut connect = Connect {
            insecure,
            ..Connect::default()
        };
        if let Some(path) = cacert {
            let pem = read("--cacert", path)?;
            connect.roots = reqwest::Certificate::from_pem_bundle(&pem)
                .ok()
                .filter(|certs| !certs.is_empty())
                .ok_or_else(|| {
                    ConnectError(format!(
                        "--cacert {}: no PEM certificate in it (-----BEGIN CERTIFICATE-----)",
                        path.display()
                    ))
                })?;
        }
        if let Some((cert, key)) = cert_and_key {
            let mut pem = read("--cert", cert)?;
            pem.push(b'\n');
            pem.extend(read("--key", key)?);
            connect.identity = Some(reqwest::Identity::from_pem(&pem).map_err(|e| {
                ConnectError(format!(
                    "--cert {} with --key {}: not a PEM certificate and its private key ({e})",
                    cert.display(),
                    key.display()
                ))
            })?);
        }
        if let Some(url) = proxy {
            connect.proxy = ProxyChoice::parse(url)?;
        }
        Ok(connect)
    }

    /// The same options, sending everything directly (no proxy from the environment).
    pub fn direct(mut self) -> Connect {
        self.proxy = ProxyChoice::Direct;
        self
    }

    /// Secrets the redactor must know: the proxy's password.
    pub fn secrets(&self) -> Vec<String> {
        match &self.proxy {
            ProxyChoice::Url {
                password: Some(p), ..
            } => vec![p.expose().to_string()],
            _ => Vec::new(),
        }
    }

    pub(super) fn apply(&self, mut builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        if self.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        if !self.roots.is_empty() {
            builder = builder.tls_certs_merge(self.roots.iter().cloned());
        }
        if let Some(identity) = &self.identity {
            builder = builder.identity(identity.clone());
        }
        match &self.proxy {
            ProxyChoice::FromEnv => builder,
            ProxyChoice::Direct => builder.no_proxy(),
            ProxyChoice::Url { proxy, .. } => builder.proxy((**proxy).clone()),
        }
    }

    /// The proxy a request to `url` goes through, as messages name it (`… (from --proxy)`).
    pub fn proxy_for(&self, url: &str) -> Option<String> {
        let parsed = url::Url::parse(url).ok()?;
        let host = parsed.host_str()?.trim_matches(['[', ']']).to_string();
        let exempt =
            || env_any(&["NO_PROXY", "no_proxy"]).is_some_and(|list| exempts(&list, &host));
        match &self.proxy {
            ProxyChoice::Direct => None,
            ProxyChoice::Url { shown, .. } => {
                (!exempt()).then(|| format!("{shown} (from --proxy)"))
            }
            ProxyChoice::FromEnv => {
                let names: &[&str] = if parsed.scheme() == "https" {
                    &["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
                } else {
                    &["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
                };
                let (name, value) = names.iter().find_map(|n| {
                    std::env::var(n)
                        .ok()
                        .filter(|v| !v.is_empty())
                        .map(|v| (n, v))
                })?;
                (!exempt()).then(|| format!("{} (from {name})", printable(&value)))
            }
        }
    }
}

impl ProxyChoice {
    fn parse(url: &str) -> Result<ProxyChoice, ConnectError> {
        let bad = |why: String| ConnectError(format!("--proxy {}: {why}", printable(url)));
        let parsed = url::Url::parse(url).map_err(|e| bad(e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(bad("use an http:// or https:// URL with a host".into()));
        }
        let (_, basic) = split_url_credentials(url);
        let proxy = reqwest::Proxy::all(url)
            .map_err(|e| bad(e.to_string()))?
            .no_proxy(reqwest::NoProxy::from_env());
        Ok(ProxyChoice::Url {
            shown: printable(url),
            password: basic.map(|b| b.password).filter(|p| !p.is_empty()),
            proxy: Box::new(proxy),
        })
    }
}

/// A proxy URL without its credentials.
fn printable(url: &str) -> String {
    split_url_credentials(url).0
}

fn env_any(names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| std::env::var(n).ok())
}

/// Whether a `NO_PROXY` list names `host`: `*`, the host itself, or a domain it is under.
fn exempts(list: &str, host: &str) -> bool {
    list.split(',').map(str::trim).any(|entry| {
        let entry = entry.trim_start_matches('.');
        !entry.is_empty()
            && (entry == "*"
                || host.eq_ignore_ascii_case(entry)
                || host
                    .to_ascii_lowercase()
                    .ends_with(&format!(".{}", entry.to_ascii_lowercase())))
    })
}

impl fmt::Debug for ProxyChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxyChoice::FromEnv => f.write_str("FromEnv"),
            ProxyChoice::Direct => f.write_str("Direct"),
            ProxyChoice::Url { shown, .. } => write!(f, "Url({shown:?})"),
        }
    }
}

impl fmt::Debug for Connect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let proxy = &self.proxy;
        f.debug_struct("Connect")
            .field("insecure", &self.insecure)
            .field("cacert", &self.roots.len())
            .field("client_certificate", &self.identity.is_some())
            .field("proxy", &proxy)
            .finish()
    }
}

/// What went wrong at the TLS layer, told from the error chain's text (rustls's words), with
/// what to do about it; `None` when the failure is not a TLS one.
pub(super) fn tls_problem(chain: &str) -> Option<String> {
    let has = |s: &str| chain.contains(s);
    let what = if has("UnknownIssuer") || has("unknown issuer") {
        "the server's certificate is not signed by a CA this machine trusts; \
         --cacert FILE adds its CA (--insecure skips the check)"
    } else if has("NotValidForName") || has("not valid for name") {
        "the server's certificate is not valid for this host name (--insecure skips the check)"
    } else if has("Expired") || has("certificate expired") {
        "the server's certificate has expired (--insecure skips the check)"
    } else if has("CertificateRequired") || has("certificate required") {
        "the server asks for a client certificate; give one with --cert FILE --key FILE"
    } else if has("BadCertificate") || has("UnknownCA") || has("bad certificate") {
        "the server refused the client certificate (--cert, --key)"
    } else if has("InvalidContentType") || has("corrupt message") {
        "the server does not speak TLS on this port (an http:// URL?)"
    } else if has("invalid peer certificate") || has("HandshakeFailure") || has("fatal alert") {
        "the TLS handshake failed"
    } else {
        return None;
    };
    Some(format!("TLS: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_lists_match_hosts_and_domains() {
        assert!(exempts("localhost, .example.com", "api.example.com"));
        assert!(exempts("example.com", "EXAMPLE.com"));
        assert!(exempts("*", "anything"));
        assert!(!exempts("example.com", "notexample.com"));
        assert!(!exempts("", "host"));
    }

    #[test]
    fn a_proxy_password_is_kept_out_of_messages() {
        let connect =
            Connect::load(false, None, None, Some("http://me:pr0xy-pw@proxy:3128")).unwrap();
        assert_eq!(connect.secrets(), vec!["pr0xy-pw".to_string()]);
        let shown = format!("{connect:?}");
        assert!(!shown.contains("pr0xy-pw"), "{shown}");
        assert!(shown.contains("http://proxy:3128"), "{shown}");
        let err = Connect::load(false, None, None, Some("ftp://me:pw@proxy"))
            .err()
            .unwrap();
        assert!(!err.to_string().contains("pw@"), "{err}");
    }

    #[test]
    fn tls_failures_are_named() {
        let said = |s| tls_problem(s).unwrap_or_default();
        assert!(said("invalid peer certificate: UnknownIssuer").contains("--cacert"));
        assert!(said("received fatal alert: CertificateRequired").contains("--cert"));
        assert!(said("received corrupt message of type InvalidContentType").contains("http://"));
        assert_eq!(tls_problem("tcp connect error: Connection refused"), None);
    }
}
