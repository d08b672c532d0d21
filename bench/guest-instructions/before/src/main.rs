#[path = "../../canned_host.rs"] mod common;
use common::*;
use jovo_dynamodb_wasm::client::Client;
use jovo_dynamodb_wasm::config::{defaults_for, Settings};
use jovo_dynamodb_wasm::drive::block_on;
use jovo_dynamodb_wasm::host::{AwsCredentials, Environment, Host, HttpRequest, HttpResponse, Outcome};
impl Environment for &Canned {
    fn now_ms(&self) -> u64 { 1_764_000_000_000 }
    fn credentials(&self) -> Result<AwsCredentials, String> { Err("fixed".into()) }
}
impl Host for &Canned {
    async fn send(&self, r: HttpRequest, _: u32) -> Outcome {
        Ok(HttpResponse { status: 200, headers: vec![], body: answer_body(self, &target(&r.headers), &r.body) })
    }
    async fn sleep(&self, _: u32) {}
}
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (shape, op, n): (&str, &str, u32) = (&a[1], &a[2], a[3].parse().unwrap());
    let mut config = defaults_for("bench-users", "us-east-1");
    config.table.create_table_on_init = Some(false);
    config.client.endpoint = Some("http://127.0.0.1:8000".into());
    config.client.credentials = Some(AwsCredentials { access_key_id: "bench".into(), secret_access_key: "bench-secret".into(), session_token: None });
    let canned = Canned { stored: Default::default() };
    let client = Client::new(Settings::from_wit(config).ok().unwrap(), &canned);
    let text = item(shape);
    block_on(client.save_user("u", &text)).unwrap().unwrap();
    for _ in 0..n { if op == "load" { block_on(client.load_user("u")).unwrap().unwrap().unwrap(); } else { block_on(client.save_user("u", &text)).unwrap().unwrap(); } }
}
