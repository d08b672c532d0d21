// Credentials on the edge are always passed in: there is no environment or credentials file
// to look in. Either fixed keys (a Worker's secrets), which go into the component's config,
// or an async provider (e.g. Cognito's temporary keys in a browser), which is called ahead
// of an operation and again when its keys are about to expire; the component then asks
// `host.credentials` for them before each request.
import { checkCredentials } from '../config.js';
import { DynamoDbError, errorKind } from '../errors.js';

// Provider results are reused until this close to their expiration, as the AWS SDK does.
const EXPIRY_MARGIN_MS = 5 * 60 * 1000;
const KEYS_RULE = 'must have the string properties accessKeyId and secretAccessKey';

/** @param {undefined | { accessKeyId: string, secretAccessKey: string, sessionToken?: string } | (() => Promise<object>)} configured */
export function credentialsFrom(configured) {
  checkCredentials('client.credentials', configured);
  if (typeof configured === 'function') return new ProvidedCredentials(configured);
  if (configured === undefined) return new MissingCredentials();
  return new FixedCredentials(toWitCredentials(configured));
}

// The keys live in private fields, which util.inspect, console.log and JSON.stringify never
// show (the store holds this object, and whatever logs the store must not print a secret).
class FixedCredentials {
  #credentials;

  constructor(credentials) {
    this.#credentials = credentials;
  }

  /** For the component's config. */
  get fixed() {
    return this.#credentials;
  }

  async refresh() {}

  current() {
    return this.#credentials;
  }
}

class ProvidedCredentials {
  fixed = undefined;
  #provider;
  #latest;

  constructor(provider) {
    this.#provider = provider;
  }

  // As in the Node plugin and the other hosts: asked again before each operation unless its
  // last result carries an expiration more than 5 minutes away; when it fails, what it gave
  // before is used while that has not expired.
  async refresh() {
    if (this.#latest?.expiration !== undefined && !expiresSoon(this.#latest)) return;
    try {
      this.#latest = await this.#provider();
    } catch (error) {
      if (this.#latest && !expired(this.#latest)) return;
      throw new DynamoDbError('credentials-unavailable', `the client.credentials provider failed (${errorKind(error)}; its message is not shown, as it may hold secrets)`);
    }
  }

  current() {
    if (!hasKeys(this.#latest)) throw hostError(`the client.credentials provider's result ${KEYS_RULE}`);
    return toWitCredentials(this.#latest);
  }
}

// The component reports `credentials-unavailable` with this reason on the first request.
class MissingCredentials {
  fixed = undefined;

  async refresh() {}

  current() {
    throw hostError('no client.credentials were passed to openStore (edge runtimes have no environment to read them from)');
  }
}

function hasKeys(credentials) {
  return typeof credentials?.accessKeyId === 'string' && typeof credentials?.secretAccessKey === 'string';
}

function toWitCredentials({ accessKeyId, secretAccessKey, sessionToken }) {
  return { accessKeyId, secretAccessKey, sessionToken: sessionToken || undefined };
}

function expired({ expiration }) {
  return expiration !== undefined && Date.now() >= new Date(expiration).getTime();
}

function expiresSoon({ expiration }) {
  return expiration !== undefined && new Date(expiration).getTime() - Date.now() < EXPIRY_MARGIN_MS;
}

// The binding (engine/component.js) turns an error thrown by an import into the WIT `err`
// case; the payload is its value.
function hostError(reason) {
  return Object.assign(new Error(reason), { payload: reason });
}
