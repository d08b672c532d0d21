// User stories of logging: an app that prints its plugin, its config, a per-request clone of
// them, the edge store or any error (util.inspect, console.log, JSON.stringify) never prints
// the secret access key or the session token, and credentials still sign requests after Jovo
// has deep-cloned the plugin (lodash cloneDeep in HandleRequest).
import assert from 'node:assert/strict';
import { Console } from 'node:console';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { DynamoDb, DynamoDbError } from '../src/index.js';
import { openStore } from '../src/edge/index.js';
import { pluginConfig } from './support/config.js';
import { startDynalite } from './support/dynalite.js';
import { startProxy } from './support/proxy.js';
import { visit, visitCounterApp } from './support/jovo.js';

// The clone Jovo makes of the app and its plugins for every request.
const cloneDeep = createRequire(createRequire(import.meta.url).resolve('@jovotech/framework'))('lodash.clonedeep');

const SECRET = 'secret-key-that-must-never-be-printed';
const TOKEN = 'session-token-that-must-never-be-printed';
const CREDENTIALS = Object.freeze({ accessKeyId: 'AKIDSECRETSTEST', secretAccessKey: SECRET, sessionToken: TOKEN });

/** Every way an app might print `value`: util.inspect (deep, hidden too), console.log, JSON.stringify. */
function printed(value) {
  let logged = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logged += chunk;
      done();
    },
  });
  const console = new Console({ stdout: sink, stderr: sink });
  console.log(value);
  console.log('%o', value);
  console.dir(value, { depth: null });
  let json;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    json = `(JSON.stringify threw: ${error.message})`;
  }
  return [inspect(value, { depth: Infinity, showHidden: true, getters: true }), logged, json].join('\n');
}

function assertNoSecret(value, what) {
  const text = printed(value);
  assert.doesNotMatch(text, new RegExp(SECRET), `${what} shows the secret access key`);
  assert.doesNotMatch(text, new RegExp(TOKEN), `${what} shows the session token`);
  return text;
}

function configWithCredentials(endpoint, extra = {}) {
  const config = pluginConfig(endpoint, extra);
  config.libraryConfig.dynamoDbClient.credentials = { ...CREDENTIALS };
  return config;
}

let dynalite;
before(async () => {
  dynalite = await startDynalite({ createTableMs: 50 });
});
after(() => dynalite?.stop());

describe('the plugin', () => {
  test('printing the plugin or its config shows the access key id, and [redacted] for the secret and the token', () => {
    const plugin = new DynamoDb(configWithCredentials(dynalite.endpoint));
    const text = assertNoSecret(plugin, 'the plugin');
    assert.match(text, /AKIDSECRETSTEST/);
    assert.match(text, /\[redacted\]/);
    assertNoSecret(plugin.config, 'plugin.config');
    assertNoSecret(plugin.initConfig, 'plugin.initConfig');
    assertNoSecret(plugin.config.libraryConfig.dynamoDbClient, 'libraryConfig.dynamoDbClient');
  });

  test('a clone made as Jovo makes it hides them as well, and keeps them for signing', () => {
    const clone = cloneDeep(new DynamoDb(configWithCredentials(dynalite.endpoint)));
    assertNoSecret(clone, 'the cloned plugin');
    assertNoSecret(cloneDeep(clone.config), 'a clone of the config');
    const credentials = clone.config.libraryConfig.dynamoDbClient.credentials;
    assert.equal(credentials.secretAccessKey, SECRET);
    assert.equal(credentials.sessionToken, TOKEN);
  });

  test('a plugin first used through its clone signs with the configured keys and token', async () => {
    const proxy = await startProxy(dynalite.endpoint);
    const clone = cloneDeep(new DynamoDb(configWithCredentials(proxy.endpoint)));
    try {
      await clone.initialize();
      await clone.saveData('cloned', { getPersistableData: () => ({ user: { data: { visits: 1 } } }) });
      const jovo = { $user: { isNew: true }, setPersistableData(item) {
        this.loaded = item;
      } };
      await clone.loadData('cloned', jovo);
      assert.deepEqual(jovo.loaded.user, { data: { visits: 1 } });
      assert.ok((await proxy.accessKeyIds()).every((id) => id === 'AKIDSECRETSTEST'));
      assert.ok((await proxy.sessionTokens()).every((token) => token === TOKEN));
      assertNoSecret(clone, 'the clone after use');
    } finally {
      await clone.close();
      await proxy.stop();
    }
  });

  test('in a Jovo app, requests work and the request\'s clone of the app prints no secret', async () => {
    const plugin = new DynamoDb(configWithCredentials(dynalite.endpoint));
    const app = visitCounterApp(plugin);
    const seen = [];
    app.middlewareCollection.use('after.response.end', (jovo) => {
      seen.push(printed(jovo.$handleRequest));
    });
    assert.equal((await visit(app, 'logged-user')).visits, 1);
    assert.equal((await visit(app, 'logged-user')).visits, 2);
    assert.equal(seen.length, 2);
    for (const text of seen) {
      assert.doesNotMatch(text, new RegExp(`${SECRET}|${TOKEN}`));
      assert.match(text, /AKIDSECRETSTEST/); // the clone does carry the (redacted) credentials
    }
    assertNoSecret(app, 'the app');
    await plugin.close();
  });

  test('credentials configured on the app (config.plugin.DynamoDb) are hidden once the app initializes', async () => {
    const plugin = new DynamoDb({ table: { name: pluginConfig(dynalite.endpoint).table.name }, libraryConfig: { dynamoDbClient: { endpoint: dynalite.endpoint, region: 'us-east-1' } } });
    const app = visitCounterApp(plugin);
    app.config.plugin = { DynamoDb: { libraryConfig: { dynamoDbClient: { credentials: { ...CREDENTIALS } } } } };
    assert.equal((await visit(app, 'app-configured')).visits, 1);
    assertNoSecret(plugin, 'the plugin');
    assertNoSecret(app, 'the app');
    await plugin.close();
  });
});

describe('the edge store', () => {
  test('printing the store shows no secret, and it works', async () => {
    const store = await openStore({
      table: { name: 'edge-secrets' },
      client: { endpoint: dynalite.endpoint, region: 'us-east-1', credentials: { ...CREDENTIALS } },
    });
    assertNoSecret(store, 'the edge store');
    await store.ensureTable();
    await store.saveUser('u', { user: { data: { ok: true } } });
    assert.deepEqual((await store.loadUser('u')).user, { data: { ok: true } });
    assertNoSecret(store, 'the edge store after use');
  });
});

describe('errors', () => {
  /** Runs `operation` and returns the DynamoDbError it fails with. */
  async function errorOf(operation) {
    try {
      await operation();
    } catch (error) {
      assert.ok(error instanceof DynamoDbError, `${error?.name}: ${error?.message}`);
      return error;
    }
    assert.fail('did not fail');
  }

  test('a credentials or region provider whose own error holds the secret: the error names the source and the error class, never its message', async () => {
    class CredentialsProviderError extends Error {
      name = 'CredentialsProviderError';
    }
    const leaky = async () => {
      throw new CredentialsProviderError(`could not refresh secretAccessKey=${SECRET} sessionToken=${TOKEN}`);
    };
    const plugin = new DynamoDb(pluginConfig(dynalite.endpoint));
    plugin.config.libraryConfig.dynamoDbClient.credentials = leaky;
    const fromPlugin = await errorOf(() => plugin.loadData('u', {}));
    assert.equal(fromPlugin.code, 'credentials-unavailable');
    assert.match(fromPlugin.message, /the libraryConfig\.dynamoDbClient\.credentials provider failed \(CredentialsProviderError;/);
    assertNoSecret(fromPlugin, 'plugin credentials-unavailable');

    const store = await openStore({ table: { name: 'leaky-provider' }, client: { endpoint: dynalite.endpoint, region: 'us-east-1', credentials: leaky } });
    const fromEdge = await errorOf(() => store.loadUser('u'));
    assert.equal(fromEdge.code, 'credentials-unavailable');
    assert.match(fromEdge.message, /the client\.credentials provider failed \(CredentialsProviderError;/);
    assertNoSecret(fromEdge, 'edge credentials-unavailable');

    const regional = new DynamoDb(pluginConfig(dynalite.endpoint));
    regional.config.libraryConfig.dynamoDbClient.region = async () => {
      throw Object.assign(new Error(`no region; secretAccessKey=${SECRET}`), { code: 'ENOREGION' });
    };
    const fromRegion = await errorOf(() => regional.initialize());
    assert.equal(fromRegion.code, 'invalid-config');
    assert.match(fromRegion.message, /region provider failed \(Error, code ENOREGION;/);
    assertNoSecret(fromRegion, 'region provider invalid-config');
  });

  test('no error of the plugin or the edge entry shows the secret or the token', async () => {
    const closedPort = 'http://127.0.0.1:1';
    const errors = {
      'invalid-config from the component (a secret with a space)': await errorOf(() =>
        new DynamoDb({ ...configWithCredentials(dynalite.endpoint), libraryConfig: { dynamoDbClient: { endpoint: dynalite.endpoint, region: 'us-east-1', credentials: { ...CREDENTIALS, secretAccessKey: `${SECRET} x` } } } }).initialize(),
      ),
      'invalid-config of a bad session token': await errorOf(async () =>
        new DynamoDb({ ...configWithCredentials(dynalite.endpoint), libraryConfig: { dynamoDbClient: { credentials: { ...CREDENTIALS, sessionToken: 5 } } } }),
      ),
      'transport-failed': await errorOf(() =>
        new DynamoDb(configWithCredentials(closedPort, { component: { retryBaseDelayMs: 0 } })).loadData('u', {}),
      ),
      'table-missing': await errorOf(() =>
        new DynamoDb(configWithCredentials(dynalite.endpoint, { table: { createTableOnInit: false } })).initialize(),
      ),
      'credentials-unavailable from a failing provider': await errorOf(async () => {
        const plugin = new DynamoDb(pluginConfig(dynalite.endpoint));
        plugin.config.libraryConfig.dynamoDbClient.credentials = async () => {
          throw new Error('the identity pool refused');
        };
        await plugin.loadData('u', {});
      }),
      'edge invalid-config': await errorOf(() =>
        openStore({ table: { name: 'x' }, client: { endpoint: dynalite.endpoint, credentials: { ...CREDENTIALS, secretAccessKey: `${SECRET} x` } } }),
      ),
      'edge transport-failed': await errorOf(async () => {
        const store = await openStore({ table: { name: 'x' }, client: { endpoint: closedPort, region: 'us-east-1', maxAttempts: 1, credentials: { ...CREDENTIALS } } });
        await store.loadUser('u');
      }),
    };
    for (const [what, error] of Object.entries(errors)) assertNoSecret(error, what);
    // A provider's own message is never quoted: it may hold what it failed to hand over.
    assert.match(errors['credentials-unavailable from a failing provider'].message, /libraryConfig\.dynamoDbClient\.credentials provider failed \(Error;/);
    assert.doesNotMatch(errors['credentials-unavailable from a failing provider'].message, /identity pool refused/);
    assert.equal(errors['table-missing'].code, 'table-missing');
    assert.equal(errors['transport-failed'].code, 'transport-failed');
    assert.equal(errors['credentials-unavailable from a failing provider'].code, 'credentials-unavailable');
  });
});
