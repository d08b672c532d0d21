// The edge store's options are the WIT `config` record in camelCase (as the Rust and Python
// hosts take it), plus `wasm`. This turns them into the record the binding lowers: u64 fields as
// BigInt, the billing mode as its WIT case. Unknown keys are refused, so a typo such as
// `tabel` or `primaryKey` fails loudly instead of silently using a default. Types and ranges
// are checked with the plugin's rules (../config.js), so a mistake is `invalid-config` before
// anything starts, never the binding's TypeError; the component checks the rest (name rules, region,
// endpoint URL) when the client opens.
import { RULES, checkCredentials, checkOption, checkSection, describe, invalidConfig } from '../config.js';

export { invalidConfig };

const TABLE_KEYS = [
  'name', 'createTableOnInit', 'primaryKeyColumn', 'readCapacityUnits', 'writeCapacityUnits', 'billingMode',
  'optimisticLocking', 'versionAttribute', 'expireAfterDays', 'expiryAttribute',
];
const CLIENT_KEYS = [
  'region', 'endpoint', 'credentials', 'requestTimeoutMs', 'maxAttempts', 'retryBaseDelayMs', 'retryMaxDelayMs',
  'tableReadyTimeoutMs', 'operationTimeoutMs',
];
const MARSHALL_KEYS = ['removeUndefinedValues', 'convertClassInstanceToMap', 'convertEmptyValues'];
const STORE_KEYS = ['table', 'client', 'marshall', 'wasm'];

// The WIT case names, and the plugin's spelling of them.
const BILLING_MODES = {
  provisioned: 'provisioned',
  'pay-per-request': 'pay-per-request',
  PROVISIONED: 'provisioned',
  PAY_PER_REQUEST: 'pay-per-request',
};

/** Refuses options that are not an object, carry keys no host knows, or values of the wrong type or range. */
export function checkOptions(options) {
  if (typeof options?.table?.name !== 'string') {
    throw invalidConfig("table.name is required: openStore({ table: { name: 'my-users' }, client: { ... } })");
  }
  const { table, client, marshall } = options;
  checkSection('client', client);
  checkSection('marshall', marshall);
  refuseUnknownKeys('', options, STORE_KEYS);
  refuseUnknownKeys('table.', table, TABLE_KEYS);
  refuseUnknownKeys('client.', client ?? {}, CLIENT_KEYS);
  refuseUnknownKeys('marshall.', marshall ?? {}, MARSHALL_KEYS);

  checkOption('table.createTableOnInit', table.createTableOnInit, RULES.flag);
  checkOption('table.primaryKeyColumn', table.primaryKeyColumn, RULES.string);
  checkCapacity('table.readCapacityUnits', table.readCapacityUnits);
  checkCapacity('table.writeCapacityUnits', table.writeCapacityUnits);
  billingMode(table.billingMode);
  checkOption('table.optimisticLocking', table.optimisticLocking, RULES.flag);
  checkOption('table.versionAttribute', table.versionAttribute, RULES.string);
  checkOption('table.expireAfterDays', table.expireAfterDays, RULES.days);
  checkOption('table.expiryAttribute', table.expiryAttribute, RULES.string);

  checkOption('client.region', client?.region, RULES.string);
  checkOption('client.endpoint', client?.endpoint, RULES.string);
  checkCredentials('client.credentials', client?.credentials);
  checkOption('client.maxAttempts', client?.maxAttempts, RULES.attempts);
  checkOption('client.requestTimeoutMs', client?.requestTimeoutMs, RULES.timeoutMs);
  checkOption('client.tableReadyTimeoutMs', client?.tableReadyTimeoutMs, RULES.timeoutMs);
  checkOption('client.operationTimeoutMs', client?.operationTimeoutMs, RULES.timeoutMs);
  checkOption('client.retryBaseDelayMs', client?.retryBaseDelayMs, RULES.delayMs);
  checkOption('client.retryMaxDelayMs', client?.retryMaxDelayMs, RULES.delayMs);

  for (const flag of MARSHALL_KEYS) checkOption(`marshall.${flag}`, marshall?.[flag], RULES.flag);
}

/**
 * The WIT `config` record for `client.open`.
 * @param fixedCredentials WIT `aws-credentials` when the options carry them as an object
 */
export function toComponentConfig({ table, client = {}, marshall = {} }, fixedCredentials) {
  return {
    table: {
      ...pick(table, TABLE_KEYS),
      readCapacityUnits: optionalU64('table.readCapacityUnits', table.readCapacityUnits),
      writeCapacityUnits: optionalU64('table.writeCapacityUnits', table.writeCapacityUnits),
      billingMode: billingMode(table.billingMode),
    },
    client: { ...pick(client, CLIENT_KEYS), credentials: fixedCredentials },
    marshall: pick(marshall, MARSHALL_KEYS),
  };
}

function refuseUnknownKeys(prefix, object, known) {
  const unknown = Object.keys(object).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw invalidConfig(`unknown option ${unknown.map((key) => prefix + key).join(', ')}; known: ${known.map((key) => prefix + key).join(', ')}`);
  }
}

function pick(object, keys) {
  return Object.fromEntries(keys.map((key) => [key, object[key]]));
}

// Capacities are WIT u64: a number (a whole one, at least 1) or a BigInt up to 2^64 - 1.
const MAX_U64 = 2n ** 64n - 1n;

function checkCapacity(name, value) {
  if (typeof value === 'bigint') {
    if (value < 1n || value > MAX_U64) throw invalidConfig(`${name} must be a whole number of at least 1 (at most 2^64 - 1), not ${describe(value)}`);
    return;
  }
  checkOption(name, value, RULES.capacity);
}

function optionalU64(name, value) {
  checkCapacity(name, value);
  return value === undefined || typeof value === 'bigint' ? value : BigInt(value);
}

function billingMode(mode) {
  if (mode === undefined) return undefined;
  if (typeof mode !== 'string' || !Object.hasOwn(BILLING_MODES, mode)) {
    throw invalidConfig(`table.billingMode must be 'PROVISIONED' or 'PAY_PER_REQUEST', not ${describe(mode)}`);
  }
  return BILLING_MODES[mode];
}
