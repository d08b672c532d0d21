// The production network of the tests: the project's network fixture
// (scripts/node/network-fixture.cjs: a private CA made at start, a TLS terminator, a CONNECT
// proxy, skewed clocks, a redirect and a stalled server, all on 127.0.0.1) in front of a
// dynalite of its own. Started once per test file, stopped by PID.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startDynalite } from './dynalite.js';

const FIXTURE = fileURLToPath(new URL('../../../scripts/node/network-fixture.cjs', import.meta.url));

/**
 * @returns {Promise<{ ca: string, endpoints: Record<string, string>, counts(): Promise<object>,
 *   reset(): Promise<object>, stop(): Promise<void> }>}
 */
export async function startNetwork({ createTableMs = 50 } = {}) {
  const dynalite = await startDynalite({ createTableMs });
  const dir = mkdtempSync(join(tmpdir(), 'jovo-network-'));
  const fixture = spawn(process.execPath, [FIXTURE, '--upstream', dynalite.endpoint, '--dir', dir, '--exit-with-stdin'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let started;
  try {
    started = await firstLine(fixture);
  } catch (error) {
    await dynalite.stop();
    throw error;
  }
  const control = (path) => fetch(`${started.control}${path}`).then((answer) => answer.json());
  return {
    ca: started.ca,
    endpoints: started.endpoints,
    dynalite: dynalite.endpoint,
    counts: () => control('/counts'),
    reset: () => control('/reset'),
    async stop() {
      if (fixture.exitCode === null) {
        const exited = once(fixture, 'exit');
        fixture.kill('SIGTERM');
        await exited;
      }
      await dynalite.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function firstLine(child) {
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the network fixture exited with code ${code} before it was ready`);
  });
  const ready = (async () => {
    for await (const line of lines) return JSON.parse(line);
    throw new Error('the network fixture closed its output before it was ready');
  })();
  return Promise.race([ready, exited]);
}
