// Runs the workerd example (examples/workerd/config.capnp) with the workerd binary of the npm
// package `workerd` on a free 127.0.0.1 port, and stops it by its PID.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect } from 'node:net';
import { fileURLToPath } from 'node:url';

const WORKERD = fileURLToPath(new URL('../node_modules/.bin/workerd', import.meta.url));
const EXAMPLE_DIR = fileURLToPath(new URL('../../../examples/workerd/', import.meta.url));
const READY_TIMEOUT_MS = 20_000;

/**
 * @param {Record<string, string>} env the worker's bindings (TABLE_NAME, DYNAMODB_ENDPOINT, ...)
 * @returns {Promise<{ origin: string, log: () => string, stop: () => Promise<void> }>}
 */
export async function startWorkerd(env) {
  const port = await freePort();
  let log = '';
  const server = spawn(WORKERD, ['serve', 'config.capnp', '--socket-addr', `http=127.0.0.1:${port}`], {
    cwd: EXAMPLE_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [server.stdout, server.stderr]) stream.on('data', (chunk) => (log += chunk));
  const stop = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = once(server, 'exit');
    server.kill('SIGTERM');
    await exited;
  };
  try {
    await untilListening(port, server, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin: `http://127.0.0.1:${port}`, log: () => log, stop };
}

async function freePort() {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  probe.close();
  await once(probe, 'close');
  return port;
}

// workerd prints nothing when it is ready, so poll the socket until it accepts.
async function untilListening(port, server, log) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`workerd exited with code ${server.exitCode}:\n${log()}`);
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`workerd did not listen on port ${port} within ${READY_TIMEOUT_MS} ms:\n${log()}`);
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
