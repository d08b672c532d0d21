// The plugin's config (the same shape and defaults as @jovotech/db-dynamodb 4.1.0, plus
// table.billingMode, optimistic locking, data retention and the `component` section) and its
// translation into the WIT `config` record of the component.
//
// Every option's type and range is checked here, before anything starts or is sent, so a
// mistake is a DynamoDbError of code 'invalid-config' naming the option, never the
// binding's TypeError for a value it cannot lower (a string in a u32, 2^32, a BigInt where a number
// goes) and never a timer that overflows. The component checks the rest (name rules,
// attribute names, region, endpoint URL, credential characters) when the client opens.
//
// This file has no Node.js imports: the edge entry (edge/config.js) shares its rules and the
// credentials class below.
import { DynamoDbError } from './errors.js';

/** The table name placeholder of the original's default and `jovo new` config. */
export const TABLE_NAME_PLACEHOLDER = '<YOUR-TABLE-NAME>';

export const DEFAULT_TABLE = Object.freeze({
  name: TABLE_NAME_PLACEHOLDER,
  primaryKeyColumn: 'userId',
  createTableOnInit: true,
  readCapacityUnits: 2,
  writeCapacityUnits: 2,
  billingMode: 'PROVISIONED',
  optimisticLocking: false,
  versionAttribute: 'version',
  expiryAttribute: 'expiresAt',
});

export const DEFAULT_MARSHALL = Object.freeze({
  removeUndefinedValues: true,
  convertClassInstanceToMap: true,
});

// `component.asyncMode` and `component.poolSize` belonged to the JSPI / worker-thread engines
// and their instance pool, which are gone: one engine serves every runtime, and one instance
// runs any number of operations at once. Configs that still set them keep working; the
// values are accepted whatever they are, and ignored.
//
// operationTimeoutMs: Alexa waits 8 s for a skill's answer, and one LaunchRequest runs up to
// three operations (initialize's ensureTable, loadData, saveData). 2.5 s each keeps even a
// request whose every operation runs to its deadline under that (with a stalled endpoint the
// first operation fails and the request ends after ~2.5 s). A DynamoDB operation normally
// takes milliseconds. The cost: creating a table on AWS takes longer than 2.5 s, so the
// initialize() that creates it fails with timed-out; the table is still created, and the
// next initialize() finds it (waiting again for it to become ACTIVE if need be).
export const DEFAULT_COMPONENT = Object.freeze({ operationTimeoutMs: 2500 });

const BILLING_MODES = { PROVISIONED: 'provisioned', PAY_PER_REQUEST: 'pay-per-request' };

// Node.js timers take at most 2^31 - 1 ms; a longer one fires after 1 ms instead (with a
// warning), which would abort every request at once. Browsers and workerd behave alike.
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The type and range of each kind of option, shared by both entries. */
export const RULES = Object.freeze({
  string: { test: (value) => typeof value === 'string', text: 'a string' },
  flag: { test: (value) => typeof value === 'boolean', text: 'true or false' },
  function: { test: (value) => typeof value === 'function', text: 'a function' },
  capacity: wholeNumber(1, Number.MAX_SAFE_INTEGER, 'a whole number of at least 1'),
  // A WIT u32; the component refuses more than 36500 days when the client opens (initialize()).
  days: wholeNumber(1, 2 ** 32 - 1, 'a whole number of days of at least 1 (at most 36500)'),
  attempts: wholeNumber(1, 20, 'a whole number from 1 to 20'),
  timeoutMs: wholeNumber(1, MAX_TIMER_MS, `a whole number of milliseconds from 1 to ${MAX_TIMER_MS}`),
  // 0 is allowed: retry at once (as tests and latency-bound callers want); no timer overflows.
  delayMs: wholeNumber(0, MAX_TIMER_MS, `a whole number of milliseconds from 0 to ${MAX_TIMER_MS}`),
});

function wholeNumber(min, max, text) {
  return { test: (value) => Number.isInteger(value) && value >= min && value <= max, text };
}

/** Refuses `value` at option `name` unless it is undefined or passes `rule`. */
export function checkOption(name, value, rule) {
  if (value !== undefined && !rule.test(value)) throw invalidConfig(`${name} must be ${rule.text}, not ${describe(value)}`);
}

/** Refuses a config section that is neither undefined nor an object. */
export function checkSection(name, value) {
  if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw invalidConfig(`${name} must be an object, not ${describe(value)}`);
  }
}

const CREDENTIALS_RULE =
  'must be { accessKeyId, secretAccessKey, sessionToken? } with string values, or an async function returning that';

/**
 * Refuses credentials of the wrong shape. Says which property is wrong and what type it has,
 * never its value.
 */
export function checkCredentials(name, credentials) {
  if (credentials === undefined || typeof credentials === 'function') return;
  if (credentials === null || typeof credentials !== 'object') {
    throw invalidConfig(`${name} ${CREDENTIALS_RULE}; it is ${typeOf(credentials)}`);
  }
  for (const key of ['accessKeyId', 'secretAccessKey']) {
    if (typeof credentials[key] !== 'string') throw invalidConfig(`${name}.${key} must be a string, not ${typeOf(credentials[key])}; ${name} ${CREDENTIALS_RULE}`);
  }
  const { sessionToken } = credentials;
  if (sessionToken !== undefined && sessionToken !== null && typeof sessionToken !== 'string') {
    throw invalidConfig(`${name}.sessionToken must be a string when given, not ${typeOf(sessionToken)}`);
  }
}

/**
 * Fails for any option of the wrong type or range (see above). Called at construction, and
 * again by initialize() since Jovo may merge the app's config into the plugin's by then.
 */
export function checkConfig({ table, libraryConfig, component }) {
  if (typeof table?.name !== 'string' || table.name === '' || table.name === TABLE_NAME_PLACEHOLDER) {
    throw invalidConfig(
      "table.name is missing: configure the plugin with new DynamoDb({ table: { name: '<your table name>' } })",
    );
  }
  checkOption('table.createTableOnInit', table.createTableOnInit, RULES.flag);
  checkOption('table.primaryKeyColumn', table.primaryKeyColumn, RULES.string);
  checkOption('table.readCapacityUnits', table.readCapacityUnits, RULES.capacity);
  checkOption('table.writeCapacityUnits', table.writeCapacityUnits, RULES.capacity);
  if (table.billingMode !== undefined && !Object.hasOwn(BILLING_MODES, table.billingMode)) {
    throw invalidConfig(`table.billingMode must be 'PROVISIONED' or 'PAY_PER_REQUEST', not ${describe(table.billingMode)}`);
  }
  checkOption('table.optimisticLocking', table.optimisticLocking, RULES.flag);
  checkOption('table.versionAttribute', table.versionAttribute, RULES.string);
  checkOption('table.expireAfterDays', table.expireAfterDays, RULES.days);
  checkOption('table.expiryAttribute', table.expiryAttribute, RULES.string);

  checkSection('libraryConfig', libraryConfig);
  const client = libraryConfig?.dynamoDbClient;
  checkSection('libraryConfig.dynamoDbClient', client);
  if (client?.region !== undefined && typeof client.region !== 'string' && typeof client.region !== 'function') {
    throw invalidConfig(`libraryConfig.dynamoDbClient.region must be a string or an async function returning one, not ${describe(client.region)}`);
  }
  endpointUrl(client?.endpoint);
  checkCredentials('libraryConfig.dynamoDbClient.credentials', client?.credentials);
  checkOption('libraryConfig.dynamoDbClient.maxAttempts', client?.maxAttempts, RULES.attempts);
  // The SDK's way to pass an agent with a CA or a proxy; this plugin has no SDK to hand it to,
  // and ignoring it would silently drop the user's trust or proxy settings.
  if (client?.requestHandler !== undefined) {
    throw invalidConfig(
      'libraryConfig.dynamoDbClient.requestHandler is not supported (there is no AWS SDK underneath): ' +
        'for a private CA use component.ca or AWS_CA_BUNDLE (or NODE_EXTRA_CA_CERTS), for a proxy component.proxy or HTTPS_PROXY / HTTP_PROXY / NO_PROXY, ' +
        'for timeouts component.requestTimeoutMs and component.operationTimeoutMs',
    );
  }

  const marshall = libraryConfig?.marshall;
  checkSection('libraryConfig.marshall', marshall);
  for (const flag of ['removeUndefinedValues', 'convertClassInstanceToMap', 'convertEmptyValues']) {
    checkOption(`libraryConfig.marshall.${flag}`, marshall?.[flag], RULES.flag);
  }

  checkSection('component', component);
  checkOption('component.requestTimeoutMs', component?.requestTimeoutMs, RULES.timeoutMs);
  checkOption('component.operationTimeoutMs', component?.operationTimeoutMs, RULES.timeoutMs);
  checkOption('component.ca', component?.ca, RULES.string);
  if (component?.proxy !== undefined && component.proxy !== false && typeof component.proxy !== 'string') {
    throw invalidConfig(`component.proxy must be a proxy URL string such as 'http://proxy.example.com:3128', or false for no proxy, not ${describe(component.proxy)}`);
  }
  checkOption('component.tableReadyTimeoutMs', component?.tableReadyTimeoutMs, RULES.timeoutMs);
  checkOption('component.retryBaseDelayMs', component?.retryBaseDelayMs, RULES.delayMs);
  checkOption('component.retryMaxDelayMs', component?.retryMaxDelayMs, RULES.delayMs);
  checkOption('component.onSleep', component?.onSleep, RULES.function);
}

/** The region a `region` provider resolved to must be a string too. */
export function checkResolvedRegion(region) {
  if (region !== undefined && region !== null && typeof region !== 'string') {
    throw invalidConfig(`libraryConfig.dynamoDbClient.region resolved to ${describe(region)}; it must resolve to a string such as 'eu-west-1'`);
  }
}

/**
 * The WIT `config` record for `client.open`. Expects a config checkConfig passed.
 * @param config the plugin's config
 * @param resolved `{ region, credentials }`: the resolved region and fixed credentials
 */
export function toComponentConfig({ table, libraryConfig, component = {} }, { region, credentials }) {
  const clientConfig = libraryConfig?.dynamoDbClient ?? {};
  const marshall = libraryConfig?.marshall ?? {};
  return {
    table: {
      name: table.name,
      createTableOnInit: table.createTableOnInit,
      primaryKeyColumn: table.primaryKeyColumn,
      readCapacityUnits: optionalBigInt(table.readCapacityUnits),
      writeCapacityUnits: optionalBigInt(table.writeCapacityUnits),
      billingMode: table.billingMode === undefined ? undefined : BILLING_MODES[table.billingMode],
      optimisticLocking: table.optimisticLocking,
      versionAttribute: table.versionAttribute,
      expireAfterDays: table.expireAfterDays,
      expiryAttribute: table.expiryAttribute,
    },
    client: {
      region: region || undefined,
      endpoint: endpointUrl(clientConfig.endpoint),
      credentials,
      maxAttempts: clientConfig.maxAttempts,
      requestTimeoutMs: component.requestTimeoutMs,
      retryBaseDelayMs: component.retryBaseDelayMs,
      retryMaxDelayMs: component.retryMaxDelayMs,
      tableReadyTimeoutMs: component.tableReadyTimeoutMs,
      operationTimeoutMs: component.operationTimeoutMs,
    },
    marshall: {
      removeUndefinedValues: marshall.removeUndefinedValues,
      convertClassInstanceToMap: marshall.convertClassInstanceToMap,
      convertEmptyValues: marshall.convertEmptyValues,
    },
  };
}

// The SDK accepts an endpoint as a string, a URL or an { protocol, hostname, port, path } object.
export function endpointUrl(endpoint) {
  if (endpoint === undefined || typeof endpoint === 'string') return endpoint;
  if (endpoint instanceof URL) return endpoint.href;
  if (typeof endpoint === 'object' && endpoint !== null && typeof endpoint.hostname === 'string' && endpoint.hostname !== '') {
    const { protocol = 'https:', port, path = '/' } = endpoint;
    const portOk = port === undefined || (typeof port === 'string' && /^\d*$/.test(port)) || (Number.isInteger(port) && port > 0 && port < 65536);
    if (typeof protocol === 'string' && typeof path === 'string' && portOk) {
      return `${protocol.replace(/:?$/, ':')}//${endpoint.hostname}${port ? `:${port}` : ''}${path}`;
    }
  }
  throw invalidConfig(
    `libraryConfig.dynamoDbClient.endpoint must be a URL string, a URL or { protocol?, hostname, port?, path? } with string parts and a port from 1 to 65535, not ${describe(endpoint)}`,
  );
}

function optionalBigInt(value) {
  return value === undefined ? undefined : BigInt(value);
}

/**
 * A config value for an error message: numbers, booleans and short strings as they are, other
 * values by their type. Never used for credentials.
 */
export function describe(value) {
  switch (typeof value) {
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `the BigInt ${value}n`;
    case 'string':
      return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
    default:
      return typeOf(value);
  }
}

function typeOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

export function invalidConfig(message) {
  return new DynamoDbError('invalid-config', message);
}

// ---------------------------------------------------------------------------------------
// Credentials in config, hidden from inspect and JSON.
//
// Jovo keeps the plugin's config on the plugin (twice: `config` and `initConfig`), on the
// app (`config.plugin.DynamoDb`), and deep-clones all of it for every request (lodash
// cloneDeep in HandleRequest); whatever logs the app, a plugin or a config would print the
// secret access key. Fixed credentials are therefore replaced by a ConfiguredCredentials:
//   - the secret and the session token live in a closure, reached through an own enumerable
//     function property. lodash cloneDeep copies functions by reference and keeps
//     prototypes, and merge keeps class instances by reference, so every clone still has them;
//   - `secretAccessKey` and `sessionToken` are getters on the prototype, so code that reads
//     them (the engine, checkConfig) works unchanged, while util.inspect, console.log and
//     console.dir (which skips custom inspection) show only own properties: the access key
//     id and `[Function: secrets]`;
//   - toJSON and util.inspect.custom print '[redacted]' in their place.
// A structuredClone or an object spread drops the getters: the copy then has no secret and
// fails checkConfig with invalid-config, rather than printing or sending it.

const REDACTED = '[redacted]';
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

export class ConfiguredCredentials {
  constructor({ accessKeyId, secretAccessKey, sessionToken, expiration }) {
    this.accessKeyId = accessKeyId;
    const hidden = { secretAccessKey, sessionToken: sessionToken ?? undefined };
    this.secrets = function secrets() {
      return hidden;
    };
    if (expiration !== undefined) this.expiration = expiration;
  }

  get secretAccessKey() {
    return this.secrets().secretAccessKey;
  }

  get sessionToken() {
    return this.secrets().sessionToken;
  }

  toJSON() {
    return redacted(this);
  }

  [INSPECT]() {
    // Node inspects the returned object instead, with the caller's options.
    return redacted(this);
  }
}

function redacted({ accessKeyId, sessionToken, expiration }) {
  return {
    accessKeyId,
    secretAccessKey: REDACTED,
    ...(sessionToken === undefined ? {} : { sessionToken: REDACTED }),
    ...(expiration === undefined ? {} : { expiration }),
  };
}

/** `credentials` as a ConfiguredCredentials when they are fixed keys; providers as they are. */
export function hiddenCredentials(credentials) {
  if (credentials === null || typeof credentials !== 'object' || credentials instanceof ConfiguredCredentials) return credentials;
  return new ConfiguredCredentials(credentials);
}

/**
 * Hides fixed credentials in the plugin's `config` (in place: Jovo may have made `config`
 * read-only, and the app's config shares the object) and in `initConfig` (a copy: that is
 * the caller's own object).
 */
export function hideSecrets(plugin) {
  const client = plugin.config?.libraryConfig?.dynamoDbClient;
  if (client?.credentials !== undefined) client.credentials = hiddenCredentials(client.credentials);
  const init = plugin.initConfig;
  const initCredentials = init?.libraryConfig?.dynamoDbClient?.credentials;
  if (typeof initCredentials === 'object' && initCredentials !== null && !(initCredentials instanceof ConfiguredCredentials)) {
    plugin.initConfig = {
      ...init,
      libraryConfig: {
        ...init.libraryConfig,
        dynamoDbClient: { ...init.libraryConfig.dynamoDbClient, credentials: hiddenCredentials(initCredentials) },
      },
    };
  }
}
