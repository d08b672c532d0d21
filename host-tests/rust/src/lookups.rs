//! Name lookups of the blocking stores' connection pool, remembered for a second.
//!
//! ureq looks the host name up before every request, even when a kept-alive connection
//! will carry it and the addresses go unused, and with a timeout set (we always set one) it
//! does the lookup on a new thread so the timeout can cut it short. That thread (clone,
//! stack mmap and munmap, signal stack) was the largest single cost of a small load against
//! a local server: about 87 µs of 228 µs of CPU per operation (bench/profile.md, issue 20).
//! Reusing an answer for at most [`LIFETIME`] makes it one thread per second per host
//! instead of one per request, while a DNS change still reaches new connections within
//! that second. Failed lookups are not remembered.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// Far below DNS TTLs (DynamoDB's records live for seconds to a minute), far above the
/// time between two requests of a busy store.
const LIFETIME: Duration = Duration::from_secs(1);

/// ureq's own resolver, whose answers are reused for [`LIFETIME`].
#[derive(Debug, Default)]
pub struct RecentLookups {
    resolver: DefaultResolver,
    /// Per `scheme://host:port` (the scheme gives the default port).
    answers: Mutex<HashMap<String, Answer>>,
}

#[derive(Debug)]
struct Answer {
    at: Instant,
    addresses: ResolvedSocketAddrs,
}

impl Resolver for RecentLookups {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            // Not a full URL: ureq's resolver says why.
            return self.resolver.resolve(uri, config, timeout);
        };
        let key = format!("{scheme}://{authority}");
        if let Some(answer) = self.answers().get(&key) {
            if answer.at.elapsed() < LIFETIME {
                return Ok(answer.addresses.clone());
            }
        }
        // Looked up without the lock: a slow lookup must not hold up other hosts' requests.
        let addresses = self.resolver.resolve(uri, config, timeout)?;
        let mut answers = self.answers();
        answers.retain(|_, answer| answer.at.elapsed() < LIFETIME);
        answers.insert(
            key,
            Answer {
                at: Instant::now(),
                addresses: addresses.clone(),
            },
        );
        Ok(addresses)
    }
}

impl RecentLookups {
    fn answers(&self) -> std::sync::MutexGuard<'_, HashMap<String, Answer>> {
        // The map holds no invariant a panicking holder could have broken half-way.
        self.answers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
