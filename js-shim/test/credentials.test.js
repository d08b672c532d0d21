// User stories of where credentials and the region come from: on AWS Lambda the runtime's
// environment, on a server the config, the environment or ~/.aws/credentials. A recording
// proxy in front of dynalite (its own process) shows which access key and region signed each request.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { DynamoDb } from '../src/index.js';
import { uniqueTableName } from './support/config.js';
import { startDynalite } from './support/dynalite.js';
import { startProxy } from './support/proxy.js';

const AWS_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_SHARED_CREDENTIALS_FILE'];
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
