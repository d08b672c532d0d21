// Loads the transpiled component (dist/sync.js or dist/jspi.js) and instantiates it with a
// host. The core modules are compiled once per process and shared by every instance.
const DIST = new URL('../../dist/', import.meta.url);
const HOST_INTERFACE = 'jovo:dynamodb/host@0.1.0';

const compiledModules = new Map();

/** The component's `store` interface (with its `Client` resource) in a new instance. */
export async function instantiateStore(mode, host) {
  const { instantiate } = await import(new URL(`${mode}.js`, DIST).href);
  // jco looks the interface up without its version; the typings name it with the version.
  const imports = { [HOST_INTERFACE]: host, [HOST_INTERFACE.replace(/@.*$/, '')]: host };
  const root = await instantiate(compiledCoreModule, imports);
  return root.store;
}

function compiledCoreModule(name) {
  if (!compiledModules.has(name)) compiledModules.set(name, compile(new URL(name, DIST)));
  return compiledModules.get(name);
}

async function compile(url) {
  if (globalThis.process?.versions?.node) {
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.compile(await readFile(url));
  }
  return WebAssembly.compileStreaming(fetch(url));
}
