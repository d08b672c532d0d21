// The Jovo plugin: a drop-in for `DynamoDb` of @jovotech/db-dynamodb 4.1.0. Same config,
// same item shape, same loadData/saveData semantics; the DynamoDB client underneath is the
// WebAssembly component, and `initialize()` waits for a new table instead of failing.
// Beyond the original: optimistic locking and data retention (table options).
import { DbPlugin, Logger } from '@jovotech/framework';
import {
  DEFAULT_COMPONENT,
  DEFAULT_MARSHALL,
  DEFAULT_TABLE,
  TABLE_NAME_PLACEHOLDER,
  checkConfig,
  endpointUrl,
  hideSecrets,
  toComponentConfig,
} from './config.js';
import { CredentialsSource, resolveRegion } from './credentials.js';
import { openEngine } from './engine/engine.js';
import { inlineCoreModule } from './engine/inline-wasm.js';
import { createNodeTransport } from './engine/node-http.js';
import { checkUserId, itemToJson } from './item.js';
import { parseItemJson } from './json.js';
import { checkProxyOption, proxyResolver } from './network/proxy.js';
import { trustedCertificates } from './network/trust.js';

// Jovo deep-clones every plugin for each request (HandleRequest merges a cloneDeep of the
// app), which would copy the component instance into useless per-request copies. The engine
// (one instance, one client, any number of operations in flight) therefore lives here, keyed
// by an id that clones share. For the same reason the class has
// no private (#) members: a clone lacks them and would throw on access.
const engines = new Map();
let lastEngineId = 0;

// With optimistic locking, the version a request loaded must reach that request's save. Jovo's
// setPersistableData keeps only the stored elements and saveData builds the item anew, so
// the version is kept here, keyed by the request's Jovo object: the same object reaches
// loadData and saveData of one request, and the entry goes with it when the request is done.
const loadedVersions = new WeakMap();

export class DynamoDb extends DbPlugin {
  constructor(config) {
    super(config);
    checkConfig(this.config);
    checkProxyOption(this.config.component?.proxy);
    hideSecrets(this);
    this.engineId = `dynamodb-${++lastEngineId}`;
  }

  getDefaultConfig() {
    return {
      ...super.getDefaultConfig(),
      table: { ...DEFAULT_TABLE },
      libraryConfig: { marshall: { ...DEFAULT_MARSHALL } },
      component: { ...DEFAULT_COMPONENT },
    };
  }

  getInitConfig() {
    return { table: { name: TABLE_NAME_PLACEHOLDER } };
  }

  /**
   * Makes sure the table exists and is ACTIVE, creating it when allowed; waits for a new one.
   * Then records in `timeToLive` how Time to Live stands. A server or identity that cannot
   * do Time to Live does not fail the app: the status is 'unavailable', logged as a warning.
   */
  async initialize() {
    checkConfig(this.config);
    checkProxyOption(this.config.component?.proxy);
    hideSecrets(this); // Jovo has merged the app's plugin config into this.config by now
    await callEngine(this, 'ensureTable');
    this.timeToLive = await this.ensureTimeToLive();
    if (this.timeToLive.status === 'unavailable') {
      Logger.warn(`[DynamoDb] Time to Live is unavailable on table ${this.config.table.name}: ${this.timeToLive.reason}`);
    }
  }

  /**
   * Turns on Time to Live for `table.expiryAttribute` when `table.expireAfterDays` is set and
   * it is off. Resolves to `{ status: 'not-configured' | 'enabled' }` or
   * `{ status: 'unavailable', reason }`.
   */
  async ensureTimeToLive() {
    const { tag, val } = await callEngine(this, 'ensureTimeToLive');
    return tag === 'unavailable' ? { status: tag, reason: val } : { status: tag };
  }

  async loadData(userId, jovo) {
    checkUserId(userId);
    const itemJson = await callEngine(this, 'loadUser', userId);
    if (itemJson === undefined || itemJson === null) return;
    // Numbers beyond a double's precision load as BigInt or NumberValue, not rounded.
    const item = parseItemJson(itemJson);
    const { optimisticLocking, versionAttribute } = this.config.table;
    if (optimisticLocking && item[versionAttribute] !== undefined) loadedVersions.set(jovo, item[versionAttribute]);
    jovo.$user.isNew = false;
    jovo.setPersistableData(item, this.config.storedElements);
  }

  /**
   * With optimistic locking the item carries the version this request loaded (none for a new
   * user); when another request saved the user in between, this fails with a DynamoDbError
   * of code 'conditional-conflict' and stores nothing.
   */
  async saveData(userId, jovo) {
    checkUserId(userId);
    const { primaryKeyColumn, optimisticLocking, versionAttribute } = this.config.table;
    const item = { [primaryKeyColumn]: userId };
    await this.applyPersistableData(jovo, item);
    if (optimisticLocking && loadedVersions.has(jovo)) item[versionAttribute] = loadedVersions.get(jovo);
    await callEngine(this, 'saveUser', userId, itemToJson(item, this.config.libraryConfig?.marshall));
    // The component stored the next version; a second save in this request builds on it.
    if (optimisticLocking) loadedVersions.set(jovo, (loadedVersions.get(jovo) ?? 0) + 1);
  }

  /** Deletes the stored item of `userId` (not part of the original plugin; for GDPR requests). */
  async deleteData(userId) {
    checkUserId(userId);
    await callEngine(this, 'deleteUser', userId);
  }

  /**
   * Lets go of the component instance; the next call opens a new one. Operations in flight
   * finish on the old one. Nothing else needs closing: idle keep-alive sockets never keep
   * the process alive.
   */
  async close() {
    engines.delete(this.engineId);
  }
}

async function callEngine(plugin, method, ...args) {
  return (await engineOf(plugin)).run(method, ...args);
}

function engineOf(plugin) {
  if (!engines.has(plugin.engineId)) {
    const starting = startEngineFor(plugin.config);
    // A failed start (bad config, no region) is not kept: the next request tries again.
    starting.catch(() => engines.delete(plugin.engineId));
    engines.set(plugin.engineId, starting);
  }
  return engines.get(plugin.engineId);
}

// The environment (AWS_CA_BUNDLE, HTTPS_PROXY, ...) is read when the engine starts: at the
// first operation, usually initialize(). A broken CA bundle or proxy variable fails there
// with invalid-config, and the next call tries again.
async function startEngineFor(config, env = process.env) {
  const clientConfig = config.libraryConfig?.dynamoDbClient ?? {};
  // A plain-http endpoint (a local DynamoDB) never opens a TLS connection, so the CA settings
  // are not read for it: with AWS_CA_BUNDLE set (a full system bundle, say) building the list
  // took ~270 ms of CPU at start on Node 20.
  const usesTls = !/^http:/i.test(endpointUrl(clientConfig.endpoint) ?? '');
  const send = createNodeTransport({
    ca: usesTls ? trustedCertificates(config.component?.ca, env) : undefined,
    proxyFor: proxyResolver(config.component?.proxy, env),
  });
  const credentials = new CredentialsSource(clientConfig.credentials);
  const region = await resolveRegion(clientConfig.region);
  return openEngine({
    getCoreModule: inlineCoreModule,
    config: toComponentConfig(config, { region, credentials: credentials.fixed }),
    credentials,
    send,
    onSleep: config.component?.onSleep,
  });
}
