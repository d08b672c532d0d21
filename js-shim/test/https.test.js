// User stories of a Jovo skill whose DynamoDB is behind HTTPS, as in production: a TLS
// terminator with a private CA made at test time (scripts/node/network-fixture.cjs) in front
// of dynalite. Trusting that CA the ways Node users do, keeping connections alive, refusing
// certificates that must be refused (at once, never retried), and ending a stalled handshake
// within the operation's deadline.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { DynamoDb } from '../src/index.js';
import { trustedCertificates } from '../src/network/trust.js';
import { pluginConfig } from './support/config.js';
import { NO_PROXY_VARIABLES, roundTripInChild, withEnv } from './support/environment.js';
import { visit, visitCounterApp } from './support/jovo.js';
import { startNetwork } from './support/network.js';

let network;
before(async () => {
  network = await startNetwork();
});
after(() => network?.stop());

const plugins = [];
after(() => Promise.all(plugins.map((plugin) => plugin.close())));

/** A skill on its own table at `endpoint`; `component` adds to the test's options. */
function skill(endpoint, component = {}) {
  const plugin = new DynamoDb(pluginConfig(endpoint, { component: { retryBaseDelayMs: 1, ...component } }));
  plugins.push(plugin);
  return { plugin, app: visitCounterApp(plugin) };
}

/** Two visits of one user: 2 when the data went to DynamoDB and came back. */
async function twoVisits(app) {
  await visit(app, 'https-user');
  return (await visit(app, 'https-user')).visits;
}

async function failure(promise) {
  const started = performance.now();
  const error = await promise.then(
    () => assert.fail('expected a failure'),
    (caught) => caught,
  );
  return { error, elapsedMs: performance.now() - started };
}

const noCaVariables = { ...NO_PROXY_VARIABLES, AWS_CA_BUNDLE: undefined };

describe('a skill trusts a private CA the ways Node users configure it', () => {
  test('component.ca as the path of a PEM file: the visit counter works over HTTPS', async () => {
    const { app } = skill(network.endpoints.tls, { ca: network.ca });
    assert.equal(await withEnv(noCaVariables, () => twoVisits(app)), 2);
  });

  test('component.ca as PEM text, and the endpoint addressed by IP (the certificate names 127.0.0.1)', async () => {
    const { app } = skill(network.endpoints.tlsIp, { ca: readFileSync(network.ca, 'utf8') });
    assert.equal(await withEnv(noCaVariables, () => twoVisits(app)), 2);
  });

  test('AWS_CA_BUNDLE, as the AWS SDKs and CLI read it', async () => {
    const { app } = skill(network.endpoints.tls);
    assert.equal(await withEnv({ ...noCaVariables, AWS_CA_BUNDLE: network.ca }, () => twoVisits(app)), 2);
  });

  test('NODE_EXTRA_CA_CERTS (read by Node.js at start), and it still counts when component.ca adds another CA', async () => {
    const env = { ...noCaVariables, NODE_EXTRA_CA_CERTS: network.ca };
    const alone = await roundTripInChild({ entry: 'plugin', endpoint: network.endpoints.tls, env });
    assert.deepEqual(alone, { ok: true, loaded: 2 });
    // Passing a CA list to Node replaces its trust store; the plugin lists Node's defaults first.
    const unrelatedCa = join(dirname(network.ca), 'self-signed.pem');
    const withOption = await roundTripInChild({ entry: 'plugin', endpoint: network.endpoints.tls, env, component: { ca: unrelatedCa } });
    assert.deepEqual(withOption, { ok: true, loaded: 2 });
  });

  test('the added CAs come on top of Node\'s public roots, never instead of them', () => {
    const trusted = trustedCertificates(network.ca, {});
    assert.ok(trusted.length > tls.rootCertificates.length);
    assert.ok(trusted.includes(tls.rootCertificates[0]));
    assert.ok(trusted.includes(readFileSync(network.ca, 'utf8').trim()));
    assert.equal(trustedCertificates(undefined, {}), undefined, 'nothing added: Node\'s own defaults, untouched');
  });

  test('without the CA the endpoint is refused: tls-failed after 1 attempt, saying how to trust it', async () => {
    const { plugin } = skill(network.endpoints.tls);
    const { error } = await failure(withEnv(noCaVariables, () => plugin.initialize()));
    assert.equal(error.code, 'tls-failed', error.message);
    assert.match(error.message, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/);
    assert.match(error.message, /after 1 attempt;/);
    assert.match(error.message, /AWS_CA_BUNDLE/);
  });

  test('a CA bundle that cannot be read or holds no certificate is invalid-config naming where it came from, never its contents', async () => {
    const missing = skill(network.endpoints.tls);
    const { error: unreadable } = await failure(withEnv({ ...noCaVariables, AWS_CA_BUNDLE: '/nonexistent/ca.pem' }, () => missing.plugin.initialize()));
    assert.equal(unreadable.code, 'invalid-config');
    assert.match(unreadable.message, /AWS_CA_BUNDLE names a CA bundle file that cannot be read \(ENOENT\)/);

    const notPem = join(dirname(network.ca), 'not-a-bundle.txt');
    writeFileSync(notPem, 'secret-looking-contents-never-shown\n');
    const { error: empty } = await failure(withEnv(noCaVariables, () => skill(network.endpoints.tls, { ca: notPem }).plugin.initialize()));
    assert.equal(empty.code, 'invalid-config');
    assert.match(empty.message, /component\.ca holds no PEM certificate/);

    const broken = '-----BEGIN CERTIFICATE-----\nc2VjcmV0LWxvb2tpbmctY29udGVudHM=\n-----END CERTIFICATE-----\n';
    const { error: corrupt } = await failure(withEnv(noCaVariables, () => skill(network.endpoints.tls, { ca: broken }).plugin.initialize()));
    assert.equal(corrupt.code, 'invalid-config');
    assert.match(corrupt.message, /component\.ca: certificate 1 of 1 is not a valid PEM certificate/);
    for (const error of [unreadable, empty, corrupt]) assert.doesNotMatch(error.message, /secret-looking|c2VjcmV0/);
  });
});

describe('connections over TLS', () => {
  test('are kept alive: 100 operations (50 visits) open at most 2 TLS connections', async (t) => {
    const { app } = skill(network.endpoints.tls, { ca: network.ca });
    await network.reset();
    await withEnv(noCaVariables, async () => {
      for (let request = 0; request < 50; request += 1) await visit(app, 'keep-alive-user');
    });
    const { handshakes } = await network.counts();
    t.diagnostic(`TLS handshakes for initialize + 100 operations: ${handshakes.tls}`);
    assert.ok(handshakes.tls <= 2, `${handshakes.tls} handshakes`);
  });

  for (const [name, reason] of [
    ['selfSigned', /DEPTH_ZERO_SELF_SIGNED_CERT|self-signed certificate/],
    ['wrongHost', /ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/],
  ]) {
    test(`a ${name === 'selfSigned' ? 'self-signed certificate' : 'certificate for another host'} is refused with tls-failed after 1 attempt, the CA trusted or not`, async (t) => {
      const { plugin } = skill(network.endpoints[name], { ca: network.ca });
      const { error, elapsedMs } = await failure(withEnv(noCaVariables, () => plugin.initialize()));
      t.diagnostic(`failed after ${Math.round(elapsedMs)} ms`);
      assert.equal(error.code, 'tls-failed', error.message);
      assert.match(error.message, reason);
      assert.match(error.message, /after 1 attempt;/, 'never retried');
      assert.match(error.message, /AWS_CA_BUNDLE/);
    });
  }

  test('a server that never completes the handshake ends with timed-out within the operation deadline', async (t) => {
    const { plugin } = skill(network.endpoints.stalled, { ca: network.ca, operationTimeoutMs: 1500 });
    const { error, elapsedMs } = await failure(withEnv(noCaVariables, () => plugin.initialize()));
    t.diagnostic(`timed out after ${Math.round(elapsedMs)} ms (operationTimeoutMs 1500)`);
    assert.equal(error.code, 'timed-out', error.message);
    // A gross bound a loaded machine keeps, far from the 4 x 5 s of attempts without a deadline.
    assert.ok(elapsedMs < 10_000, `${elapsedMs} ms`);
  });
});

describe('Alexa\'s 8 seconds', () => {
  test('with the default options, a LaunchRequest against an endpoint that stalls answers (with an error) in under 8 s', async (t) => {
    const plugin = new DynamoDb(pluginConfig(network.endpoints.stalled));
    plugins.push(plugin);
    const app = visitCounterApp(plugin);
    const { error, elapsedMs } = await failure(withEnv(noCaVariables, () => visit(app, 'launch-user')));
    t.diagnostic(`LaunchRequest failed after ${Math.round(elapsedMs)} ms with ${error.code}`);
    assert.equal(plugin.config.component.operationTimeoutMs, 2500, 'the default deadline');
    assert.equal(error.code, 'timed-out', error.message);
    assert.ok(elapsedMs < 8000, `${elapsedMs} ms`);
  });
});

describe('answers the plugin never follows', () => {
  test('a redirect is malformed-response: never followed, it names the target origin, never its path or token', async () => {
    const { plugin } = skill(network.endpoints.redirect);
    await network.reset();
    const { error } = await failure(withEnv(noCaVariables, () => plugin.initialize()));
    assert.equal(error.code, 'malformed-response', error.message);
    assert.match(error.message, /redirect/);
    assert.ok(error.message.includes(`to ${network.endpoints.redirectTarget}`), error.message);
    // The target's path is /elsewhere; the word itself may appear in the explanation.
    assert.doesNotMatch(error.message, /REDIRECT-SECRET|token=|\/elsewhere/);
    assert.equal((await network.counts()).redirectTargetHits, 0);
  });
});

describe('a client whose clock is 15 minutes off', () => {
  for (const name of ['skewAhead', 'skewBehind']) {
    test(`still works with DynamoDB (${name === 'skewAhead' ? 'server ahead' : 'server behind'}): the clock is corrected from the refusal's Date`, async () => {
      const { app } = skill(network.endpoints[name]);
      await network.reset();
      assert.equal(await withEnv(noCaVariables, () => twoVisits(app)), 2);
      assert.ok((await network.counts()).skewRefused >= 1, 'the server did refuse the skewed clock first');
    });
  }
});
