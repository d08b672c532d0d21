// The component's core WebAssembly module for the engine's `getCoreModule` callback, asked for
// by file name; where it comes from depends on the runtime:
//   browsers, Deno:        a base URL (the folder holding the .wasm files), fetched once
//   Cloudflare workerd:    WebAssembly.Module objects from `import core from './x.wasm'`,
//                          because workerd refuses to compile WebAssembly from bytes at run time
//   anything else:         ArrayBuffer / typed array / Response / URL per name, or a function
import { MAIN_CORE_MODULE } from '../engine/component.js';
import { DynamoDbError } from '../errors.js';

/**
 * The core modules the package needs: the component's main module alone (the binding,
 * src/engine/component.js, needs none of the adapter modules jco's glue used). A list, so
 * that code iterating it keeps working should that change.
 */
export const CORE_MODULE_NAMES = Object.freeze([MAIN_CORE_MODULE]);

// Modules fetched from a URL are compiled once per URL and shared by every store.
const compiledByUrl = new Map();

/**
 * A `getCoreModule(name)` for the engine, resolving names against `source`.
 * @param {string | URL | Record<string, unknown> | ((name: string) => unknown)} source
 */
export function coreModuleLoader(source) {
  const compiled = new Map();
  return (name) => {
    if (!compiled.has(name)) compiled.set(name, compileCoreModule(name, locate(source, name)));
    return compiled.get(name);
  };
}

function locate(source, name) {
  if (typeof source === 'function') return source(name);
  if (typeof source === 'string' || source instanceof URL) return new URL(name, folderUrl(source));
  if (source && typeof source === 'object' && name in source) return source[name];
  throw invalidWasm(`wasm has no module named ${name}: pass the folder's URL, or an object holding ${CORE_MODULE_NAMES.join(', ')}`);
}

async function compileCoreModule(name, located) {
  const value = await located;
  if (value instanceof WebAssembly.Module) return value;
  if (value instanceof URL || typeof value === 'string') return compileFromUrl(name, new URL(value, globalThis.location?.href));
  if (value instanceof Response) return compileResponse(name, value);
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return WebAssembly.compile(value);
  throw invalidWasm(`wasm module ${name} must be a WebAssembly.Module, ArrayBuffer, typed array, Response or URL`);
}

function compileFromUrl(name, url) {
  if (!compiledByUrl.has(url.href)) {
    const compiling = fetch(url).then((response) => compileResponse(name, response));
    compiling.catch(() => compiledByUrl.delete(url.href)); // a failed fetch may be retried later
    compiledByUrl.set(url.href, compiling);
  }
  return compiledByUrl.get(url.href);
}

async function compileResponse(name, response) {
  if (!response.ok) throw invalidWasm(`fetching wasm module ${name} from ${response.url} answered HTTP ${response.status}`);
  // Streaming compilation needs the right media type; servers that lack it still work.
  if (response.headers.get('content-type')?.startsWith('application/wasm')) return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}

function folderUrl(location) {
  const url = new URL(location, globalThis.location?.href);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

function invalidWasm(message) {
  return new DynamoDbError('invalid-config', message);
}
