// A proxy in front of dynalite that answers every request gzip-compressed, the way a browser's
// or workerd's fetch gets answers (they always ask for gzip), with x-amz-crc32 over the bytes
// on the wire, as DynamoDB computes it. Node's fetch inflates the body as browsers do.
import { createServer } from 'node:http';
import { once } from 'node:events';
import { crc32, gzipSync } from 'node:zlib';

/** @returns {Promise<{ endpoint: string, close: () => Promise<void> }>} */
export async function startGzipProxy(upstream) {
  const server = createServer(async (request, response) => {
    const chunks = [];
    for await (const chunk of request) chunks.push(chunk);
    const answer = await fetch(upstream, {
      method: request.method,
      headers: Object.fromEntries(Object.entries(request.headers).filter(([name]) => name !== 'host')),
      body: Buffer.concat(chunks),
    });
    const compressed = gzipSync(Buffer.from(await answer.arrayBuffer()));
    response.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'application/x-amz-json-1.0',
      'content-encoding': 'gzip',
      'x-amz-crc32': String(crc32(compressed)),
    });
    response.end(compressed);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
