// An engine runs client methods (ensureTable, loadUser, saveUser, deleteUser) of the
// component and returns promises, whichever transpilation runs underneath.
//
// JSPI: a suspended instance must never be entered again (its stack and the jco task state
// are in the middle of a call), so every instance serves one call at a time. A pool of up to
// `poolSize` instances, created on demand, serves concurrent users in parallel; callers
// beyond that wait in a FIFO queue. A single instance with a queue would be simpler but
// would serialise every user's DynamoDB round trip.
//
// Sync: a call runs to completion before control returns to JavaScript, so one instance is
// never re-entered by construction; concurrent calls simply run one after another.
import { fromComponentError, isStoreError } from '../errors.js';
import { BlockingFetch } from './blocking-fetch.js';
import { instantiateStore } from './component.js';
import { blockingHost, suspendingHost } from './hosts.js';

/** Whether this runtime can run the JSPI transpilation. */
export function supportsJspi() {
  return typeof WebAssembly.Suspending === 'function' && typeof WebAssembly.promising === 'function';
}

/**
 * Starts an engine and opens one client, so config errors surface here.
 * @param {{ mode: 'jspi' | 'sync', poolSize: number, config: object, credentials: import('../credentials.js').CredentialsSource, onSleep?: (ms: number) => void }} options
 */
export async function startEngine({ mode, poolSize, config, credentials, onSleep }) {
  const engine = mode === 'jspi'
    ? new InstancePool(config, credentials, poolSize, onSleep)
    : new SyncEngine(config, credentials, onSleep);
  try {
    await engine.start();
    return engine;
  } catch (error) {
    await engine.close();
    throw error;
  }
}

async function openClient(store, config) {
  try {
    return store.Client.open(config);
  } catch (error) {
    throw fromComponentError(error);
  }
}

class SyncEngine {
  mode = 'sync';
  #client;
  #fetch = new BlockingFetch();

  constructor(config, credentials, onSleep) {
    this.config = config;
    this.credentials = credentials;
    this.onSleep = onSleep;
  }

  async start() {
    const store = await instantiateStore('sync', blockingHost(this.credentials, this.#fetch, { onSleep: this.onSleep }));
    this.#client = await openClient(store, this.config);
  }

  async call(method, ...args) {
    await this.credentials.refresh();
    try {
      return this.#client[method](...args);
    } catch (error) {
      throw fromComponentError(error);
    }
  }

  close() {
    return this.#fetch.close();
  }
}

class InstancePool {
  mode = 'jspi';
  #idle = [];
  #waiting = [];
  #size = 0;

  constructor(config, credentials, poolSize, onSleep) {
    this.config = config;
    this.credentials = credentials;
    this.poolSize = poolSize;
    this.onSleep = onSleep;
  }

  async start() {
    this.#release(await this.#acquire());
  }

  async call(method, ...args) {
    await this.credentials.refresh();
    const client = await this.#acquire();
    let healthy = true;
    try {
      return await client[method](...args);
    } catch (error) {
      // A trap (not a store-error) may leave the instance inconsistent: replace it.
      healthy = isStoreError(error);
      throw fromComponentError(error);
    } finally {
      if (healthy) this.#release(client);
      else this.#discard();
    }
  }

  /** How many instances exist now (for tests and diagnostics). */
  get size() {
    return this.#size;
  }

  close() {
    this.#idle = [];
  }

  #acquire() {
    if (this.#idle.length > 0) return Promise.resolve(this.#idle.pop());
    if (this.#size < this.poolSize) return this.#grow();
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  async #grow() {
    this.#size += 1;
    try {
      const store = await instantiateStore('jspi', suspendingHost(this.credentials, { onSleep: this.onSleep }));
      return await openClient(store, this.config);
    } catch (error) {
      this.#size -= 1;
      throw error;
    }
  }

  #release(client) {
    const next = this.#waiting.shift();
    if (next) next.resolve(client);
    else this.#idle.push(client);
  }

  #discard() {
    this.#size -= 1;
    const next = this.#waiting.shift();
    if (next) this.#grow().then(next.resolve, next.reject);
  }
}
