// The component's core modules, inlined into the JavaScript as base64 by scripts/build.mjs
// (src/generated/core-wasm.js), so the package needs no file lookups: it survives
// `esbuild --bundle --format=cjs` (where `import.meta.url` is empty) and any loader. Each
// module is decoded and compiled once per process and shared by every instance.
import { CORE_MODULES_BASE64 } from '../generated/core-wasm.js';

const compiled = new Map();

/** The engine's `getCoreModule` over the inlined modules. */
export function inlineCoreModule(name) {
  if (!compiled.has(name)) {
    const base64 = CORE_MODULES_BASE64[name];
    if (base64 === undefined) return Promise.reject(new Error(`jovo-dynamodb-wasm: no inlined core module ${name}`));
    const compiling = WebAssembly.compile(decodeBase64(base64));
    compiling.catch(() => compiled.delete(name)); // a failure (out of memory, say) may be retried
    compiled.set(name, compiling);
  }
  return compiled.get(name);
}

function decodeBase64(base64) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(base64);
  if (typeof globalThis.Buffer?.from === 'function') return globalThis.Buffer.from(base64, 'base64');
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}
