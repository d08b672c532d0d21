//! Credentials over HTTP from where the code runs: the ECS/Fargate container endpoint and
//! EC2 instance metadata (IMDSv2). Blocking, with short time limits.

use std::net::IpAddr;
use std::time::Duration;

use super::{Credentials, Environment};

/// Time limit of each request to the container endpoint or instance metadata.
pub const METADATA_TIMEOUT: Duration = Duration::from_secs(1);

/// The ECS agent's address for `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`.
const ECS_HOST: &str = "http://169.254.170.2";
/// Instance metadata, unless `AWS_EC2_METADATA_SERVICE_ENDPOINT` says otherwise.
const IMDS_ENDPOINT: &str = "http://169.254.169.254";
/// Answers are a few hundred bytes.
const MAX_BODY: u64 = 64 * 1024;

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        // One request now and then: no pool worth keeping, and no proxy from the
        // environment for link-local addresses.
        .max_idle_connections(0)
        .proxy(None)
        .build()
        .into()
}

/// The container endpoint, when the environment names one: `RELATIVE_URI` (on the ECS
/// agent's address) wins over `FULL_URI`, which must be on a loopback address or the ECS
/// or EKS agent's link-local one.
pub fn ecs_endpoint(env: &Environment) -> Option<Result<String, String>> {
    if let Some(relative) = env.var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
        let slash = if relative.starts_with('/') { "" } else { "/" };
        return Some(Ok(format!("{ECS_HOST}{slash}{relative}")));
    }
    let full = env.var("AWS_CONTAINER_CREDENTIALS_FULL_URI")?;
    Some(match allowed_container_host(&full) {
        Ok(()) => Ok(full),
        Err(why) => Err(format!("AWS_CONTAINER_CREDENTIALS_FULL_URI: {why}")),
    })
}

fn allowed_container_host(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or("not an http or https URL")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("a URL with user information is not allowed".into());
    }
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    let host = host.to_ascii_lowercase();
    let allowed = match host.parse::<IpAddr>() {
        Ok(ip) => {
            ip.is_loopback()
                || ["169.254.170.2", "169.254.170.23", "fd00:ec2::23"]
                    .iter()
                    .any(|a| a.parse::<IpAddr>().is_ok_and(|a| a == ip))
        }
        Err(_) => host == "localhost",
    };
    if allowed {
        Ok(())
    } else {
        Err(format!(
            "the host '{host}' is not allowed (only loopback, 169.254.170.2 and 169.254.170.23)"
        ))
    }
}

/// `GET` the container endpoint, with `Authorization` from
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read each time: it is rotated) or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
pub fn ecs_credentials(
    env: &Environment,
    url: &str,
    timeout: Duration,
) -> Result<Credentials, String> {
    let token = match env.var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
        Some(path) => Some(
            std::fs::read_to_string(&path)
                .map_err(|e| {
                    format!("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE {path}: {e}")
                })?
                .trim()
                .to_string(),
        ),
        None => env.var("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
    };
    let agent = agent(timeout);
    let mut request = agent.get(url).header("accept", "application/json");
    if let Some(token) = &token {
        request = request.header("authorization", token);
    }
    let (status, body) = body_of(request.call(), "the container credentials endpoint")?;
    if status != 200 {
        return Err(format!(
            "the container credentials endpoint answered HTTP {status}"
        ));
    }
    parse_credentials_json(&body, "Token")
        .map_err(|why| format!("the container credentials endpoint: {why}"))
}

pub fn imds_disabled(env: &Environment) -> bool {
    env.var("AWS_EC2_METADATA_DISABLED")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// IMDSv2: a session token (`PUT /latest/api/token`), the instance role's name, then its
/// credentials.
pub fn imds_credentials(env: &Environment, timeout: Duration) -> Result<Credentials, String> {
    let base = env
        .var("AWS_EC2_METADATA_SERVICE_ENDPOINT")
        .unwrap_or_else(|| IMDS_ENDPOINT.to_string());
    let base = base.trim_end_matches('/');
    let agent = agent(timeout);
    let (status, token) = body_of(
        agent
            .put(format!("{base}/latest/api/token"))
            .header("x-aws-ec2-metadata-token-ttl-seconds", "21600")
            .send_empty(),
        "EC2 instance metadata",
    )?;
    if status != 200 {
        return Err(format!(
            "EC2 instance metadata refused a session token (HTTP {status})"
        ));
    }
    let token = token.trim();
    if !is_token(token) {
        return Err("EC2 instance metadata returned an invalid session token".into());
    }
    let path = format!("{base}/latest/meta-data/iam/security-credentials/");
    let (status, roles) = body_of(
        agent
            .get(&path)
            .header("x-aws-ec2-metadata-token", token)
            .call(),
        "EC2 instance metadata",
    )?;
    if status == 404 {
        return Err("this EC2 instance has no IAM role (instance profile)".into());
    }
    if status != 200 {
        return Err(format!(
            "EC2 instance metadata answered HTTP {status} for the instance's role"
        ));
    }
    let Some(role) = roles.lines().map(str::trim).find(|l| !l.is_empty()) else {
        return Err("this EC2 instance has no IAM role (instance profile)".into());
    };
    if !is_role_name(role) {
        return Err("EC2 instance metadata returned an invalid role name".into());
    }
    let (status, body) = body_of(
        agent
            .get(format!("{path}{role}"))
            .header("x-aws-ec2-metadata-token", token)
            .call(),
        "EC2 instance metadata",
    )?;
    if status != 200 {
        return Err(format!(
            "EC2 instance metadata answered HTTP {status} for the role's credentials"
        ));
    }
    parse_credentials_json(&body, "Token")
        .map_err(|why| format!("EC2 instance metadata, role '{role}': {why}"))
}

/// IMDS session tokens are base64 text; anything else is not one (and is not echoed).
fn is_token(token: &str) -> bool {
    (1..=1024).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=+/.".contains(&b))
}

/// IAM role names: 1 to 64 of `A-Z a-z 0-9 + = , . @ _ -`.
fn is_role_name(role: &str) -> bool {
    (1..=64).contains(&role.len())
        && role
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

fn body_of(
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    what: &str,
) -> Result<(u16, String), String> {
    let mut response = result.map_err(|e| match e {
        ureq::Error::Timeout(_) => format!("{what} did not answer in time"),
        other => format!("{what} is unreachable ({other})"),
    })?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_string()
        .map_err(|e| format!("{what}: reading the answer failed ({e})"))?;
    Ok((status, body))
}

/// `{AccessKeyId, SecretAccessKey, <token_key>, Expiration}` as ECS and IMDS send them
/// (IMDS adds `"Code": "Success"`).
fn parse_credentials_json(body: &str, token_key: &str) -> Result<Credentials, String> {
    let json: serde_json::Value =
        serde_json::from_str(body).map_err(|_| "the answer is not JSON".to_string())?;
    match json.get("Code").and_then(|v| v.as_str()) {
        // The code is the server's text: not repeated, as no answer's content is.
        Some(code) if !code.is_empty() && code != "Success" => {
            Err("the answer's Code is not Success".into())
        }
        _ => Credentials::from_json_fields(&json, token_key, "the answer"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // These only build URLs: no test may send anything to 169.254.x.

    #[test]
    fn the_relative_uri_is_on_the_ecs_agents_address() {
        let env = Environment::from_vars([
            (
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                "/v2/credentials/abc",
            ),
            (
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "http://127.0.0.1:1/ignored",
            ),
        ]);
        assert_eq!(
            ecs_endpoint(&env).unwrap().unwrap(),
            "http://169.254.170.2/v2/credentials/abc"
        );
    }

    #[test]
    fn a_full_uri_must_be_on_an_allowed_host() {
        for allowed in [
            "http://127.0.0.1:8080/creds",
            "http://127.9.9.9/creds",
            "http://localhost:1/x",
            "http://[::1]:80/x",
            "http://169.254.170.2/v2",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
            "https://127.0.0.1/x",
        ] {
            let env = Environment::from_vars([("AWS_CONTAINER_CREDENTIALS_FULL_URI", allowed)]);
            assert_eq!(ecs_endpoint(&env).unwrap().unwrap(), allowed);
        }
        for refused in [
            "http://169.254.169.254/latest",
            "http://example.com/creds",
            "http://10.0.0.1/creds",
            "http://127.0.0.1@evil.example/x",
            "ftp://127.0.0.1/x",
            "127.0.0.1/x",
        ] {
            let env = Environment::from_vars([("AWS_CONTAINER_CREDENTIALS_FULL_URI", refused)]);
            assert!(ecs_endpoint(&env).unwrap().is_err(), "{refused}");
        }
        assert!(ecs_endpoint(&Environment::empty()).is_none());
    }

    #[test]
    fn metadata_is_off_only_for_true() {
        for (value, off) in [
            ("true", true),
            ("TRUE", true),
            ("false", false),
            ("1", false),
        ] {
            let env = Environment::from_vars([("AWS_EC2_METADATA_DISABLED", value)]);
            assert_eq!(imds_disabled(&env), off, "{value}");
        }
        assert!(!imds_disabled(&Environment::empty()));
    }
}
