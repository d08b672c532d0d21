// Starts proxy-server.js (a delaying, recording proxy in front of dynalite) in its own
// process and reads what it recorded.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('./proxy-server.js', import.meta.url));

export async function startProxy(targetEndpoint, { delayMs = 0 } = {}) {
  const child = spawn(process.execPath, [SERVER, targetEndpoint, String(delayMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  const endpoint = /^listening (http:\/\/\S+)$/.exec(line)?.[1];
  if (!endpoint) throw new Error(`the proxy did not start: ${line}`);

  /** Signing details of the forwarded requests, oldest first. */
  const recorded = async () => (await fetch(`${endpoint}/__recorded`)).json();
  return {
    endpoint,
    recorded,
    reset: () => fetch(`${endpoint}/__reset`, { method: 'POST' }).then(() => undefined),
    /** The access key ids of the forwarded requests' signatures. */
    accessKeyIds: async () => (await recorded()).map(({ authorization }) => /Credential=([^/]+)\//.exec(authorization ?? '')?.[1]),
    /** The regions of the forwarded requests' signatures. */
    regions: async () => (await recorded()).map(({ authorization }) => /Credential=[^/]+\/\d+\/([^/]+)\//.exec(authorization ?? '')?.[1]),
    /** The session tokens of the forwarded requests. */
    sessionTokens: async () => (await recorded()).map(({ securityToken }) => securityToken),
    async stop() {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
