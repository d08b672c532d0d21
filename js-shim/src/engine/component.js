// Instantiates the component (one jco transpilation, every import and export synchronous)
// with a host whose only live imports are the cheap synchronous ones, `now-ms` and
// `credentials`. Operations run through the step export (`client.start`, see engine.js): the
// host performs each send and sleep with its own async I/O, so the component never calls
// `send` or `sleep-ms`. They are imported all the same (the blocking methods, kept for the
// wasmtime hosts, use them), so they must be supplied; they throw a clear error instead.
//
// src/generated/ is written by scripts/build.mjs (jco's output and the inlined core modules).
import { instantiate } from '../generated/component.js';

const HOST_INTERFACE = 'jovo:dynamodb/host@0.1.0';

/**
 * The component's `store` interface in a new instance.
 * @param {(name: string) => Promise<WebAssembly.Module>} getCoreModule jco's core module callback
 * @param {{ current(): object }} credentials answers `host.credentials` (throw `{ payload: reason }` for its err case)
 */
export async function instantiateStore(getCoreModule, credentials) {
  const host = {
    send: blockingImportCalled('send'),
    sleepMs: blockingImportCalled('sleep-ms'),
    nowMs: () => BigInt(Date.now()),
    credentials: () => credentials.current(),
  };
  // jco looks the interface up without its version; the typings name it with the version.
  const imports = { [HOST_INTERFACE]: host, [HOST_INTERFACE.replace(/@.*$/, '')]: host };
  const { store } = await instantiate(getCoreModule, imports);
  return store;
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
