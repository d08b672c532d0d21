// A local HTTP proxy in front of dynalite that can hold each request back (a slow network)
// and records the signing headers it forwarded (to see which credentials and region were
// used). DynamoDB's answers still come from dynalite, unchanged.
import { createServer } from 'node:http';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

export async function startProxy(targetEndpoint, { delayMs = 0 } = {}) {
  const seen = [];
  const server = createServer(async (request, response) => {
    const body = Buffer.concat(await request.toArray());
    seen.push({
      authorization: request.headers.authorization,
      securityToken: request.headers['x-amz-security-token'],
      target: request.headers['x-amz-target'],
    });
    await sleep(proxy.delayMs);
    const answer = await fetch(new URL(request.url, targetEndpoint), {
      method: request.method,
      headers: forwardableHeaders(request.headers),
      body,
    });
    response.writeHead(answer.status, Object.fromEntries(answer.headers));
    response.end(Buffer.from(await answer.arrayBuffer()));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const proxy = {
    endpoint: `http://127.0.0.1:${server.address().port}`,
    delayMs,
    /** Signing details of the forwarded requests, oldest first. */
    seen,
    /** The access key ids of the forwarded requests' signatures. */
    accessKeyIds: () => seen.map(({ authorization }) => /Credential=([^/]+)\//.exec(authorization ?? '')?.[1]),
    /** The regions of the forwarded requests' signatures. */
    regions: () => seen.map(({ authorization }) => /Credential=[^/]+\/\d+\/([^/]+)\//.exec(authorization ?? '')?.[1]),
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
  return proxy;
}

function forwardableHeaders(headers) {
  const { host, connection, 'content-length': contentLength, ...rest } = headers;
  return rest;
}
