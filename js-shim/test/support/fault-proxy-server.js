// A local HTTP proxy in front of dynalite that injects faults, run as its own process (so
// its work does not share the test's event loop). Each DynamoDB request takes the next fault of a script, first
// in first out; with the script empty, requests pass through unchanged. Nothing of DynamoDB
// is imitated: every answer that is not an injected error comes from dynalite.
//
// Faults that damage the *answer* (truncate, garble, delay, flip-crc) forward the request
// first, so dynalite has applied it when the client sees the damage: the "applied but not
// acknowledged" case. Faults that *refuse* the request (5xx, throttling, reset) do not.
//
//   node fault-proxy-server.js <dynalite endpoint>
//   POST /__faults  appends a JSON array of faults to the script, e.g.
//                   [{"name":"http-500"}, {"name":"throttle","code":"ThrottlingException"},
//                    {"name":"delay","ms":1500}, {"name":"reset"}, {"name":"pass"}]
//   GET  /__seen    { seen: [{ operation, fault }], pending } since the last call, then forgets them
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { crc32 } from 'node:zlib';

const [upstream] = process.argv.slice(2);
const script = [];
let seen = [];

const THROTTLING_NAMESPACES = { ThrottlingException: 'com.amazon.coral.availability' };

/** What each fault does to one request; `forwarded` is dynalite's answer when it forwards. */
const FAULTS = {
  pass: { forwards: true, answer: (response, forwarded) => send(response, forwarded) },
  'http-500': {
    answer: (response) => send(response, dynamoDbError(500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', 'Internal server error (injected)')),
  },
  'http-503': {
    answer: (response) => send(response, { status: 503, headers: { 'content-type': 'text/plain' }, body: Buffer.from('Service Unavailable (injected)') }),
  },
  throttle: {
    answer: (response, _, { code }) => {
      const namespace = THROTTLING_NAMESPACES[code] ?? 'com.amazonaws.dynamodb.v20120810';
      send(response, dynamoDbError(400, `${namespace}#${code}`, 'Rate of requests exceeds the allowed throughput (injected)'));
    },
  },
  validation: {
    answer: (response) => send(response, dynamoDbError(400, 'com.amazon.coral.validate#ValidationException', 'One or more parameter values were invalid (injected)')),
  },
  // A TCP RST instead of an answer.
  reset: { answer: (response) => response.socket.resetAndDestroy() },
  // The headers announce the whole body; half of it arrives, then the connection closes.
  truncate: {
    forwards: true,
    answer: (response, forwarded) => {
      response.writeHead(forwarded.status, { ...forwarded.headers, 'content-length': forwarded.body.length });
      response.write(forwarded.body.subarray(0, forwarded.body.length >> 1), () => response.socket.destroy());
    },
  },
  // dynalite's headers and x-amz-crc32, but some bytes of the body changed.
  garble: { forwards: true, answer: (response, forwarded) => send(response, { ...forwarded, body: garbled(forwarded.body) }) },
  // Answers only after `ms`, long after the client gave up.
  delay: {
    forwards: true,
    answer: async (response, forwarded, { ms }) => {
      await sleep(ms);
      if (!response.socket?.destroyed) send(response, forwarded);
    },
  },
  // dynalite's body unchanged, with a wrong x-amz-crc32.
  'flip-crc': {
    forwards: true,
    answer: (response, forwarded) => {
      const headers = { ...forwarded.headers, 'x-amz-crc32': String((crc32(forwarded.body) ^ 1) >>> 0) };
      send(response, { ...forwarded, headers });
    },
  },
};

const server = createServer(async (request, response) => {
  const body = Buffer.concat(await request.toArray());
  if (request.url === '/__faults') return control(response, () => script.push(...JSON.parse(body)));
  if (request.url === '/__seen') return control(response, takeSeen);
  const fault = script.shift() ?? { name: 'pass' };
  const behaviour = FAULTS[fault.name];
  if (!behaviour) throw new Error(`unknown fault ${JSON.stringify(fault)}`);
  seen.push({ operation: String(request.headers['x-amz-target'] ?? '').split('.').pop(), fault: fault.name === 'pass' ? null : fault });
  const forwarded = behaviour.forwards ? await forward(request, body) : undefined;
  await behaviour.answer(response, forwarded, fault);
});

function control(response, action) {
  const result = action();
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(result ?? null));
}

function takeSeen() {
  const taken = seen;
  seen = [];
  return { seen: taken, pending: script.length };
}

async function forward(request, body) {
  const { host, connection, 'content-length': contentLength, ...headers } = request.headers;
  try {
    const answer = await fetch(new URL(request.url, upstream), { method: request.method, headers, body });
    const { 'content-length': length, connection: close, 'transfer-encoding': encoding, 'keep-alive': keepAlive, ...kept } =
      Object.fromEntries(answer.headers);
    return { status: answer.status, headers: kept, body: Buffer.from(await answer.arrayBuffer()) };
  } catch (error) {
    // dynalite is gone: answer like a broken gateway, so the test sees it.
    return { status: 502, headers: { 'content-type': 'text/plain' }, body: Buffer.from(`fault proxy: upstream failed: ${error.message}`) };
  }
}

function send(response, { status, headers, body }) {
  response.writeHead(status, { ...headers, 'content-length': body.length });
  response.end(body);
}

function dynamoDbError(status, type, message) {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': type.split('#').pop(), 'x-amzn-requestid': 'INJECTED-FAULT' },
    body: Buffer.from(JSON.stringify({ __type: type, message })),
  };
}

function garbled(body) {
  const copy = Buffer.from(body);
  const middle = copy.length >> 1;
  for (let index = Math.max(0, middle - 2); index < Math.min(copy.length, middle + 2); index += 1) copy[index] ^= 0x5a;
  if (copy.length > 0) copy[0] = '#'.charCodeAt(0);
  return copy;
}

server.listen(0, '127.0.0.1', () => console.log(`listening http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
