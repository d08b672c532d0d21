//! The shared `credentials` and `config` files with profiles, and `credential_process`.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Credentials, Environment};

/// How long a `credential_process` may run before it is killed.
pub const PROCESS_TIMEOUT: Duration = Duration::from_secs(30);

/// What a `credential_process` may print; its JSON is a few hundred bytes.
const MAX_PROCESS_OUTPUT: u64 = 64 * 1024;

type Section = HashMap<String, String>;

/// One profile of the shared files: the config file's keys, overridden by the credentials
/// file's keys of the same name.
pub struct Profile {
    name: String,
    keys: Section,
    credentials_file: PathBuf,
    config_file: PathBuf,
    /// Whether either file has a section of this profile.
    found: bool,
}

impl Profile {
    /// The profile `AWS_PROFILE` (else `default`). Missing files count as empty; a file
    /// that exists but cannot be read is an error.
    pub fn load(env: &Environment) -> Result<Profile, String> {
        let name = env.var("AWS_PROFILE").unwrap_or_else(|| "default".into());
        let aws_dir = env.home().map(|home| home.join(".aws"));
        let file = |variable: &str, default: &str| -> Option<PathBuf> {
            env.var(variable)
                .map(|path| expand_home(&path, env))
                .or_else(|| aws_dir.as_ref().map(|dir| dir.join(default)))
        };
        let credentials_file = file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
        let config_file = file("AWS_CONFIG_FILE", "config");
        let mut keys = Section::new();
        let mut found = false;
        if let Some(path) = &config_file {
            let sections = read_ini(path)?;
            let wanted = if name == "default" {
                // `[default]`, or `[profile default]` which the CLI also accepts.
                ["default".to_string(), "profile default".to_string()].to_vec()
            } else {
                [format!("profile {name}")].to_vec()
            };
            for section in wanted {
                if let Some(values) = sections.get(&section) {
                    found = true;
                    keys.extend(values.clone());
                }
            }
        }
        if let Some(path) = &credentials_file {
            if let Some(values) = read_ini(path)?.get(&name) {
                found = true;
                keys.extend(values.clone());
            }
        }
        Ok(Profile {
            name,
            keys,
            credentials_file: credentials_file.unwrap_or_default(),
            config_file: config_file.unwrap_or_default(),
            found,
        })
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.keys
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// The profile's credentials: static keys, else `credential_process`; `None` when it
    /// defines neither (the chain goes on).
    pub fn credentials(&self, process_timeout: Duration) -> Option<Result<Credentials, String>> {
        let id = self.get("aws_access_key_id");
        let secret = self.get("aws_secret_access_key");
        match (id, secret) {
            (Some(id), Some(secret)) => {
                let mut credentials = Credentials::new(id, secret);
                credentials.session_token = self.get("aws_session_token").map(str::to_string);
                return Some(Ok(credentials));
            }
            (Some(_), None) | (None, Some(_)) if self.get("credential_process").is_none() => {
                return Some(Err(format!(
                    "the profile '{}' has only one of aws_access_key_id and aws_secret_access_key",
                    self.name
                )));
            }
            _ => {}
        }
        let command = self.get("credential_process")?;
        Some(
            run_credential_process(command, process_timeout)
                .map_err(|why| format!("profile '{}': {why}", self.name)),
        )
    }

    /// Why this profile gave no credentials, for the chain's error text.
    pub fn describe_missing(&self) -> String {
        if self.found {
            format!(
                "the profile '{}' in {} / {} has no credentials",
                self.name,
                self.credentials_file.display(),
                self.config_file.display()
            )
        } else {
            format!(
                "no profile '{}' in {} or {}",
                self.name,
                self.credentials_file.display(),
                self.config_file.display()
            )
        }
    }
}

fn expand_home(path: &str, env: &Environment) -> PathBuf {
    match (path.strip_prefix("~/"), env.home()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

fn read_ini(path: &Path) -> Result<HashMap<String, Section>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(parse_ini(&text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HashMap::new()),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// The AWS shared-file format: `[section]` headers, `key = value` lines, `#` and `;`
/// comment lines; indented lines (nested settings such as `s3 =` blocks) are skipped.
/// Section names have their inner whitespace collapsed (`[profile   x]` is `profile x`);
/// keys are lower case. A section that appears twice is merged.
pub fn parse_ini(text: &str) -> HashMap<String, Section> {
    let mut sections: HashMap<String, Section> = HashMap::new();
    let mut current: Option<String> = None;
    for raw in text.lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if trimmed.len() < line.len() {
            continue; // a nested setting of the key above
        }
        if let Some(header) = trimmed.strip_prefix('[') {
            current = header.split_once(']').map(|(name, _)| {
                let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
                sections.entry(name.clone()).or_default();
                name
            });
            continue;
        }
        if let (Some(section), Some((key, value))) = (&current, trimmed.split_once('=')) {
            sections
                .entry(section.clone())
                .or_default()
                .insert(key.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    sections
}

/// Splits a command line as the AWS CLI does (Python's `shlex.split`, POSIX mode): words
/// separated by whitespace, `'…'` literal, `"…"` with `\"` and `\\` escapes, `\` escaping
/// the next character outside quotes. No shell is involved.
pub fn split_command_line(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("no closing quotation".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("no closing quotation".into()),
                        },
                        Some(c) => word.push(c),
                        None => return Err("no closing quotation".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err("no escaped character".into()),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

/// Runs `credential_process` (no shell) and reads its JSON:
/// `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}`.
/// Its standard error goes to ours (it may prompt, as with the AWS CLI). Error texts name
/// the program only: arguments may carry secrets, and its output does.
pub fn run_credential_process(command: &str, timeout: Duration) -> Result<Credentials, String> {
    let argv = split_command_line(command)
        .map_err(|why| format!("credential_process cannot be split into words: {why}"))?;
    let Some((program, args)) = argv.split_first() else {
        return Err("credential_process is empty".into());
    };
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("credential_process '{program}' could not be started: {e}"))?;
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let reader = std::thread::spawn(move || {
        let mut output = Vec::new();
        let result = (&mut stdout)
            .take(MAX_PROCESS_OUTPUT)
            .read_to_end(&mut output);
        // Drain the rest so the process never blocks on a full pipe.
        let _ = std::io::copy(&mut stdout, &mut std::io::sink());
        result.map(|_| output)
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "credential_process '{program}' did not finish within {} s and was stopped",
                    timeout.as_secs_f64()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("credential_process '{program}': {e}")),
        }
    };
    let output = reader
        .join()
        .map_err(|_| format!("credential_process '{program}': reading its output failed"))?
        .map_err(|e| format!("credential_process '{program}': reading its output: {e}"))?;
    if !status.success() {
        return Err(format!("credential_process '{program}' failed ({status})"));
    }
    parse_process_output(&output).map_err(|why| format!("credential_process '{program}': {why}"))
}

fn parse_process_output(output: &[u8]) -> Result<Credentials, String> {
    let json: serde_json::Value =
        serde_json::from_slice(output).map_err(|_| "its output is not JSON".to_string())?;
    let version = json.get("Version").map(|v| v.to_string());
    if version.as_deref() != Some("1") {
        return Err(format!(
            "its output has Version {}, expected 1",
            version.as_deref().unwrap_or("(none)")
        ));
    }
    Credentials::from_json_fields(&json, "SessionToken", "its output")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_split_like_the_aws_cli() {
        let cases: [(&str, &[&str]); 7] = [
            (
                "/bin/get-creds --profile x",
                &["/bin/get-creds", "--profile", "x"],
            ),
            ("  a   b  ", &["a", "b"]),
            (
                r#"tool "two words" 'single $quoted'"#,
                &["tool", "two words", "single $quoted"],
            ),
            (r#"tool "say \"hi\" \n""#, &["tool", r#"say "hi" \n"#]),
            (r"tool a\ b c\\d", &["tool", "a b", r"c\d"]),
            (r#"tool ""  x''"#, &["tool", "", "x"]),
            ("tool --json={\"a\":1}", &["tool", "--json={a:1}"]),
        ];
        for (line, words) in cases {
            assert_eq!(split_command_line(line).unwrap(), words, "{line}");
        }
        assert!(split_command_line("tool 'open").is_err());
        assert!(split_command_line("tool \"open").is_err());
        assert!(split_command_line("").unwrap().is_empty());
    }

    #[test]
    fn ini_sections_keys_comments_and_nested_settings() {
        let sections = parse_ini(
            "# comment\n[default]\naws_access_key_id = AKID\nAWS_Secret_Access_Key=secret = with equals\n\
             ; another comment\n[profile   dev]\nregion = eu-west-1\ns3 =\n  max_concurrent_requests = 20\n\
             credential_process = tool --x\n[default]\nregion=us-east-2\n",
        );
        let default = &sections["default"];
        assert_eq!(default["aws_access_key_id"], "AKID");
        assert_eq!(default["aws_secret_access_key"], "secret = with equals");
        assert_eq!(default["region"], "us-east-2");
        let dev = &sections["profile dev"];
        assert_eq!(dev["region"], "eu-west-1");
        assert_eq!(dev["credential_process"], "tool --x");
        assert!(!dev.contains_key("max_concurrent_requests"));
    }

    #[test]
    fn process_output_is_checked() {
        let ok = parse_process_output(
            br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","Expiration":"2026-11-24T10:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(ok.session_token.as_deref(), Some("T"));
        assert!(ok.expiry.is_some());
        for (output, why) in [
            (&b"not json"[..], "not JSON"),
            (
                br#"{"Version":2,"AccessKeyId":"A","SecretAccessKey":"S"}"#,
                "Version 2",
            ),
            (br#"{"Version":1,"AccessKeyId":"A"}"#, "lacks"),
            (
                br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","Expiration":"soon"}"#,
                "RFC 3339",
            ),
        ] {
            let error = parse_process_output(output).unwrap_err();
            assert!(error.contains(why), "{error}");
        }
    }
}
