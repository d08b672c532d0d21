// The one JavaScript engine, for Node.js and every edge runtime: one component instance and
// one client, driven through the component's step export. An operation is started with
// `client.start`, and each `operation.advance` answers what it needs next: send this signed
// request, sleep this long, or done. The engine performs sends and sleeps with the runtime's
// async I/O (the `send` it is given: node:http in Node.js, fetch elsewhere) and hands the
// outcome back, so the event loop is never blocked and any number of operations are in
// flight at once on the same instance (each advance is a short synchronous call).
import { DynamoDbError, fromComponentError } from '../errors.js';
import { MAIN_CORE_MODULE, instantiateStore } from './component.js';

// The WIT `operation-request` of each client method.
const REQUESTS = {
  ensureTable: () => ({ tag: 'ensure-table' }),
  ensureTimeToLive: () => ({ tag: 'ensure-time-to-live' }),
  loadUser: (userId) => ({ tag: 'load-user', val: userId }),
  saveUser: (userId, item) => ({ tag: 'save-user', val: { userId, item } }),
  deleteUser: (userId) => ({ tag: 'delete-user', val: userId }),
};

/**
 * Instantiates the component and opens its client, so config errors surface here.
 * @param {object} options
 * @param {(name: string) => Promise<WebAssembly.Module>} options.getCoreModule the component's core
 *   module by name (only MAIN_CORE_MODULE is asked for)
 * @param {object} options.config the WIT `config` record
 * @param {{ refresh(): Promise<void>, current(): object }} options.credentials
 * @param {(request: object, timeoutMs: number) => Promise<{ tag: 'ok' | 'err', val: object }>} options.send
 * @param {(ms: number) => void} [options.onSleep] told of every sleep step (metrics)
 */
export async function openEngine(options) {
  const engine = new Engine(options);
  await engine.ready();
  return engine;
}

// Operations in flight at once per engine; later ones wait their turn (first come, first
// served) before they start. Past the Node.js transport's 16 sockets, more operations in
// flight only queue inside its HTTP agent, holding signed requests and request objects alive
// for the garbage collector to copy around; twice that keeps the sockets busy while steps are
// computed. 500 concurrent cycles against dynalite, alternating runs on a loaded machine:
// 1,060-1,410 ops/s with this limit, 710-1,110 without.
const MAX_IN_FLIGHT = 32;

class Engine {
  #options;
  #client;
  #inFlight = 0;
  #waiting = [];

  constructor(options) {
    this.#options = options;
    this.#client = this.#openClient();
  }

  /** Resolves once the client is open; rejects with its `invalid-config` error. */
  async ready() {
    await this.#client;
  }

  /**
   * Runs one client operation to its end and returns its result (the value the blocking
   * method of the same name returns), or rejects with a DynamoDbError.
   * @param {keyof typeof REQUESTS} method
   */
  async run(method, ...args) {
    await this.#options.credentials.refresh();
    const clientOpening = this.#client;
    const client = await clientOpening;
    if (this.#inFlight >= MAX_IN_FLIGHT) await new Promise((resolve) => this.#waiting.push(resolve));
    else this.#inFlight += 1;
    let operation;
    try {
      while (sliceSpent()) await nextSlice();
      operation = startOperation(client, REQUESTS[method](...args));
      let outcome; // none for the first step and after a sleep
      for (;;) {
        let step;
        try {
          step = operation.advance(outcome);
        } catch (error) {
          // Not a store-error but a trap: the instance may be inconsistent, so later
          // operations get a new one (those in flight on this one fail as this one does).
          if (this.#client === clientOpening) {
            this.#client = this.#openClient();
            this.#client.catch(() => {}); // reported to the next operation, which awaits it
          }
          throw error;
        }
        if (step.tag === 'done') return resultOf(step.val);
        if (step.tag === 'send') {
          outcome = await this.#send(step.val.request, step.val.timeoutMs);
        } else {
          this.#options.onSleep?.(step.val);
          await new Promise((resolve) => setTimeout(resolve, step.val));
          outcome = undefined;
        }
        while (sliceSpent()) await nextSlice();
      }
    } finally {
      // The destructor runs now, not at garbage collection (a trapped instance skips it).
      operation?.dispose();
      // The slot passes straight to the next waiter, so the count stays as it is.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#inFlight -= 1;
    }
  }

  async #openClient() {
    const { credentials, getCoreModule } = this.#options;
    const store = await instantiateStore(await getCoreModule(MAIN_CORE_MODULE), { credentials: () => credentials.current() });
    try {
      return store.Client.open(this.#options.config);
    } catch (error) {
      throw fromComponentError(error);
    }
  }

  // Transports resolve to the WIT result and never reject; should one fail anyway, the
  // component gets a transport error it can retry, rather than the operation hanging.
  async #send(request, timeoutMs) {
    try {
      return await this.#options.send(request, timeoutMs);
    } catch (error) {
      return { tag: 'err', val: { tag: 'failed', val: `${error?.message ?? String(error)}: ${request.url}` } };
    }
  }
}

// Each step is short (a signature, a marshalled item, a request handed to the transport:
// about 0.3 ms), but when hundreds of operations become ready in the same turn of the event
// loop (a burst of requests, a burst of responses), their steps would run back to back in one
// microtask drain: 500 operations started at once held the loop for ~200 ms. So steps run in
// slices of at most SLICE_MS; past that, the rest wait for the next turn of the loop, and
// timers and I/O of the rest of the app run in between. The check is synchronous, right
// before the step: an `await` between check and step would let every ready operation pass
// the check before any of them did its work.
const SLICE_MS = 4;
const nextTurn = typeof setImmediate === 'function' ? (resolve) => setImmediate(resolve) : (resolve) => setTimeout(resolve, 0);
let sliceStartedMs;
let slicesStarted = 0;

function sliceSpent() {
  const now = performance.now();
  if (sliceStartedMs === undefined) {
    sliceStartedMs = now;
    slicesStarted += 1;
    // Queued before the waiters of this slice, so the next turn starts a fresh slice first.
    nextTurn(() => {
      sliceStartedMs = undefined;
    });
    return false;
  }
  return now - sliceStartedMs >= SLICE_MS;
}

// Waits for the next turn. The timer above may never fire: workerd cancels a request's timers
// when the request ends. So the first waiter to resume in a turn where no slice has started
// since it began waiting ends the stale slice itself.
async function nextSlice() {
  const slicesBefore = slicesStarted;
  await new Promise(nextTurn);
  if (slicesStarted === slicesBefore) sliceStartedMs = undefined;
}

function startOperation(client, request) {
  try {
    return client.start(request);
  } catch (error) {
    // The binding checks the argument types before it lowers them (a user id that is not a
    // string, say): that is the caller's input, not a bug.
    if (error instanceof TypeError || error instanceof RangeError) {
      throw new DynamoDbError('invalid-input', `${request.tag}: ${error.message}`);
    }
    throw error;
  }
}

// `done` carries result<operation-result, store-error>.
function resultOf(result) {
  if (result.tag === 'err') throw fromComponentError({ payload: result.val });
  return result.val.val;
}
