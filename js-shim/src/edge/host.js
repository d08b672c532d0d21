// The component's `host` imports on a fetch-based runtime, for the JSPI transpilation:
// `send` and `sleep-ms` return promises and the instance suspends until they settle.
import { exchange } from '../engine/http.js';

/** @param credentials one of ./credentials.js's sources */
export function fetchHost(credentials) {
  return {
    async send(request, timeoutMs) {
      const outcome = await exchange(request, timeoutMs);
      if (outcome.err) throw Object.assign(new Error(outcome.err.val), { payload: outcome.err });
      return withoutStaleChecksum(outcome.ok);
    },
    sleepMs: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    nowMs: () => BigInt(Date.now()),
    credentials: () => credentials.current(),
  };
}

// Browsers (and workerd) always ask for gzip and inflate the body before we see it; the
// `accept-encoding: identity` that exchange() sets is a forbidden header there. DynamoDB's
// x-amz-crc32 covers the compressed bytes on the wire, so it cannot match the inflated body.
// gzip and deflate carry their own checksum of the content, which the runtime's inflater
// checks, so dropping the stale header loses no integrity check.
function withoutStaleChecksum(response) {
  const encoding = response.headers.find(([name]) => name.toLowerCase() === 'content-encoding')?.[1];
  if (!encoding || encoding.toLowerCase() === 'identity') return response;
  return { ...response, headers: response.headers.filter(([name]) => name.toLowerCase() !== 'x-amz-crc32') };
}
