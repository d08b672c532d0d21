// One HTTP exchange for the component's `host.send`, with the platform's `fetch`.
// Shared by the JSPI host (awaited in place) and the fetch worker of the sync host.
// Returns the WIT `result<http-response, transport-error>` as `{ ok }` or `{ err }`, so the
// outcome can cross a worker boundary as plain data.

export async function exchange(request, timeoutMs) {
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: withIdentityEncoding(request.headers),
      body: request.body.byteLength > 0 ? request.body : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = new Uint8Array(await response.arrayBuffer());
    return { ok: { status: response.status, headers: [...response.headers], body } };
  } catch (error) {
    return { err: transportError(error, request.url, timeoutMs) };
  }
}

// fetch asks for gzip by default and inflates silently; DynamoDB's x-amz-crc32 covers the
// bytes on the wire, so the component must see the body exactly as it was sent.
function withIdentityEncoding(headers) {
  const named = (name) => headers.some(([key]) => key.toLowerCase() === name);
  return named('accept-encoding') ? headers : [...headers, ['accept-encoding', 'identity']];
}

function transportError(error, url, timeoutMs) {
  if (error?.name === 'TimeoutError' || error?.name === 'AbortError') {
    return { tag: 'timed-out', val: `no complete response from ${url} within ${timeoutMs} ms` };
  }
  // undici reports the real reason (ECONNREFUSED, ENOTFOUND, ...) as the cause.
  const cause = error?.cause?.message ?? error?.cause?.code;
  return { tag: 'failed', val: `${error?.message ?? String(error)}${cause ? ` (${cause})` : ''}: ${url}` };
}
