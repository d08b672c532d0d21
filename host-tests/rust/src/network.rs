//! What the stores of one runtime connect with: the trusted roots ([`tls`](crate::tls)),
//! the proxies ([`proxy`](crate::proxy)) and the blocking stores' connection pool. Built
//! from the runtime's environment and options on the first `open`, then shared.

use std::sync::{Arc, OnceLock};

use crate::credentials::Environment;
use crate::lookups::RecentLookups;
use crate::proxy::{Proxies, ProxyOption};
use crate::tls::{self, Trust};
use crate::StoreError;

/// The network options of a runtime (`Runtime::with_ca_bundle`, `with_proxy`,
/// `without_proxy`).
#[derive(Clone, Debug, Default)]
pub struct NetworkOptions {
    pub ca_bundle: Option<String>,
    pub proxy: ProxyOption,
}

pub struct Network {
    pub trust: Trust,
    pub proxies: Arc<Proxies>,
    /// The blocking stores' connection pool, shared by all of them.
    pub agent: ureq::Agent,
}

impl Network {
    fn new(environment: &Environment, options: &NetworkOptions) -> Result<Network, StoreError> {
        let trust = Trust::load(environment, options.ca_bundle.as_deref())?;
        let proxies = Arc::new(Proxies::new(environment, &options.proxy)?);
        let agent = agent(&trust);
        Ok(Network {
            trust,
            proxies,
            agent,
        })
    }
}

/// The network of a runtime, built once on first use; `Runtime`'s clones share it, and
/// every `with_*` option starts a new one.
#[derive(Clone, Default)]
pub struct LazyNetwork {
    options: NetworkOptions,
    built: Arc<OnceLock<Result<Arc<Network>, StoreError>>>,
}

impl LazyNetwork {
    pub fn new(options: NetworkOptions) -> LazyNetwork {
        LazyNetwork {
            options,
            built: Arc::default(),
        }
    }

    pub fn options(&self) -> &NetworkOptions {
        &self.options
    }

    pub fn get(&self, environment: &Environment) -> Result<Arc<Network>, StoreError> {
        self.built
            .get_or_init(|| Network::new(environment, &self.options).map(Arc::new))
            .clone()
    }
}

/// The blocking stores' ureq agent: the runtime's roots, no proxy of its own (the store
/// picks one per request: ureq would read the process environment itself, and without
/// `NO_PROXY` per scheme), no redirects followed, and name lookups reused for a second
/// ([`lookups`](crate::lookups)).
fn agent(trust: &Trust) -> ureq::Agent {
    let roots = trust
        .roots
        .iter()
        .map(|der| ureq::tls::Certificate::from_der(der.as_ref()).to_owned());
    let tls_config = ureq::tls::TlsConfig::builder()
        .provider(ureq::tls::TlsProvider::Rustls)
        .unversioned_rustls_crypto_provider(tls::provider())
        .root_certs(ureq::tls::RootCerts::new_with_certs(
            &roots.collect::<Vec<_>>(),
        ))
        .build();
    let config = ureq::Agent::config_builder()
        .tls_config(tls_config)
        .proxy(None)
        // A 3xx goes to the component as an answer (it reports a redirect, never follows
        // one: the target would get the signed request and its token).
        .max_redirects(0)
        // 4xx/5xx are answers the component interprets, not transport errors.
        .http_status_as_error(false)
        .max_idle_connections_per_host(64)
        .build();
    ureq::Agent::with_parts(
        config,
        ureq::unversioned::transport::DefaultConnector::new(),
        RecentLookups::default(),
    )
}
