// The component's `host` imports, one flavour per async mode. Both answer `now-ms` from
// Date.now and `credentials` from a CredentialsSource, and tell `onSleep` (the plugin's
// component.onSleep, for metrics) of every wait; they differ in how they wait.
import { exchange } from './http.js';

/** For the JSPI transpilation: `send` and `sleep-ms` return promises, the instance suspends. */
export function suspendingHost(credentials, { onSleep } = {}) {
  return {
    async send(request, timeoutMs) {
      return unwrap(await exchange(request, timeoutMs));
    },
    sleepMs(ms) {
      onSleep?.(ms);
      return new Promise((resolve) => setTimeout(resolve, ms));
    },
    nowMs,
    credentials: () => credentials.current(),
  };
}

/** For the sync transpilation: `send` blocks on a worker's fetch, `sleep-ms` on Atomics.wait. */
export function blockingHost(credentials, blockingFetch, { onSleep } = {}) {
  const sleepWord = new Int32Array(new SharedArrayBuffer(4));
  return {
    send: (request, timeoutMs) => unwrap(blockingFetch.send(request, timeoutMs)),
    sleepMs(ms) {
      onSleep?.(ms);
      Atomics.wait(sleepWord, 0, 0, ms);
    },
    nowMs,
    credentials: () => credentials.current(),
  };
}

function nowMs() {
  return BigInt(Date.now());
}

// jco maps a throw from an import returning `result` to its `err` case, with the payload.
function unwrap(outcome) {
  if (outcome.ok) return outcome.ok;
  throw Object.assign(new Error(outcome.err.val), { payload: outcome.err });
}
