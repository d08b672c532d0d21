//! The credential chain, source by source and in order: environment, shared files with
//! profiles and `credential_process`, ECS container credentials, EC2 instance metadata
//! (IMDSv2); a provider of the user's own; refresh of temporary credentials; no secret in
//! any error; and requests signed with chain credentials verified by moto with auth on.
//!
//! Every test passes its own `Environment` (a map, not the process's variables, which the
//! test threads share), temporary files for the shared files and scripts, and fakes of our
//! own on 127.0.0.1 for ECS and IMDS (tests/support/fake_metadata.rs). Nothing is sent to
//! 169.254.x: each environment either switches instance metadata off or points it at a fake.

#[path = "support/fake_metadata.rs"]
mod fake_metadata;
#[path = "support/moto.rs"]
mod moto;
mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use fake_metadata::{Fake, Issued};
use jovo_dynamodb_host::{
    Config, Credentials, DefaultCredentialsChain, Environment, ProvideCredentials, Runtime,
    StoreError, COMPONENT,
};
use serde_json::json;
use support::*;

/// A directory of this test's files, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "jovo-credentials-{name}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    }

    /// An executable shell script that logs each run to `<name>.runs` and then runs `body`.
    fn script(&self, name: &str, body: &str) -> String {
        let runs = self.0.join(format!("{name}.runs"));
        let path = self.write(
            name,
            &format!("#!/bin/sh\necho run >> '{}'\n{body}\n", runs.display()),
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn runs(&self, name: &str) -> usize {
        std::fs::read_to_string(self.0.join(format!("{name}.runs")))
            .map(|t| t.lines().count())
            .unwrap_or(0)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A script printing `credential_process` JSON.
fn process_json(
    id: &str,
    secret: &str,
    token: Option<&str>,
    expires_in: Option<Duration>,
) -> String {
    let mut json = json!({"Version": 1, "AccessKeyId": id, "SecretAccessKey": secret});
    if let Some(token) = token {
        json["SessionToken"] = token.into();
    }
    if let Some(expires_in) = expires_in {
        json["Expiration"] = fake_metadata::rfc3339(SystemTime::now() + expires_in).into();
    }
    format!("cat <<'JSON'\n{json}\nJSON")
}

/// Instance metadata off, plus `vars`.
fn env(vars: &[(&str, &str)]) -> Environment {
    vars.iter().fold(
        Environment::from_vars([("AWS_EC2_METADATA_DISABLED", "true")]),
        |env, (k, v)| env.set(*k, *v),
    )
}

fn chain(env: Environment) -> DefaultCredentialsChain {
    DefaultCredentialsChain::new(env)
}

fn key_of(result: Result<Credentials, String>) -> (String, String, Option<String>) {
    let c = result.unwrap_or_else(|e| panic!("no credentials: {e}"));
    (c.access_key_id, c.secret_access_key, c.session_token)
}

fn key(id: &str, secret: &str, token: Option<&str>) -> (String, String, Option<String>) {
    (id.into(), secret.into(), token.map(str::to_string))
}

// ---- 2. environment ----

#[test]
fn the_environment_variables_are_the_first_source() {
    let found = chain(env(&[
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "env-secret"),
        ("AWS_SESSION_TOKEN", "env-token"),
    ]))
    .provide_credentials();
    assert_eq!(
        key_of(found),
        key("AKIDENV", "env-secret", Some("env-token"))
    );

    let error = chain(env(&[("AWS_ACCESS_KEY_ID", "AKIDENV")]))
        .provide_credentials()
        .unwrap_err();
    assert!(error.contains("AWS_SECRET_ACCESS_KEY is not"), "{error}");
    assert!(!error.contains("AKIDENV"), "{error}");
}

// ---- 4. shared files ----

#[test]
fn the_default_profile_is_read_from_the_home_directory() {
    let dir = TempDir::new("home");
    dir.write(
        ".aws/credentials",
        "[default]\naws_access_key_id = AKIDHOME\naws_secret_access_key = home-secret\n",
    );
    dir.write(".aws/config", "[default]\nregion = eu-central-1\n");
    let home = dir.0.to_string_lossy().into_owned();
    let chain = chain(env(&[("HOME", &home)]));
    assert_eq!(
        key_of(chain.provide_credentials()),
        key("AKIDHOME", "home-secret", None)
    );
    assert_eq!(chain.region().as_deref(), Some("eu-central-1"));
}

#[test]
fn a_named_profile_merges_both_files_and_the_credentials_file_wins() {
    let dir = TempDir::new("profiles");
    let credentials = dir.write(
        "credentials",
        "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = default-secret\n\
         [dev]\naws_access_key_id = AKIDFROMCREDENTIALS\naws_secret_access_key = credentials-secret\n",
    );
    let config = dir.write(
        "config",
        "[default]\nregion = us-west-1\n\
         [dev]\nregion = not-read-without-the-profile-prefix\n\
         [profile dev]\nregion = ap-southeast-2\naws_access_key_id = AKIDFROMCONFIG\n\
         aws_secret_access_key = config-secret\naws_session_token = config-token\n",
    );
    let chain = chain(env(&[
        ("AWS_PROFILE", "dev"),
        ("AWS_SHARED_CREDENTIALS_FILE", &credentials),
        ("AWS_CONFIG_FILE", &config),
    ]));
    // Keys of both files; the credentials file's values where both have one.
    assert_eq!(
        key_of(chain.provide_credentials()),
        key(
            "AKIDFROMCREDENTIALS",
            "credentials-secret",
            Some("config-token")
        )
    );
    assert_eq!(chain.region().as_deref(), Some("ap-southeast-2"));
}

#[test]
fn a_profile_in_the_config_file_alone_works() {
    let dir = TempDir::new("config-only");
    let config = dir.write(
        "config",
        "[profile   ops]\naws_access_key_id=AKIDOPS\naws_secret_access_key=ops-secret\n",
    );
    let chain = chain(env(&[
        ("AWS_PROFILE", "ops"),
        ("AWS_CONFIG_FILE", &config),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            &dir.0.join("none").to_string_lossy(),
        ),
    ]));
    assert_eq!(
        key_of(chain.provide_credentials()),
        key("AKIDOPS", "ops-secret", None)
    );
}

#[test]
fn the_region_comes_from_the_config_then_the_environment_then_the_profile() {
    let dir = TempDir::new("region");
    let config = dir.write("config", "[default]\nregion = eu-west-3\n");
    let with = |vars: &[(&str, &str)]| {
        let mut all = vec![("AWS_CONFIG_FILE", config.as_str())];
        all.extend_from_slice(vars);
        chain(env(&all)).region()
    };
    assert_eq!(with(&[]).as_deref(), Some("eu-west-3"));
    assert_eq!(
        with(&[("AWS_DEFAULT_REGION", "us-east-2")]).as_deref(),
        Some("us-east-2")
    );
    assert_eq!(
        with(&[
            ("AWS_DEFAULT_REGION", "us-east-2"),
            ("AWS_REGION", "sa-east-1")
        ])
        .as_deref(),
        Some("sa-east-1")
    );
    // A store opened without region or endpoint takes the profile's region; one with a
    // region in its config keeps it (the component validates both).
    let runtime = runtime()
        .clone()
        .with_environment(env(&[("AWS_CONFIG_FILE", &config)]));
    runtime.open(Config::for_table("users")).unwrap();
    let without = support::runtime().open(Config::for_table("users"));
    assert_eq!(without.err().unwrap().code(), "invalid-config");
}

#[test]
fn credential_process_is_run_without_a_shell_and_its_json_read() {
    let dir = TempDir::new("process");
    let script = dir.script(
        "creds",
        &format!(
            "[ \"$1\" = 'two words' ] && [ \"$2\" = '$HOME' ] || exit 3\n{}",
            process_json(
                "ASIAPROCESS",
                "process-secret",
                Some("process-token"),
                Some(Duration::from_secs(3600))
            )
        ),
    );
    let config = dir.write(
        "config",
        &format!("[profile tool]\ncredential_process = {script} \"two words\" '$HOME'\n"),
    );
    let chain = chain(env(&[
        ("AWS_PROFILE", "tool"),
        ("AWS_CONFIG_FILE", &config),
    ]));
    let credentials = chain.provide_credentials().unwrap();
    assert_eq!(
        key_of(Ok(credentials.clone())),
        key("ASIAPROCESS", "process-secret", Some("process-token"))
    );
    let expiry = credentials.expiry.unwrap();
    let left = expiry.duration_since(SystemTime::now()).unwrap();
    assert!(left > Duration::from_secs(3500) && left <= Duration::from_secs(3600));
    assert_eq!(dir.runs("creds"), 1);

    // From the credentials file too; static keys of the same profile win over it.
    let credentials_file = dir.write(
        "credentials",
        &format!("[tool]\ncredential_process = {script} \"two words\" '$HOME'\n"),
    );
    let chain2 = chain_with(&[
        ("AWS_PROFILE", "tool"),
        ("AWS_SHARED_CREDENTIALS_FILE", &credentials_file),
    ]);
    assert_eq!(
        chain2.provide_credentials().unwrap().access_key_id,
        "ASIAPROCESS"
    );
    let both = dir.write(
        "both",
        &format!(
            "[tool]\ncredential_process = {script}\naws_access_key_id = AKIDSTATIC\naws_secret_access_key = static-secret\n"
        ),
    );
    let chain3 = chain_with(&[
        ("AWS_PROFILE", "tool"),
        ("AWS_SHARED_CREDENTIALS_FILE", &both),
    ]);
    assert_eq!(
        chain3.provide_credentials().unwrap().access_key_id,
        "AKIDSTATIC"
    );
    assert_eq!(dir.runs("creds"), 2);
}

fn chain_with(vars: &[(&str, &str)]) -> DefaultCredentialsChain {
    chain(env(vars))
}

#[test]
fn a_failing_or_hanging_credential_process_is_an_error_without_its_output() {
    let dir = TempDir::new("process-fails");
    let leaky = dir.script(
        "leaky",
        "echo '{\"Version\":1,\"AccessKeyId\":\"AKIDLEAKED\",\"SecretAccessKey\":\"leaked-secret-value\"}'\nexit 1",
    );
    let config = dir.write(
        "config",
        &format!("[default]\ncredential_process = {leaky} --token s3cr3t-arg\n"),
    );
    let error = chain_with(&[("AWS_CONFIG_FILE", &config)])
        .provide_credentials()
        .unwrap_err();
    assert!(error.contains("failed"), "{error}");
    for secret in ["AKIDLEAKED", "leaked-secret-value", "s3cr3t-arg"] {
        assert!(!error.contains(secret), "{error}");
    }

    let bad_version = dir.script(
        "v2",
        &process_json("AKID", "secret", None, None).replace("\"Version\":1", "\"Version\":2"),
    );
    let config = dir.write(
        "config2",
        &format!("[default]\ncredential_process = {bad_version}\n"),
    );
    let error = chain_with(&[("AWS_CONFIG_FILE", &config)])
        .provide_credentials()
        .unwrap_err();
    assert!(error.contains("Version 2"), "{error}");

    let hanging = dir.script("hang", "sleep 5");
    let config = dir.write(
        "config3",
        &format!("[default]\ncredential_process = {hanging}\n"),
    );
    let started = Instant::now();
    let error = chain(env(&[("AWS_CONFIG_FILE", &config)]))
        .credential_process_timeout(Duration::from_millis(300))
        .provide_credentials()
        .unwrap_err();
    assert!(error.contains("did not finish"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(3));

    let config = dir.write(
        "config4",
        "[default]\ncredential_process = /nonexistent/tool\n",
    );
    let error = chain_with(&[("AWS_CONFIG_FILE", &config)])
        .provide_credentials()
        .unwrap_err();
    assert!(error.contains("could not be started"), "{error}");
}

// ---- 5. ECS ----

#[test]
fn ecs_container_credentials_with_a_token_or_a_token_file() {
    let fake = Fake::ecs(
        Issued::new("ASIAECS", "ecs-secret", Some("ecs-session")),
        Some("Bearer container-token"),
    );
    let uri = format!("{}/v2/credentials/task", fake.endpoint);
    let found = chain_with(&[
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "Bearer container-token",
        ),
    ])
    .provide_credentials();
    assert_eq!(
        key_of(found),
        key("ASIAECS", "ecs-secret", Some("ecs-session"))
    );
    let received = fake.received();
    assert_eq!(received[0].path, "/v2/credentials/task");
    assert_eq!(
        received[0].header("authorization"),
        Some("Bearer container-token")
    );

    // The token file wins over the variable (EKS Pod Identity rotates the file).
    let dir = TempDir::new("ecs");
    let file = dir.write("token", "Bearer container-token\n");
    let found = chain_with(&[
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer wrong"),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", &file),
    ])
    .provide_credentials();
    assert_eq!(key_of(found).0, "ASIAECS");

    // A wrong token: the endpoint's refusal, without its body.
    let error = chain_with(&[
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer wrong"),
    ])
    .provide_credentials()
    .unwrap_err();
    assert!(error.contains("HTTP 401"), "{error}");
    assert!(!error.contains("Bearer wrong"), "{error}");
}

// ---- 6. IMDSv2 ----

#[test]
fn instance_metadata_v2_token_then_role_then_credentials() {
    let fake = Fake::imds(Issued::new("ASIAIMDS", "imds-secret", Some("imds-session")));
    let found = chain(Environment::from_vars([(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        fake.endpoint.as_str(),
    )]))
    .provide_credentials();
    assert_eq!(
        key_of(found),
        key("ASIAIMDS", "imds-secret", Some("imds-session"))
    );
    let received = fake.received();
    let steps: Vec<(&str, &str)> = received
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("PUT", "/latest/api/token"),
            ("GET", "/latest/meta-data/iam/security-credentials/"),
            (
                "GET",
                "/latest/meta-data/iam/security-credentials/jovo-role"
            ),
        ]
    );
    assert_eq!(
        received[0].header("x-aws-ec2-metadata-token-ttl-seconds"),
        Some("21600")
    );
    assert_eq!(
        received[1].header("x-aws-ec2-metadata-token"),
        Some("imds-token-1")
    );
    assert_eq!(
        received[2].header("x-aws-ec2-metadata-token"),
        Some("imds-token-1")
    );
}

#[test]
fn instance_metadata_can_be_switched_off_and_is_given_one_second() {
    let fake = Fake::imds(Issued::new("ASIAIMDS", "imds-secret", None));
    let error = chain(Environment::from_vars([
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", fake.endpoint.as_str()),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]))
    .provide_credentials()
    .unwrap_err();
    assert!(fake.received().is_empty());
    // The error lists every source that was tried.
    for part in [
        "AWS_ACCESS_KEY_ID",
        "profile 'default'",
        "AWS_CONTAINER_CREDENTIALS",
        "AWS_EC2_METADATA_DISABLED",
    ] {
        assert!(error.contains(part), "{part} not in: {error}");
    }

    fake.delay(Duration::from_secs(3));
    let error = chain(Environment::from_vars([(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        fake.endpoint.as_str(),
    )]))
    .provide_credentials()
    .unwrap_err();
    assert!(error.contains("did not answer in time"), "{error}");
    // No bound on the time taken (a loaded machine could break one): the error at all shows the
    // 1 s limit ran out before the 3 s answer.
}

// ---- precedence ----

#[test]
fn each_source_is_used_only_when_the_ones_before_it_have_nothing() {
    let dir = TempDir::new("order");
    let credentials = dir.write(
        "credentials",
        "[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n",
    );
    let ecs = Fake::ecs(Issued::new("ASIAECS", "ecs-secret", Some("t")), None);
    let imds = Fake::imds(Issued::new("ASIAIMDS", "imds-secret", Some("t")));
    let ecs_uri = format!("{}/creds", ecs.endpoint);
    let all = [
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "env-secret"),
        ("AWS_SHARED_CREDENTIALS_FILE", credentials.as_str()),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs_uri.as_str()),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint.as_str()),
    ];
    let found = |skip: usize| {
        let env = Environment::from_vars(all.iter().skip(skip).copied());
        chain(env).provide_credentials().unwrap().access_key_id
    };
    assert_eq!(found(0), "AKIDENV");
    assert_eq!(found(2), "AKIDPROFILE");
    assert_eq!(found(3), "ASIAECS");
    assert_eq!(found(4), "ASIAIMDS");
    assert_eq!(ecs.received().len(), 1);
    assert_eq!(imds.credential_fetches(), 1);

    // A user's provider replaces the chain; the config's own keys beat both.
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let runtime = fresh_runtime(Environment::from_vars(all)).with_credentials_provider(move || {
        counted.fetch_add(1, Ordering::SeqCst);
        Ok(Credentials::new("AKIDUSER", "user-secret"))
    });
    let table = unique_table("provider");
    let mut store = runtime.open(config(server(), &table)).unwrap();
    store.save_user("u", &json!({"user": {}})).unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        0,
        "the config's keys were used"
    );
    let mut no_keys = config(server(), &table);
    no_keys.client.credentials = None;
    let mut store = runtime.open(no_keys).unwrap();
    store.load_user("u").unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(ecs.received().len(), 1, "the chain was not asked");
}

/// A runtime of its own (not the tests' shared one), with `environment`.
fn fresh_runtime(environment: Environment) -> Runtime {
    Runtime::from_component(COMPONENT, Some(&cache_dir()))
        .unwrap()
        .with_environment(environment)
}

fn without_keys(mut config: Config) -> Config {
    config.client.credentials = None;
    config
}

// ---- refresh ----

#[test]
fn temporary_credentials_are_refreshed_five_minutes_before_they_expire() {
    let fake = Fake::imds(Issued {
        expires_in: Duration::from_secs(3600),
        ..Issued::new("ASIAIMDS", "imds-secret", Some("session"))
    });
    let runtime = fresh_runtime(Environment::from_vars([(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        fake.endpoint.as_str(),
    )]));
    let table = unique_table("refresh");
    let mut blocking = runtime
        .open(without_keys(config(server(), &table)))
        .unwrap();
    let store = runtime
        .open_async(without_keys(config(server(), &table)))
        .unwrap();
    for i in 0..5 {
        blocking
            .save_user("u", &json!({"user": {"data": {"i": i}}}))
            .unwrap();
        tokio().block_on(store.load_user("u")).unwrap().unwrap();
    }
    assert_eq!(
        fake.credential_fetches(),
        1,
        "an hour left: fetched once, shared"
    );

    // Four minutes left: inside the five-minute margin. The blocking store fetches anew
    // before each signed request; the async store signs with the old ones (still valid)
    // and refreshes in the background.
    for kind in ["blocking", "async"] {
        let fake = Fake::imds(Issued {
            expires_in: Duration::from_secs(240),
            ..Issued::new("ASIAIMDS", "imds-secret", Some("session"))
        });
        let runtime = fresh_runtime(Environment::from_vars([(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            fake.endpoint.as_str(),
        )]));
        // Each load is one signed request once the table is known.
        if kind == "blocking" {
            let mut blocking = runtime
                .open(without_keys(config(server(), &table)))
                .unwrap();
            blocking.ensure_table().unwrap();
            let before = fake.credential_fetches();
            for _ in 0..3 {
                blocking.load_user("u").unwrap().unwrap();
            }
            assert_eq!(
                fake.credential_fetches() - before,
                3,
                "one fetch per request"
            );
        } else {
            let store = runtime
                .open_async(without_keys(config(server(), &table)))
                .unwrap();
            tokio().block_on(store.ensure_table()).unwrap();
            std::thread::sleep(Duration::from_millis(200));
            let before = fake.credential_fetches();
            for _ in 0..3 {
                tokio().block_on(store.load_user("u")).unwrap().unwrap();
                std::thread::sleep(Duration::from_millis(200));
            }
            assert_eq!(
                fake.credential_fetches() - before,
                3,
                "one refresh per request"
            );
        }
    }
}

#[test]
fn a_failed_refresh_keeps_credentials_that_have_not_expired() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let runtime = fresh_runtime(env(&[])).with_credentials_provider(move || {
        match counted.fetch_add(1, Ordering::SeqCst) {
            // Due for a refresh (4 minutes left) but still valid.
            0 => Ok(Credentials::new("ASIAFIRST", "first-secret")
                .with_session_token("first-token")
                .with_expiry(SystemTime::now() + Duration::from_secs(240))),
            _ => Err("the identity service is down".to_string()),
        }
    });
    let table = unique_table("refresh-fails");
    let store = runtime
        .open_async(without_keys(config(server(), &table)))
        .unwrap();
    for _ in 0..3 {
        tokio().block_on(store.load_user("u")).unwrap();
    }
    assert!(
        calls.load(Ordering::SeqCst) >= 3,
        "a refresh was tried each time"
    );

    // Expired credentials are never used.
    let runtime = fresh_runtime(env(&[])).with_credentials_provider(|| {
        Ok(Credentials::new("ASIAOLD", "old-secret")
            .with_expiry(SystemTime::now() - Duration::from_secs(1)))
    });
    let mut store = runtime
        .open(without_keys(config(server(), &table)))
        .unwrap();
    let error = store.load_user("u").unwrap_err();
    assert_eq!(error.code(), "credentials-unavailable", "{error}");
    assert!(error.to_string().contains("expired at"), "{error}");
}

// ---- secrets ----

#[test]
fn no_secret_of_any_source_reaches_an_error_text() {
    const SECRET: &str = "wJalrXUtnFEMI-K7MDENG-never-shown";
    let dir = TempDir::new("secrets");
    let leaky = dir.script(
        "leaky",
        &format!("echo '{{\"Version\":1,\"AccessKeyId\":\"AKIDLEAK\",\"SecretAccessKey\":\"{SECRET}\"}}'; exit 2"),
    );
    let config_file = dir.write(
        "config",
        &format!("[default]\ncredential_process = {leaky}\n"),
    );
    let ecs = Fake::ecs(Issued::new("AKIDLEAK", SECRET, None), None);
    ecs.answer_always((500, format!(r#"{{"SecretAccessKey":"{SECRET}"}}"#)));
    let imds = Fake::imds(Issued::new("AKIDLEAK", SECRET, None));
    imds.answer_always((
        200,
        format!(r#"{{"Code":"Failure","SecretAccessKey":"{SECRET}"}}"#),
    ));
    let ecs_uri = format!("{}/creds", ecs.endpoint);
    let environments = [
        env(&[("AWS_CONFIG_FILE", &config_file)]),
        env(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &ecs_uri)]),
        Environment::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint.as_str())]),
        env(&[
            ("AWS_ACCESS_KEY_ID", "AKIDLEAK"),
            ("AWS_SESSION_TOKEN", SECRET),
        ]),
        env(&[("AWS_SECRET_ACCESS_KEY", SECRET)]),
    ];
    let table = unique_table("secrets");
    for environment in environments {
        let runtime = fresh_runtime(environment);
        let mut blocking = runtime
            .open(without_keys(config(server(), &table)))
            .unwrap();
        let store = runtime
            .open_async(without_keys(config(server(), &table)))
            .unwrap();
        for error in [
            blocking.load_user("u").unwrap_err(),
            tokio().block_on(store.load_user("u")).unwrap_err(),
        ] {
            assert!(
                matches!(
                    error,
                    jovo_dynamodb_host::Error::Store(StoreError::CredentialsUnavailable(_))
                ),
                "{error}"
            );
            for text in [error.to_string(), format!("{error:?}")] {
                assert!(
                    !text.contains(SECRET) && !text.contains("AKIDLEAK"),
                    "{text}"
                );
            }
        }
    }
}

// ---- signatures verified by moto ----

struct MotoSetup {
    moto: moto::Moto,
    app: moto::Key,
    role: moto::Key,
}

fn moto_setup() -> &'static MotoSetup {
    static SETUP: OnceLock<MotoSetup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let moto = moto::Moto::start();
        let app = moto.user_with_policy("jovo-chain-app", &moto::SEED_PERMISSIONS);
        let role = moto.assumed_role("jovo-chain-role", &moto::SEED_PERMISSIONS);
        moto.enable_auth();
        MotoSetup { moto, app, role }
    })
}

fn moto_config(table: &str) -> Config {
    Config::for_table(table).with_endpoint(&moto_setup().moto.endpoint)
}

#[test]
fn moto_accepts_requests_signed_with_credentials_from_the_chain() {
    let setup = moto_setup();
    let dir = TempDir::new("moto");

    // A credential_process handing out the IAM user's keys, for the blocking store.
    let script = dir.script(
        "moto-creds",
        &process_json(
            &setup.app.access_key_id,
            &setup.app.secret_access_key,
            None,
            None,
        ),
    );
    let config_file = dir.write(
        "config",
        &format!("[profile app]\ncredential_process = {script}\n"),
    );
    let runtime = fresh_runtime(env(&[
        ("AWS_PROFILE", "app"),
        ("AWS_CONFIG_FILE", &config_file),
    ]));
    let table = unique_table("moto-chain");
    let mut store = runtime.open(moto_config(&table)).unwrap();
    store.ensure_table().unwrap();
    store
        .save_user(
            "u",
            &json!({"user": {"data": {"via": "credential_process"}}}),
        )
        .unwrap();
    assert_eq!(
        store.load_user("u").unwrap().unwrap()["user"]["data"]["via"],
        "credential_process"
    );
    assert_eq!(dir.runs("moto-creds"), 1, "long-term keys: run once");

    // Instance metadata handing out the role's temporary credentials (with their session
    // token, which moto compares), for the async store.
    let imds = Fake::imds(Issued::new(
        &setup.role.access_key_id,
        &setup.role.secret_access_key,
        setup.role.session_token.as_deref(),
    ));
    let runtime = fresh_runtime(Environment::from_vars([(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        imds.endpoint.as_str(),
    )]));
    let store = runtime.open_async(moto_config(&table)).unwrap();
    tokio().block_on(async {
        store
            .save_user("v", &json!({"user": {"data": {"via": "instance role"}}}))
            .await
            .unwrap();
        let loaded = store.load_user("v").await.unwrap().unwrap();
        assert_eq!(loaded["user"]["data"]["via"], "instance role");
    });

    // The container endpoint with a wrong secret: moto refuses the signature, so it
    // really checks what the chain delivered.
    let ecs = Fake::ecs(
        Issued::new(
            &setup.app.access_key_id,
            "wrong-secret-wrong-secret-wrong-secret0",
            None,
        ),
        None,
    );
    let uri = format!("{}/creds", ecs.endpoint);
    let runtime = fresh_runtime(env(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri)]));
    let store = runtime.open_async(moto_config(&table)).unwrap();
    let error = tokio().block_on(store.load_user("u")).unwrap_err();
    assert_eq!(error.code(), "access-denied", "{error}");
    assert!(!error.to_string().contains("wrong-secret"), "{error}");
}
