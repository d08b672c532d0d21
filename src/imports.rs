//! The `host` imports (world `persistence`) as the guest's [`Host`]: the blocking driver's
//! transport and timers, and the environment of both paths. The import's records are
//! `host`'s own copies of `store`'s (see the WIT), converted here field by field.

use crate::bindings::jovo::dynamodb::host as imports;
use crate::host::{
    AwsCredentials, Environment, Host, HttpRequest, HttpResponse, Outcome, TransportError,
};

/// The `now-ms` and `credentials` imports: synchronous on both paths.
#[derive(Clone, Copy)]
pub struct ImportEnvironment;

impl Environment for ImportEnvironment {
    fn now_ms(&self) -> u64 {
        imports::now_ms()
    }

    fn credentials(&self) -> Result<AwsCredentials, String> {
        imports::credentials().map(|c| AwsCredentials {
            access_key_id: c.access_key_id,
            secret_access_key: c.secret_access_key,
            session_token: c.session_token,
        })
    }
}

/// The blocking `host` imports: `send` and `sleep-ms` return when they are done.
#[derive(Clone, Copy)]
pub struct ImportHost;

impl Environment for ImportHost {
    fn now_ms(&self) -> u64 {
        ImportEnvironment.now_ms()
    }

    fn credentials(&self) -> Result<AwsCredentials, String> {
        ImportEnvironment.credentials()
    }
}

impl Host for ImportHost {
    async fn send(&self, request: HttpRequest, timeout_ms: u32) -> Outcome {
        let request = imports::HttpRequest {
            method: request.method,
            url: request.url,
            headers: request.headers,
            body: request.body,
        };
        match imports::send(&request, timeout_ms) {
            Ok(response) => Ok(HttpResponse {
                status: response.status,
                headers: response.headers,
                body: response.body,
            }),
            Err(imports::TransportError::TimedOut(why)) => Err(TransportError::TimedOut(why)),
            Err(imports::TransportError::Failed(why)) => Err(TransportError::Failed(why)),
            Err(imports::TransportError::Tls(why)) => Err(TransportError::Tls(why)),
        }
    }

    async fn sleep(&self, ms: u32) {
        imports::sleep_ms(ms)
    }
}
