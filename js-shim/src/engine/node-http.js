// The Node.js transport of the plugin: node:http / node:https over keep-alive agents, one set
// per plugin (its CA list and proxy are its own). Measured 0.4-0.8 ms less CPU per operation
// than `fetch` (undici), which dominated the plugin's own cost. Resolves to the WIT
// `result<http-response, transport-error>` as `{ tag: 'ok' | 'err', val }`, never rejects.
// node:http never follows a redirect: a 3xx goes to the component as it came, which refuses it.
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { TunnelingAgent } from '../network/tunnel.js';
import { MAX_RESPONSE_BYTES } from './limits.js';
import { findTlsError, tlsTransportError } from './tls-errors.js';

// Idle sockets of a keep-alive agent are unref'd by Node.js, so they never keep the process
// alive. At most 16 sockets per host; further requests queue in the agent, inside their
// exchange's timeout. Node.js parses the responses of all ready sockets in one turn of the
// event loop (outside the engine's time slices), so this bounds that turn; 500 concurrent
// cycles against dynalite ran fastest with 16 (1,500-1,800 ops/s, vs 1,100-1,500 with the
// AWS SDK's 50), and at ~10 ms per DynamoDB round trip 16 sockets still carry ~1,600 ops/s,
// about what one Node.js process can drive.
const AGENT_OPTIONS = { keepAlive: true, maxSockets: 16 };
const MAX_ROUTES = 64;

/**
 * A transport with its own agents.
 * @param {object} [options]
 * @param {string[]} [options.ca] the certificates to trust (network/trust.js); default: Node's
 * @param {(url: URL) => ({ host: string, port: number, origin: string, authorization?: string } | undefined)} [options.proxyFor]
 *   the proxy of an endpoint (network/proxy.js); default: none
 * @returns {(request: object, timeoutMs: number) => Promise<{ tag: 'ok' | 'err', val: object }>}
 */
export function createNodeTransport({ ca, proxyFor = () => undefined } = {}) {
  // One secure context for every connection: building one from ~150 roots costs milliseconds.
  const tlsOptions = ca ? { secureContext: tls.createSecureContext({ ca }) } : {};
  const direct = { 'http:': new http.Agent(AGENT_OPTIONS), 'https:': new https.Agent({ ...AGENT_OPTIONS, ...tlsOptions }) };
  const proxied = new Map(); // `${protocol} ${proxy origin}` → agent
  // Endpoint URL text → how to reach it. The component sends every request of a client to the
  // same URL, so it is parsed once, not per request (`new URL` and Node's conversion of it
  // to request options measured ~7 µs per operation). Bounded, as URLs come from configs.
  const routes = new Map();

  const routeOf = (urlText) => {
    let route = routes.get(urlText);
    if (!route) {
      route = makeRoute(urlText);
      if (routes.size >= MAX_ROUTES) routes.clear();
      routes.set(urlText, route);
    }
    return route;
  };
  const makeRoute = (urlText) => {
    let url;
    try {
      url = new URL(urlText);
    } catch {
      return { error: failed(`invalid URL: ${urlText}`) };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return { error: failed(`unsupported protocol ${url.protocol}: ${urlText}`) };
    }
    const proxy = proxyFor(url);
    if (!proxy) {
      const options = { protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || undefined, path: `${url.pathname}${url.search}` };
      return { url, agent: direct[url.protocol], options, host: url.host };
    }
    const key = `${url.protocol} ${proxy.origin}`;
    if (!proxied.has(key)) {
      proxied.set(key, url.protocol === 'https:' ? new TunnelingAgent(proxy, { ...AGENT_OPTIONS, ...tlsOptions }) : new http.Agent(AGENT_OPTIONS));
    }
    return { url, agent: proxied.get(key), proxy };
  };
  return (request, timeoutMs) => send(request, timeoutMs, routeOf);
}

/** The transport of code that needs no CA or proxy of its own (Node's defaults, no proxy). */
export const nodeSend = createNodeTransport();

/**
 * Sends `request` (the WIT `http-request`) and waits at most `timeoutMs` for the whole
 * exchange: connecting (through the proxy and TLS included), sending and reading the
 * complete body.
 */
function send(request, timeoutMs, routeOf) {
  return new Promise((resolve) => {
    const route = routeOf(request.url);
    if (route.error) {
      resolve(route.error);
      return;
    }
    const { url, agent, proxy } = route;
    const where = proxy ? `${request.url} (through the proxy ${proxy.origin})` : request.url;

    let settled = false;
    let outgoing;
    const finish = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    // Ends the exchange early; the socket is destroyed, never returned to the agent half-read.
    const abandon = (outcome) => {
      finish(outcome);
      outgoing.destroy();
    };
    const timer = setTimeout(
      () => abandon({ tag: 'err', val: { tag: 'timed-out', val: `no complete response from ${where} within ${timeoutMs} ms` } }),
      timeoutMs,
    );

    if (!proxy) {
      // The headers as pairs: Node.js writes them as given (validating each) instead of
      // storing them one by one with setHeader.
      const headers = headerPairs(request, route.host);
      outgoing = (url.protocol === 'https:' ? https : http).request({ ...route.options, method: request.method, headers, agent });
    } else if (url.protocol === 'http:') {
      // Absolute-form, to the proxy: `POST http://endpoint/ HTTP/1.1`.
      const headers = Object.fromEntries(headerPairs(request, url.host));
      if (proxy.authorization) headers['proxy-authorization'] = proxy.authorization;
      outgoing = http.request({ host: proxy.host, port: proxy.port, path: url.href, method: request.method, headers, agent });
    } else {
      // `tunnelTimeoutMs` reaches TunnelingAgent.createConnection with the request's options.
      const headers = Object.fromEntries(headerPairs(request, url.host));
      outgoing = https.request(url, { method: request.method, headers, agent, tunnelTimeoutMs: timeoutMs });
    }
    outgoing.on('error', (error) => {
      const tlsError = findTlsError(error);
      finish(tlsError ? { tag: 'err', val: tlsTransportError(tlsError, where) } : failed(`${describe(error)}: ${where}`));
    });
    outgoing.on('response', (response) => {
      const declared = Number(response.headers['content-length']);
      if (declared > MAX_RESPONSE_BYTES) {
        abandon(tooLarge(where, `${declared} bytes announced`));
        return;
      }
      const chunks = [];
      let received = 0;
      response.on('data', (chunk) => {
        received += chunk.length;
        if (received > MAX_RESPONSE_BYTES) abandon(tooLarge(where, `${received} bytes received so far`));
        else chunks.push(chunk);
      });
      response.on('end', () =>
        finish({
          tag: 'ok',
          val: { status: response.statusCode, headers: pairs(response.rawHeaders), body: concat(chunks, received) },
        }),
      );
      response.on('error', (error) => finish(failed(`${describe(error)} while reading the response: ${where}`)));
      // A connection closed mid-body ends without 'end' (and, on some versions, without 'error').
      response.on('close', () => {
        if (!response.complete) finish(failed(`the connection closed before the whole response arrived: ${where}`));
      });
    });
    outgoing.end(request.body.byteLength > 0 ? request.body : undefined);
  });
}

// The component's headers are lower case and unique and hold neither `host` nor
// `content-length`, so both are added here. DynamoDB's x-amz-crc32 covers the bytes on the
// wire, so ask for them as they are (Node.js does not inflate, but a proxy might otherwise
// compress).
function headerPairs({ headers, body }, host) {
  const result = [['host', host], ['accept-encoding', 'identity']];
  for (const pair of headers) result.push(pair);
  result.push(['content-length', String(body.byteLength)]);
  return result;
}

function pairs(rawHeaders) {
  const result = [];
  for (let index = 0; index < rawHeaders.length; index += 2) result.push([rawHeaders[index], rawHeaders[index + 1]]);
  return result;
}

function concat(chunks, length) {
  if (chunks.length === 1) return chunks[0];
  return Buffer.concat(chunks, length);
}

function failed(reason) {
  return { tag: 'err', val: { tag: 'failed', val: reason } };
}

function tooLarge(url, detail) {
  return failed(`the response from ${url} is larger than ${MAX_RESPONSE_BYTES} bytes (${detail}); reading stopped and the connection was dropped`);
}

function describe(error) {
  const message = error?.message ?? String(error);
  return error?.code && !message.includes(error.code) ? `${message} (${error.code})` : message;
}
