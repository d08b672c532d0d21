// Starts the project's dynalite launcher (scripts/node/dynalite-server.cjs) on 127.0.0.1 for
// one test file and stops it by its PID. dynalite itself resolves from this package's
// node_modules, so the tests need nothing outside js-shim but the launcher script.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const LAUNCHER = fileURLToPath(new URL('../../../scripts/node/dynalite-server.cjs', import.meta.url));
const PACKAGE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));

/** @returns {Promise<{ endpoint: string, stop: () => Promise<void> }>} */
export async function startDynalite({ createTableMs = 500 } = {}) {
  const server = spawn(
    process.execPath,
    [LAUNCHER, '--port', '0', '--create-table-ms', String(createTableMs), '--exit-with-stdin'],
    { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NODE_PATH: PACKAGE_MODULES } },
  );
  const endpoint = await firstListeningLine(server);
  return {
    endpoint,
    async stop() {
      if (server.exitCode !== null) return;
      const exited = once(server, 'exit');
      server.kill('SIGTERM');
      await exited;
    },
  };
}

async function firstListeningLine(server) {
  const lines = createInterface({ input: server.stdout });
  const exited = once(server, 'exit').then(([code]) => {
    throw new Error(`dynalite exited with code ${code} before listening`);
  });
  const listening = (async () => {
    for await (const line of lines) {
      const match = /^listening (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (match) return match[1];
    }
    throw new Error('dynalite closed its output before listening');
  })();
  return Promise.race([listening, exited]);
}
