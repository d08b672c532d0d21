//! Credentials and region for requests whose config carries none: the AWS SDKs' default
//! chain (environment, shared files with profiles and `credential_process`, ECS container
//! credentials, EC2 instance metadata) or a provider of the user's own, cached and refreshed
//! five minutes before temporary credentials expire.
//!
//! The order, the same in the Node and Python hosts:
//!
//! 1. `client.credentials` of the config (the component uses them and never asks the host),
//!    or a user-supplied [`ProvideCredentials`] given to
//!    [`Runtime::with_credentials_provider`](crate::Runtime::with_credentials_provider),
//!    which then replaces steps 2 to 6;
//! 2. `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`);
//! 3. web identity (`AWS_WEB_IDENTITY_TOKEN_FILE`, EKS IRSA) is not built in: wrap the AWS
//!    SDK's provider as a [`ProvideCredentials`];
//! 4. the profile `AWS_PROFILE` (else `default`) of the shared credentials file
//!    (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`) and config file
//!    (`AWS_CONFIG_FILE`, else `~/.aws/config`); static keys, else `credential_process`;
//! 5. ECS container credentials (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI`);
//! 6. EC2 instance metadata (IMDSv2), unless `AWS_EC2_METADATA_DISABLED=true`.

mod profile;
mod remote;
pub(crate) mod time;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use crate::AwsCredentials;

pub use time::parse_rfc3339;

/// Temporary credentials are refreshed this long before they expire.
pub const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(5 * 60);

/// AWS credentials as a provider returns them. `Debug` shows no secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Present for temporary credentials (STS, roles).
    pub session_token: Option<String>,
    /// When temporary credentials stop working; `None` for long-term keys.
    pub expiry: Option<SystemTime>,
}

impl Credentials {
    /// The keys, session token and expiry from the JSON fields that AWS credential sources
    /// share (`credential_process` output, ECS and IMDS answers). `token_key` names the
    /// session token's field (`SessionToken` or `Token`); `what` says whose JSON it is, for
    /// the error. Errors name what is missing, never a value.
    pub(crate) fn from_json_fields(
        json: &serde_json::Value,
        token_key: &str,
        what: &str,
    ) -> Result<Credentials, String> {
        let text = |key: &str| {
            json.get(key)
                .and_then(|v| v.as_str())
                .filter(|v| !v.is_empty())
        };
        let (Some(id), Some(secret)) = (text("AccessKeyId"), text("SecretAccessKey")) else {
            return Err(format!("{what} lacks AccessKeyId or SecretAccessKey"));
        };
        let mut credentials = Credentials::new(id, secret);
        credentials.session_token = text(token_key).map(str::to_string);
        if let Some(expiration) = text("Expiration") {
            credentials.expiry =
                Some(time::parse_rfc3339(expiration).ok_or_else(|| {
                    format!("{what} has an Expiration that is not an RFC 3339 time")
                })?);
        }
        Ok(credentials)
    }
}

impl Credentials {
    /// Long-term keys (no session token, no expiry).
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
            expiry: None,
        }
    }

    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    pub fn with_expiry(mut self, expiry: SystemTime) -> Self {
        self.expiry = Some(expiry);
        self
    }

    fn to_wit(&self) -> AwsCredentials {
        AwsCredentials {
            access_key_id: self.access_key_id.clone(),
            secret_access_key: self.secret_access_key.clone(),
            session_token: self.session_token.clone(),
        }
    }

    /// Usable without a refresh at `now`: no expiry, or more than five minutes left.
    fn is_fresh(&self, now: SystemTime) -> bool {
        self.expiry
            .is_none_or(|expiry| now + REFRESH_BEFORE_EXPIRY < expiry)
    }

    fn is_expired(&self, now: SystemTime) -> bool {
        self.expiry.is_some_and(|expiry| now >= expiry)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The first four characters say the kind of key (AKIA long-term, ASIA temporary).
        let kind: String = self.access_key_id.chars().take(4).collect();
        f.debug_struct("Credentials")
            .field("access_key_id", &format_args!("{kind}…(redacted)"))
            .field("secret_access_key", &format_args!("(redacted)"))
            .field(
                "session_token",
                &format_args!(
                    "{}",
                    if self.session_token.is_some() {
                        "Some((redacted))"
                    } else {
                        "None"
                    }
                ),
            )
            .field("expiry", &self.expiry.map(time::format_rfc3339))
            .finish()
    }
}

/// A source of credentials: the default chain, or your own. Called on a blocking thread
/// (by the async store through `tokio::task::spawn_blocking`) when the cached credentials
/// are missing or within five minutes of their expiry, so it may do blocking I/O.
///
/// The error text is shown to users: it must not contain a secret.
///
/// Closures implement it:
///
/// ```no_run
/// use jovo_dynamodb_host::{Credentials, Runtime};
/// let runtime = Runtime::load_default()?.with_credentials_provider(|| {
///     Ok(Credentials::new("AKIA...", std::fs::read_to_string("/run/secrets/key").map_err(|e| e.to_string())?))
/// });
/// # Ok::<(), jovo_dynamodb_host::Error>(())
/// ```
///
/// The AWS SDK's own chain (`aws-config`, with web identity, SSO and everything else) wraps
/// in a few lines; it is async, so keep a handle of your tokio runtime:
///
/// ```ignore
/// use aws_credential_types::provider::ProvideCredentials as _;
/// struct AwsSdkChain { chain: aws_config::default_provider::credentials::DefaultCredentialsChain,
///                      runtime: tokio::runtime::Handle }
/// impl jovo_dynamodb_host::ProvideCredentials for AwsSdkChain {
///     fn provide_credentials(&self) -> Result<jovo_dynamodb_host::Credentials, String> {
///         let c = self.runtime.block_on(self.chain.provide_credentials()).map_err(|e| e.to_string())?;
///         let mut ours = jovo_dynamodb_host::Credentials::new(c.access_key_id(), c.secret_access_key());
///         ours.session_token = c.session_token().map(str::to_string);
///         ours.expiry = c.expiry();
///         Ok(ours)
///     }
/// }
/// // let chain = aws_config::default_provider::credentials::DefaultCredentialsChain::builder().build().await;
/// // let runtime = Runtime::load_default()?.with_credentials_provider(AwsSdkChain { chain, runtime: Handle::current() });
/// ```
///
/// Web identity (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`, EKS IAM roles for service
/// accounts) is not part of the built-in chain: use `aws-config`'s
/// `WebIdentityTokenCredentialsProvider` (or its whole chain) this way.
pub trait ProvideCredentials: Send + Sync {
    fn provide_credentials(&self) -> Result<Credentials, String>;
}

impl<F> ProvideCredentials for F
where
    F: Fn() -> Result<Credentials, String> + Send + Sync,
{
    fn provide_credentials(&self) -> Result<Credentials, String> {
        self()
    }
}

/// The user's own provider, as the runtime calls it: its error message is never passed on
/// (it reaches the component's `credentials-unavailable` text, which apps log, and a
/// provider's message may quote what it was given, a key included); the error says that
/// this source failed and how to see why.
pub(crate) struct UsersProvider(pub Arc<dyn ProvideCredentials>);

impl ProvideCredentials for UsersProvider {
    fn provide_credentials(&self) -> Result<Credentials, String> {
        self.0.provide_credentials().map_err(|message| {
            format!(
                "your credentials provider (Runtime::with_credentials_provider) returned an error; its message ({} characters) is not shown, as it may hold a secret: log it in the provider to see it",
                message.chars().count()
            )
        })
    }
}

/// The environment variables the chain and the region lookup read: the process's own, or
/// a map (tests, or a service that keeps its settings elsewhere). Empty values count as
/// unset. `Debug` shows names only.
#[derive(Clone)]
pub struct Environment {
    inherit: bool,
    overrides: Arc<BTreeMap<String, Option<String>>>,
}

impl Environment {
    /// The process environment, read at each use (rotated values are picked up).
    pub fn process() -> Environment {
        Environment {
            inherit: true,
            overrides: Arc::default(),
        }
    }

    /// No variables at all: not even `HOME`, so no shared files either.
    pub fn empty() -> Environment {
        Environment {
            inherit: false,
            overrides: Arc::default(),
        }
    }

    /// Exactly these variables.
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Environment {
        vars.into_iter()
            .fold(Environment::empty(), |env, (k, v)| env.set(k, v))
    }

    /// This one variable set to `value`, the rest as before.
    pub fn set(mut self, name: impl Into<String>, value: impl Into<String>) -> Environment {
        Arc::make_mut(&mut self.overrides).insert(name.into(), Some(value.into()));
        self
    }

    /// This one variable unset, the rest as before.
    pub fn remove(mut self, name: impl Into<String>) -> Environment {
        Arc::make_mut(&mut self.overrides).insert(name.into(), None);
        self
    }

    /// The value of `name`, `None` when unset or empty.
    pub fn var(&self, name: &str) -> Option<String> {
        let value = match self.overrides.get(name) {
            Some(value) => value.clone(),
            None if self.inherit => std::env::var(name).ok(),
            None => None,
        };
        value.filter(|v| !v.is_empty())
    }

    fn home(&self) -> Option<PathBuf> {
        self.var("HOME")
            .or_else(|| self.var("USERPROFILE"))
            .map(PathBuf::from)
    }
}

impl Default for Environment {
    fn default() -> Self {
        Environment::process()
    }
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set: Vec<&str> = self
            .overrides
            .iter()
            .filter(|(_, v)| v.is_some())
            .map(|(k, _)| k.as_str())
            .collect();
        let removed: Vec<&str> = self
            .overrides
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| k.as_str())
            .collect();
        f.debug_struct("Environment")
            .field("process", &self.inherit)
            .field("set", &set)
            .field("removed", &removed)
            .finish()
    }
}

/// The AWS SDKs' default credentials chain (see the [module](self) docs for the order).
#[derive(Clone, Debug)]
pub struct DefaultCredentialsChain {
    environment: Environment,
    process_timeout: Duration,
    metadata_timeout: Duration,
}

impl Default for DefaultCredentialsChain {
    fn default() -> Self {
        DefaultCredentialsChain::new(Environment::process())
    }
}

impl DefaultCredentialsChain {
    pub fn new(environment: Environment) -> DefaultCredentialsChain {
        DefaultCredentialsChain {
            environment,
            process_timeout: profile::PROCESS_TIMEOUT,
            metadata_timeout: remote::METADATA_TIMEOUT,
        }
    }

    /// How long a `credential_process` may run (default 30 s); it is killed after that.
    pub fn credential_process_timeout(mut self, timeout: Duration) -> Self {
        self.process_timeout = timeout;
        self
    }

    /// The time limit of each ECS and IMDS request (default 1 s, so a laptop without
    /// instance metadata is not held up).
    pub fn metadata_timeout(mut self, timeout: Duration) -> Self {
        self.metadata_timeout = timeout;
        self
    }

    /// The region when the config names none: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the
    /// profile's `region` in the config (or credentials) file.
    pub fn region(&self) -> Option<String> {
        let env = &self.environment;
        env.var("AWS_REGION")
            .or_else(|| env.var("AWS_DEFAULT_REGION"))
            .or_else(|| {
                profile::Profile::load(env)
                    .ok()
                    .and_then(|p| p.get("region").map(str::to_string))
            })
    }
}

impl ProvideCredentials for DefaultCredentialsChain {
    fn provide_credentials(&self) -> Result<Credentials, String> {
        let env = &self.environment;
        let mut tried = Vec::new();

        // 2. The environment.
        match (
            env.var("AWS_ACCESS_KEY_ID"),
            env.var("AWS_SECRET_ACCESS_KEY"),
        ) {
            (Some(id), Some(secret)) => {
                return Ok(Credentials {
                    session_token: env.var("AWS_SESSION_TOKEN"),
                    ..Credentials::new(id, secret)
                })
            }
            (None, None) => {
                tried.push("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set".to_string())
            }
            (Some(_), None) => {
                tried.push("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not".to_string())
            }
            (None, Some(_)) => {
                tried.push("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not".to_string())
            }
        }

        // 4. The shared files: a profile that defines credentials is used, or its failure
        // ends the chain (another identity would be a surprise).
        match profile::Profile::load(env) {
            Ok(profile) => match profile.credentials(self.process_timeout) {
                Some(result) => return result,
                None => tried.push(profile.describe_missing()),
            },
            Err(why) => tried.push(why),
        }

        // 5. ECS container credentials, when the container says where.
        if let Some(endpoint) = remote::ecs_endpoint(env) {
            return remote::ecs_credentials(env, &endpoint?, self.metadata_timeout);
        }
        tried.push(
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set"
                .to_string(),
        );

        // 6. EC2 instance metadata.
        if remote::imds_disabled(env) {
            tried.push("EC2 instance metadata is off (AWS_EC2_METADATA_DISABLED)".to_string());
        } else {
            match remote::imds_credentials(env, self.metadata_timeout) {
                Ok(credentials) => return Ok(credentials),
                Err(why) => tried.push(why),
            }
        }
        Err(tried.join("; "))
    }
}

#[derive(Default)]
struct Cached {
    credentials: Option<Credentials>,
    /// Why the last refresh failed, handed to the component while nothing usable is cached.
    error: Option<String>,
}

/// One provider with its cached credentials, shared by the stores of a runtime.
pub(crate) struct CredentialsCache {
    provider: Arc<dyn ProvideCredentials>,
    cached: Mutex<Cached>,
    /// One refresh at a time for the async stores; the others wait for its result.
    refreshing: tokio::sync::Mutex<()>,
    /// The same for the blocking stores (`cached` itself is never held during a fetch, so
    /// an async store reading it never waits for I/O).
    refreshing_blocking: Mutex<()>,
    /// Set when an async store signed with credentials inside the refresh margin: they
    /// still work, and a background refresh replaces them.
    refresh_wanted: AtomicBool,
}

impl CredentialsCache {
    pub fn new(provider: Arc<dyn ProvideCredentials>) -> CredentialsCache {
        CredentialsCache {
            provider,
            cached: Mutex::new(Cached::default()),
            refreshing: tokio::sync::Mutex::new(()),
            refreshing_blocking: Mutex::new(()),
            refresh_wanted: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cached> {
        self.cached
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn fresh(&self) -> Option<AwsCredentials> {
        let now = SystemTime::now();
        self.lock()
            .credentials
            .as_ref()
            .filter(|c| c.is_fresh(now))
            .map(Credentials::to_wit)
    }

    /// Stores the outcome of a refresh; a failed refresh keeps credentials that have not
    /// expired yet (they still work for up to five minutes).
    fn record(cached: &mut Cached, outcome: Result<Credentials, String>) {
        let outcome = outcome.and_then(|credentials| match credentials.expiry {
            Some(expiry) if credentials.is_expired(SystemTime::now()) => Err(format!(
                "the credentials provider returned credentials that expired at {}",
                time::format_rfc3339(expiry)
            )),
            _ => Ok(credentials),
        });
        match outcome {
            Ok(credentials) => {
                cached.credentials = Some(credentials);
                cached.error = None;
            }
            Err(why) => {
                if cached
                    .credentials
                    .as_ref()
                    .is_some_and(|c| c.is_expired(SystemTime::now()))
                {
                    cached.credentials = None;
                }
                cached.error = Some(why);
            }
        }
    }

    /// What a component instance on the step-driven path gets from `host.credentials`:
    /// whatever [`ensure_usable`](Self::ensure_usable) left, without any I/O. Credentials
    /// inside the refresh margin are still handed out, and a refresh is requested.
    pub fn current(&self) -> Result<AwsCredentials, String> {
        let now = SystemTime::now();
        let cached = self.lock();
        match &cached.credentials {
            Some(c) if !c.is_expired(now) => {
                if !c.is_fresh(now) {
                    self.refresh_wanted.store(true, Ordering::Relaxed);
                }
                Ok(c.to_wit())
            }
            _ => Err(cached
                .error
                .clone()
                .unwrap_or_else(|| "credentials were not loaded".to_string())),
        }
    }

    /// For the blocking stores: refreshes on this thread when needed.
    pub fn get_blocking(&self) -> Result<AwsCredentials, String> {
        if let Some(credentials) = self.fresh() {
            return Ok(credentials);
        }
        let _one_at_a_time = self
            .refreshing_blocking
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(credentials) = self.fresh() {
            return Ok(credentials);
        }
        let outcome = self.provider.provide_credentials();
        Self::record(&mut self.lock(), outcome);
        self.current()
    }

    /// For the async stores, before each step: makes sure there are credentials that have
    /// not expired, fetching them (on a blocking thread) when there are none. Cheap when
    /// there are.
    pub async fn ensure_usable(self: &Arc<Self>) {
        let usable = |cache: &Self| {
            let now = SystemTime::now();
            cache
                .lock()
                .credentials
                .as_ref()
                .is_some_and(|c| !c.is_expired(now))
        };
        if usable(self) {
            return;
        }
        let _one_at_a_time = self.refreshing.lock().await;
        if !usable(self) {
            self.fetch().await;
        }
    }

    /// For the async stores, after each step: when the step signed with credentials inside
    /// the refresh margin, replaces them in the background (one refresh at a time).
    pub fn refresh_if_wanted(self: &Arc<Self>) {
        if !self.refresh_wanted.swap(false, Ordering::Relaxed) {
            return;
        }
        let cache = Arc::clone(self);
        tokio::spawn(async move {
            let _one_at_a_time = cache.refreshing.lock().await;
            if cache.fresh().is_none() {
                cache.fetch().await;
            }
        });
    }

    async fn fetch(self: &Arc<Self>) {
        let cache = Arc::clone(self);
        let outcome = tokio::task::spawn_blocking(move || cache.provider.provide_credentials())
            .await
            // The panic's message is not shown: it may quote a secret.
            .unwrap_or_else(|_| Err("the credentials provider panicked".to_string()));
        Self::record(&mut self.lock(), outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_shows_no_secret() {
        let credentials = Credentials::new("ASIAEXAMPLEKEYID0001", "secretsecretsecret")
            .with_session_token("tokentokentoken")
            .with_expiry(parse_rfc3339("2026-11-24T10:00:00Z").unwrap());
        let text = format!("{credentials:?}");
        assert!(!text.contains("EXAMPLEKEYID"), "{text}");
        assert!(!text.contains("secretsecret"), "{text}");
        assert!(!text.contains("tokentoken"), "{text}");
        assert!(text.contains("ASIA") && text.contains("2026-11-24T10:00:00Z"));
        let env = Environment::from_vars([("AWS_SECRET_ACCESS_KEY", "secretsecretsecret")]);
        assert!(!format!("{env:?}").contains("secretsecret"));
    }

    #[test]
    fn an_environment_map_is_all_there_is() {
        let env = Environment::from_vars([("A", "1"), ("EMPTY", "")]);
        assert_eq!(env.var("A").as_deref(), Some("1"));
        assert_eq!(env.var("EMPTY"), None);
        assert_eq!(env.var("PATH"), None);
        let env = env.remove("A");
        assert_eq!(env.var("A"), None);
    }
}
