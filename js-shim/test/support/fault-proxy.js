// Starts fault-proxy-server.js (a fault-injecting proxy in front of dynalite) in its own
// process, queues faults and reads which requests it saw.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('./fault-proxy-server.js', import.meta.url));

/** Faults as the proxy takes them, with a short name for tables. */
export const Fault = {
  internalServerError: { name: 'http-500', label: 'HTTP 500 InternalServerError' },
  serviceUnavailable: { name: 'http-503', label: 'HTTP 503 (text body)' },
  throttle: (code) => ({ name: 'throttle', code, label: `HTTP 400 ${code}` }),
  validation: { name: 'validation', label: 'HTTP 400 ValidationException' },
  reset: { name: 'reset', label: 'connection reset (RST)' },
  truncate: { name: 'truncate', label: 'body truncated' },
  garble: { name: 'garble', label: 'body garbled (crc kept)' },
  delay: (ms) => ({ name: 'delay', ms, label: `answer delayed ${ms} ms` }),
  flipCrc: { name: 'flip-crc', label: 'x-amz-crc32 flipped' },
  pass: { name: 'pass', label: 'pass' },
};

/** Whether the request reaches dynalite before the fault hits (so a save may be applied). */
export function forwards(fault) {
  return ['pass', 'truncate', 'garble', 'delay', 'flip-crc'].includes(fault.name);
}

export async function startFaultProxy(targetEndpoint) {
  const child = spawn(process.execPath, [SERVER, targetEndpoint], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  const endpoint = /^listening (http:\/\/\S+)$/.exec(line)?.[1];
  if (!endpoint) throw new Error(`the fault proxy did not start: ${line}`);
  return {
    endpoint,
    /** Appends faults to the script; each is used by one request, in order. */
    async push(faults) {
      const response = await fetch(`${endpoint}/__faults`, { method: 'POST', body: JSON.stringify(faults) });
      if (!response.ok) throw new Error(`the fault proxy refused the faults: ${response.status}`);
    },
    /** `{ seen: [{ operation, fault }], pending }`: requests since the last call, faults unused. */
    async takeSeen() {
      return (await fetch(`${endpoint}/__seen`)).json();
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
