// The transport of the edge entry: the runtime's `fetch` (browsers, workerd, Deno, Bun,
// Node.js). Resolves to the WIT `result<http-response, transport-error>` as
// `{ tag: 'ok' | 'err', val }`, never rejects.
//
// Redirects are never followed (they would carry the signed request, session token and all,
// elsewhere): `redirect: 'manual'`. Where the runtime shows the 3xx (Node.js, Deno, Bun,
// workerd), it goes to the component as it came, which refuses it as `malformed-response`
// naming the status and the target's origin. Browsers hide a manual redirect behind an opaque
// response (status 0, no headers): that becomes a `failed` transport error saying a redirect
// was refused; the component retries it like any transport failure, and the redirect is
// never followed on any attempt.
//
// Trust and proxies are the runtime's: Node's fetch trusts NODE_EXTRA_CA_CERTS and, on
// Node 24 with NODE_USE_ENV_PROXY=1, honors HTTPS_PROXY / HTTP_PROXY / NO_PROXY.
import { MAX_RESPONSE_BYTES } from './limits.js';
import { findTlsError, tlsTransportError } from './tls-errors.js';

/** Sends `request` (the WIT `http-request`); `timeoutMs` bounds the whole exchange, body included. */
export async function fetchSend(request, timeoutMs) {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: withIdentityEncoding(request.headers),
      body: request.body.byteLength > 0 ? request.body : undefined,
      redirect: 'manual',
      signal,
    });
    if (response.type === 'opaqueredirect') {
      return { tag: 'err', val: { tag: 'failed', val: `the endpoint answered with a redirect, which is never followed (the browser does not show its target): ${request.url}` } };
    }
    const declared = Number(response.headers.get('content-length'));
    if (declared > MAX_RESPONSE_BYTES) {
      await response.body?.cancel().catch(() => {});
      return tooLarge(request.url, `${declared} bytes announced`);
    }
    const body = await readCapped(response);
    if (!body) return tooLarge(request.url, 'more arrived than that');
    return { tag: 'ok', val: { status: response.status, headers: withoutStaleChecksum([...response.headers]), body } };
  } catch (error) {
    return { tag: 'err', val: transportError(error, signal, request.url, timeoutMs) };
  }
}

// Reads the body up to the cap; past it, cancels the stream (the runtime drops the
// connection) and answers undefined.
async function readCapped(response) {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > MAX_RESPONSE_BYTES) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

// fetch asks for gzip by default and inflates silently; DynamoDB's x-amz-crc32 covers the
// bytes on the wire, so ask for them as they are. Browsers and workerd forbid the header
// and drop it silently: see withoutStaleChecksum.
function withIdentityEncoding(headers) {
  const named = (name) => headers.some(([key]) => key.toLowerCase() === name);
  return named('accept-encoding') ? headers : [...headers, ['accept-encoding', 'identity']];
}

// Browsers (and workerd) always ask for gzip and inflate the body before we see it. DynamoDB's
// x-amz-crc32 covers the compressed bytes on the wire, so it cannot match the inflated body.
// gzip and deflate carry their own checksum of the content, which the runtime's inflater
// checks, so dropping the stale header loses no integrity check.
function withoutStaleChecksum(headers) {
  const encoding = headers.find(([name]) => name.toLowerCase() === 'content-encoding')?.[1];
  if (!encoding || encoding.toLowerCase() === 'identity') return headers;
  return headers.filter(([name]) => name.toLowerCase() !== 'x-amz-crc32');
}

function tooLarge(url, detail) {
  return { tag: 'err', val: { tag: 'failed', val: `the response from ${url} is larger than ${MAX_RESPONSE_BYTES} bytes (${detail}); reading stopped and the connection was dropped` } };
}

function transportError(error, signal, url, timeoutMs) {
  if (signal.aborted || error?.name === 'TimeoutError' || error?.name === 'AbortError') {
    return { tag: 'timed-out', val: `no complete response from ${url} within ${timeoutMs} ms` };
  }
  const tlsError = findTlsError(error);
  if (tlsError) return tlsTransportError(tlsError, url);
  // undici reports the real reason (ECONNREFUSED, ENOTFOUND, ...) as the cause.
  const cause = error?.cause?.message ?? error?.cause?.code;
  return { tag: 'failed', val: `${error?.message ?? String(error)}${cause ? ` (${cause})` : ''}: ${url}` };
}
