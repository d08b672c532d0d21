// HTTPS through an HTTP proxy: a keep-alive https.Agent whose connections are CONNECT tunnels.
// Each new connection asks the proxy for a tunnel to the endpoint (node:http's CONNECT) and
// then starts TLS to the endpoint over it (tls.connect on the tunnel's socket, the endpoint's
// certificate and host name verified as on a direct connection). The agent keeps the
// finished TLS socket like any other, so later requests reuse the tunnel and its TLS session:
// one CONNECT and one handshake per pooled connection, not per request.
import http from 'node:http';
import https from 'node:https';

// A CONNECT the proxy never answers must not hold a socket forever: the request that asked
// for it has given up by then (its own timeout is at most this long by default).
const TUNNEL_TIMEOUT_MS = 30_000;

export class TunnelingAgent extends https.Agent {
  #proxy;

  /** @param {{ host: string, port: number, origin: string, authorization?: string }} proxy */
  constructor(proxy, options) {
    super(options);
    this.#proxy = proxy;
  }

  // node:http's Agent waits for the callback when this returns nothing.
  createConnection(options, callback) {
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    const target = `${host}:${options.port}`;
    const headers = { host: target };
    if (this.#proxy.authorization) headers['proxy-authorization'] = this.#proxy.authorization;
    const tunnel = http.request({
      host: this.#proxy.host,
      port: this.#proxy.port,
      method: 'CONNECT',
      path: target,
      headers,
      agent: false,
      setHost: false,
      timeout: options.tunnelTimeoutMs ?? TUNNEL_TIMEOUT_MS,
    });
    let done = false;
    const fail = (error) => {
      if (done) return;
      done = true;
      tunnel.destroy();
      callback(error);
    };
    tunnel.on('timeout', () => fail(tunnelError(`the proxy ${this.#proxy.origin} did not open a tunnel to ${target} in time`, 'ETIMEDOUT')));
    tunnel.on('error', (error) => fail(tunnelError(`the proxy ${this.#proxy.origin} cannot be reached (${error?.code ?? error?.name ?? 'error'})`, error?.code)));
    tunnel.on('connect', (response, socket, head) => {
      if (done) {
        socket.destroy();
        return;
      }
      if (response.statusCode !== 200) {
        socket.destroy();
        // 407: missing or wrong proxy credentials; the answer's body is not quoted.
        fail(tunnelError(`the proxy ${this.#proxy.origin} refused a tunnel to ${target} (HTTP ${response.statusCode})`, 'EPROXYREFUSED'));
        return;
      }
      done = true;
      socket.setTimeout(0);
      // The endpoint speaks only after our ClientHello, so nothing arrives ahead of TLS.
      if (head.length > 0) socket.unshift(head);
      try {
        callback(null, super.createConnection({ ...options, socket }));
      } catch (error) {
        socket.destroy();
        callback(error);
      }
    });
    tunnel.end();
    return undefined;
  }
}

function tunnelError(message, code) {
  const error = new Error(message);
  if (code) error.code = code;
  return error;
}
