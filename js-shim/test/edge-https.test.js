// User stories of the edge entry (jovo-dynamodb-wasm/edge) over Node's own fetch in front of
// the network fixture: HTTPS with a private CA trusted through NODE_EXTRA_CA_CERTS (fetch in
// Node.js reads it), certificates refused at once, no redirect followed, a skewed clock
// corrected, one deadline per operation, and on Node 24 the proxy variables with
// NODE_USE_ENV_PROXY=1. The edge entry has no CA or proxy code: those are the runtime's.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../src/edge/index.js';
import { TEST_CREDENTIALS, uniqueTableName } from './support/config.js';
import { roundTripInChild } from './support/environment.js';
import { startNetwork } from './support/network.js';

let network;
before(async () => {
  network = await startNetwork();
});
after(() => network?.stop());

function storeAt(endpoint, client = {}) {
  return openStore({
    table: { name: uniqueTableName('edge') },
    client: { endpoint, region: 'us-east-1', credentials: { ...TEST_CREDENTIALS }, retryBaseDelayMs: 1, ...client },
  });
}

async function failure(promise) {
  const started = performance.now();
  const error = await promise.then(
    () => assert.fail('expected a failure'),
    (caught) => caught,
  );
  return { error, elapsedMs: performance.now() - started };
}

describe('the edge entry over Node\'s fetch', () => {
  test('round trip over HTTPS with the private CA trusted through NODE_EXTRA_CA_CERTS', async () => {
    const result = await roundTripInChild({ entry: 'edge', endpoint: network.endpoints.tls, env: { NODE_EXTRA_CA_CERTS: network.ca } });
    assert.deepEqual(result, { ok: true, loaded: 2 });
  });

  const major = Number(process.versions.node.split('.')[0]);
  test('on Node 24 with NODE_USE_ENV_PROXY=1, HTTPS_PROXY takes fetch through a CONNECT tunnel', { skip: major < 24 && 'NODE_USE_ENV_PROXY needs Node 24' }, async () => {
    await network.reset();
    const env = { NODE_EXTRA_CA_CERTS: network.ca, NODE_USE_ENV_PROXY: '1', HTTPS_PROXY: network.endpoints.proxy, NO_PROXY: '', no_proxy: '' };
    const result = await roundTripInChild({ entry: 'edge', endpoint: network.endpoints.tls, env });
    assert.deepEqual(result, { ok: true, loaded: 2 });
    assert.ok((await network.counts()).tunnels >= 1);
  });

  for (const [name, reason] of [
    ['tls', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/],
    ['selfSigned', /DEPTH_ZERO_SELF_SIGNED_CERT|self-signed certificate/],
  ]) {
    test(`${name === 'tls' ? 'a certificate of an untrusted CA' : 'a self-signed certificate'} is tls-failed after 1 attempt (fetch's cause.code)`, async (t) => {
      const store = await storeAt(network.endpoints[name]);
      const { error, elapsedMs } = await failure(store.ensureTable());
      t.diagnostic(`failed after ${Math.round(elapsedMs)} ms`);
      assert.equal(error.code, 'tls-failed', error.message);
      assert.match(error.message, reason);
      assert.match(error.message, /after 1 attempt;/);
    });
  }

  test('a redirect is malformed-response: fetch does not follow it, it names the target origin, never its path or token', async () => {
    const store = await storeAt(network.endpoints.redirect, { maxAttempts: 4 });
    await network.reset();
    const { error } = await failure(store.loadUser('edge-user'));
    assert.equal(error.code, 'malformed-response', error.message);
    assert.match(error.message, /redirect/);
    assert.ok(error.message.includes(`to ${network.endpoints.redirectTarget}`), error.message);
    // The target's path is /elsewhere; the word itself may appear in the explanation.
    assert.doesNotMatch(error.message, /REDIRECT-SECRET|token=|\/elsewhere/);
    assert.equal((await network.counts()).redirectTargetHits, 0);
  });

  test('a stalled handshake ends with timed-out within client.operationTimeoutMs', async (t) => {
    const store = await storeAt(network.endpoints.stalled, { operationTimeoutMs: 1500 });
    const { error, elapsedMs } = await failure(store.ensureTable());
    t.diagnostic(`timed out after ${Math.round(elapsedMs)} ms (operationTimeoutMs 1500)`);
    assert.equal(error.code, 'timed-out', error.message);
    assert.ok(elapsedMs < 10_000, `${elapsedMs} ms`);
  });

  for (const name of ['skewAhead', 'skewBehind']) {
    test(`a clock 15 minutes off (${name}) is corrected from the refusal's Date: the round trip succeeds`, async () => {
      const store = await storeAt(network.endpoints[name]);
      await network.reset();
      await store.ensureTable();
      await store.saveUser('skewed-user', { user: { data: { visits: 1 } } });
      assert.equal((await store.loadUser('skewed-user')).user.data.visits, 1);
      assert.ok((await network.counts()).skewRefused >= 1);
    });
  }
});
