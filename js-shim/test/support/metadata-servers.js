// Fakes of the two credential services the chain asks over HTTP, on 127.0.0.1 only: the ECS
// container credentials endpoint and EC2 instance metadata (IMDSv2). Each records the requests
// it got and answers what the test set. Nothing here ever contacts 169.254.x.
import http from 'node:http';
import { once } from 'node:events';

/** Temporary credentials as ECS and IMDS send them, expiring `inMs` from now. */
export function credentialsDocument({ accessKeyId, secretAccessKey, token, inMs = 3600_000 }) {
  return {
    Code: 'Success',
    LastUpdated: new Date().toISOString(),
    Type: 'AWS-HMAC',
    AccessKeyId: accessKeyId,
    SecretAccessKey: secretAccessKey,
    Token: token,
    Expiration: new Date(Date.now() + inMs).toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

async function listen(handler) {
  const requests = [];
  const server = http.createServer((request, response) => {
    requests.push({ method: request.method, path: request.url, headers: request.headers });
    request.resume();
    request.on('end', () => handler(request, response));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const endpoint = `http://127.0.0.1:${server.address().port}`;
  return {
    endpoint,
    requests,
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function answer(response, status, body, delayMs = 0) {
  const send = () => {
    if (response.destroyed) return;
    response.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
    response.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  if (delayMs > 0) setTimeout(send, delayMs);
  else send();
}

/**
 * The ECS agent: `GET <any path>` answers `state.document` (a credentials document, or a
 * function returning one) with `state.status`, after `state.delayMs`. Set `state.token` to
 * demand that Authorization header (401 otherwise).
 */
export async function startFakeEcs() {
  const state = { status: 200, document: undefined, delayMs: 0, token: undefined };
  const server = await listen((request, response) => {
    if (state.token !== undefined && request.headers.authorization !== state.token) {
      answer(response, 401, { message: 'unauthorized' });
      return;
    }
    const document = typeof state.document === 'function' ? state.document() : state.document;
    answer(response, state.status, document ?? { message: 'no credentials set' }, state.delayMs);
  });
  return Object.assign(server, { state });
}

/**
 * IMDSv2: `PUT /latest/api/token` (which must carry x-aws-ec2-metadata-token-ttl-seconds)
 * gives a session token; the two credential paths demand it in x-aws-ec2-metadata-token
 * (401 otherwise). `state.role` is the instance role (none: 404); `state.document` its
 * credentials (or a function returning them); `state.failing` answers 500 everywhere;
 * `state.delayMs` delays every answer.
 */
export async function startFakeImds() {
  const state = { role: 'jovo-instance-role', document: undefined, failing: false, delayMs: 0 };
  const SESSION_TOKEN = 'fake-imds-session-token-AQAEAB==';
  const server = await listen((request, response) => {
    const { method, url, headers } = request;
    if (state.failing) return answer(response, 500, 'failing', state.delayMs);
    if (url === '/latest/api/token') {
      if (method !== 'PUT') return answer(response, 405, 'method not allowed');
      if (!headers['x-aws-ec2-metadata-token-ttl-seconds']) return answer(response, 400, 'missing ttl');
      return answer(response, 200, SESSION_TOKEN, state.delayMs);
    }
    if (headers['x-aws-ec2-metadata-token'] !== SESSION_TOKEN) return answer(response, 401, 'unauthorized');
    const prefix = '/latest/meta-data/iam/security-credentials/';
    if (method === 'GET' && url === prefix) {
      return state.role ? answer(response, 200, `${state.role}\n`, state.delayMs) : answer(response, 404, 'not found');
    }
    if (method === 'GET' && state.role && url === prefix + state.role) {
      const document = typeof state.document === 'function' ? state.document() : state.document;
      return answer(response, 200, document, state.delayMs);
    }
    return answer(response, 404, 'not found');
  });
  /** How many credential documents were handed out. */
  const credentialFetches = () => server.requests.filter(({ path }) => path !== '/latest/api/token' && path.endsWith(state.role ?? '\0')).length;
  return Object.assign(server, { state, credentialFetches });
}
