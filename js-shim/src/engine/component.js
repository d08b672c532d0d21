// The component's `store` interface over its main core module, bound by hand: the canonical
// ABI lowering and lifting of exactly the calls JavaScript makes (`client.open`,
// `client.start`, `operation.advance`, the operation's destructor) and the imports the
// component calls (`now-ms`, `credentials`).
//
// Why not jco's generated glue: jco 1.35 wraps every synchronous call in its component-model
// task machinery (a task object, a promise with resolvers, subtask and borrow-scope
// bookkeeping) and generic lowering closures. Profiled on Node 20-24 that was 40-65 µs per
// operation, more than the component's own wasm (24-53 µs) and the step that kept the plugin
// behind @aws-lite/dynamodb on CPU. These calls are synchronous, take one instance and no
// async component-model features, so the bookkeeping had nothing to do. jco still extracts
// the core module at build time (scripts/build.mjs), which also checks that the module's
// imports and exports are the ones named here: a WIT change that moves them fails the build,
// and the layouts below must then follow the WIT (jco's unminified output shows them).
//
// Handles: the component's resources are its own, so the canonical ABI hands their methods
// and destructors the representation (`rep`), and `[resource-new]` may choose any handle for
// a rep. It returns the rep itself, so no handle table is kept. Every operation is disposed
// by the engine when it ends; a client lives as long as its instance (one each), so neither
// needs a FinalizationRegistry.
//
// Traps: an exception out of the core module (a wasm trap, or an import that threw) leaves
// its state unknown, so the instance refuses every later call and the engine opens a new one.

const STORE = 'jovo:dynamodb/store@0.1.0';
const HOST = 'jovo:dynamodb/host@0.1.0';

/** The core module this binding instantiates (the name jco gives it with `--name jovo_dynamodb`). */
export const MAIN_CORE_MODULE = 'jovo_dynamodb.core.wasm';

/** What the binding supplies and calls; scripts/build.mjs checks the module against it. */
export const CORE_INTERFACE = Object.freeze({
  imports: Object.freeze({
    [HOST]: Object.freeze(['credentials', 'now-ms', 'send', 'sleep-ms']),
    [`[export]${STORE}`]: Object.freeze(['[resource-drop]client', '[resource-drop]operation', '[resource-new]client', '[resource-new]operation']),
  }),
  exports: Object.freeze([
    'memory',
    'cabi_realloc',
    `${STORE}#[static]client.open`,
    `cabi_post_${STORE}#[static]client.open`,
    `${STORE}#[method]client.start`,
    `${STORE}#[method]operation.advance`,
    `cabi_post_${STORE}#[method]operation.advance`,
    `${STORE}#[dtor]client`,
    `${STORE}#[dtor]operation`,
  ]),
});

const TABLE_STATUS = ['already-existed', 'created', 'created-concurrently'];
const BILLING_MODE = { provisioned: 0, 'pay-per-request': 1 };
const TRANSPORT_ERROR = { 'timed-out': 0, failed: 1, tls: 2 };
const STRING_ERRORS = new Map([
  [0, 'invalid-config'], [1, 'invalid-input'], [2, 'item-too-large'], [3, 'table-missing'],
  [4, 'credentials-unavailable'], [8, 'transport-failed'], [9, 'tls-failed'], [10, 'timed-out'],
  [11, 'malformed-response'],
]);
const SERVICE_ERRORS = new Map([[5, 'access-denied'], [6, 'throttled'], [7, 'conditional-conflict'], [12, 'service']]);
const REQUEST_CASES = { 'ensure-table': 0, 'ensure-time-to-live': 1, 'load-user': 2, 'save-user': 3, 'delete-user': 4 };

/** A `result::err` of an export: `payload` is the WIT `store-error` (as jco's ComponentError). */
export class ComponentError extends Error {
  constructor(payload) {
    super(`the component answered ${payload.tag}`);
    this.name = 'ComponentError';
    this.payload = payload;
  }
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/**
 * The component's `store` interface in a new instance of `module`.
 * @param {WebAssembly.Module} module the main core module (MAIN_CORE_MODULE)
 * @param {{ credentials(): { accessKeyId: string, secretAccessKey: string, sessionToken?: string } }} host
 *   `credentials` answers `host.credentials`; it throws `{ payload: reason }` for the err case
 */
export async function instantiateStore(module, host) {
  let core;
  let trapped = false;
  let bytes = new Uint8Array(0);
  let view = new DataView(new ArrayBuffer(0));
  // Both views go stale when the memory grows (any realloc may grow it).
  const memoryBytes = () => (bytes.buffer === core.memory.buffer ? bytes : (bytes = new Uint8Array(core.memory.buffer)));
  const memoryView = () => (view.buffer === core.memory.buffer ? view : (view = new DataView(core.memory.buffer)));

  // --- lowering (JavaScript → memory) -------------------------------------------------------
  // lowerString's result, in two variables instead of a new array per string.
  let loweredPtr = 0;
  let loweredLen = 0;
  const lowerString = (text) => {
    if (typeof text !== 'string') throw new TypeError(`expected a string, received ${typeOf(text)}`);
    const units = text.length;
    if (units === 0) {
      loweredPtr = 1; // any aligned non-null pointer: nothing is read or freed
      loweredLen = 0;
      return;
    }
    // One byte per UTF-16 unit fits ASCII exactly; anything else grows to the worst case
    // (3 bytes per unit) and shrinks to what was written, so the guest frees the size it owns.
    let ptr = core.cabi_realloc(0, 0, 1, units);
    let { read, written } = utf8Encoder.encodeInto(text, memoryBytes().subarray(ptr, ptr + units));
    if (read < units) {
      ptr = core.cabi_realloc(ptr, units, 1, units * 3);
      written += utf8Encoder.encodeInto(text.slice(read), memoryBytes().subarray(ptr + written, ptr + units * 3)).written;
      ptr = core.cabi_realloc(ptr, units * 3, 1, written);
    }
    loweredPtr = ptr;
    loweredLen = written;
  };
  const lowerBytes = (data) => {
    if (!ArrayBuffer.isView(data)) throw new TypeError(`expected bytes (a Uint8Array), received ${typeOf(data)}`);
    const length = data.byteLength;
    const ptr = length === 0 ? 1 : core.cabi_realloc(0, 0, 1, length);
    if (length > 0) memoryBytes().set(new Uint8Array(data.buffer, data.byteOffset, length), ptr);
    loweredPtr = ptr;
    loweredLen = length;
  };
  const lowerHeaders = (headers) => {
    if (!Array.isArray(headers)) throw new TypeError(`expected a list of header pairs, received ${typeOf(headers)}`);
    const count = headers.length;
    const list = count === 0 ? 4 : core.cabi_realloc(0, 0, 4, count * 16);
    for (let index = 0; index < count; index += 1) {
      const [name, value] = headers[index];
      const at = list + index * 16;
      lowerString(name);
      memoryView().setUint32(at, loweredPtr, true);
      memoryView().setUint32(at + 4, loweredLen, true);
      lowerString(value);
      memoryView().setUint32(at + 8, loweredPtr, true);
      memoryView().setUint32(at + 12, loweredLen, true);
    }
    loweredPtr = list;
    loweredLen = count;
  };
  const writeString = (at, text) => {
    lowerString(text);
    memoryView().setUint32(at, loweredPtr, true);
    memoryView().setUint32(at + 4, loweredLen, true);
  };
  // option<T> at `at`: a tag byte, the value at `at + offset` when present.
  const writeOption = (at, offset, value, write) => {
    const present = value !== undefined && value !== null;
    memoryView().setUint8(at, present ? 1 : 0);
    if (present) write(at + offset, value);
  };
  const writeBool = (at, value) => memoryView().setUint8(at, value ? 1 : 0);
  const writeU32 = (at, value) => memoryView().setUint32(at, toU32(value), true);
  const writeU64 = (at, value) => memoryView().setBigUint64(at, toU64(value), true);
  const writeBillingMode = (at, value) => {
    if (!Object.hasOwn(BILLING_MODE, value)) throw new TypeError(`"${value}" is not one of the cases of billing-mode`);
    memoryView().setUint8(at, BILLING_MODE[value]);
  };
  const writeCredentials = (at, { accessKeyId, secretAccessKey, sessionToken }) => {
    writeString(at, accessKeyId);
    writeString(at + 8, secretAccessKey);
    writeOption(at + 16, 4, sessionToken, writeString);
  };

  // The WIT `config` record: 208 bytes, 8-aligned (table 0-95, client 96-199, marshall 200-205).
  const lowerConfig = ({ table, client, marshall }) => {
    const at = core.cabi_realloc(0, 0, 8, 208);
    memoryBytes().fill(0, at, at + 208);
    writeString(at, table.name);
    writeOption(at + 8, 1, table.createTableOnInit, writeBool);
    writeOption(at + 12, 4, table.primaryKeyColumn, writeString);
    writeOption(at + 24, 8, table.readCapacityUnits, writeU64);
    writeOption(at + 40, 8, table.writeCapacityUnits, writeU64);
    writeOption(at + 56, 1, table.billingMode, writeBillingMode);
    writeOption(at + 58, 1, table.optimisticLocking, writeBool);
    writeOption(at + 60, 4, table.versionAttribute, writeString);
    writeOption(at + 72, 4, table.expireAfterDays, writeU32);
    writeOption(at + 80, 4, table.expiryAttribute, writeString);
    writeOption(at + 96, 4, client.region, writeString);
    writeOption(at + 108, 4, client.endpoint, writeString);
    writeOption(at + 120, 4, client.credentials, writeCredentials);
    writeOption(at + 152, 4, client.requestTimeoutMs, writeU32);
    writeOption(at + 160, 4, client.maxAttempts, writeU32);
    writeOption(at + 168, 4, client.retryBaseDelayMs, writeU32);
    writeOption(at + 176, 4, client.retryMaxDelayMs, writeU32);
    writeOption(at + 184, 4, client.tableReadyTimeoutMs, writeU32);
    writeOption(at + 192, 4, client.operationTimeoutMs, writeU32);
    writeOption(at + 200, 1, marshall.removeUndefinedValues, writeBool);
    writeOption(at + 202, 1, marshall.convertClassInstanceToMap, writeBool);
    writeOption(at + 204, 1, marshall.convertEmptyValues, writeBool);
    return at;
  };

  // --- lifting (memory → JavaScript) --------------------------------------------------------
  const readString = (at) => {
    const ptr = memoryView().getUint32(at, true);
    return utf8Decoder.decode(memoryBytes().subarray(ptr, ptr + memoryView().getUint32(at + 4, true)));
  };
  const readOptionalString = (at) => (memoryView().getUint8(at) === 0 ? undefined : readString(at + 4));
  const readHeaders = (at) => {
    const list = memoryView().getUint32(at, true);
    const count = memoryView().getUint32(at + 4, true);
    const headers = new Array(count);
    for (let index = 0; index < count; index += 1) headers[index] = [readString(list + index * 16), readString(list + index * 16 + 8)];
    return headers;
  };
  // A copy: the guest frees its memory in the post-return call, before the request is sent.
  const readBytes = (at) => {
    const ptr = memoryView().getUint32(at, true);
    return memoryBytes().slice(ptr, ptr + memoryView().getUint32(at + 4, true));
  };
  const readStoreError = (at) => {
    const caseIndex = memoryView().getUint8(at);
    const stringCase = STRING_ERRORS.get(caseIndex);
    if (stringCase) return { tag: stringCase, val: readString(at + 4) };
    const serviceCase = SERVICE_ERRORS.get(caseIndex);
    if (!serviceCase) throw invalidDiscriminant('store-error', caseIndex);
    return {
      tag: serviceCase,
      val: {
        code: readString(at + 4),
        message: readString(at + 12),
        requestId: readOptionalString(at + 20),
        status: memoryView().getUint16(at + 32, true),
        attempts: memoryView().getUint32(at + 36, true),
      },
    };
  };
  const readOperationResult = (at) => {
    const caseIndex = memoryView().getUint8(at);
    switch (caseIndex) {
      case 0: {
        const status = TABLE_STATUS[memoryView().getUint8(at + 4)];
        if (status === undefined) throw invalidDiscriminant('table-status', memoryView().getUint8(at + 4));
        return { tag: 'ensure-table', val: status };
      }
      case 1: {
        const ttlCase = memoryView().getUint8(at + 4);
        if (ttlCase === 0) return { tag: 'ensure-time-to-live', val: { tag: 'not-configured' } };
        if (ttlCase === 1) return { tag: 'ensure-time-to-live', val: { tag: 'enabled' } };
        if (ttlCase === 2) return { tag: 'ensure-time-to-live', val: { tag: 'unavailable', val: readString(at + 8) } };
        throw invalidDiscriminant('time-to-live-status', ttlCase);
      }
      case 2:
        return { tag: 'load-user', val: readOptionalString(at + 4) };
      case 3:
        return { tag: 'save-user' };
      case 4:
        return { tag: 'delete-user' };
      default:
        throw invalidDiscriminant('operation-result', caseIndex);
    }
  };
  const readStep = (at) => {
    const caseIndex = memoryView().getUint8(at);
    if (caseIndex === 0) {
      return {
        tag: 'send',
        val: {
          request: { method: readString(at + 4), url: readString(at + 12), headers: readHeaders(at + 20), body: readBytes(at + 28) },
          timeoutMs: memoryView().getUint32(at + 36, true),
        },
      };
    }
    if (caseIndex === 1) return { tag: 'sleep', val: memoryView().getUint32(at + 4, true) };
    if (caseIndex !== 2) throw invalidDiscriminant('step', caseIndex);
    const resultCase = memoryView().getUint8(at + 4);
    if (resultCase === 0) return { tag: 'done', val: { tag: 'ok', val: readOperationResult(at + 8) } };
    if (resultCase === 1) return { tag: 'done', val: { tag: 'err', val: readStoreError(at + 8) } };
    throw invalidDiscriminant('result', resultCase);
  };

  // --- calls into the core module -----------------------------------------------------------
  const enter = () => {
    if (trapped) throw new WebAssembly.RuntimeError('wasm trap: cannot enter component instance (it trapped earlier)');
  };
  const trap = (error) => {
    trapped = true;
    return error;
  };

  // --- the imports --------------------------------------------------------------------------
  // The credentials result<aws-credentials, string>, written at `retptr` (32 bytes).
  const credentialsImport = (retptr) => {
    let credentials;
    try {
      credentials = host.credentials();
    } catch (error) {
      if (typeof error?.payload !== 'string') throw error;
      memoryView().setUint8(retptr, 1);
      writeString(retptr + 4, error.payload);
      return;
    }
    memoryView().setUint8(retptr, 0);
    writeCredentials(retptr + 4, credentials);
  };
  const imports = {
    [HOST]: {
      'now-ms': () => BigInt(Date.now()),
      credentials: credentialsImport,
      send: blockingImportCalled('send'),
      'sleep-ms': blockingImportCalled('sleep-ms'),
    },
    [`[export]${STORE}`]: {
      '[resource-new]client': (rep) => rep,
      '[resource-new]operation': (rep) => rep,
      // Only for handles the guest made and dropped itself (it never does): the destructor runs.
      '[resource-drop]client': (handle) => core[`${STORE}#[dtor]client`](handle),
      '[resource-drop]operation': (handle) => core[`${STORE}#[dtor]operation`](handle),
    },
  };
  core = (await WebAssembly.instantiate(module, imports)).exports;
  const openExport = core[`${STORE}#[static]client.open`];
  const openPostReturn = core[`cabi_post_${STORE}#[static]client.open`];
  const startExport = core[`${STORE}#[method]client.start`];
  const advanceExport = core[`${STORE}#[method]operation.advance`];
  const advancePostReturn = core[`cabi_post_${STORE}#[method]operation.advance`];
  const operationDestructor = core[`${STORE}#[dtor]operation`];

  class Operation {
    #rep;
    constructor(rep) {
      this.#rep = rep;
    }

    /** One step: `outcome` is the previous send's `result<http-response, transport-error>`, or undefined. */
    advance(outcome) {
      enter();
      if (this.#rep === 0) throw new Error('jovo-dynamodb-wasm: this operation was disposed');
      // The flat parameters of option<result<http-response, transport-error>>: the option's and
      // the result's tags, then the joined payload (status or the error's case, a string or
      // the headers, the body).
      let present = 0;
      let isError = 0;
      let statusOrCase = 0;
      let firstPtr = 0;
      let firstLen = 0;
      let bodyPtr = 0;
      let bodyLen = 0;
      let stepAt;
      try {
        if (outcome !== undefined && outcome !== null) {
          present = 1;
          if (outcome.tag === 'ok') {
            const { status, headers, body } = outcome.val;
            statusOrCase = status & 0xffff;
            lowerHeaders(headers);
            firstPtr = loweredPtr;
            firstLen = loweredLen;
            lowerBytes(body);
            bodyPtr = loweredPtr;
            bodyLen = loweredLen;
          } else if (outcome.tag === 'err') {
            isError = 1;
            statusOrCase = TRANSPORT_ERROR[outcome.val?.tag];
            if (statusOrCase === undefined) throw new TypeError(`invalid transport-error case ${JSON.stringify(outcome.val?.tag)}`);
            lowerString(outcome.val.val);
            firstPtr = loweredPtr;
            firstLen = loweredLen;
          } else {
            throw new TypeError(`invalid result case ${JSON.stringify(outcome.tag)}`);
          }
        }
        stepAt = advanceExport(this.#rep, present, isError, statusOrCase, firstPtr, firstLen, bodyPtr, bodyLen);
      } catch (error) {
        // Arguments are checked before the call, but their strings may already be in memory:
        // a refused argument, too, leaves the instance in a state nobody tracks.
        throw trap(error);
      }
      try {
        return readStep(stepAt);
      } catch (error) {
        throw trap(error);
      } finally {
        if (!trapped) advancePostReturn(stepAt);
      }
    }

    /** Runs the operation's destructor now (idempotent). */
    dispose() {
      const rep = this.#rep;
      this.#rep = 0;
      if (rep !== 0 && !trapped) operationDestructor(rep);
    }
  }

  class Client {
    #rep;
    constructor(rep) {
      this.#rep = rep;
    }

    /** @param {object} config the WIT `config` record; throws ComponentError for its store-error */
    static open(config) {
      enter();
      let resultAt;
      try {
        resultAt = openExport(lowerConfig(config));
      } catch (error) {
        throw trap(error);
      }
      let client;
      let failure;
      try {
        const tag = memoryView().getUint8(resultAt);
        if (tag === 0) client = new Client(memoryView().getInt32(resultAt + 4, true));
        else if (tag === 1) failure = new ComponentError(readStoreError(resultAt + 4));
        else throw invalidDiscriminant('result', tag);
      } catch (error) {
        throw trap(error);
      } finally {
        if (!trapped) openPostReturn(resultAt);
      }
      if (failure) throw failure;
      return client;
    }

    /**
     * Starts an operation: the WIT `operation-request` as `{ tag, val }`. A value the WIT
     * cannot take (a user id that is not a string) is a TypeError, and nothing is called.
     */
    start(request) {
      enter();
      const caseIndex = REQUEST_CASES[request?.tag];
      if (caseIndex === undefined) throw new TypeError(`invalid operation-request case ${JSON.stringify(request?.tag)}`);
      checkStrings(request);
      // The flat payload of operation-request: a user id, or a save's user id and item.
      let firstPtr = 0;
      let firstLen = 0;
      let secondPtr = 0;
      let secondLen = 0;
      try {
        if (caseIndex === 2 || caseIndex === 4) {
          lowerString(request.val);
          firstPtr = loweredPtr;
          firstLen = loweredLen;
        } else if (caseIndex === 3) {
          lowerString(request.val.userId);
          firstPtr = loweredPtr;
          firstLen = loweredLen;
          lowerString(request.val.item);
          secondPtr = loweredPtr;
          secondLen = loweredLen;
        }
        return new Operation(startExport(this.#rep, caseIndex, firstPtr, firstLen, secondPtr, secondLen));
      } catch (error) {
        throw trap(error);
      }
    }
  }

  return { Client };
}

// The strings of a request, checked before anything is written to the instance's memory, so
// that a caller's type mistake leaves the instance usable.
function checkStrings(request) {
  const { tag, val } = request;
  if (tag === 'load-user' || tag === 'delete-user') {
    if (typeof val !== 'string') throw new TypeError(`${tag}: expected a string user id, received ${typeOf(val)}`);
  } else if (tag === 'save-user') {
    if (typeof val?.userId !== 'string') throw new TypeError(`save-user: expected a string user id, received ${typeOf(val?.userId)}`);
    if (typeof val.item !== 'string') throw new TypeError(`save-user: expected the item as a string, received ${typeOf(val.item)}`);
  }
}

function toU32(value) {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`expected an integer from 0 to 4294967295, received ${typeOf(value)}`);
  }
  return value;
}

function toU64(value) {
  const big = typeof value === 'bigint' ? value : Number.isInteger(value) ? BigInt(value) : undefined;
  if (big === undefined || big < 0n || big > 0xffffffffffffffffn) {
    throw new RangeError(`expected an integer from 0 to 2^64-1, received ${typeOf(value)}`);
  }
  return big;
}

function typeOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

function invalidDiscriminant(type, value) {
  return new WebAssembly.RuntimeError(`wasm trap: invalid ${type} discriminant ${value} from the component`);
}

// Reaching one of these means a blocking client method was called from JavaScript, which
// this package never does: it is a bug here, not a user error, so it traps the call loudly.
function blockingImportCalled(name) {
  return () => {
    throw new Error(
      `jovo-dynamodb-wasm: the component called host.${name}, which only its blocking methods use; ` +
        'JavaScript drives it through client.start (step by step), so this is a bug in jovo-dynamodb-wasm',
    );
  };
}
