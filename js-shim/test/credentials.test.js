// User stories of where credentials and the region come from: on AWS Lambda the runtime's
// environment, on a server the config, the environment, ~/.aws/credentials and ~/.aws/config
// (with credential_process), on ECS the container endpoint, on EC2 instance metadata. A
// recording proxy in front of dynalite (its own process) shows which access key and region
// signed each request; fakes of the ECS endpoint and of IMDSv2 run on 127.0.0.1. The chain's
// own tests give it an env object, never the process environment; the plugin's tests (which
// read process.env) keep instance metadata off.
import './support/loopback-only.js';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { CredentialsSource, parseIni, regionFromEnvironment, resolveRegion, splitCommandLine } from '../src/credentials.js';
import { DynamoDb } from '../src/index.js';
import { openChainStore } from './support/chain-store.js';
import { uniqueTableName } from './support/config.js';
import { startDynalite } from './support/dynalite.js';
import { assertMetadataSafe } from './support/loopback-only.js';
import { credentialsDocument, startFakeEcs, startFakeImds } from './support/metadata-servers.js';
import { startProxy } from './support/proxy.js';

const AWS_VARIABLES = [
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE',
  'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_EC2_METADATA_SERVICE_ENDPOINT',
];
// scripts/test.sh exports it too; this file never relies on that.
process.env.AWS_EC2_METADATA_DISABLED = 'true';
const SECRET = 'secret-that-must-never-show';

let dynalite;
let proxy;
let savedEnvironment;
const plugins = [];
const credentialsFile = join(mkdtempSync(join(tmpdir(), 'jovo-dynamodb-credentials-')), 'credentials');
writeFileSync(credentialsFile, [
  '[default]',
  'aws_access_key_id = AKIDFILEDEFAULT',
  `aws_secret_access_key = ${SECRET}`,
  '',
  '[work]',
  'aws_access_key_id=AKIDFILEWORK',
  `aws_secret_access_key=${SECRET}`,
  'aws_session_token=work-session-token',
].join('\n'));

before(async () => {
  dynalite = await startDynalite();
  proxy = await startProxy(dynalite.endpoint);
});
after(async () => {
  await Promise.all(plugins.map((plugin) => plugin.close()));
  await proxy.stop();
  await dynalite.stop();
});
beforeEach(async () => {
  savedEnvironment = Object.fromEntries(AWS_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of AWS_VARIABLES) delete process.env[name];
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(tmpdir(), 'no-such-credentials-file');
  process.env.AWS_CONFIG_FILE = join(tmpdir(), 'no-such-config-file');
  await proxy.reset();
});
afterEach(() => {
  for (const [name, value] of Object.entries(savedEnvironment)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** Ensures a new table through the proxy with `dynamoDbClient` and returns the plugin. */
async function initializedPlugin(dynamoDbClient) {
  const plugin = new DynamoDb({
    table: { name: uniqueTableName() },
    libraryConfig: { dynamoDbClient: { endpoint: proxy.endpoint, ...dynamoDbClient } },
  });
  plugins.push(plugin);
  await plugin.initialize();
  return plugin;
}

function onlyValue(values) {
  assert.ok(values.length > 0, 'requests reached the proxy');
  assert.equal(new Set(values).size, 1, `one value expected, got ${values}`);
  return values[0];
}

describe('credentials and region', () => {
  test('on AWS Lambda, a table name is enough: keys, session token and region come from the environment', async () => {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'ASIALAMBDAROLE',
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_SESSION_TOKEN: 'lambda-session-token',
      AWS_REGION: 'eu-central-1',
    });
    await initializedPlugin({});
    assert.equal(onlyValue(await proxy.accessKeyIds()), 'ASIALAMBDAROLE');
    assert.equal(onlyValue(await proxy.sessionTokens()), 'lambda-session-token');
    assert.equal(onlyValue(await proxy.regions()), 'eu-central-1');
  });

  test('explicit config credentials and region win over the environment', async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: SECRET, AWS_REGION: 'eu-west-1' });
    await initializedPlugin({ region: 'us-west-2', credentials: { accessKeyId: 'AKIDCONFIG', secretAccessKey: SECRET } });
    assert.equal(onlyValue(await proxy.accessKeyIds()), 'AKIDCONFIG');
    assert.equal(onlyValue(await proxy.regions()), 'us-west-2');
  });

  test('AWS_DEFAULT_REGION is used when AWS_REGION is not set', async () => {
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: SECRET, AWS_DEFAULT_REGION: 'ap-south-1' });
    await initializedPlugin({});
    assert.equal(onlyValue(await proxy.regions()), 'ap-south-1');
  });

  test('outside AWS, the shared credentials file is read, with the profile AWS_PROFILE names', async () => {
    process.env.AWS_SHARED_CREDENTIALS_FILE = credentialsFile;
    await initializedPlugin({ region: 'us-east-1' });
    assert.equal(onlyValue(await proxy.accessKeyIds()), 'AKIDFILEDEFAULT');

    await proxy.reset();
    process.env.AWS_PROFILE = 'work';
    await initializedPlugin({ region: 'us-east-1' });
    assert.equal(onlyValue(await proxy.accessKeyIds()), 'AKIDFILEWORK');
    assert.equal(onlyValue(await proxy.sessionTokens()), 'work-session-token');
  });

  test('environment credentials win over the shared credentials file', async () => {
    process.env.AWS_SHARED_CREDENTIALS_FILE = credentialsFile;
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: SECRET });
    await initializedPlugin({ region: 'us-east-1' });
    assert.equal(onlyValue(await proxy.accessKeyIds()), 'AKIDENV');
  });

  test('a profile of ~/.aws/config gives the region and, through credential_process, the keys', async () => {
    const output = JSON.stringify({ Version: 1, AccessKeyId: 'ASIAPROFILEPROCESS', SecretAccessKey: SECRET, SessionToken: 'process-token' });
    const spec = join(mkdtempSync(join(tmpdir(), 'jovo-dynamodb-process-')), 'spec.json');
    writeFileSync(spec, JSON.stringify({ stdout: output }));
    const script = fileURLToPath(new URL('./support/credential-process.js', import.meta.url));
    const config = join(mkdtempSync(join(tmpdir(), 'jovo-dynamodb-config-')), 'config');
    writeFileSync(config, `[profile voice]\nregion = eu-south-1\ncredential_process = ${process.execPath} ${script} ${spec}\n`);
    Object.assign(process.env, { AWS_CONFIG_FILE: config, AWS_PROFILE: 'voice' });
    await initializedPlugin({});
    assert.equal(onlyValue(await proxy.accessKeyIds()), 'ASIAPROFILEPROCESS');
    assert.equal(onlyValue(await proxy.sessionTokens()), 'process-token');
    assert.equal(onlyValue(await proxy.regions()), 'eu-south-1');
  });

  test('an async credentials provider (as from @aws-sdk/credential-providers) is asked and its result reused', async () => {
    let calls = 0;
    const provider = async () => {
      calls += 1;
      return { accessKeyId: 'AKIDPROVIDED', secretAccessKey: SECRET, expiration: new Date(Date.now() + 3600_000) };
    };
    const plugin = await initializedPlugin({ region: 'us-east-1', credentials: provider });
    await plugin.deleteData('nobody');
    assert.equal(onlyValue(await proxy.accessKeyIds()), 'AKIDPROVIDED');
    assert.equal(calls, 1);
  });

  test('no credentials anywhere fails with code credentials-unavailable, saying where it looked', async () => {
    const plugin = new DynamoDb({ table: { name: uniqueTableName() }, libraryConfig: { dynamoDbClient: { endpoint: proxy.endpoint, region: 'us-east-1' } } });
    plugins.push(plugin);
    await assert.rejects(plugin.initialize(), (error) => {
      assert.equal(error.code, 'credentials-unavailable');
      assert.match(error.message, /AWS_ACCESS_KEY_ID/);
      assert.match(error.message, /no-such-credentials-file/);
      return true;
    });
    assert.deepEqual(await proxy.recorded(), [], 'nothing was sent unsigned');
  });
});

// --- the chain, with an env object of the test's own ------------------------------------------

const SESSION_TOKEN = 'session-token-that-must-never-show';
const PROCESS_SCRIPT = fileURLToPath(new URL('./support/credential-process.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'jovo-dynamodb-chain-'));
let scratchFiles = 0;
const MISSING_CREDENTIALS_FILE = join(scratch, 'missing-credentials');
const MISSING_CONFIG_FILE = join(scratch, 'missing-config');

function scratchFile(name, text) {
  const path = join(scratch, `${++scratchFiles}-${name}`);
  writeFileSync(path, text);
  return path;
}

/** The credential_process output of version 1. */
function processOutput({ id, secret = SECRET, token = SESSION_TOKEN, inMs } = {}) {
  return JSON.stringify({
    Version: 1,
    AccessKeyId: id,
    SecretAccessKey: secret,
    SessionToken: token,
    ...(inMs === undefined ? {} : { Expiration: new Date(Date.now() + inMs).toISOString() }),
  });
}

/** A credential_process line running support/credential-process.js with `spec`; `runs()` counts its runs. */
function credentialProcess(spec, extraArguments = '') {
  const countFile = join(scratch, `${++scratchFiles}-runs`);
  const specFile = scratchFile('spec.json', JSON.stringify({ countFile, ...spec }));
  return {
    command: `${process.execPath} ${PROCESS_SCRIPT} ${specFile}${extraArguments}`,
    runs: () => (existsSync(countFile) ? readFileSync(countFile, 'utf8').split('\n').length - 1 : 0),
    argumentsSeen: () => readFileSync(countFile, 'utf8').split('\n')[0],
  };
}

/** An environment with nothing but IMDS off and missing shared files, plus `vars`. */
function chainEnv(vars = {}) {
  return {
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SHARED_CREDENTIALS_FILE: MISSING_CREDENTIALS_FILE,
    AWS_CONFIG_FILE: MISSING_CONFIG_FILE,
    ...vars,
  };
}

function chain(vars, options = {}) {
  const env = chainEnv(vars);
  assertMetadataSafe(env, options);
  return new CredentialsSource(undefined, env, options);
}

async function resolved(source) {
  await source.refresh();
  return source.current();
}

/** The reason `current()` gives after a refresh; it must hold no secret. */
async function failureOf(source) {
  await source.refresh();
  let reason;
  assert.throws(() => source.current(), (error) => {
    reason = error.payload;
    assert.equal(error.message, reason);
    return true;
  });
  assertNoSecret(reason);
  return reason;
}

function assertNoSecret(text) {
  for (const secret of [SECRET, SESSION_TOKEN, 'fake-imds-session-token', 'container-auth-token']) {
    assert.ok(!String(text).includes(secret), `a secret reached: ${text}`);
  }
}

describe('the credential chain, in order', () => {
  let ecs;
  let imds;
  before(async () => {
    ecs = await startFakeEcs();
    imds = await startFakeImds();
  });
  after(async () => {
    await ecs.stop();
    await imds.stop();
  });
  beforeEach(() => {
    ecs.requests.length = 0;
    imds.requests.length = 0;
    Object.assign(ecs.state, { status: 200, delayMs: 0, token: undefined, document: credentialsDocument({ accessKeyId: 'ASIAECS', secretAccessKey: SECRET, token: SESSION_TOKEN }) });
    Object.assign(imds.state, { role: 'jovo-instance-role', failing: false, delayMs: 0, document: credentialsDocument({ accessKeyId: 'ASIAIMDS', secretAccessKey: SECRET, token: SESSION_TOKEN }) });
  });
  const imdsOn = () => ({ AWS_EC2_METADATA_DISABLED: 'false', AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint });

  test('2. the environment (with a session token) wins over profiles, ECS and IMDS', async () => {
    const profile = scratchFile('credentials', `[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = ${SECRET}\n`);
    const source = chain({
      AWS_ACCESS_KEY_ID: 'ASIAENV', AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: SESSION_TOKEN,
      AWS_SHARED_CREDENTIALS_FILE: profile, AWS_CONTAINER_CREDENTIALS_FULL_URI: `${ecs.endpoint}/creds`, ...imdsOn(),
    });
    assert.deepEqual(await resolved(source), { accessKeyId: 'ASIAENV', secretAccessKey: SECRET, sessionToken: SESSION_TOKEN });
    assert.equal(ecs.requests.length + imds.requests.length, 0);
  });

  test('half an environment key pair is passed over, and said so when nothing else is found', async () => {
    const source = chain({ AWS_ACCESS_KEY_ID: 'AKIDHALF' });
    assert.match(await failureOf(source), /AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not/);
    const file = scratchFile('credentials', `[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = ${SECRET}\n`);
    assert.equal((await resolved(chain({ AWS_SECRET_ACCESS_KEY: SECRET, AWS_SHARED_CREDENTIALS_FILE: file }))).accessKeyId, 'AKIDFILE');
  });

  test('4. the credentials file: [name] of AWS_PROFILE, else [default], with a session token', async () => {
    const file = scratchFile('credentials', [
      '[default]', 'aws_access_key_id = AKIDDEFAULT', `aws_secret_access_key = ${SECRET}`,
      '[work]', 'aws_access_key_id=AKIDWORK', `aws_secret_access_key=${SECRET}`, `aws_session_token=${SESSION_TOKEN}`,
    ].join('\n'));
    assert.equal((await resolved(chain({ AWS_SHARED_CREDENTIALS_FILE: file }))).accessKeyId, 'AKIDDEFAULT');
    assert.deepEqual(await resolved(chain({ AWS_SHARED_CREDENTIALS_FILE: file, AWS_PROFILE: 'work' })), {
      accessKeyId: 'AKIDWORK', secretAccessKey: SECRET, sessionToken: SESSION_TOKEN,
    });
  });

  test('4. the config file: [profile name], and [default] merged with [profile default]', async () => {
    const config = scratchFile('config', [
      '[default]', 'aws_access_key_id = AKIDCONFIGDEFAULT', 'region = eu-west-3',
      '[profile default]', `aws_secret_access_key = ${SECRET}`,
      '[profile dev]', 'aws_access_key_id = AKIDCONFIGDEV', `aws_secret_access_key = ${SECRET}`,
      '[dev]', 'aws_access_key_id = AKIDNOTAPROFILE',
    ].join('\n'));
    assert.equal((await resolved(chain({ AWS_CONFIG_FILE: config }))).accessKeyId, 'AKIDCONFIGDEFAULT');
    assert.equal((await resolved(chain({ AWS_CONFIG_FILE: config, AWS_PROFILE: 'dev' }))).accessKeyId, 'AKIDCONFIGDEV');
  });

  test('4. the credentials file wins over the config file key by key', async () => {
    const config = scratchFile('config', `[profile mixed]\naws_access_key_id = AKIDFROMCONFIG\naws_secret_access_key = wrong-secret\nregion = us-west-1\n`);
    const credentials = scratchFile('credentials', `[mixed]\naws_secret_access_key = ${SECRET}\n`);
    assert.deepEqual(await resolved(chain({ AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_PROFILE: 'mixed' })), {
      accessKeyId: 'AKIDFROMCONFIG', secretAccessKey: SECRET, sessionToken: undefined,
    });
  });

  test('4. a profile with half a key pair ends the chain with an error (ECS is not asked)', async () => {
    const config = scratchFile('config', '[profile half]\naws_access_key_id = AKIDHALF\n');
    const reason = await failureOf(chain({ AWS_CONFIG_FILE: config, AWS_PROFILE: 'half', AWS_CONTAINER_CREDENTIALS_FULL_URI: `${ecs.endpoint}/creds` }));
    assert.equal(reason, 'profile [half] has only one of aws_access_key_id and aws_secret_access_key');
    assert.equal(ecs.requests.length, 0);
  });

  test('4. credential_process runs without a shell, split as the AWS CLI splits it', async () => {
    const marker = join(scratch, 'shell-ran');
    const { command, runs, argumentsSeen } = credentialProcess({ stdout: processOutput({ id: 'ASIAPROCESS' }) }, ` "two words" 'single $HOME' ; touch ${marker}`);
    const config = scratchFile('config', `[profile tool]\ncredential_process = ${command}\n`);
    assert.deepEqual(await resolved(chain({ AWS_CONFIG_FILE: config, AWS_PROFILE: 'tool' })), {
      accessKeyId: 'ASIAPROCESS', secretAccessKey: SECRET, sessionToken: SESSION_TOKEN,
    });
    assert.equal(runs(), 1);
    assert.equal(argumentsSeen(), `two words single $HOME ; touch ${marker}`);
    assert.equal(existsSync(marker), false, 'no shell ran the ; part');
  });

  test('4. in one profile, static keys win over credential_process (which does not run)', async () => {
    const { command, runs } = credentialProcess({ stdout: processOutput({ id: 'ASIAPROCESS' }) });
    const config = scratchFile('config', `[default]\ncredential_process = ${command}\n`);
    const credentials = scratchFile('credentials', `[default]\naws_access_key_id = AKIDSTATIC\naws_secret_access_key = ${SECRET}\n`);
    assert.equal((await resolved(chain({ AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials }))).accessKeyId, 'AKIDSTATIC');
    assert.equal(runs(), 0);
  });

  test('4. credential_process output is kept until 5 minutes before its Expiration, then run again', async () => {
    const lasting = credentialProcess({ stdout: processOutput({ id: 'ASIALASTING', inMs: 3600_000 }) });
    const source = chain({ AWS_CONFIG_FILE: scratchFile('config', `[default]\ncredential_process = ${lasting.command}\n`) });
    for (let i = 0; i < 3; i += 1) assert.equal((await resolved(source)).accessKeyId, 'ASIALASTING');
    assert.equal(lasting.runs(), 1);

    const expiring = credentialProcess({ stdout: processOutput({ id: 'ASIASHORT', inMs: 4 * 60_000 }) });
    const short = chain({ AWS_CONFIG_FILE: scratchFile('config', `[default]\ncredential_process = ${expiring.command}\n`) });
    for (let i = 0; i < 3; i += 1) assert.equal((await resolved(short)).accessKeyId, 'ASIASHORT');
    assert.equal(expiring.runs(), 3, 'credentials inside the 5-minute margin are fetched again before each operation');
  });

  test('4. a failing credential_process ends the chain, and no secret of its command or output shows', async () => {
    const env = (command) => ({ AWS_CONFIG_FILE: scratchFile('config', `[profile p]\ncredential_process = ${command}\n`), AWS_PROFILE: 'p', AWS_CONTAINER_CREDENTIALS_FULL_URI: `${ecs.endpoint}/creds` });
    const cases = [
      [{ stdout: processOutput({ id: 'AKIDX' }), exit: 3 }, /credential_process of profile \[p\] \(node\) exited with status 3/],
      [{ stdout: `not json ${SECRET}` }, /credential_process of profile \[p\] \(node\) did not answer a JSON object/],
      [{ stdout: JSON.stringify({ Version: 2, AccessKeyId: 'A', SecretAccessKey: SECRET }) }, /only version 1 is understood/],
      [{ stdout: JSON.stringify({ Version: 1, AccessKeyId: 'A' }) }, /answered without AccessKeyId and SecretAccessKey/],
      [{ stdout: JSON.stringify({ Version: 1, AccessKeyId: 'A', SecretAccessKey: SECRET, Expiration: `soon ${SECRET}` }) }, /Expiration that is not an ISO 8601 time/],
    ];
    for (const [spec, expected] of cases) {
      const { command } = credentialProcess(spec, ` --secret ${SECRET}`);
      assert.match(await failureOf(chain(env(command))), expected);
    }
    assert.match(await failureOf(chain(env(`/no/such/program --secret ${SECRET}`))), /\(program\) could not be started: ENOENT/);
    assert.match(await failureOf(chain(env(`tool 'unbalanced ${SECRET}`))), /cannot be split into arguments/);
    assert.equal(ecs.requests.length, 0, 'the chain ended at the profile');
  });

  test('4. a credential_process that hangs is stopped after its time limit (30 s by default)', async () => {
    const { command } = credentialProcess({ stdout: processOutput({ id: 'AKIDSLOW' }), sleepMs: 10_000 });
    const started = Date.now();
    const source = chain({ AWS_CONFIG_FILE: scratchFile('config', `[default]\ncredential_process = ${command}\n`) }, { processTimeoutMs: 300 });
    assert.match(await failureOf(source), /did not finish within 0\.3 s and was stopped/);
    assert.ok(Date.now() - started < 5_000);
  });

  test('5. ECS: the full URI on 127.0.0.1 with the authorization token; the token file wins over the token', async () => {
    ecs.state.token = 'container-auth-token-1';
    const source = chain({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${ecs.endpoint}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container-auth-token-1', ...imdsOn() });
    assert.deepEqual(await resolved(source), { accessKeyId: 'ASIAECS', secretAccessKey: SECRET, sessionToken: SESSION_TOKEN });
    assert.equal(ecs.requests[0].path, '/v1/credentials');
    assert.equal(ecs.requests[0].headers.authorization, 'container-auth-token-1');
    assert.equal(imds.requests.length, 0, 'ECS comes before IMDS');

    ecs.state.token = 'container-auth-token-2';
    const tokenFile = scratchFile('token', 'container-auth-token-2\n');
    const fromFile = chain({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${ecs.endpoint}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container-auth-token-1', AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile });
    assert.equal((await resolved(fromFile)).accessKeyId, 'ASIAECS');
    assert.equal(ecs.requests.at(-1).headers.authorization, 'container-auth-token-2');
  });

  test('5. ECS: the relative URI goes to the ECS agent (169.254.170.2, here our fake) and wins over the full URI', async () => {
    const source = chain(
      { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: 'v2/credentials/task-id', AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:1/ignored' },
      { ecsAgentEndpoint: ecs.endpoint },
    );
    assert.equal((await resolved(source)).accessKeyId, 'ASIAECS');
    assert.equal(ecs.requests[0].path, '/v2/credentials/task-id');
  });

  test('5. ECS: a full URI off the allowed hosts is refused without a request, and ends the chain', async () => {
    for (const uri of ['http://169.254.169.254/latest', 'http://example.com/creds', 'http://10.0.0.1/creds', `http://127.0.0.1@evil.example/x`, `http://user:${SECRET}@127.0.0.1/x`, 'ftp://127.0.0.1/x', 'not a url']) {
      const reason = await failureOf(chain({ AWS_CONTAINER_CREDENTIALS_FULL_URI: uri, ...imdsOn() }));
      assert.match(reason, /AWS_CONTAINER_CREDENTIALS_FULL_URI (must be an http\(s\) URL|is not a URL)/, uri);
    }
    assert.equal(ecs.requests.length + imds.requests.length, 0);
  });

  test('5. ECS: an endpoint that fails or answers late ends the chain (IMDS is not asked); 1 s time limit', async () => {
    ecs.state.status = 500;
    const env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${ecs.endpoint}/creds`, ...imdsOn() };
    assert.equal(await failureOf(chain(env)), 'the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_*) answered HTTP 500');
    ecs.state.status = 200;
    ecs.state.document = `${SECRET} is not JSON`;
    assert.match(await failureOf(chain(env)), /did not answer a JSON object/);
    ecs.state.document = credentialsDocument({ accessKeyId: 'ASIAECS', secretAccessKey: SECRET });
    ecs.state.delayMs = 1_500;
    const started = Date.now();
    assert.match(await failureOf(chain(env)), /did not answer within 1 s/);
    const took = Date.now() - started;
    // No upper bound (a loaded machine could break one): that it failed at all shows the limit ran
    // out before the 1.5 s answer; measured 1,002-1,009 ms on Node 20/22/24 at load average 10-12.
    assert.ok(took >= 900, `the default time limit is 1 s (took ${took} ms)`);
    assert.equal(imds.requests.length, 0);
    const unreachable = await failureOf(chain({ AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:1/creds' }));
    assert.match(unreachable, /is unreachable \(ECONNREFUSED\)/);
    const noTokenFile = await failureOf(chain({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${ecs.endpoint}/creds`, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: join(scratch, 'no-token') }));
    assert.match(noTokenFile, /AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE .* cannot be read \(ENOENT\)/);
  });

  test('6. IMDSv2: token PUT with its TTL, the role, then its credentials with the token', async () => {
    assert.deepEqual(await resolved(chain(imdsOn())), { accessKeyId: 'ASIAIMDS', secretAccessKey: SECRET, sessionToken: SESSION_TOKEN });
    assert.deepEqual(imds.requests.map(({ method, path }) => `${method} ${path}`), [
      'PUT /latest/api/token',
      'GET /latest/meta-data/iam/security-credentials/',
      'GET /latest/meta-data/iam/security-credentials/jovo-instance-role',
    ]);
    assert.equal(imds.requests[0].headers['x-aws-ec2-metadata-token-ttl-seconds'], '21600');
    assert.equal(imds.requests[2].headers['x-aws-ec2-metadata-token'], 'fake-imds-session-token-AQAEAB==');
  });

  test('6. IMDS failures are only listed in the final "no credentials" error', async () => {
    imds.state.role = undefined;
    const noRole = await failureOf(chain(imdsOn()));
    assert.match(noRole, /^no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set; profile \[default\] has no/);
    assert.match(noRole, /EC2 instance metadata at http:\/\/127\.0\.0\.1:\d+ names no instance role/);
    imds.state.role = 'jovo-instance-role';
    imds.state.failing = true;
    assert.match(await failureOf(chain(imdsOn())), /gave no session token \(HTTP 500\)$/);
    imds.state.failing = false;
    imds.state.document = { Code: 'Failure', Message: SECRET };
    assert.match(await failureOf(chain(imdsOn())), /did not answer Code "Success" for role 'jovo-instance-role'$/);
    const off = await failureOf(chain({ AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint }));
    assert.match(off, /EC2 instance metadata is off \(AWS_EC2_METADATA_DISABLED=true\)$/);
    imds.state.delayMs = 400;
    const late = await failureOf(chain(imdsOn(), { metadataTimeoutMs: 100 }));
    assert.match(late, /did not answer within 0\.1 s$/);
  });

  test('temporary credentials are reused until 5 minutes before they expire, then fetched again', async () => {
    let served = 0;
    imds.state.document = () => credentialsDocument({ accessKeyId: `ASIAROTATED${++served}`, secretAccessKey: SECRET, token: SESSION_TOKEN, inMs: 3600_000 });
    const lasting = chain(imdsOn());
    for (let i = 0; i < 3; i += 1) assert.equal((await resolved(lasting)).accessKeyId, 'ASIAROTATED1');
    assert.equal(imds.credentialFetches(), 1);

    imds.state.document = () => credentialsDocument({ accessKeyId: `ASIAROTATED${++served}`, secretAccessKey: SECRET, token: SESSION_TOKEN, inMs: 4 * 60_000 });
    const short = chain(imdsOn());
    assert.equal((await resolved(short)).accessKeyId, 'ASIAROTATED2');
    assert.equal((await resolved(short)).accessKeyId, 'ASIAROTATED3');
    assert.equal(imds.credentialFetches(), 3);
  });

  test('a failed refresh keeps credentials that have not expired yet; expired ones are dropped', async () => {
    imds.state.document = credentialsDocument({ accessKeyId: 'ASIASTILLVALID', secretAccessKey: SECRET, inMs: 2 * 60_000 });
    const source = chain(imdsOn());
    assert.equal((await resolved(source)).accessKeyId, 'ASIASTILLVALID');
    imds.state.failing = true;
    assert.equal((await resolved(source)).accessKeyId, 'ASIASTILLVALID', 'two minutes left: still used');

    imds.state.failing = false;
    imds.state.document = credentialsDocument({ accessKeyId: 'ASIAEXPIRED', secretAccessKey: SECRET, inMs: -1_000 });
    const expired = chain(imdsOn());
    assert.match(await failureOf(expired), /the credentials it returned have expired/);

    // ECS likewise: a failing refresh with valid credentials kept is no failure.
    ecs.state.document = credentialsDocument({ accessKeyId: 'ASIAECSVALID', secretAccessKey: SECRET, inMs: 60_000 });
    const container = chain({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `${ecs.endpoint}/creds` });
    assert.equal((await resolved(container)).accessKeyId, 'ASIAECSVALID');
    ecs.state.status = 503;
    assert.equal((await resolved(container)).accessKeyId, 'ASIAECSVALID');
  });

  test('concurrent operations share one fetch', async () => {
    imds.state.delayMs = 50;
    const source = chain(imdsOn());
    await Promise.all(Array.from({ length: 20 }, () => source.refresh()));
    assert.equal(source.current().accessKeyId, 'ASIAIMDS');
    assert.equal(imds.credentialFetches(), 1);
  });

  test('the environment and the files are read again at each request: rotated keys are used at once', async () => {
    const env = chainEnv({ AWS_ACCESS_KEY_ID: 'AKIDFIRST', AWS_SECRET_ACCESS_KEY: SECRET });
    const source = new CredentialsSource(undefined, env);
    assert.equal((await resolved(source)).accessKeyId, 'AKIDFIRST');
    env.AWS_ACCESS_KEY_ID = 'AKIDSECOND';
    assert.equal(source.current().accessKeyId, 'AKIDSECOND');
    delete env.AWS_ACCESS_KEY_ID;
    const file = scratchFile('credentials', `[default]\naws_access_key_id = AKIDFILE1\naws_secret_access_key = ${SECRET}\n`);
    env.AWS_SHARED_CREDENTIALS_FILE = file;
    assert.equal(source.current().accessKeyId, 'AKIDFILE1');
    writeFileSync(file, `[default]\naws_access_key_id = AKIDFILE22\naws_secret_access_key = ${SECRET}\n`);
    assert.equal(source.current().accessKeyId, 'AKIDFILE22');
  });

  test('without HOME in the env object, no default file is read', async () => {
    const source = new CredentialsSource(undefined, { AWS_EC2_METADATA_DISABLED: 'true' });
    assert.match(await failureOf(source), /in ~\/\.aws\/credentials \(no HOME\) or ~\/\.aws\/config \(no HOME\)/);
    const home = mkdtempSync(join(scratch, 'home-'));
    const withHome = new CredentialsSource(undefined, { AWS_EC2_METADATA_DISABLED: 'true', HOME: home });
    assert.ok((await failureOf(withHome)).includes(join(home, '.aws', 'credentials')));
  });
});

describe('the region', () => {
  test('config, then AWS_REGION, then AWS_DEFAULT_REGION, then the profile\'s region in the config file', async () => {
    const config = scratchFile('config', '[default]\nregion = eu-west-3\n[profile work]\nregion = ap-northeast-2\n');
    const credentials = scratchFile('credentials', '[work]\nregion = sa-east-1\n');
    const env = chainEnv({ AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_PROFILE: 'work', AWS_DEFAULT_REGION: 'us-east-2', AWS_REGION: 'us-west-2' });
    assert.equal(await resolveRegion('eu-central-1', env), 'eu-central-1');
    assert.equal(await resolveRegion(async () => 'ca-central-1', env), 'ca-central-1');
    assert.equal(await resolveRegion(undefined, env), 'us-west-2');
    delete env.AWS_REGION;
    assert.equal(await resolveRegion(undefined, env), 'us-east-2');
    delete env.AWS_DEFAULT_REGION;
    assert.equal(await resolveRegion(undefined, env), 'ap-northeast-2', 'the config file, not the credentials file');
    delete env.AWS_PROFILE;
    assert.equal(regionFromEnvironment(env), 'eu-west-3');
    assert.equal(regionFromEnvironment(chainEnv()), undefined);
  });
});

describe('a user-supplied provider', () => {
  test('without an expiration it is asked again before each operation; with one more than 5 minutes away, reused', async () => {
    let calls = 0;
    let expiresInMs;
    const source = new CredentialsSource(async () => {
      calls += 1;
      return { accessKeyId: `AKIDCALL${calls}`, secretAccessKey: SECRET, ...(expiresInMs === undefined ? {} : { expiration: new Date(Date.now() + expiresInMs) }) };
    }, chainEnv());
    assert.equal((await resolved(source)).accessKeyId, 'AKIDCALL1');
    assert.equal((await resolved(source)).accessKeyId, 'AKIDCALL2');
    expiresInMs = 3600_000;
    assert.equal((await resolved(source)).accessKeyId, 'AKIDCALL3');
    assert.equal((await resolved(source)).accessKeyId, 'AKIDCALL3');
    assert.equal(calls, 3);
  });

  test('short-lived results are asked for again; a failure keeps what has not expired; concurrent operations share a call', async () => {
    let calls = 0;
    let failing = false;
    const source = new CredentialsSource(async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (failing) throw new Error('the identity service is down');
      return { accessKeyId: 'ASIAPROVIDED', secretAccessKey: SECRET, sessionToken: SESSION_TOKEN, expiration: new Date(Date.now() + 2 * 60_000) };
    }, chainEnv());
    await Promise.all(Array.from({ length: 10 }, () => source.refresh()));
    assert.equal(calls, 1);
    failing = true;
    assert.equal((await resolved(source)).accessKeyId, 'ASIAPROVIDED');
    assert.equal(calls, 2);

    const broken = new CredentialsSource(async () => {
      throw new Error('the identity service is down');
    }, chainEnv());
    await assert.rejects(broken.refresh(), (error) => {
      assert.equal(error.code, 'credentials-unavailable');
      assert.match(error.message, /provider failed \(Error; its message is not shown, as it may hold secrets\)/);
      return true;
    });
    const wrongShape = new CredentialsSource(async () => ({ AccessKeyId: 'A', SecretAccessKey: SECRET }), chainEnv());
    assert.match(await failureOf(wrongShape), /must have the string properties accessKeyId and secretAccessKey/);
  });

  test('a provider replaces the whole chain', async () => {
    const source = new CredentialsSource(async () => ({ accessKeyId: 'AKIDPROVIDER', secretAccessKey: SECRET }), chainEnv({ AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: SECRET }));
    assert.equal((await resolved(source)).accessKeyId, 'AKIDPROVIDER');
  });
});

describe('no secret shows', () => {
  test('in util.inspect or JSON of a source holding credentials of every kind', async () => {
    const { command } = credentialProcess({ stdout: processOutput({ id: 'ASIAPROCESS', inMs: 3600_000 }) }, ` ${SECRET}`);
    const sources = [
      new CredentialsSource({ accessKeyId: 'AKIDFIXED', secretAccessKey: SECRET, sessionToken: SESSION_TOKEN }, chainEnv()),
      new CredentialsSource(async () => ({ accessKeyId: 'AKIDP', secretAccessKey: SECRET, sessionToken: SESSION_TOKEN }), chainEnv()),
      chain({ AWS_CONFIG_FILE: scratchFile('config', `[default]\ncredential_process = ${command}\n`) }),
    ];
    for (const source of sources) {
      await source.refresh();
      assert.equal(source.current().secretAccessKey, SECRET);
      assertNoSecret(inspect(source, { depth: 10, showHidden: true }));
      assertNoSecret(JSON.stringify(source));
    }
  });
});

describe('helpers shared with the other hosts', () => {
  test('command lines split like the AWS CLI (shlex, POSIX)', () => {
    const cases = [
      ['/bin/get-creds --profile x', ['/bin/get-creds', '--profile', 'x']],
      ['  a   b  ', ['a', 'b']],
      [`tool "two words" 'single $quoted'`, ['tool', 'two words', 'single $quoted']],
      [String.raw`tool "say \"hi\" \n"`, ['tool', String.raw`say "hi" \n`]],
      [String.raw`tool a\ b c\\d`, ['tool', 'a b', String.raw`c\d`]],
      [`tool ""  x''`, ['tool', '', 'x']],
      ['tool --json={"a":1}', ['tool', '--json={a:1}']],
      ['', []],
    ];
    for (const [line, words] of cases) assert.deepEqual(splitCommandLine(line), words, line);
    assert.throws(() => splitCommandLine("tool 'open"));
    assert.throws(() => splitCommandLine('tool "open'));
  });

  test('INI sections, keys, comments and nested settings', () => {
    const sections = parseIni(
      '# comment\n[default]\naws_access_key_id = AKID\nAWS_Secret_Access_Key=secret = with equals\n' +
        '; another comment\n[profile   dev]\nregion = eu-west-1\ns3 =\n  max_concurrent_requests = 20\n' +
        'credential_process = tool --x\n[default]\nregion=us-east-2\n',
    );
    assert.equal(sections.default.aws_access_key_id, 'AKID');
    assert.equal(sections.default.aws_secret_access_key, 'secret = with equals');
    assert.equal(sections.default.region, 'us-east-2');
    assert.equal(sections['profile dev'].region, 'eu-west-1');
    assert.equal(sections['profile dev'].credential_process, 'tool --x');
    assert.equal(sections['profile dev'].max_concurrent_requests, undefined);
  });
});

describe('signed requests, end to end with an env object', () => {
  let imds;
  before(async () => {
    imds = await startFakeImds();
  });
  after(() => imds.stop());
  beforeEach(() => proxy.reset());

  test('IMDS credentials and the profile\'s region sign the requests', async () => {
    imds.state.document = credentialsDocument({ accessKeyId: 'ASIAINSTANCE', secretAccessKey: SECRET, token: 'instance-session-token' });
    const config = scratchFile('config', '[default]\nregion = eu-north-1\n');
    const store = await openChainStore({ endpoint: proxy.endpoint, env: chainEnv({ AWS_CONFIG_FILE: config, AWS_EC2_METADATA_DISABLED: 'false', AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint }) });
    await store.ensureTable();
    await store.save('user-1', { visits: 1 });
    assert.deepEqual((await store.load('user-1')).data, { visits: 1 });
    assert.equal(onlyValue(await proxy.accessKeyIds()), 'ASIAINSTANCE');
    assert.equal(onlyValue(await proxy.sessionTokens()), 'instance-session-token');
    assert.equal(onlyValue(await proxy.regions()), 'eu-north-1');
  });

  test('credential_process credentials sign the requests; nothing is sent when the chain finds none', async () => {
    const { command } = credentialProcess({ stdout: processOutput({ id: 'ASIAPROCESSED', token: 'process-session-token', inMs: 3600_000 }) });
    const config = scratchFile('config', `[profile app]\nregion = us-east-1\ncredential_process = ${command}\n`);
    const store = await openChainStore({ endpoint: proxy.endpoint, env: chainEnv({ AWS_CONFIG_FILE: config, AWS_PROFILE: 'app' }) });
    await store.ensureTable();
    assert.equal(onlyValue(await proxy.accessKeyIds()), 'ASIAPROCESSED');
    assert.equal(onlyValue(await proxy.sessionTokens()), 'process-session-token');

    await proxy.reset();
    const none = await openChainStore({ endpoint: proxy.endpoint, env: chainEnv({ AWS_REGION: 'us-east-1' }) });
    await assert.rejects(none.ensureTable(), (error) => {
      assert.equal(error.code, 'credentials-unavailable');
      assert.match(error.message, /no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set/);
      return true;
    });
    assert.deepEqual(await proxy.recorded(), []);
  });
});
