//! The shared network fixture (scripts/node/network-fixture.cjs) in front of the tests'
//! dynalite: a TLS terminator with a private CA made at start, a self-signed and a
//! wrong-host certificate, a stalled server, a CONNECT proxy, servers with skewed clocks, a
//! redirect. Tests that count (handshakes, tunnels) start their own, so that tests running
//! in parallel never see each other's counts.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

pub struct NetworkFixture {
    child: Child,
    dir: PathBuf,
    /// `ca.pem` of the private CA.
    pub ca: PathBuf,
    control: String,
    endpoints: Value,
}

impl NetworkFixture {
    /// A fixture forwarding to the DynamoDB at `upstream` (`http://127.0.0.1:P`).
    pub fn start(upstream: &str) -> NetworkFixture {
        static STARTED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/node/network-fixture.cjs");
        let dir = std::env::temp_dir().join(format!(
            "jovo-network-fixture-{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        let mut child = Command::new("node")
            .arg(&script)
            .args(["--upstream", upstream, "--dir"])
            .arg(&dir)
            .arg("--exit-with-stdin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the network fixture: are node and openssl installed?");
        let stdout = child.stdout.take().expect("fixture stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the fixture's first line");
        let started: Value = serde_json::from_str(&line)
            .unwrap_or_else(|_| panic!("the network fixture did not start: {line:?}"));
        NetworkFixture {
            child,
            dir,
            ca: PathBuf::from(started["ca"].as_str().expect("ca path")),
            control: started["control"].as_str().expect("control").to_string(),
            endpoints: started["endpoints"].clone(),
        }
    }

    /// `tls`, `tlsIp`, `selfSigned`, `wrongHost`, `stalled`, `proxy`, `skewAhead`,
    /// `skewBehind`, `redirect`, `redirectTarget`.
    pub fn endpoint(&self, name: &str) -> String {
        self.endpoints[name]
            .as_str()
            .unwrap_or_else(|| panic!("the fixture has no endpoint {name}"))
            .to_string()
    }

    /// The CA certificate as PEM text.
    pub fn ca_pem(&self) -> String {
        std::fs::read_to_string(&self.ca).expect("read the fixture's CA")
    }

    /// `{"handshakes": {"tls", "selfSigned", "wrongHost"}, "tunnels", "proxied",
    /// "redirectTargetHits", "skewRefused", "stalledConnections"}`.
    pub fn counts(&self) -> Value {
        self.control("/counts")
    }

    pub fn reset(&self) {
        self.control("/reset");
    }

    fn control(&self, path: &str) -> Value {
        // Direct, whatever proxy the developer's environment names.
        let agent: ureq::Agent = ureq::Agent::config_builder().proxy(None).build().into();
        let text = agent
            .get(format!("{}{path}", self.control))
            .call()
            .expect("the fixture's control endpoint")
            .body_mut()
            .read_to_string()
            .expect("the fixture's counts");
        serde_json::from_str(&text).expect("counts are JSON")
    }
}

impl Drop for NetworkFixture {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
