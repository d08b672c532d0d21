// User stories of a skill behind a corporate proxy: HTTPS_PROXY / HTTP_PROXY / NO_PROXY as
// boto3 and the AWS CLI honor them, and component.proxy to set or switch off the proxy. https
// endpoints go through a CONNECT tunnel (the endpoint's certificate verified inside it) that
// stays open for later requests; http endpoints as absolute-form requests. The proxy is the
// network fixture's, which counts tunnels and proxied requests.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { DynamoDb } from '../src/index.js';
import { proxyResolver } from '../src/network/proxy.js';
import { pluginConfig } from './support/config.js';
import { NO_PROXY_VARIABLES, closedPort, withEnv } from './support/environment.js';
import { visit, visitCounterApp } from './support/jovo.js';
import { startNetwork } from './support/network.js';

let network;
let deadProxy; // a proxy URL where nothing listens: using it fails every request
before(async () => {
  network = await startNetwork();
  deadProxy = `http://127.0.0.1:${await closedPort()}`;
});
after(() => network?.stop());

const plugins = [];
after(() => Promise.all(plugins.map((plugin) => plugin.close())));

function skill(endpoint, component = {}) {
  const plugin = new DynamoDb(pluginConfig(endpoint, { component: { retryBaseDelayMs: 1, ca: network.ca, ...component } }));
  plugins.push(plugin);
  return { plugin, app: visitCounterApp(plugin) };
}

/** `visits` visits of one user in the environment `env` (every proxy variable unset otherwise); the fixture's counts after. */
async function visitsThrough(app, env, visits = 2) {
  await network.reset();
  let last;
  await withEnv({ ...NO_PROXY_VARIABLES, AWS_CA_BUNDLE: undefined, ...env }, async () => {
    for (let request = 0; request < visits; request += 1) last = await visit(app, 'proxy-user');
  });
  return { visits: last.visits, counts: await network.counts() };
}

describe('a skill behind a proxy', () => {
  test('HTTPS_PROXY: https goes through one CONNECT tunnel, kept alive with its TLS connection over 100 operations', async (t) => {
    const { app } = skill(network.endpoints.tls);
    const { visits, counts } = await visitsThrough(app, { HTTPS_PROXY: network.endpoints.proxy }, 50);
    t.diagnostic(`tunnels ${counts.tunnels}, TLS handshakes ${counts.handshakes.tls} for initialize + 100 operations`);
    assert.equal(visits, 50);
    assert.ok(counts.tunnels >= 1 && counts.tunnels <= 2, `${counts.tunnels} tunnels`);
    assert.ok(counts.handshakes.tls <= 2, `${counts.handshakes.tls} handshakes`);
  });

  test('the endpoint\'s certificate is still verified inside the tunnel: a self-signed one is tls-failed', async () => {
    const { plugin } = skill(network.endpoints.selfSigned);
    await network.reset();
    const error = await withEnv({ ...NO_PROXY_VARIABLES, HTTPS_PROXY: network.endpoints.proxy }, () => plugin.initialize()).then(
      () => assert.fail('expected tls-failed'),
      (caught) => caught,
    );
    assert.equal(error.code, 'tls-failed', error.message);
    assert.match(error.message, /after 1 attempt;/);
    assert.equal((await network.counts()).tunnels, 1);
  });

  test('https_proxy (lower case) wins over HTTPS_PROXY', async () => {
    const { app } = skill(network.endpoints.tls);
    const { visits, counts } = await visitsThrough(app, { https_proxy: network.endpoints.proxy, HTTPS_PROXY: deadProxy });
    assert.equal(visits, 2);
    assert.ok(counts.tunnels >= 1);
  });

  test('HTTP_PROXY and http_proxy: an http endpoint is asked through the proxy in absolute form', async () => {
    for (const name of ['HTTP_PROXY', 'http_proxy']) {
      const { app } = skill(network.dynalite);
      const { visits, counts } = await visitsThrough(app, { [name]: network.endpoints.proxy, HTTPS_PROXY: deadProxy });
      assert.equal(visits, 2, name);
      assert.ok(counts.proxied >= 4, `${name}: ${counts.proxied} requests proxied`); // table check, 2 loads, 2 saves
      assert.equal(counts.tunnels, 0);
    }
  });

  for (const [name, value] of [['NO_PROXY', 'localhost'], ['no_proxy', 'example.com, .localhost, LOCALHOST'], ['NO_PROXY', '*']]) {
    test(`${name}=${value} exempts the endpoint: no tunnel, a direct connection`, async () => {
      const { app } = skill(network.endpoints.tls);
      const { visits, counts } = await visitsThrough(app, { HTTPS_PROXY: deadProxy, [name]: value });
      assert.equal(visits, 2);
      assert.equal(counts.tunnels, 0);
    });
  }

  test('component.proxy sets the proxy without any variable', async () => {
    const { app } = skill(network.endpoints.tls, { proxy: network.endpoints.proxy });
    const { visits, counts } = await visitsThrough(app, {});
    assert.equal(visits, 2);
    assert.ok(counts.tunnels >= 1);
  });

  test('component.proxy: false ignores HTTPS_PROXY and HTTP_PROXY', async () => {
    const { app } = skill(network.endpoints.tls, { proxy: false });
    const { visits, counts } = await visitsThrough(app, { HTTPS_PROXY: deadProxy, HTTP_PROXY: deadProxy });
    assert.equal(visits, 2);
    assert.equal(counts.tunnels, 0);
  });

  test('a proxy URL with user and password sends Proxy-Authorization: Basic, and no error text shows them', async () => {
    const seen = [];
    const refusing = createServer();
    refusing.on('connect', (request, socket) => {
      seen.push(request.headers['proxy-authorization']);
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n');
    });
    refusing.listen(0, '127.0.0.1');
    await once(refusing, 'listening');
    try {
      const proxy = `http://jovo:pa%3Ass-w0rd@127.0.0.1:${refusing.address().port}`;
      const { plugin } = skill(network.endpoints.tls, { proxy });
      const error = await plugin.initialize().then(() => assert.fail('expected a failure'), (caught) => caught);
      assert.equal(error.code, 'transport-failed', error.message);
      assert.match(error.message, /refused a tunnel to localhost:\d+ \(HTTP 407\)/);
      assert.doesNotMatch(error.message, /pa%3Ass|pa:ss|w0rd|jovo:/);
      assert.equal(seen[0], `Basic ${Buffer.from('jovo:pa:ss-w0rd').toString('base64')}`);
    } finally {
      refusing.close();
    }
  });

  test('a proxy variable that is not an http:// URL is invalid-config naming the variable, never its credentials', async () => {
    const { plugin } = skill(network.endpoints.tls);
    const error = await withEnv({ ...NO_PROXY_VARIABLES, HTTPS_PROXY: 'socks5://user:hunter2@proxy.example.com' }, () => plugin.initialize()).then(
      () => assert.fail('expected invalid-config'),
      (caught) => caught,
    );
    assert.equal(error.code, 'invalid-config');
    assert.match(error.message, /HTTPS_PROXY must be an http:\/\/ proxy URL, not socks5:\/\//);
    assert.doesNotMatch(error.message, /hunter2/);
  });
});

describe('NO_PROXY rules (as curl, requests and botocore read them)', () => {
  const via = (env, url) => Boolean(proxyResolver(undefined, { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://proxy:3128', ...env })(new URL(url)));
  const cases = [
    ['', 'https://dynamodb.eu-west-1.amazonaws.com/', true],
    ['amazonaws.com', 'https://dynamodb.eu-west-1.amazonaws.com/', false],
    ['.amazonaws.com', 'https://dynamodb.eu-west-1.amazonaws.com/', false],
    ['*.amazonaws.com', 'https://dynamodb.eu-west-1.amazonaws.com/', false],
    ['amazonaws.com', 'https://notamazonaws.com/', true],
    ['127.0.0.1', 'http://127.0.0.1:8000/', false],
    ['127.0.0.1:9000', 'http://127.0.0.1:8000/', true],
    ['127.0.0.1:8000', 'http://127.0.0.1:8000/', false],
    ['localhost:443', 'https://localhost/', false],
    ['[::1]:8000', 'http://[::1]:8000/', false],
    ['::1', 'http://[::1]:8000/', false],
    [' example.com , LocalHost ', 'http://localhost:8000/', false],
    ['*', 'https://dynamodb.us-east-1.amazonaws.com/', false],
  ];
  for (const [noProxy, url, proxied] of cases) {
    test(`NO_PROXY=${JSON.stringify(noProxy)}: ${url} ${proxied ? 'goes through the proxy' : 'is direct'}`, () => {
      assert.equal(via({ NO_PROXY: noProxy }, url), proxied);
      assert.equal(via({ no_proxy: noProxy, NO_PROXY: 'nothing.example' }, url), proxied, 'no_proxy wins');
    });
  }
  test('component.proxy applies to every endpoint, NO_PROXY or not (as boto3\'s proxies option)', () => {
    assert.ok(proxyResolver('http://proxy:3128', { NO_PROXY: '*' })(new URL('https://localhost/')));
  });
});
