// Region and credentials, resolved like the AWS SDK's default chain as far as a voice app on
// AWS Lambda or on a server needs it:
//   credentials: libraryConfig.dynamoDbClient.credentials (object or async provider)
//                -> AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN
//                -> shared credentials file (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials,
//                   profile AWS_PROFILE or "default")
//   region:      libraryConfig.dynamoDbClient.region -> AWS_REGION -> AWS_DEFAULT_REGION
// On Lambda the runtime sets AWS_REGION and the execution role's keys in the environment,
// so a table name is all the config needs.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { checkResolvedRegion } from './config.js';
import { DynamoDbError } from './errors.js';

// Provider results are reused until this close to their expiration, as the SDK does.
const EXPIRY_MARGIN_MS = 5 * 60 * 1000;

export async function resolveRegion(configured, env = process.env) {
  let region = configured;
  if (typeof configured === 'function') {
    try {
      region = await configured();
    } catch (error) {
      throw new DynamoDbError('invalid-config', `libraryConfig.dynamoDbClient.region: the region provider failed: ${error?.message ?? error}`);
    }
  }
  checkResolvedRegion(region);
  return region || env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
}

/**
 * Where the component's credentials come from. Fixed credentials go into the component's
 * config; otherwise the component asks `host.credentials` (that is `current()`) before each
 * request, so rotated environment variables or files are picked up.
 */
export class CredentialsSource {
  #provider;
  #fixed;
  #latest;
  #env;

  constructor(configured, env = process.env) {
    this.#env = env;
    if (typeof configured === 'function') {
      this.#provider = configured;
    } else if (configured) {
      if (!hasKeys(configured)) {
        throw new DynamoDbError('invalid-config', `libraryConfig.dynamoDbClient.credentials ${KEYS_RULE}`);
      }
      this.#fixed = toWitCredentials(configured);
    }
  }

  /** Credentials for the component's config, when they are fixed. */
  get fixed() {
    return this.#fixed;
  }

  /**
   * Calls an async provider ahead of an operation, since `current()` must answer at once.
   * A provider that fails fails the operation with code credentials-unavailable.
   */
  async refresh() {
    if (!this.#provider || (this.#latest && !expiresSoon(this.#latest))) return;
    try {
      this.#latest = await this.#provider();
    } catch (error) {
      throw new DynamoDbError('credentials-unavailable', `the libraryConfig.dynamoDbClient.credentials provider failed: ${error?.message ?? error}`);
    }
  }

  /** The `host.credentials` answer: credentials, or an error whose payload is the reason. */
  current() {
    if (this.#provider) {
      if (!hasKeys(this.#latest)) throw hostError(`the credentials provider's result ${KEYS_RULE}`);
      return toWitCredentials(this.#latest);
    }
    const found = credentialsFromEnvironment(this.#env) ?? credentialsFromSharedFile(this.#env);
    if (!found) {
      throw hostError(
        'looked in libraryConfig.dynamoDbClient.credentials, the environment (AWS_ACCESS_KEY_ID, ' +
          `AWS_SECRET_ACCESS_KEY) and ${sharedCredentialsPath(this.#env)} (profile "${profileName(this.#env)}")`,
      );
    }
    return found;
  }
}

export function credentialsFromEnvironment(env) {
  if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) return undefined;
  return {
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    sessionToken: env.AWS_SESSION_TOKEN || undefined,
  };
}

export function credentialsFromSharedFile(env) {
  let text;
  try {
    text = readFileSync(sharedCredentialsPath(env), 'utf8');
  } catch {
    return undefined;
  }
  const profile = parseIni(text)[profileName(env)];
  if (!profile?.aws_access_key_id || !profile?.aws_secret_access_key) return undefined;
  return {
    accessKeyId: profile.aws_access_key_id,
    secretAccessKey: profile.aws_secret_access_key,
    sessionToken: profile.aws_session_token || undefined,
  };
}

function sharedCredentialsPath(env) {
  return env.AWS_SHARED_CREDENTIALS_FILE || join(env.HOME || homedir(), '.aws', 'credentials');
}

function profileName(env) {
  return env.AWS_PROFILE || 'default';
}

/** The INI dialect of ~/.aws/credentials: `[profile]` sections of `key = value` lines. */
function parseIni(text) {
  const sections = {};
  let current;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section) {
      current = sections[section[1].trim()] ??= {};
    } else if (current && line.includes('=')) {
      const at = line.indexOf('=');
      current[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
    }
  }
  return sections;
}

const KEYS_RULE = 'must have the string properties accessKeyId and secretAccessKey';

function hasKeys(credentials) {
  return typeof credentials?.accessKeyId === 'string' && typeof credentials?.secretAccessKey === 'string';
}

function toWitCredentials(credentials) {
  return {
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken || undefined,
  };
}

function expiresSoon({ expiration }) {
  return expiration !== undefined && new Date(expiration).getTime() - Date.now() < EXPIRY_MARGIN_MS;
}

// jco turns an error thrown by an import into the WIT `err` case; the payload is its value.
function hostError(reason) {
  return Object.assign(new Error(reason), { payload: reason });
}
