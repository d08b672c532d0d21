//! Which proxy a request goes through, the same for both stores: the runtime's option, else
//! `HTTPS_PROXY` for https endpoints and `HTTP_PROXY` for http ones (lower case winning when
//! both are set), minus the hosts of `NO_PROXY`, as boto3 and the AWS CLI read them.
//!
//! The stores then send https through a CONNECT tunnel to the proxy (TLS to the endpoint
//! inside it, the endpoint's certificate verified). Only `http://` proxies are supported.

use base64::Engine as _;
use hyper::Uri;

use crate::credentials::Environment;
use crate::StoreError;

/// The proxy option of a runtime.
#[derive(Clone, Debug, Default)]
pub enum ProxyOption {
    /// `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` of the runtime's environment.
    #[default]
    FromEnvironment,
    /// This proxy for every endpoint; the variables are ignored.
    Url(String),
    /// No proxy; the variables are ignored.
    Disabled,
}

/// One proxy server. `Debug` and `Display` show no user name or password.
#[derive(Clone)]
pub struct Proxy {
    /// `http://host:port`, without credentials: where to connect.
    pub uri: Uri,
    /// `Basic …` for `Proxy-Authorization` when the URL had a user.
    pub authorization: Option<String>,
    /// The URL as given, credentials included, for ureq (which sends them itself).
    pub ureq: ureq::Proxy,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Proxy({})", self.uri)
    }
}

/// The proxies of one runtime.
#[derive(Clone, Debug, Default)]
pub struct Proxies {
    https: Option<Proxy>,
    http: Option<Proxy>,
    no_proxy: NoProxy,
}

impl Proxies {
    pub fn new(environment: &Environment, option: &ProxyOption) -> Result<Proxies, StoreError> {
        match option {
            ProxyOption::Disabled => Ok(Proxies::default()),
            ProxyOption::Url(url) => {
                let proxy = parse_proxy(url, "the proxy option (Runtime::with_proxy)")?;
                Ok(Proxies {
                    https: Some(proxy.clone()),
                    http: Some(proxy),
                    no_proxy: NoProxy::default(),
                })
            }
            ProxyOption::FromEnvironment => {
                let variable = |names: [&'static str; 2]| {
                    names
                        .into_iter()
                        .find_map(|name| environment.var(name).map(|value| (name, value)))
                };
                let proxy = |names| {
                    variable(names)
                        .map(|(name, value)| parse_proxy(&value, name))
                        .transpose()
                };
                Ok(Proxies {
                    https: proxy(["https_proxy", "HTTPS_PROXY"])?,
                    http: proxy(["http_proxy", "HTTP_PROXY"])?,
                    no_proxy: variable(["no_proxy", "NO_PROXY"])
                        .map(|(_, value)| NoProxy::parse(&value))
                        .unwrap_or_default(),
                })
            }
        }
    }

    /// The proxy for a request to `url`, or `None` for a direct connection.
    pub fn for_uri(&self, url: &Uri) -> Option<&Proxy> {
        let https = url.scheme_str() == Some("https");
        let proxy = if https { &self.https } else { &self.http }.as_ref()?;
        let host = url.host()?;
        let port = url.port_u16().unwrap_or(if https { 443 } else { 80 });
        (!self.no_proxy.matches(host, port)).then_some(proxy)
    }
}

/// `http://[user:password@]host[:port]`, or `host:port` (taken as http, as curl and boto3
/// do). Errors name `source`, never the value (it may hold a password).
fn parse_proxy(value: &str, source: &str) -> Result<Proxy, StoreError> {
    let invalid = |why: &str| StoreError::InvalidConfig(format!("{source} {why}"));
    let url = if value.contains("://") {
        value.to_string()
    } else {
        format!("http://{value}")
    };
    let parsed: Uri = url
        .parse()
        .map_err(|_| invalid("is not a proxy URL (http://host:port)"))?;
    if parsed.scheme_str() != Some("http") {
        return Err(invalid(
            "must be an http:// proxy URL (the connection to the proxy is plain HTTP; https is tunnelled through it)",
        ));
    }
    let authority = parsed.authority().ok_or_else(|| invalid("has no host"))?;
    let host = authority.host();
    if host.is_empty() {
        return Err(invalid("has no host"));
    }
    let port = authority.port_u16().unwrap_or(80);
    let authorization = authority.as_str().rsplit_once('@').map(|(user_info, _)| {
        let (user, password) = user_info.split_once(':').unwrap_or((user_info, ""));
        let pair = format!("{}:{}", percent_decode(user), percent_decode(password));
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    });
    let uri = format!("http://{host}:{port}")
        .parse()
        .map_err(|_| invalid("has an invalid host"))?;
    let ureq = ureq::Proxy::new(&url).map_err(|_| invalid("is not a proxy URL ureq accepts"))?;
    Ok(Proxy {
        uri,
        authorization,
        ureq,
    })
}

/// `%40` → `@` in a URL's user name or password.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| {
            bytes
                .get(at)
                .and_then(|b| char::from(*b).to_digit(16))
                .map(|d| d as u8)
        };
        match (bytes[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push(high * 16 + low);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `NO_PROXY`: comma-separated entries; `*` alone means no proxy at all. An entry is a host
/// name (matching it and its subdomains), a `.suffix` (or `*.suffix`), or an IP address,
/// each with an optional `:port` that must then match too.
#[derive(Clone, Debug, Default)]
struct NoProxy {
    everything: bool,
    entries: Vec<(String, Option<u16>)>,
}

impl NoProxy {
    fn parse(value: &str) -> NoProxy {
        let mut no_proxy = NoProxy::default();
        for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if entry == "*" {
                no_proxy.everything = true;
                continue;
            }
            let (host, port) = split_port(entry);
            let host = host
                .trim_start_matches("*.")
                .trim_start_matches('.')
                .to_ascii_lowercase();
            if !host.is_empty() {
                no_proxy.entries.push((host, port));
            }
        }
        no_proxy
    }

    fn matches(&self, host: &str, port: u16) -> bool {
        if self.everything {
            return true;
        }
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        self.entries.iter().any(|(name, entry_port)| {
            let host_matches = host == *name
                || host
                    .strip_suffix(name.as_str())
                    .is_some_and(|rest| rest.ends_with('.'));
            host_matches && entry_port.is_none_or(|p| p == port)
        })
    }
}

/// `host:port`, `[v6]:port`, `host`, or a bare IPv6 address (several colons, no port).
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[') {
        let (host, after) = rest.split_once(']').unwrap_or((rest, ""));
        return (host, after.strip_prefix(':').and_then(|p| p.parse().ok()));
    }
    match entry.split_once(':') {
        Some((host, port)) if !port.contains(':') => (host, port.parse().ok()),
        _ => (entry, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Environment {
        Environment::from_vars(vars.iter().copied())
    }

    fn route(proxies: &Proxies, url: &str) -> Option<String> {
        proxies
            .for_uri(&url.parse().unwrap())
            .map(|p| p.uri.to_string())
    }

    #[test]
    fn https_and_http_endpoints_use_their_own_variable_lower_case_first() {
        let proxies = Proxies::new(
            &env(&[
                ("HTTPS_PROXY", "http://upper:1"),
                ("https_proxy", "http://lower:2"),
                ("HTTP_PROXY", "plain:3"),
            ]),
            &ProxyOption::FromEnvironment,
        )
        .unwrap();
        assert_eq!(
            route(&proxies, "https://dynamodb.eu-west-1.amazonaws.com/").as_deref(),
            Some("http://lower:2/")
        );
        assert_eq!(
            route(&proxies, "http://localhost:8000/").as_deref(),
            Some("http://plain:3/")
        );
    }

    #[test]
    fn no_proxy_matches_names_suffixes_ips_and_ports() {
        let proxies = Proxies::new(
            &env(&[
                ("HTTPS_PROXY", "http://proxy:3128"),
                ("HTTP_PROXY", "http://proxy:3128"),
                (
                    "NO_PROXY",
                    " amazonaws.com, .internal ,10.0.0.1,localhost:8000,[::1]:9000",
                ),
            ]),
            &ProxyOption::FromEnvironment,
        )
        .unwrap();
        for direct in [
            "https://dynamodb.us-east-1.amazonaws.com/",
            "https://amazonaws.com/",
            "https://db.internal/",
            "http://10.0.0.1:8000/",
            "http://localhost:8000/",
            "http://[::1]:9000/",
        ] {
            assert_eq!(route(&proxies, direct), None, "{direct}");
        }
        for proxied in [
            "https://notamazonaws.com/",
            "http://10.0.0.12/",
            "http://localhost:8001/",
            "http://[::1]:9001/",
        ] {
            assert!(route(&proxies, proxied).is_some(), "{proxied}");
        }
        let lower_star = Proxies::new(
            &env(&[("HTTPS_PROXY", "http://proxy:3128"), ("no_proxy", "*")]),
            &ProxyOption::FromEnvironment,
        )
        .unwrap();
        assert_eq!(route(&lower_star, "https://anything.example/"), None);
    }

    #[test]
    fn the_option_overrides_the_variables_or_turns_proxies_off() {
        let environment = env(&[("HTTPS_PROXY", "http://from-env:1"), ("NO_PROXY", "*")]);
        let option = ProxyOption::Url("http://option:2".into());
        let proxies = Proxies::new(&environment, &option).unwrap();
        assert_eq!(
            route(&proxies, "https://x.example/").as_deref(),
            Some("http://option:2/")
        );
        let off = Proxies::new(&environment, &ProxyOption::Disabled).unwrap();
        assert_eq!(route(&off, "https://x.example/"), None);
    }

    #[test]
    fn credentials_become_basic_authorization_and_are_never_shown() {
        let option = ProxyOption::Url("http://us%40er:p%3Ass@proxy:3128".into());
        let proxies = Proxies::new(&Environment::empty(), &option).unwrap();
        let proxy = proxies.for_uri(&"https://x/".parse().unwrap()).unwrap();
        // base64("us@er:p:ss")
        assert_eq!(
            proxy.authorization.as_deref(),
            Some("Basic dXNAZXI6cDpzcw==")
        );
        assert!(!format!("{proxy:?} {proxies:?}").contains("p%3Ass"));
    }

    #[test]
    fn a_proxy_that_is_not_http_is_invalid_config_without_echoing_it() {
        for value in [
            "https://user:hunter2@proxy:443",
            "socks5://user:hunter2@p:1",
        ] {
            let error =
                Proxies::new(&env(&[("HTTPS_PROXY", value)]), &ProxyOption::default()).unwrap_err();
            let text = format!("{error:?}");
            assert!(text.contains("HTTPS_PROXY must be an http://"), "{text}");
            assert!(!text.contains("hunter2"), "{text}");
        }
    }
}
