// The edge store's options are the WIT `config` record in camelCase (as the Rust and Python
// hosts take it), plus `wasm`. This turns them into the record jco lowers: u64 fields as
// BigInt, the billing mode as its WIT case. Unknown keys are refused, so a typo such as
// `tabel` or `primaryKey` fails loudly instead of silently using a default. The component
// itself checks the values (name rules, capacities, region, endpoint) when the client opens.
import { DynamoDbError } from '../errors.js';

const TABLE_KEYS = [
  'name', 'createTableOnInit', 'primaryKeyColumn', 'readCapacityUnits', 'writeCapacityUnits', 'billingMode',
  'optimisticLocking', 'versionAttribute', 'expireAfterDays', 'expiryAttribute',
];
const CLIENT_KEYS = [
  'region', 'endpoint', 'credentials', 'requestTimeoutMs', 'maxAttempts', 'retryBaseDelayMs', 'retryMaxDelayMs',
  'tableReadyTimeoutMs',
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

/** Refuses options that are not an object or carry keys no host knows. */
export function checkOptions(options) {
  if (typeof options?.table?.name !== 'string') {
    throw invalidConfig("table.name is required: openStore({ table: { name: 'my-users' }, client: { ... } })");
  }
  refuseUnknownKeys('', options, STORE_KEYS);
  refuseUnknownKeys('table.', options.table, TABLE_KEYS);
  refuseUnknownKeys('client.', options.client ?? {}, CLIENT_KEYS);
  refuseUnknownKeys('marshall.', options.marshall ?? {}, MARSHALL_KEYS);
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

function optionalU64(name, value) {
  if (value === undefined || typeof value === 'bigint') return value;
  if (!Number.isSafeInteger(value) || value < 0) throw invalidConfig(`${name} must be a whole number, not ${JSON.stringify(value)}`);
  return BigInt(value);
}

function billingMode(mode) {
  if (mode === undefined) return undefined;
  if (!Object.hasOwn(BILLING_MODES, mode)) {
    throw invalidConfig(`table.billingMode must be 'PROVISIONED' or 'PAY_PER_REQUEST', not ${JSON.stringify(mode)}`);
  }
  return BILLING_MODES[mode];
}

export function invalidConfig(message) {
  return new DynamoDbError('invalid-config', message);
}
