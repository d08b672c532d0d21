// Region and credentials, found where the AWS SDKs find them, in the same order as the Python
// and Rust hosts of this project (host-tests/python/src/jovo_dynamodb/credentials.py,
// host-tests/rust/src/credentials/).
//
// Credentials, first match wins:
//   1. libraryConfig.dynamoDbClient.credentials: fixed keys (they go into the component's
//      config), or an async provider such as fromNodeProviderChain() of
//      @aws-sdk/credential-providers (the whole chain is then the provider's business);
//   2. the environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN);
//   3. web identity (AWS_WEB_IDENTITY_TOKEN_FILE): not built in, use a provider;
//   4. the shared files, profile AWS_PROFILE or "default": the credentials file
//      (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials, section [name]) over the config
//      file (AWS_CONFIG_FILE, default ~/.aws/config, section [profile name], or [default] and
//      [profile default]), key by key; static keys, else credential_process. A profile with half
//      a key pair or a failing credential_process ends the chain;
//   5. ECS/EKS container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on 169.254.170.2)
//      or AWS_CONTAINER_CREDENTIALS_FULL_URI (loopback, 169.254.170.2, 169.254.170.23 or
//      fd00:ec2::23 only), Authorization from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or
//      AWS_CONTAINER_AUTHORIZATION_TOKEN; a failing endpoint ends the chain;
//   6. EC2 instance metadata (IMDSv2) at AWS_EC2_METADATA_SERVICE_ENDPOINT (default
//      http://169.254.169.254), unless AWS_EC2_METADATA_DISABLED=true.
// Region: the config, else AWS_REGION, else AWS_DEFAULT_REGION, else the profile's `region` in
// the config file.
//
// The component asks `host.credentials` synchronously before each request, so whatever needs
// a process or the network (a provider, credential_process, ECS, IMDS) is fetched by `refresh()`
// ahead of each operation; `current()` then walks the chain again without I/O (the environment
// and the files are re-read, so rotated keys are used at once; a file is parsed again only when
// its size or time stamp changed). Temporary credentials are kept until 5 minutes before they
// expire; a refresh that fails while they are still valid keeps them.
//
// No secret reaches an error text, a log line, util.inspect or JSON: credentials live in
// private fields, and texts name places (variables, files, programs, endpoints), never values,
// and never quote what a credential source printed or answered.
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { checkResolvedRegion } from './config.js';
import { DynamoDbError, errorKind } from './errors.js';

// Temporary credentials are replaced this long before they expire, as the AWS SDKs do.
const EXPIRY_MARGIN_MS = 5 * 60 * 1000;
// A credential_process that hangs is stopped after this long.
const PROCESS_TIMEOUT_MS = 30_000;
// Each request to the container endpoint or instance metadata: short, so a laptop is not slowed.
const METADATA_TIMEOUT_MS = 1_000;
// What a process or a metadata service may answer; their JSON is a few hundred bytes.
const MAX_ANSWER_BYTES = 64 * 1024;
const ECS_AGENT = 'http://169.254.170.2';
const CONTAINER_HOSTS = new Set(['169.254.170.2', '169.254.170.23', 'fd00:ec2::23']);
const IMDS_DEFAULT_ENDPOINT = 'http://169.254.169.254';

export async function resolveRegion(configured, env = process.env) {
  let region = configured;
  if (typeof configured === 'function') {
    try {
      region = await configured();
    } catch (error) {
      throw new DynamoDbError('invalid-config', `libraryConfig.dynamoDbClient.region: the region provider failed (${errorKind(error)}; its message is not shown, as it may hold secrets)`);
    }
  }
  checkResolvedRegion(region);
  return region || regionFromEnvironment(env);
}

/** AWS_REGION, else AWS_DEFAULT_REGION, else the profile's `region` in the config file. */
export function regionFromEnvironment(env = process.env) {
  const found = variable(env, 'AWS_REGION') ?? variable(env, 'AWS_DEFAULT_REGION');
  if (found) return found;
  const path = configFile(env);
  return (path && configSection(path, profileName(env)).region) || undefined;
}

/**
 * Where the component's credentials come from. Fixed credentials go into the component's
 * config; otherwise the component asks `host.credentials` (that is `current()`) before each
 * request, and `refresh()` runs ahead of each operation.
 * @param configured libraryConfig.dynamoDbClient.credentials
 * @param env the environment variables to read (default: process.env, read at each use)
 * @param options time limits and the ECS agent's address (tests point them elsewhere)
 */
export class CredentialsSource {
  #fixed;
  #provider;
  #chain;

  constructor(configured, env = process.env, options = {}) {
    if (typeof configured === 'function') {
      this.#provider = new ProviderSource(configured);
    } else if (configured) {
      if (!hasKeys(configured)) {
        throw new DynamoDbError('invalid-config', `libraryConfig.dynamoDbClient.credentials ${KEYS_RULE}`);
      }
      this.#fixed = toWitCredentials(configured);
    } else {
      this.#chain = new DefaultChain(env, options);
    }
  }

  /** Credentials for the component's config, when they are fixed. */
  get fixed() {
    return this.#fixed;
  }

  /**
   * Ahead of an operation (`current()` must answer at once): asks the provider, or runs
   * credential_process / asks ECS or IMDS when the chain gets that far and holds nothing
   * fresh from it. A provider that fails (with nothing still valid) fails the operation with
   * code credentials-unavailable; a chain that finds nothing leaves the reason for `current()`,
   * which the component reports with the same code.
   */
  async refresh() {
    if (this.#provider) await this.#provider.refresh();
    else if (this.#chain) await this.#chain.refresh();
  }

  /** The `host.credentials` answer: credentials, or an error whose payload is the reason. */
  current() {
    if (this.#fixed) return this.#fixed;
    if (this.#provider) return this.#provider.current();
    const outcome = this.#chain.walk(false);
    if (outcome.credentials) return toWitCredentials(outcome.credentials);
    throw hostError(outcome.error);
  }
}

// --- 1. a user-supplied provider ----------------------------------------------------------

class ProviderSource {
  #provider;
  #latest; // what the provider returned last (checked), while it has not expired
  #error; // why the last call gave nothing usable
  #calling;

  constructor(provider) {
    this.#provider = provider;
  }

  // Called again before each operation unless its result carries an expiration more than
  // 5 minutes away (the SDK's providers memoize themselves, so that is cheap); concurrent
  // operations share one call.
  async refresh() {
    if (this.#latest?.expiresAt !== undefined && isFresh(this.#latest)) return;
    this.#calling ??= this.#call().finally(() => {
      this.#calling = undefined;
    });
    await this.#calling;
  }

  async #call() {
    let result;
    try {
      result = await this.#provider();
    } catch (error) {
      if (this.#latest && !isExpired(this.#latest)) return; // still works for a while
      this.#latest = undefined;
      throw new DynamoDbError('credentials-unavailable', `the libraryConfig.dynamoDbClient.credentials provider failed (${errorKind(error)}; its message is not shown, as it may hold secrets)`);
    }
    const expiresAt = hasKeys(result) ? expirationOf(result) : undefined;
    if (!hasKeys(result)) {
      this.#error = `the credentials provider's result ${KEYS_RULE}`;
    } else if (expiresAt === null) {
      this.#error = "the credentials provider's result has an expiration that is not a date";
    } else if (expiresAt !== undefined && Date.now() >= expiresAt) {
      this.#error = 'the credentials provider returned credentials that have expired';
    } else {
      this.#latest = { ...toWitCredentials(result), expiresAt };
      this.#error = undefined;
      return;
    }
    this.#latest = undefined;
  }

  current() {
    if (this.#latest && !isExpired(this.#latest)) return toWitCredentials(this.#latest);
    throw hostError(this.#error ?? 'the credentials provider has not been asked yet');
  }
}

// --- 2. to 6. the default chain --------------------------------------------------------------

class DefaultChain {
  #env;
  #options;
  // Credentials of the slow sources, each kept until 5 minutes before it expires.
  #process = new Kept();
  #container = new Kept();
  #instance = new Kept();

  constructor(env, options) {
    this.#env = env;
    this.#options = {
      processTimeoutMs: options.processTimeoutMs ?? PROCESS_TIMEOUT_MS,
      metadataTimeoutMs: options.metadataTimeoutMs ?? METADATA_TIMEOUT_MS,
      ecsAgentEndpoint: options.ecsAgentEndpoint ?? ECS_AGENT,
    };
  }

  /** Loads what the chain needs from a process or a server, when nothing fresh is kept. */
  async refresh() {
    const outcome = this.walk(true);
    if (outcome.load) await outcome.load();
  }

  /**
   * One walk down the chain, without I/O beyond reading the environment and the files.
   * Answers `{ credentials }`, `{ error }` (the reason, naming places, never values), or,
   * when `planning` and a slow source holds nothing fresh, `{ load }` to fetch it.
   */
  walk(planning) {
    const env = this.#env;
    const looked = [];

    // 2. The environment.
    const accessKeyId = variable(env, 'AWS_ACCESS_KEY_ID');
    const secretAccessKey = variable(env, 'AWS_SECRET_ACCESS_KEY');
    if (accessKeyId && secretAccessKey) {
      return { credentials: { accessKeyId, secretAccessKey, sessionToken: variable(env, 'AWS_SESSION_TOKEN') } };
    }
    looked.push(
      accessKeyId ? 'AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not'
      : secretAccessKey ? 'AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not'
      : 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set',
    );

    // 4. The shared files: a profile that defines credentials is used, or its failure ends the
    // chain (another identity would be a surprise).
    const name = profileName(env);
    const credentialsPath = credentialsFile(env);
    const configPath = configFile(env);
    const profile = {
      ...(configPath ? configSection(configPath, name) : {}),
      ...(credentialsPath ? sections(credentialsPath)[name] : {}),
    };
    const profileKeyId = profile.aws_access_key_id || undefined;
    const profileSecret = profile.aws_secret_access_key || undefined;
    const command = profile.credential_process || undefined;
    if (profileKeyId && profileSecret) {
      return { credentials: { accessKeyId: profileKeyId, secretAccessKey: profileSecret, sessionToken: profile.aws_session_token || undefined } };
    }
    if ((profileKeyId || profileSecret) && !command) {
      return { error: `profile [${name}] has only one of aws_access_key_id and aws_secret_access_key` };
    }
    if (command) {
      const timeoutMs = this.#options.processTimeoutMs;
      return this.#process.answer(command, planning, () => runCredentialProcess(command, name, timeoutMs), true);
    }
    looked.push(
      `profile [${name}] has no aws_access_key_id with aws_secret_access_key and no credential_process in ` +
        `${credentialsPath ?? '~/.aws/credentials (no HOME)'} or ${configPath ?? '~/.aws/config (no HOME)'}`,
    );

    // 5. ECS/EKS container credentials, when the container says where.
    const relative = variable(env, 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI');
    const full = variable(env, 'AWS_CONTAINER_CREDENTIALS_FULL_URI');
    if (relative || full) {
      let url;
      if (relative) {
        url = `${this.#options.ecsAgentEndpoint}${relative.startsWith('/') ? '' : '/'}${relative}`;
      } else {
        const refused = refusedFullUri(full);
        if (refused) return { error: refused };
        url = full;
      }
      const tokenFile = variable(env, 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE');
      const token = variable(env, 'AWS_CONTAINER_AUTHORIZATION_TOKEN');
      const timeoutMs = this.#options.metadataTimeoutMs;
      // The key holds the token: this object is private, and the key is never shown.
      const key = JSON.stringify([url, tokenFile, token]);
      return this.#container.answer(key, planning, () => fetchContainerCredentials(url, tokenFile, token, timeoutMs), true);
    }
    looked.push('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set');

    // 6. EC2 instance metadata: its failure is only listed.
    if ((variable(env, 'AWS_EC2_METADATA_DISABLED') ?? '').trim().toLowerCase() === 'true') {
      looked.push('EC2 instance metadata is off (AWS_EC2_METADATA_DISABLED=true)');
    } else {
      const endpoint = (variable(env, 'AWS_EC2_METADATA_SERVICE_ENDPOINT') ?? IMDS_DEFAULT_ENDPOINT).replace(/\/+$/, '');
      const timeoutMs = this.#options.metadataTimeoutMs;
      const outcome = this.#instance.answer(endpoint, planning, () => fetchInstanceCredentials(endpoint, timeoutMs), false);
      if (!outcome.error) return outcome;
      looked.push(outcome.error);
    }
    return { error: `no AWS credentials: ${looked.join('; ')}` };
  }
}

/**
 * The credentials of one slow source (a process, a server) for one key (a command, a URL),
 * kept until 5 minutes before they expire (forever without an expiration); one load at a
 * time. A failing load keeps credentials that have not expired yet.
 */
class Kept {
  #key;
  #credentials;
  #error; // why the last load for #key failed
  #loading;

  /**
   * `{ credentials }` when fresh ones are kept; else, when `planning`, `{ load }`; else
   * (`current()`, after the refresh) the kept ones while they have not expired, or `{ error }`.
   */
  answer(key, planning, load, endsChain) {
    const kept = this.#key === key ? this.#credentials : undefined;
    if (kept && isFresh(kept)) return { credentials: kept };
    if (planning) return { load: () => this.#load(key, load) };
    if (kept && !isExpired(kept)) return { credentials: kept };
    const error = (this.#key === key && this.#error) || 'the credentials have not been fetched yet';
    return endsChain ? { error } : { error, listed: true };
  }

  #load(key, load) {
    this.#loading ??= (async () => {
      try {
        const credentials = await load();
        if (isExpired(credentials)) throw new ChainError('the credentials it returned have expired');
        this.#key = key;
        this.#credentials = credentials;
        this.#error = undefined;
      } catch (caught) {
        // A fault of ours rather than of the source: reported by its class only.
        const error = caught instanceof ChainError ? caught : new ChainError(`a credential source failed (${caught?.name ?? 'error'})`);
        if (this.#key !== key || (this.#credentials && isExpired(this.#credentials))) this.#credentials = undefined;
        this.#key = key;
        this.#error = error.message;
      } finally {
        this.#loading = undefined;
      }
    })();
    return this.#loading;
  }
}

/** Why a source gave no credentials; its text names places, never values. */
class ChainError extends Error {}

// --- the environment and the shared files ---------------------------------------------------

/** An environment variable; empty counts as unset. */
function variable(env, name) {
  const value = env[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function profileName(env) {
  return variable(env, 'AWS_PROFILE') ?? 'default';
}

// Without HOME (an env object of a test, or a service without one) there are no default
// files; the process's own environment falls back to the OS's idea of home.
function home(env) {
  return variable(env, 'HOME') ?? variable(env, 'USERPROFILE') ?? (env === process.env ? homedir() : undefined);
}

function sharedFile(env, name, fallback) {
  const set = variable(env, name);
  const dir = home(env);
  if (set) return set.startsWith('~/') && dir ? join(dir, set.slice(2)) : set;
  return dir ? join(dir, '.aws', fallback) : undefined;
}

function credentialsFile(env) {
  return sharedFile(env, 'AWS_SHARED_CREDENTIALS_FILE', 'credentials');
}

function configFile(env) {
  return sharedFile(env, 'AWS_CONFIG_FILE', 'config');
}

/** The profile's section of the config file: `[profile name]`, or `[default]` merged with `[profile default]`. */
function configSection(path, name) {
  const all = sections(path);
  if (name === 'default') return { ...all.default, ...all['profile default'] };
  return all[`profile ${name}`] ?? {};
}

// path -> { version, sections }: a file is parsed again only when it changed.
const parsedFiles = new Map();

/** The sections of an INI file; a missing or unreadable file has none. */
function sections(path) {
  let stat;
  try {
    stat = statSync(path, { bigint: true });
  } catch {
    return {};
  }
  const version = `${stat.mtimeNs}:${stat.size}:${stat.ino}`;
  const parsed = parsedFiles.get(path);
  if (parsed?.version === version) return parsed.sections;
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {}; // the reason could only name the file, which the chain's error names anyway
  }
  const found = parseIni(text);
  parsedFiles.set(path, { version, sections: found });
  return found;
}

/**
 * The AWS shared-file format: `[section]` headers, `key = value` lines, `#` and `;` comment
 * lines; indented lines (nested settings such as `s3 =` blocks) are skipped. Section names
 * have their inner whitespace collapsed (`[profile   x]` is `profile x`); keys are lower case.
 * A section that appears twice is merged.
 */
export function parseIni(text) {
  const found = Object.create(null);
  let current;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    const trimmed = line.trimStart();
    if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    if (trimmed.length < line.length) continue; // a nested setting of the key above
    if (trimmed.startsWith('[')) {
      const end = trimmed.indexOf(']');
      if (end < 0) {
        current = undefined;
        continue;
      }
      const name = trimmed.slice(1, end).trim().split(/\s+/).join(' ');
      current = found[name] ??= Object.create(null);
      continue;
    }
    const at = trimmed.indexOf('=');
    if (current && at >= 0) current[trimmed.slice(0, at).trim().toLowerCase()] = trimmed.slice(at + 1).trim();
  }
  return found;
}

// --- credential_process ------------------------------------------------------------------------

/**
 * Splits a command line as the AWS CLI does (Python's shlex.split, POSIX mode): words separated
 * by whitespace, '…' literal, "…" with \" and \\ escapes, \ escaping the next character outside
 * quotes. No shell is involved, so `;`, `|` or `$(...)` are plain arguments.
 */
export function splitCommandLine(line) {
  const words = [];
  let word = '';
  let inWord = false;
  const chars = [...line];
  for (let i = 0; i < chars.length; i += 1) {
    const c = chars[i];
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === "'") {
      inWord = true;
      const end = chars.indexOf("'", i + 1);
      if (end < 0) throw new ChainError('no closing quotation');
      word += chars.slice(i + 1, end).join('');
      i = end;
    } else if (c === '"') {
      inWord = true;
      for (i += 1; ; i += 1) {
        if (i >= chars.length) throw new ChainError('no closing quotation');
        if (chars[i] === '"') break;
        if (chars[i] === '\\') {
          i += 1;
          if (i >= chars.length) throw new ChainError('no closing quotation');
          word += chars[i] === '"' || chars[i] === '\\' ? chars[i] : `\\${chars[i]}`;
        } else {
          word += chars[i];
        }
      }
    } else if (c === '\\') {
      inWord = true;
      i += 1;
      if (i >= chars.length) throw new ChainError('no escaped character');
      word += chars[i];
    } else {
      inWord = true;
      word += c;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * Runs credential_process without a shell and reads its JSON:
 * {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}.
 * Its standard error goes to ours (as with the AWS CLI). Texts name the program only: its
 * arguments may carry secrets, and its output does.
 */
async function runCredentialProcess(command, profile, timeoutMs) {
  const where = `credential_process of profile [${profile}]`;
  let argv;
  try {
    argv = splitCommandLine(command);
  } catch (error) {
    throw new ChainError(`${where} cannot be split into arguments (${error.message})`);
  }
  if (argv.length === 0) throw new ChainError(`${where} is empty`);
  const program = basename(argv[0]);
  const { code, signal, output, startError, timedOut, tooLong } = await new Promise((resolve) => {
    let child;
    try {
      child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'], shell: false, windowsHide: true });
    } catch (error) {
      resolve({ startError: error });
      return;
    }
    const chunks = [];
    let size = 0;
    let timedOut = false;
    let tooLong = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
      else tooLong = true;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ startError: error });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output: Buffer.concat(chunks), timedOut, tooLong });
    });
  });
  if (startError) throw new ChainError(`${where} (${program}) could not be started: ${startError.code ?? 'error'}`);
  if (timedOut) throw new ChainError(`${where} (${program}) did not finish within ${timeoutMs / 1000} s and was stopped`);
  if (code !== 0) throw new ChainError(`${where} (${program}) exited with ${signal ? `signal ${signal}` : `status ${code}`}`);
  if (tooLong) throw new ChainError(`${where} (${program}) printed more than 64 KB`);
  const document = jsonObject(output, `${where} (${program})`);
  if (document.Version !== 1) throw new ChainError(`${where} (${program}) printed no "Version": 1; only version 1 is understood`);
  return credentialsFromDocument(document, 'SessionToken', `${where} (${program})`);
}

// --- ECS / EKS container credentials -------------------------------------------------------------

/**
 * Why AWS_CONTAINER_CREDENTIALS_FULL_URI is refused, if it is: only http(s) on a loopback
 * host or the ECS/EKS agents' link-local addresses, without user information. Anything else
 * could hand the authorization token to another machine.
 */
function refusedFullUri(uri) {
  let url;
  try {
    url = new URL(uri);
  } catch {
    return 'AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL';
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const allowed =
    host === 'localhost' ||
    CONTAINER_HOSTS.has(host) ||
    (isIP(host) === 4 && host.startsWith('127.')) ||
    (isIP(host) === 6 && host === '::1');
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !allowed || url.username || url.password || uri.includes('@')) {
    return (
      'AWS_CONTAINER_CREDENTIALS_FULL_URI must be an http(s) URL, without user information, of a loopback host, ' +
      `169.254.170.2, 169.254.170.23 or fd00:ec2::23; its host is '${host}'`
    );
  }
  return undefined;
}

async function fetchContainerCredentials(url, tokenFile, token, timeoutMs) {
  const where = 'the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_*)';
  const headers = { accept: 'application/json' };
  if (tokenFile) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (error) {
      throw new ChainError(`AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE ${tokenFile} cannot be read (${error.code ?? 'error'})`);
    }
  }
  if (token) {
    if (/[\r\n]/.test(token)) throw new ChainError('the container authorization token holds a line break');
    headers.authorization = token;
  }
  const { status, body } = await metadataRequest('GET', url, headers, timeoutMs, where);
  if (status !== 200) throw new ChainError(`${where} answered HTTP ${status}`);
  return credentialsFromDocument(jsonObject(body, where), 'Token', where);
}

// --- EC2 instance metadata (IMDSv2) ----------------------------------------------------------------

async function fetchInstanceCredentials(endpoint, timeoutMs) {
  const where = `EC2 instance metadata at ${endpoint}`;
  const tokenAnswer = await metadataRequest('PUT', `${endpoint}/latest/api/token`, { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' }, timeoutMs, where);
  if (tokenAnswer.status !== 200) throw new ChainError(`${where} gave no session token (HTTP ${tokenAnswer.status})`);
  const token = tokenAnswer.body.toString('latin1').trim();
  if (!/^[A-Za-z0-9\-_=+/.]{1,1024}$/.test(token)) throw new ChainError(`${where} gave an invalid session token`);
  const headers = { 'x-aws-ec2-metadata-token': token };
  const rolesUrl = `${endpoint}/latest/meta-data/iam/security-credentials/`;
  const roles = await metadataRequest('GET', rolesUrl, headers, timeoutMs, where);
  const role = roles.body.toString('utf8').split(/\r?\n/).map((line) => line.trim()).find(Boolean);
  if (roles.status === 404 || (roles.status === 200 && !role)) {
    throw new ChainError(`${where} names no instance role; attach an IAM role (instance profile) to the instance`);
  }
  if (roles.status !== 200) throw new ChainError(`${where} answered HTTP ${roles.status} for the instance's role`);
  if (!/^[\w+=,.@-]{1,64}$/.test(role)) throw new ChainError(`${where} named an invalid role`);
  const answer = await metadataRequest('GET', rolesUrl + role, headers, timeoutMs, where);
  if (answer.status !== 200) throw new ChainError(`${where} gave no credentials for role '${role}' (HTTP ${answer.status})`);
  const document = jsonObject(answer.body, where);
  if ((document.Code ?? 'Success') !== 'Success') throw new ChainError(`${where} did not answer Code "Success" for role '${role}'`);
  return credentialsFromDocument(document, 'Token', `${where}, role '${role}'`);
}

// --- shared by the sources ---------------------------------------------------------------------------

/** One small request to a metadata service over node:http(s): no retries, no keep-alive, no proxy. */
function metadataRequest(method, url, headers, timeoutMs, where) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (reason) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request?.destroy();
      reject(new ChainError(`${where} ${reason}`));
    };
    let request;
    const timer = setTimeout(() => fail(`did not answer within ${timeoutMs / 1000} s`), timeoutMs);
    try {
      const transport = url.startsWith('https:') ? https : http;
      request = transport.request(url, { method, headers: method === 'PUT' ? { ...headers, 'content-length': '0' } : headers, agent: false });
    } catch (error) {
      fail(`cannot be asked (${error.code ?? 'invalid request'})`);
      return;
    }
    request.on('error', (error) => fail(`is unreachable (${error.code ?? 'error'})`));
    request.on('response', (response) => {
      const chunks = [];
      let size = 0;
      response.on('data', (chunk) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) fail('answered more than 64 KB');
        else chunks.push(chunk);
      });
      response.on('error', (error) => fail(`is unreachable (${error.code ?? 'error'})`));
      response.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: response.statusCode, body: Buffer.concat(chunks) });
      });
    });
    request.end();
  });
}

function jsonObject(bytes, where) {
  let document;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ChainError(`${where} did not answer a JSON object`); // never quote it
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new ChainError(`${where} did not answer a JSON object`);
  }
  return document;
}

function credentialsFromDocument(document, tokenField, where) {
  const { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, Expiration: expiration } = document;
  const token = document[tokenField];
  if (typeof accessKeyId !== 'string' || typeof secretAccessKey !== 'string' || !accessKeyId || !secretAccessKey) {
    throw new ChainError(`${where} answered without AccessKeyId and SecretAccessKey`);
  }
  if (token !== undefined && token !== null && typeof token !== 'string') {
    throw new ChainError(`${where} answered a ${tokenField} that is not a string`);
  }
  let expiresAt;
  if (expiration !== undefined && expiration !== null) {
    expiresAt = typeof expiration === 'string' ? Date.parse(expiration) : NaN;
    if (Number.isNaN(expiresAt)) throw new ChainError(`${where} answered an Expiration that is not an ISO 8601 time`);
  }
  return { accessKeyId, secretAccessKey, sessionToken: token || undefined, expiresAt };
}

const KEYS_RULE = 'must have the string properties accessKeyId and secretAccessKey';

function hasKeys(credentials) {
  return typeof credentials?.accessKeyId === 'string' && typeof credentials?.secretAccessKey === 'string';
}

/** A provider result's expiration in ms since the epoch; undefined: none; null: not a date. */
function expirationOf({ expiration }) {
  if (expiration === undefined || expiration === null) return undefined;
  const ms = expiration instanceof Date ? expiration.getTime() : typeof expiration === 'string' || typeof expiration === 'number' ? new Date(expiration).getTime() : NaN;
  return Number.isNaN(ms) ? null : ms;
}

/** The WIT `aws-credentials` record: the keys only. */
function toWitCredentials({ accessKeyId, secretAccessKey, sessionToken }) {
  return { accessKeyId, secretAccessKey, sessionToken: sessionToken || undefined };
}

/** Usable without a refresh: no expiration, or more than 5 minutes left. */
function isFresh({ expiresAt }) {
  return expiresAt === undefined || expiresAt - Date.now() > EXPIRY_MARGIN_MS;
}

function isExpired({ expiresAt }) {
  return expiresAt !== undefined && Date.now() >= expiresAt;
}

// The binding (engine/component.js) turns an error thrown by an import into the WIT `err`
// case; the payload is its value.
function hostError(reason) {
  return Object.assign(new Error(reason), { payload: reason });
}
