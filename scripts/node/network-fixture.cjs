// The production network in front of a local DynamoDB, on 127.0.0.1 only: what every host's
// tests use to prove HTTPS, trust, proxies, clock skew, redirects and stalled servers. One
// program for the Rust, Python and Node suites, so they all meet the same network.
//
//   node network-fixture.cjs --upstream http://127.0.0.1:PORT --dir DIR [--exit-with-stdin]
//
// At start it makes, with the openssl command, a private CA and certificates in DIR (nothing is
// checked in), starts its listeners and prints ONE line of JSON on stdout:
//
//   {"ca": "DIR/ca.pem", "control": "http://127.0.0.1:P", "endpoints": {"tls": "https://localhost:P", ...}}
//
// Endpoints (each forwards to the upstream unless it says otherwise):
//   tls            TLS with a certificate for `localhost` and 127.0.0.1, signed by the private CA
//   tlsIp          the same listener, addressed as https://127.0.0.1:P
//   selfSigned     TLS with a self-signed certificate for localhost (no CA vouches for it)
//   wrongHost      TLS with a certificate of the private CA for `wrong.example` only
//   stalled        accepts TCP connections and never answers (a stalled TLS handshake)
//   proxy          an HTTP proxy: CONNECT tunnels (to 127.0.0.1 or localhost only) and
//                  absolute-form requests (`POST http://127.0.0.1:P/`) forwarded
//   skewAhead      plain HTTP; its clock is 15 minutes ahead of this machine's, and it refuses a
//                  signature whose X-Amz-Date is more than 5 minutes from its clock, as DynamoDB
//                  does (400 InvalidSignatureException, "Signature expired: ..."), with its own
//                  time in the `Date` header; requests within 5 minutes are forwarded
//   skewBehind     the same with its clock 15 minutes behind ("Signature not yet current: ...")
//   redirect       answers every request with `307` to `redirectTarget` (with a query that holds
//                  a token, which must never be followed or quoted)
//   redirectTarget counts the requests that reach it, answers 200 `{"Item":{...}}`
//
// Control (GET on `control`): `/counts` answers
//   {"handshakes": {"tls": n, "selfSigned": n, "wrongHost": n}, "tunnels": n, "proxied": n,
//    "redirectTargetHits": n, "skewRefused": n, "stalledConnections": n,
//    "connections": {"tls": n, "selfSigned": n, "wrongHost": n}}
// (`handshakes` counts completed handshakes; `connections` every TCP connection, so a
// refused certificate shows how many attempts were made.)
// and `/reset` sets every count to 0. The process stops on SIGTERM/SIGINT and, with
// --exit-with-stdin, when its standard input closes.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const tls = require('node:tls');

const SKEW_MS = 15 * 60 * 1000;
const ALLOWED_SKEW_MS = 5 * 60 * 1000;

function option(name) {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const upstream = new URL(option('--upstream') || '');
const dir = option('--dir');
if (!dir || upstream.protocol !== 'http:') {
  console.error('usage: network-fixture.cjs --upstream http://127.0.0.1:PORT --dir DIR');
  process.exit(2);
}
fs.mkdirSync(dir, { recursive: true });

// ---- certificates -------------------------------------------------------------------------

function openssl(...args) {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A key and a certificate for `names` (DNS names and IPs), signed by the CA or by itself. */
function certificate(name, subjectAltNames, signedByCa) {
  const key = `${name}.key`;
  const cert = `${name}.pem`;
  fs.writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=${subjectAltNames}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  if (signedByCa) {
    openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', key, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key',
      '-CAcreateserial', '-days', '2', '-sha256', '-extfile', `${name}.ext`, '-out', cert);
  } else {
    openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', key, '-subj', `/CN=${name}`, '-days', '2', '-sha256',
      '-addext', `subjectAltName=${subjectAltNames}`, '-out', cert);
  }
  return { key: fs.readFileSync(path.join(dir, key)), cert: fs.readFileSync(path.join(dir, cert)) };
}

openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
  '-keyout', 'ca.key', '-subj', '/CN=jovo-dynamodb-wasm test CA', '-days', '2', '-sha256',
  '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  '-out', 'ca.pem');
const good = certificate('localhost', 'DNS:localhost,IP:127.0.0.1', true);
const selfSigned = certificate('self-signed', 'DNS:localhost,IP:127.0.0.1', false);
const wrongHost = certificate('wrong-host', 'DNS:wrong.example', true);

// ---- counters and helpers -----------------------------------------------------------------

const zero = () => ({
  handshakes: { tls: 0, selfSigned: 0, wrongHost: 0 },
  tunnels: 0,
  proxied: 0,
  redirectTargetHits: 0,
  skewRefused: 0,
  stalledConnections: 0,
  connections: { tls: 0, selfSigned: 0, wrongHost: 0 },
});
let counts = zero();
const sockets = new Set();

function track(socket) {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
  socket.on('error', () => {});
}

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

/** Pipes a client connection to the upstream DynamoDB. */
function pipeToUpstream(client) {
  const server = net.connect(Number(upstream.port), upstream.hostname);
  track(server);
  client.pipe(server).pipe(client);
  client.on('close', () => server.destroy());
  server.on('close', () => client.destroy());
}

function tlsTerminator(credentials, counter) {
  const server = tls.createServer(credentials, (socket) => {
    track(socket);
    pipeToUpstream(socket);
  });
  server.on('secureConnection', () => { counts.handshakes[counter] += 1; });
  server.on('tlsClientError', () => {});
  server.on('connection', (socket) => {
    counts.connections[counter] += 1;
    track(socket);
  });
  return server;
}

/** Forwards one buffered HTTP request to the upstream and the answer back. */
function forward(req, res, body) {
  const headers = { ...req.headers };
  delete headers['proxy-connection'];
  delete headers['proxy-authorization'];
  const out = http.request({
    host: upstream.hostname, port: upstream.port, method: req.method, path: '/', headers,
  }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  out.on('error', () => res.destroy());
  out.end(body);
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(Buffer.alloc(0)));
  });
}

/** `20261207T211500Z` → epoch ms. */
function amzDateMs(value) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value || '');
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
}

function amzDate(ms) {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function skewChecker(offsetMs) {
  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const clock = Date.now() + offsetMs;
    const signed = amzDateMs(req.headers['x-amz-date']);
    if (!(Math.abs(signed - clock) <= ALLOWED_SKEW_MS)) {
      counts.skewRefused += 1;
      const limit = amzDate(clock + (signed < clock ? -ALLOWED_SKEW_MS : ALLOWED_SKEW_MS));
      const message = signed < clock
        ? `Signature expired: ${req.headers['x-amz-date']} is now earlier than ${limit} (${amzDate(clock)} - 5 min.)`
        : `Signature not yet current: ${req.headers['x-amz-date']} is still later than ${limit} (${amzDate(clock)} + 5 min.)`;
      const text = JSON.stringify({ __type: 'com.amazon.coral.service#InvalidSignatureException', message });
      res.writeHead(400, {
        'content-type': 'application/x-amz-json-1.0',
        date: new Date(clock).toUTCString(),
        'x-amzn-requestid': 'SKEWCHECK',
      });
      res.end(text);
      return;
    }
    forward(req, res, body);
  });
  server.on('connection', track);
  return server;
}

// ---- listeners ----------------------------------------------------------------------------

async function main() {
  const ports = {};
  ports.tls = await listen(tlsTerminator(good, 'tls'));
  ports.selfSigned = await listen(tlsTerminator(selfSigned, 'selfSigned'));
  ports.wrongHost = await listen(tlsTerminator(wrongHost, 'wrongHost'));

  const stalled = net.createServer((socket) => {
    counts.stalledConnections += 1;
    track(socket);
  });
  ports.stalled = await listen(stalled);

  const proxy = http.createServer(async (req, res) => {
    // Absolute-form requests only, and only to this machine.
    let target;
    try { target = new URL(req.url); } catch { target = null; }
    if (!target || !['127.0.0.1', 'localhost'].includes(target.hostname)) {
      res.writeHead(403).end();
      return;
    }
    counts.proxied += 1;
    const body = await readBody(req);
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    const out = http.request({
      host: target.hostname, port: target.port, method: req.method, path: target.pathname + target.search, headers,
    }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    out.end(body);
  });
  proxy.on('connect', (req, client, head) => {
    track(client);
    const [host, port] = req.url.split(':');
    if (!['127.0.0.1', 'localhost'].includes(host) || !port) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    counts.tunnels += 1;
    const server = net.connect(Number(port), host === 'localhost' ? '127.0.0.1' : host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) server.write(head);
      server.pipe(client);
      client.pipe(server);
    });
    track(server);
    server.on('error', () => client.destroy());
    client.on('close', () => server.destroy());
    server.on('close', () => client.destroy());
  });
  proxy.on('connection', track);
  ports.proxy = await listen(proxy);

  ports.skewAhead = await listen(skewChecker(SKEW_MS));
  ports.skewBehind = await listen(skewChecker(-SKEW_MS));

  const target = http.createServer(async (req, res) => {
    await readBody(req);
    counts.redirectTargetHits += 1;
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify({ Item: { userId: { S: 'from-the-redirect-target' } } }));
  });
  target.on('connection', track);
  ports.redirectTarget = await listen(target);

  const redirect = http.createServer(async (req, res) => {
    await readBody(req);
    res.writeHead(307, { location: `http://127.0.0.1:${ports.redirectTarget}/elsewhere?token=REDIRECT-SECRET` });
    res.end();
  });
  redirect.on('connection', track);
  ports.redirect = await listen(redirect);

  const control = http.createServer((req, res) => {
    if (req.url === '/reset') counts = zero();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(counts));
  });
  ports.control = await listen(control);

  const endpoints = {
    tls: `https://localhost:${ports.tls}`,
    tlsIp: `https://127.0.0.1:${ports.tls}`,
    selfSigned: `https://localhost:${ports.selfSigned}`,
    wrongHost: `https://localhost:${ports.wrongHost}`,
    stalled: `https://localhost:${ports.stalled}`,
    proxy: `http://127.0.0.1:${ports.proxy}`,
    skewAhead: `http://127.0.0.1:${ports.skewAhead}`,
    skewBehind: `http://127.0.0.1:${ports.skewBehind}`,
    redirect: `http://127.0.0.1:${ports.redirect}`,
    redirectTarget: `http://127.0.0.1:${ports.redirectTarget}`,
  };
  process.stdout.write(`${JSON.stringify({
    ca: path.join(path.resolve(dir), 'ca.pem'),
    control: `http://127.0.0.1:${ports.control}`,
    endpoints,
  })}\n`);
}

const stop = () => {
  for (const socket of sockets) socket.destroy();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (process.argv.includes('--exit-with-stdin')) {
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}

main().catch((error) => {
  console.error(`network fixture failed to start: ${error.message}`);
  process.exit(1);
});
