// Imported first by the credential tests: makes node:http and node:https refuse any request
// that is not for a loopback address, so a mistake in a test or in the chain can never send
// anything to the real metadata addresses (169.254.x) or anywhere else.
import http from 'node:http';
import https from 'node:https';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)$/;

function hostOf(args) {
  const [first, second] = args;
  if (typeof first === 'string' || first instanceof URL) return new URL(first).hostname;
  const options = first ?? second ?? {};
  return options.hostname ?? options.host ?? 'localhost';
}

for (const module of [http, https]) {
  for (const name of ['request', 'get']) {
    const original = module[name];
    module[name] = function loopbackOnly(...args) {
      const host = String(hostOf(args)).replace(/:\d+$/, '');
      if (!LOOPBACK.test(host)) throw new Error(`test guard: a request to ${host} was refused (loopback only)`);
      return original.apply(this, args);
    };
  }
}

/** Must be true in every test process: the chain then never asks IMDS unless a test points it at a fake. */
export function assertMetadataSafe(env, options = {}) {
  const disabled = String(env.AWS_EC2_METADATA_DISABLED ?? '').toLowerCase() === 'true';
  const endpoint = env.AWS_EC2_METADATA_SERVICE_ENDPOINT ?? '';
  if (!disabled && !/^http:\/\/127\.0\.0\.1:\d+\/?$/.test(endpoint)) {
    throw new Error('test guard: IMDS must be off or pointed at a fake on 127.0.0.1');
  }
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI && !/^http:\/\/127\.0\.0\.1:\d+$/.test(options.ecsAgentEndpoint ?? '')) {
    throw new Error('test guard: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI needs the fake ECS agent');
  }
}
