// jovo-dynamodb-wasm/edge: the component for browsers, Cloudflare Workers (workerd), Deno and
// other runtimes with `fetch` and WebAssembly JSPI. No Node.js built-ins, no framework.
//
//   const store = await openStore({ table: { name: 'my-users' },
//     client: { endpoint, region, credentials: { accessKeyId, secretAccessKey } } });
//   const item = (await store.loadUser('user-1')) ?? { user: { data: {} } };
//   await store.saveUser('user-1', item);
//
// It runs the JSPI transpilation (dist/jspi.js): `host.send` is a `fetch` the instance suspends
// on. There is no fallback for runtimes without JSPI: the blocking one of the Node plugin needs
// worker threads and Atomics.wait on the main thread, which browsers and workerd do not allow.
import { instantiate } from '../../dist/jspi.js';
import { DynamoDbError, fromComponentError, isStoreError } from '../errors.js';
import { checkOptions, invalidConfig, toComponentConfig } from './config.js';
import { CORE_MODULE_NAMES, coreModuleLoader } from './core-modules.js';
import { credentialsFrom } from './credentials.js';
import { fetchHost } from './host.js';

export { CORE_MODULE_NAMES, DynamoDbError };

const HOST_INTERFACE = 'jovo:dynamodb/host@0.1.0';

/** Whether this runtime has WebAssembly JSPI, which the edge store needs. */
export function supportsJspi() {
  return typeof WebAssembly.Suspending === 'function' && typeof WebAssembly.promising === 'function';
}

/**
 * Opens a store: instantiates the component and opens a client (which validates the config;
 * no I/O until the first call). Fails with `invalid-config` where JSPI is missing.
 */
export async function openStore(options) {
  if (!supportsJspi()) {
    throw invalidConfig(
      'this runtime lacks WebAssembly.Suspending (JSPI), which jovo-dynamodb-wasm/edge needs: ' +
        'run it where V8 ships JSPI (Chromium 137+, Node.js 24+, workerd); on Node.js 20/22 use the main entry',
    );
  }
  checkOptions(options);
  const credentials = credentialsFrom(options.client?.credentials);
  const config = toComponentConfig(options, credentials.fixed);
  const openInstance = () => openClient(options.wasm ?? packagedWasm(), credentials, config);
  return new EdgeStore(await openInstance(), openInstance, credentials);
}

/**
 * One component instance. A JSPI instance suspended in a `fetch` is in the middle of a call
 * and must not be entered again, so calls take turns in arrival order. For parallel calls
 * (many users at once in one Worker), open more stores; they share the compiled modules.
 */
export class EdgeStore {
  #client;
  #openInstance;
  #credentials;
  #lastCall = Promise.resolve();

  constructor(client, openInstance, credentials) {
    this.#client = client;
    this.#openInstance = openInstance;
    this.#credentials = credentials;
  }

  /** Creates the table when missing and waits until it is ACTIVE: 'already-existed' | 'created' | 'created-concurrently'. */
  ensureTable() {
    return this.#inTurn('ensureTable');
  }

  /** The stored item of `userId` as an object, or null when there is none. */
  async loadUser(userId) {
    const itemJson = await this.#inTurn('loadUser', userId);
    return itemJson === undefined ? null : JSON.parse(itemJson);
  }

  /** Replaces the stored item of `userId` with `item`, a JSON-serialisable object. */
  saveUser(userId, item) {
    return this.#inTurn('saveUser', userId, JSON.stringify(item));
  }

  /** Deletes the stored item of `userId`; deleting a missing item succeeds. */
  deleteUser(userId) {
    return this.#inTurn('deleteUser', userId);
  }

  #inTurn(method, ...args) {
    const call = this.#lastCall.then(() => this.#call(method, args));
    this.#lastCall = call.catch(() => {});
    return call;
  }

  async #call(method, args) {
    await this.#credentials.refresh();
    const client = await this.#client;
    try {
      return await client[method](...args);
    } catch (error) {
      // A trap (not a store-error) may leave the instance inconsistent: the next call gets a new one.
      if (!isStoreError(error)) this.#client = this.#openInstance();
      throw fromComponentError(error);
    }
  }
}

// Without `wasm`, the core modules are fetched from the package's own dist/ folder. Computed
// on demand: a runtime that bundles modules (workerd) may give them no usable URL.
function packagedWasm() {
  return new URL('../../dist/', import.meta.url);
}

async function openClient(wasm, credentials, config) {
  // jco looks the interface up without its version; the typings name it with the version.
  const host = fetchHost(credentials);
  const imports = { [HOST_INTERFACE]: host, [HOST_INTERFACE.replace(/@.*$/, '')]: host };
  const { store } = await instantiate(coreModuleLoader(wasm), imports);
  try {
    return store.Client.open(config);
  } catch (error) {
    throw fromComponentError(error);
  }
}
