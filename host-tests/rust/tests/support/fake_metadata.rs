//! Fakes of our own, on 127.0.0.1 only, of where AWS code finds credentials at run time:
//! the ECS/Fargate container credentials endpoint and EC2 instance metadata (IMDSv2).
//! Tests point the chain at them with `AWS_CONTAINER_CREDENTIALS_FULL_URI` and
//! `AWS_EC2_METADATA_SERVICE_ENDPOINT`; nothing ever goes to 169.254.x.
#![allow(dead_code)] // used by the credential tests only

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A request one of the fakes received.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Credentials the fakes hand out, with an expiry `expires_in` from each request.
#[derive(Clone, Debug)]
pub struct Issued {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub token: Option<String>,
    pub expires_in: Duration,
}

impl Issued {
    pub fn new(access_key_id: &str, secret_access_key: &str, token: Option<&str>) -> Issued {
        Issued {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            token: token.map(str::to_string),
            expires_in: Duration::from_secs(6 * 3600),
        }
    }

    fn json(&self, imds: bool) -> String {
        let expiration = rfc3339(SystemTime::now() + self.expires_in);
        let mut json = serde_json::json!({
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "Token": self.token,
            "Expiration": expiration,
        });
        if imds {
            json["Code"] = "Success".into();
            json["Type"] = "AWS-HMAC".into();
            json["LastUpdated"] = rfc3339(SystemTime::now()).into();
        }
        json.to_string()
    }
}

pub fn rfc3339(time: SystemTime) -> String {
    let seconds = time.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// What a fake answers: status and body.
pub type Answer = (u16, String);

struct State {
    received: Vec<Received>,
    issued: Issued,
    /// Answer every request with this instead (errors, garbage).
    override_answer: Option<Answer>,
    /// Hold every answer this long (a metadata service that does not answer in time).
    delay: Duration,
    tokens_issued: u32,
}

/// One fake server; its thread runs until the test process exits.
pub struct Fake {
    pub endpoint: String,
    state: Arc<Mutex<State>>,
}

impl Fake {
    /// The ECS container endpoint: `GET <any path>` answers the issued credentials when
    /// `Authorization` equals `token` (when given), else 401.
    pub fn ecs(issued: Issued, token: Option<&str>) -> Fake {
        let token = token.map(str::to_string);
        Fake::start(issued, move |state, request| {
            if request.method != "GET" {
                return (405, String::new());
            }
            if token.is_some() && request.header("authorization") != token.as_deref() {
                return (401, r#"{"message":"bad authorization token"}"#.into());
            }
            (200, state.issued.json(false))
        })
    }

    /// IMDSv2: `PUT /latest/api/token` (with a TTL header) issues a session token, which
    /// every `GET` must carry; the instance role is `jovo-role`.
    pub fn imds(issued: Issued) -> Fake {
        Fake::start(issued, |state, request| {
            const ROLES: &str = "/latest/meta-data/iam/security-credentials/";
            if request.method == "PUT" && request.path == "/latest/api/token" {
                let ttl = request.header("x-aws-ec2-metadata-token-ttl-seconds");
                if ttl.and_then(|t| t.parse::<u32>().ok()).is_none() {
                    return (400, String::new());
                }
                state.tokens_issued += 1;
                return (200, format!("imds-token-{}", state.tokens_issued));
            }
            let valid = request
                .header("x-aws-ec2-metadata-token")
                .and_then(|t| t.strip_prefix("imds-token-"))
                .and_then(|n| n.parse::<u32>().ok())
                .is_some_and(|n| n >= 1 && n <= state.tokens_issued);
            if !valid {
                return (401, String::new());
            }
            match (request.method.as_str(), request.path.as_str()) {
                ("GET", ROLES) => (200, "jovo-role".into()),
                ("GET", path) if path == format!("{ROLES}jovo-role") => {
                    (200, state.issued.json(true))
                }
                _ => (404, String::new()),
            }
        })
    }

    fn start(
        issued: Issued,
        handler: impl Fn(&mut State, &Received) -> Answer + Send + Sync + 'static,
    ) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a fake metadata server");
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            received: Vec::new(),
            issued,
            override_answer: None,
            delay: Duration::ZERO,
            tokens_issued: 0,
        }));
        let shared = Arc::clone(&state);
        let handler = Arc::new(handler);
        std::thread::spawn(move || {
            for connection in listener.incoming() {
                let Ok(connection) = connection else { continue };
                let (state, handler) = (Arc::clone(&shared), Arc::clone(&handler));
                std::thread::spawn(move || serve(connection, &state, &*handler));
            }
        });
        Fake { endpoint, state }
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// How many requests asked for credentials (the role's, for IMDS).
    pub fn credential_fetches(&self) -> usize {
        self.received()
            .iter()
            .filter(|r| {
                r.method == "GET"
                    && !r
                        .path
                        .ends_with("/latest/meta-data/iam/security-credentials/")
            })
            .count()
    }

    pub fn set_issued(&self, issued: Issued) {
        self.state.lock().unwrap().issued = issued;
    }

    pub fn answer_always(&self, answer: Answer) {
        self.state.lock().unwrap().override_answer = Some(answer);
    }

    pub fn delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }
}

fn serve(
    connection: TcpStream,
    state: &Mutex<State>,
    handler: &dyn Fn(&mut State, &Received) -> Answer,
) {
    let mut reader = BufReader::new(match connection.try_clone() {
        Ok(c) => c,
        Err(_) => return,
    });
    let mut writer = connection;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
            return;
        };
        let (method, path) = (method.to_string(), path.to_string());
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let length: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let request = Received {
            method,
            path,
            headers,
        };
        let (answer, delay) = {
            let mut state = state.lock().unwrap();
            state.received.push(request.clone());
            let answer = match &state.override_answer {
                Some(answer) => answer.clone(),
                None => handler(&mut state, &request),
            };
            (answer, state.delay)
        };
        std::thread::sleep(delay);
        let (status, body) = answer;
        let response = format!(
            "HTTP/1.1 {status} Fake\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}
