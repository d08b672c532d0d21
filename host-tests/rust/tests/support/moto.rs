//! A moto server on 127.0.0.1: the one local DynamoDB stand-in that checks SigV4
//! signatures and IAM policies. Installed by `scripts/install-moto.sh` (a pinned venv at
//! host-tests/.venv-moto); IAM users, roles and keys are made through moto's own IAM and
//! STS APIs before auth is switched on with `POST /moto-api/reset-auth`.
#![allow(dead_code)] // used by the signature tests only

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// The eight permissions the Jovo DynamoDB integration documents for its IAM user.
pub const SEED_PERMISSIONS: [&str; 8] = [
    "dynamodb:CreateTable",
    "dynamodb:DescribeTable",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
];

/// An access key moto issued.
#[derive(Clone, Debug)]
pub struct Key {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

/// A running moto server. It is stopped by its PID when this handle is dropped or, for a
/// server kept in a static, when the test process exits: a small bash wrapper holds the
/// PID and kills it as soon as its standard input (our pipe) closes.
pub struct Moto {
    pub endpoint: String,
    pub pid: u32,
    wrapper: Child,
    stdin: Option<ChildStdin>,
}

/// The moto_server executable, installed on demand. Panics with the reason when it cannot
/// be installed: a test that needs moto must not pass without it.
pub fn moto_server_path() -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/install-moto.sh");
    let output = Command::new("bash")
        .arg(&script)
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let path = stdout.lines().last().unwrap_or("").trim().to_string();
    assert!(
        output.status.success() && Path::new(&path).is_file(),
        "moto is not installed and {} failed ({}): these tests need moto's server \
         (pip install 'moto[server]' into host-tests/.venv-moto); output: {stdout}",
        script.display(),
        output.status
    );
    PathBuf::from(path)
}

impl Moto {
    pub fn start() -> Moto {
        let server = moto_server_path();
        let port = free_port();
        let log =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../target/moto-{port}.log"));
        let mut wrapper = Command::new("bash")
            .arg("-c")
            .arg(r#""$0" -H 127.0.0.1 -p "$1" >"$2" 2>&1 & pid=$!; echo "pid $pid"; cat >/dev/null; kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; exit 0"#)
            .arg(&server)
            .arg(port.to_string())
            .arg(&log)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start moto_server through bash");
        let mut line = String::new();
        BufReader::new(wrapper.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("read moto's pid");
        let pid: u32 = line
            .trim()
            .strip_prefix("pid ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("moto wrapper said {line:?}"));
        let stdin = wrapper.stdin.take();
        let moto = Moto {
            endpoint: format!("http://127.0.0.1:{port}"),
            pid,
            wrapper,
            stdin,
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            let log_text = std::fs::read_to_string(&log).unwrap_or_default();
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "moto_server did not listen on port {port} within 30 s; log: {log_text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        moto
    }

    /// A call of moto's IAM or STS Query API (form-encoded POST), before auth is on. moto
    /// routes by the service in the Authorization header's credential scope; the signature
    /// is not checked yet. Returns the XML answer; panics on an error status.
    pub fn query(&self, service: &str, params: &[(&str, &str)]) -> String {
        let body = params
            .iter()
            .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=00"
        );
        let (status, text) = post(
            &self.endpoint,
            &[
                (
                    "content-type",
                    "application/x-www-form-urlencoded; charset=utf-8",
                ),
                ("authorization", &authorization),
                ("x-amz-date", "20260101T000000Z"),
            ],
            body,
        );
        assert_eq!(status, 200, "moto {service} {params:?} failed: {text}");
        text
    }

    /// An IAM user with an inline policy allowing exactly `actions` on every resource,
    /// and an access key of it.
    pub fn user_with_policy(&self, name: &str, actions: &[&str]) -> Key {
        self.query(
            "iam",
            &[
                ("Action", "CreateUser"),
                ("Version", "2010-05-08"),
                ("UserName", name),
            ],
        );
        self.query(
            "iam",
            &[
                ("Action", "PutUserPolicy"),
                ("Version", "2010-05-08"),
                ("UserName", name),
                ("PolicyName", "jovo-dynamodb"),
                ("PolicyDocument", &policy(actions)),
            ],
        );
        let answer = self.query(
            "iam",
            &[
                ("Action", "CreateAccessKey"),
                ("Version", "2010-05-08"),
                ("UserName", name),
            ],
        );
        Key {
            access_key_id: xml(&answer, "AccessKeyId"),
            secret_access_key: xml(&answer, "SecretAccessKey"),
            session_token: None,
        }
    }

    /// Temporary credentials (with a session token) of a role allowed exactly `actions`,
    /// from STS AssumeRole. moto checks such keys against the role's policies and compares
    /// the session token of each request with the one it issued.
    pub fn assumed_role(&self, name: &str, actions: &[&str]) -> Key {
        let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;
        let created = self.query(
            "iam",
            &[
                ("Action", "CreateRole"),
                ("Version", "2010-05-08"),
                ("RoleName", name),
                ("AssumeRolePolicyDocument", trust),
            ],
        );
        self.query(
            "iam",
            &[
                ("Action", "PutRolePolicy"),
                ("Version", "2010-05-08"),
                ("RoleName", name),
                ("PolicyName", "jovo-dynamodb"),
                ("PolicyDocument", &policy(actions)),
            ],
        );
        let answer = self.query(
            "sts",
            &[
                ("Action", "AssumeRole"),
                ("Version", "2011-06-15"),
                ("RoleArn", &xml(&created, "Arn")),
                ("RoleSessionName", "jovo-session"),
            ],
        );
        Key {
            access_key_id: xml(&answer, "AccessKeyId"),
            secret_access_key: xml(&answer, "SecretAccessKey"),
            session_token: Some(xml(&answer, "SessionToken")),
        }
    }

    /// Switches signature and IAM checks on for every later request.
    pub fn enable_auth(&self) {
        let (status, text) = post(
            &format!("{}/moto-api/reset-auth", self.endpoint),
            &[("content-type", "text/plain")],
            "0".to_string(),
        );
        assert_eq!(status, 200, "reset-auth failed: {text}");
        assert!(text.contains("ok"), "reset-auth answered {text}");
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        // Closing the wrapper's stdin makes it kill moto by its PID and exit.
        drop(self.stdin.take());
        let _ = self.wrapper.wait();
    }
}

fn policy(actions: &[&str]) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]
    })
    .to_string()
}

fn post(url: &str, headers: &[(&str, &str)], body: String) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut request = agent.post(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut response = request.send(body).expect("call moto");
    let status = response.status().as_u16();
    let mut text = String::new();
    response
        .body_mut()
        .as_reader()
        .read_to_string(&mut text)
        .expect("moto's answer");
    (status, text)
}

/// The text of the first `<name>` element.
fn xml(text: &str, name: &str) -> String {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = text
        .find(&open)
        .unwrap_or_else(|| panic!("no <{name}> in {text}"))
        + open.len();
    let end = start + text[start..].find(&close).expect("closing tag");
    text[start..end].to_string()
}

fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}
