// A local HTTP proxy in front of dynalite, run as its own process: it can hold each request
// back (a slow network) and records the signing headers it forwarded, to show which
// credentials and region were used. DynamoDB's answers still come from dynalite, unchanged.
// It runs as its own process so that its work does not share the test's event loop (the
// event-loop test measures that loop's gaps).
//
//   node proxy-server.js <dynalite endpoint> <delay ms>
//   GET /__recorded  the recorded requests as JSON;  POST /__reset  forgets them
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const [target, delayArgument] = process.argv.slice(2);
const delayMs = Number(delayArgument ?? 0);
const recorded = [];

const server = createServer(async (request, response) => {
  if (request.url === '/__recorded') return response.end(JSON.stringify(recorded));
  if (request.url === '/__reset') {
    recorded.length = 0;
    return response.end();
  }
  const body = Buffer.concat(await request.toArray());
  recorded.push({
    authorization: request.headers.authorization,
    securityToken: request.headers['x-amz-security-token'],
    target: request.headers['x-amz-target'],
  });
  await sleep(delayMs);
  const { host, connection, 'content-length': contentLength, ...headers } = request.headers;
  const answer = await fetch(new URL(request.url, target), { method: request.method, headers, body });
  response.writeHead(answer.status, Object.fromEntries(answer.headers));
  response.end(Buffer.from(await answer.arrayBuffer()));
});

server.listen(0, '127.0.0.1', () => console.log(`listening http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
