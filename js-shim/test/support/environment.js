// Runs a step of a test with some environment variables set (undefined: unset), then puts the
// environment back. The plugin reads AWS_CA_BUNDLE and the proxy variables when its engine
// starts (its first operation), so that operation goes inside.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export async function withEnv(variables, step) {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  const set = (values) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  set(variables);
  try {
    return await step();
  } finally {
    set(saved);
  }
}

/** Every proxy variable unset, so a test starts from a known environment. */
export const NO_PROXY_VARIABLES = Object.freeze({
  HTTPS_PROXY: undefined, https_proxy: undefined, HTTP_PROXY: undefined, http_proxy: undefined, NO_PROXY: undefined, no_proxy: undefined,
});

/** A port on 127.0.0.1 where nothing listens (a proxy that must never be used). */
export async function closedPort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

const CHILD = fileURLToPath(new URL('./round-trip-child.js', import.meta.url));

/**
 * One round trip (support/round-trip-child.js) in a new Node.js process with `env` added.
 * @returns {Promise<{ ok: boolean, loaded?: number, code?: string, message?: string }>}
 */
export async function roundTripInChild({ entry, endpoint, component, env, execPath = process.execPath }) {
  const child = spawn(execPath, [CHILD, JSON.stringify({ entry, endpoint, component })], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  await once(child, 'exit');
  return JSON.parse(output.trim().split('\n').pop());
}
