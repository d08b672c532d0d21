// A local HTTP server of ours that answers every request with a body just over the 16 MB
// cap, either announced by content-length or streamed chunked without one, in 1 MB chunks.
// It stops writing once the client hangs up, and counts the requests it got.
import { once } from 'node:events';
import { createServer } from 'node:http';

export const HUGE_BODY_BYTES = 17 * 1024 * 1024;
const CHUNK = Buffer.alloc(1024 * 1024, 0x20);

/** @param {{ announceLength: boolean }} options */
export async function startHugeBodyServer({ announceLength }) {
  const stats = { requests: 0 };
  const server = createServer((request, response) => {
    stats.requests += 1;
    request.resume();
    response.writeHead(200, {
      'content-type': 'application/x-amz-json-1.0',
      ...(announceLength ? { 'content-length': String(HUGE_BODY_BYTES) } : {}),
    });
    let written = 0;
    // Writes until the socket's buffer is full, then again on each 'drain'.
    const pump = () => {
      while (written < HUGE_BODY_BYTES && !response.destroyed) {
        written += CHUNK.length;
        if (!response.write(CHUNK)) return;
      }
      if (written >= HUGE_BODY_BYTES && !response.destroyed && !response.writableEnded) response.end();
    };
    response.on('drain', pump);
    pump();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    stats,
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
