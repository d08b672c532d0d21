// Signed requests that moto verifies (SigV4 and IAM policies, auth on), with credentials the
// chain found: an IAM user's key from credential_process, a role's temporary credentials (with
// a session token) from the ECS endpoint and from IMDSv2 (fakes of ours on 127.0.0.1). A wrong
// secret and a missing permission are refused. Its own file, since starting moto takes a few
// seconds (the whole file takes about 3 s here, most of it moto starting).
import './support/loopback-only.js';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openChainStore } from './support/chain-store.js';
import { credentialsDocument, startFakeEcs, startFakeImds } from './support/metadata-servers.js';
import { SEED_PERMISSIONS, startMoto } from './support/moto.js';

const scratch = mkdtempSync(join(tmpdir(), 'jovo-dynamodb-moto-chain-'));
const PROCESS_SCRIPT = fileURLToPath(new URL('./support/credential-process.js', import.meta.url));
const NO_FILES = { AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'none'), AWS_CONFIG_FILE: join(scratch, 'none') };

let moto;
let ecs;
let imds;
let user;
let role;
let noDelete;

before(async () => {
  moto = await startMoto();
  user = await moto.userWithPolicy('jovo-app', SEED_PERMISSIONS);
  noDelete = await moto.userWithPolicy('jovo-no-delete', SEED_PERMISSIONS.filter((action) => action !== 'dynamodb:DeleteItem'));
  role = await moto.assumedRole('jovo-task-role', SEED_PERMISSIONS);
  await moto.enableAuth();
  ecs = await startFakeEcs();
  imds = await startFakeImds();
  const document = credentialsDocument({ accessKeyId: role.accessKeyId, secretAccessKey: role.secretAccessKey, token: role.sessionToken });
  ecs.state.document = document;
  imds.state.document = document;
});
after(async () => {
  await ecs?.stop();
  await imds?.stop();
  await moto?.stop();
});

async function roundTrip(store, userId) {
  await store.ensureTable();
  await store.save(userId, { visits: 1 });
  assert.deepEqual((await store.load(userId)).data, { visits: 1 });
}

describe('signatures moto verifies, with credentials from the chain', () => {
  test("an IAM user's key from credential_process, region from the profile", async () => {
    const spec = join(scratch, 'spec.json');
    writeFileSync(spec, JSON.stringify({ stdout: JSON.stringify({ Version: 1, AccessKeyId: user.accessKeyId, SecretAccessKey: user.secretAccessKey }) }));
    const config = join(scratch, 'config');
    writeFileSync(config, `[profile app]\nregion = us-east-1\ncredential_process = ${process.execPath} ${PROCESS_SCRIPT} ${spec}\n`);
    const env = { ...NO_FILES, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: config, AWS_PROFILE: 'app' };
    await roundTrip(await openChainStore({ endpoint: moto.endpoint, env }), 'process-user');
  });

  test("a role's temporary credentials from the ECS container endpoint", async () => {
    ecs.state.token = 'container-auth-token';
    const env = { ...NO_FILES, AWS_EC2_METADATA_DISABLED: 'true', AWS_REGION: 'us-east-1', AWS_CONTAINER_CREDENTIALS_FULL_URI: `${ecs.endpoint}/v2/credentials/task`, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container-auth-token' };
    await roundTrip(await openChainStore({ endpoint: moto.endpoint, env }), 'ecs-user');
    assert.ok(ecs.requests.length >= 1);
  });

  test("a role's temporary credentials from IMDSv2", async () => {
    const env = { ...NO_FILES, AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'false', AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint };
    await roundTrip(await openChainStore({ endpoint: moto.endpoint, env }), 'imds-user');
    assert.equal(imds.credentialFetches(), 1, 'fetched once for all the operations');
  });

  test('a wrong secret and a missing permission are refused (access-denied), without the secret in the text', async () => {
    const wrongSecret = 'not-the-secret-of-this-key';
    const wrong = { ...NO_FILES, AWS_EC2_METADATA_DISABLED: 'true', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: user.accessKeyId, AWS_SECRET_ACCESS_KEY: wrongSecret };
    await assert.rejects((await openChainStore({ endpoint: moto.endpoint, env: wrong })).ensureTable(), (error) => {
      assert.equal(error.code, 'access-denied');
      assert.ok(!error.message.includes(wrongSecret) && !String(error.stack).includes(wrongSecret));
      return true;
    });
    const limited = { ...NO_FILES, AWS_EC2_METADATA_DISABLED: 'true', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: noDelete.accessKeyId, AWS_SECRET_ACCESS_KEY: noDelete.secretAccessKey };
    const store = await openChainStore({ endpoint: moto.endpoint, env: limited });
    await store.ensureTable();
    await store.save('limited-user', { visits: 1 });
    await assert.rejects(store.remove('limited-user'), (error) => {
      assert.equal(error.code, 'access-denied');
      assert.ok(!error.message.includes(noDelete.secretAccessKey));
      return true;
    });
  });
});
