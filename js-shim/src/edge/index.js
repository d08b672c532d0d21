// jovo-dynamodb-wasm/edge: the component for browsers, Cloudflare Workers (workerd), Deno, Bun
// and Node.js, over `fetch`. No Node.js built-ins, no framework.
//
//   const store = await openStore({ table: { name: 'my-users' },
//     client: { endpoint, region, credentials: { accessKeyId, secretAccessKey } } });
//   const item = (await store.loadUser('user-1')) ?? { user: { data: {} } };
//   await store.saveUser('user-1', item);
//
// The same engine as the plugin's (../engine/engine.js: the component's step export, driven
// with async I/O), so any runtime with WebAssembly and fetch runs it; JSPI is not needed. The
// core modules are inlined in the package; workerd, which refuses to compile WebAssembly from
// bytes, passes them as precompiled modules in `wasm`.
import { DynamoDbError } from '../errors.js';
import { openEngine } from '../engine/engine.js';
import { fetchSend } from '../engine/fetch-http.js';
import { inlineCoreModule } from '../engine/inline-wasm.js';
import { checkOptions, toComponentConfig } from './config.js';
import { CORE_MODULE_NAMES, coreModuleLoader } from './core-modules.js';
import { credentialsFrom } from './credentials.js';
import { checkUserId, itemToJson } from '../item.js';
import { NumberValue, parseItemJson } from '../json.js';

export { CORE_MODULE_NAMES, DynamoDbError, NumberValue };

/**
 * Opens a store: instantiates the component and opens a client (which validates the config;
 * no I/O until the first call).
 */
export async function openStore(options) {
  checkOptions(options);
  const credentials = credentialsFrom(options.client?.credentials);
  const engine = await openEngine({
    getCoreModule: options.wasm === undefined ? inlineCoreModule : coreModuleLoader(options.wasm),
    config: toComponentConfig(options, credentials.fixed),
    credentials,
    send: fetchSend,
  });
  return new EdgeStore(engine, options.marshall);
}

/**
 * One component instance with one client. Calls run concurrently: each is a step-driven
 * operation of the component, and one instance serves any number of them at once.
 */
export class EdgeStore {
  #engine;
  #marshall;

  constructor(engine, marshall = {}) {
    this.#engine = engine;
    this.#marshall = marshall;
  }

  /** Creates the table when missing and waits until it is ACTIVE: 'already-existed' | 'created' | 'created-concurrently'. */
  ensureTable() {
    return this.#run('ensureTable');
  }

  /**
   * Turns on Time to Live for `table.expiryAttribute` when `table.expireAfterDays` is set and
   * it is off, and says how it stands, as the plugin's method of the same name does:
   * `{ status: 'not-configured' | 'enabled' }` or `{ status: 'unavailable', reason }`.
   */
  async ensureTimeToLive() {
    const { tag, val } = await this.#run('ensureTimeToLive');
    return tag === 'unavailable' ? { status: tag, reason: val } : { status: tag };
  }

  /**
   * The stored item of `userId` as an object, or null when there is none. Integers beyond
   * ±(2^53 - 1) are BigInts, other numbers a double cannot hold exactly NumberValues; sets
   * are Sets and binary Uint8Arrays, as unmarshall gives them.
   */
  async loadUser(userId) {
    checkUserId(userId);
    const itemJson = await this.#run('loadUser', userId);
    return itemJson === undefined ? null : parseItemJson(itemJson);
  }

  /**
   * Replaces the stored item of `userId` with `item`, marshalled as the plugin marshals
   * (BigInt and NumberValue keep their digits, Sets are SS/NS/BS, binary data B; NaN, numbers
   * beyond ±(2^53 - 1), cycles and nesting deeper than 32 levels are `invalid-input`).
   */
  async saveUser(userId, item) {
    checkUserId(userId);
    return this.#run('saveUser', userId, itemToJson(item, this.#marshall));
  }

  /** Deletes the stored item of `userId`; deleting a missing item succeeds. */
  async deleteUser(userId) {
    checkUserId(userId);
    return this.#run('deleteUser', userId);
  }

  #run(method, ...args) {
    return this.#engine.run(method, ...args);
  }
}
