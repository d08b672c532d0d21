// `make demo`: one user, three hosts, one DynamoDB table.
//
// A Jovo v4 app (the template's shape, bundled as `jovo deploy:code` bundles it, behind HTTP)
// answers three Alexa LaunchRequests of one user; the first finds no table and still succeeds.
// The Python host (asyncio) and the Rust host (tokio) then each load that user through the
// same component and add a visit, and so does a wasi:http app component composed with the WASI
// build, served by wasmtime's wasi:http host; the Jovo app's next answer counts them. Finally the item is
// shown as DynamoDB holds it. Expects DYNAMODB_ENDPOINT (scripts/with-dynalite.sh sets it).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const endpoint = process.env.DYNAMODB_ENDPOINT;
const table = 'jovo-demo-users';
const user = 'amzn1.ask.account.DEMO-USER';
const started = performance.now();

function step(label, detail, ms) {
  console.log(`  ${label.padEnd(30)} ${detail.padEnd(42)} ${ms.toFixed(0).padStart(5)} ms`);
}

/** Runs a program to its end; resolves with its stdout, rejects with its stderr. */
function run(command, args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} failed:\n${err || out}`))));
  });
}

/** Starts the Jovo app's HTTP server; resolves with its URL and the child process. */
function startJovo() {
  const child = spawn(process.execPath, [join(root, 'demo/jovo-http-server.cjs'), join(root, 'build/demo/jovo-lambda.cjs')], {
    env: { ...process.env, DYNAMODB_TABLE: table, AWS_EC2_METADATA_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`the Jovo app exited with ${code}`)));
    child.stdout.on('data', (data) => {
      const url = /^listening (\S+)/m.exec(String(data))?.[1];
      if (url) resolve({ url, child });
    });
  });
}

function launchRequest() {
  const applicationId = 'amzn1.ask.skill.00000000-0000-0000-0000-0000000000de';
  return {
    version: '1.0',
    session: { new: true, sessionId: `amzn1.echo-api.session.${randomUUID()}`, application: { applicationId }, attributes: {}, user: { userId: user } },
    context: { System: { application: { applicationId }, user: { userId: user }, device: { deviceId: 'demo', supportedInterfaces: {} }, apiEndpoint: 'https://api.amazonalexa.com' } },
    request: { type: 'LaunchRequest', requestId: `amzn1.echo-api.request.${randomUUID()}`, timestamp: new Date().toISOString(), locale: 'en-US' },
  };
}

async function askJovo(url, label) {
  const t = performance.now();
  const response = await fetch(url, { method: 'POST', body: JSON.stringify(launchRequest()) });
  if (!response.ok) throw new Error(`the Jovo app answered ${response.status}: ${await response.text()}`);
  const speech = (await response.json()).response.outputSpeech.ssml.replace(/<\/?speak>/g, '');
  step(label, `"${speech}"`, performance.now() - t);
}

async function visitFrom(label, command, args) {
  const t = performance.now();
  const { visits, open_ms: openMs, load_save_ms: loadSaveMs } = JSON.parse(await run(command, args));
  step(label, `visit ${visits} (open ${openMs} ms, load + save ${loadSaveMs} ms)`, performance.now() - t);
}

/** The stored item, attribute values as DynamoDB returns them (dynalite checks no signature). */
async function storedItem() {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.GetItem',
      'x-amz-date': '20260101T000000Z',
      authorization: 'AWS4-HMAC-SHA256 Credential=demo/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00',
    },
    body: JSON.stringify({ TableName: table, Key: { userId: { S: user } }, ConsistentRead: true }),
  });
  return (await response.json()).Item;
}

console.log(`jovo-dynamodb-wasm demo: one user, three hosts, one table "${table}" (dynalite at ${endpoint})\n`);
const jovo = await startJovo();
try {
  console.log(`  Jovo v4 app on Node ${process.versions.node}, bundled Lambda handler behind HTTP:`);
  await askJovo(jovo.url, 'LaunchRequest, no table yet');
  await askJovo(jovo.url, 'LaunchRequest');
  await askJovo(jovo.url, 'LaunchRequest');
  console.log('  The same user from the other hosts, through the same component:');
  await visitFrom('Python, asyncio store', join(root, 'build/demo/venv/bin/python'), [join(root, 'demo/visit.py'), endpoint, table, user]);
  await visitFrom('Rust, tokio store', join(root, 'target/release/demo'), [endpoint, table, user]);
  await visitFrom('wasi:http app + WASI build (wac plug), wasmtime serve', join(root, 'target/release/visit-composed'), [endpoint, table, user]);
  console.log('  Back in the Jovo app:');
  await askJovo(jovo.url, 'LaunchRequest');
  console.log('\n  The item as DynamoDB holds it (the format of @jovotech/db-dynamodb):');
  for (const [name, value] of Object.entries(await storedItem())) console.log(`    ${name.padEnd(10)} ${JSON.stringify(value)}`);
} finally {
  jovo.child.removeAllListeners('exit');
  jovo.child.kill();
}
console.log(`\ndone in ${((performance.now() - started) / 1000).toFixed(1)} s`);
