// Which transport errors mean "TLS could not be established": the certificate failed
// verification (unknown CA, self-signed, wrong host name, expired, ...) or no TLS version or
// cipher was agreed. They become the WIT `transport-error.tls`, which the component never
// retries (a certificate that failed verification fails again) and reports as
// `tls-failed`, saying how to trust a private CA. Shared by both transports: node:tls sets
// these codes on its errors, and undici (Node's fetch) on the `cause` of its TypeError.

// OpenSSL's X509_V_ERR_* names as Node.js reports them (e.g. SELF_SIGNED_CERT_IN_CHAIN,
// UNABLE_TO_GET_ISSUER_CERT_LOCALLY, CERT_HAS_EXPIRED, DEPTH_ZERO_SELF_SIGNED_CERT), Node's
// own ERR_TLS_* (ERR_TLS_CERT_ALTNAME_INVALID) and OpenSSL's ERR_SSL_* (handshake failures,
// protocol versions, a plain-HTTP server on an https:// endpoint).
const TLS_CODE = /^(?:CERT_|UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|INVALID_CA|PATH_LENGTH_EXCEEDED|INVALID_PURPOSE|HOSTNAME_MISMATCH|ERR_TLS_CERT_|ERR_SSL_|ERR_TLS_INVALID_PROTOCOL|ERR_TLS_HANDSHAKE)/;

/** `error` or its cause (fetch wraps it) when it carries a TLS error code, else undefined. */
export function findTlsError(error) {
  for (let current = error, depth = 0; current && depth < 3; current = current.cause, depth += 1) {
    if (typeof current.code === 'string' && TLS_CODE.test(current.code)) return current;
  }
  return undefined;
}

/** The WIT `transport-error.tls` for what findTlsError found: the library's short reason and where. */
export function tlsTransportError(tlsError, url) {
  const { code } = tlsError;
  const message = String(tlsError.message ?? code)
    // Node 24 appends advice that does not fit every case; the component gives its own.
    .replace(/; if the root CA is installed locally.*$/s, '');
  return { tag: 'tls', val: `${message.includes(code) ? message : `${message} (${code})`}: ${url}` };
}
