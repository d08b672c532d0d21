// The plugin's config (the same shape and defaults as @jovotech/db-dynamodb 4.1.0, plus
// table.billingMode, optimistic locking, data retention and the `component` section) and its
// translation into the WIT `config` record of the component. The component validates the
// rest (name rules, capacities, attribute names, days, endpoint) when the client opens.
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

export const DEFAULT_COMPONENT = Object.freeze({
  asyncMode: 'auto',
  poolSize: 8,
});

const BILLING_MODES = { PROVISIONED: 'provisioned', PAY_PER_REQUEST: 'pay-per-request' };
const ASYNC_MODES = ['auto', 'jspi', 'sync'];

/** Fails at construction for what needs no component: a missing name, unknown enum values. */
export function checkConfig({ table, component }) {
  if (typeof table?.name !== 'string' || table.name === '' || table.name === TABLE_NAME_PLACEHOLDER) {
    throw invalidConfig(
      "table.name is missing: configure the plugin with new DynamoDb({ table: { name: '<your table name>' } })",
    );
  }
  if (table.billingMode !== undefined && !(table.billingMode in BILLING_MODES)) {
    throw invalidConfig(`table.billingMode must be 'PROVISIONED' or 'PAY_PER_REQUEST', not ${JSON.stringify(table.billingMode)}`);
  }
  for (const field of ['readCapacityUnits', 'writeCapacityUnits', 'expireAfterDays']) {
    const count = table[field];
    if (count !== undefined && !(Number.isSafeInteger(count) && count >= 1)) {
      throw invalidConfig(`table.${field} must be a whole number of at least 1, not ${JSON.stringify(count)}`);
    }
  }
  if (table.optimisticLocking !== undefined && typeof table.optimisticLocking !== 'boolean') {
    throw invalidConfig(`table.optimisticLocking must be true or false, not ${JSON.stringify(table.optimisticLocking)}`);
  }
  if (component?.asyncMode !== undefined && !ASYNC_MODES.includes(component.asyncMode)) {
    throw invalidConfig(`component.asyncMode must be one of ${ASYNC_MODES.join(', ')}, not ${JSON.stringify(component.asyncMode)}`);
  }
  if (component?.onSleep !== undefined && typeof component.onSleep !== 'function') {
    throw invalidConfig('component.onSleep must be a function (ms) => void');
  }
  const poolSize = component?.poolSize;
  if (poolSize !== undefined && !(Number.isSafeInteger(poolSize) && poolSize >= 1)) {
    throw invalidConfig(`component.poolSize must be a whole number of at least 1, not ${JSON.stringify(poolSize)}`);
  }
}

/**
 * The WIT `config` record for `client.open`.
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
      region,
      endpoint: endpointUrl(clientConfig.endpoint),
      credentials,
      maxAttempts: clientConfig.maxAttempts,
      requestTimeoutMs: component.requestTimeoutMs,
      retryBaseDelayMs: component.retryBaseDelayMs,
      retryMaxDelayMs: component.retryMaxDelayMs,
      tableReadyTimeoutMs: component.tableReadyTimeoutMs,
    },
    marshall: {
      removeUndefinedValues: marshall.removeUndefinedValues,
      convertClassInstanceToMap: marshall.convertClassInstanceToMap,
      convertEmptyValues: marshall.convertEmptyValues,
    },
  };
}

// The SDK accepts an endpoint as a string, a URL or an { protocol, hostname, port, path } object.
function endpointUrl(endpoint) {
  if (endpoint === undefined || typeof endpoint === 'string') return endpoint;
  if (endpoint instanceof URL) return endpoint.href;
  if (typeof endpoint === 'object' && endpoint.hostname) {
    const protocol = (endpoint.protocol ?? 'https:').replace(/:?$/, ':');
    const port = endpoint.port ? `:${endpoint.port}` : '';
    return `${protocol}//${endpoint.hostname}${port}${endpoint.path ?? '/'}`;
  }
  throw invalidConfig('libraryConfig.dynamoDbClient.endpoint must be a URL string, a URL or { protocol, hostname, port, path }');
}

function optionalBigInt(value) {
  return value === undefined ? undefined : BigInt(value);
}

function invalidConfig(message) {
  return new DynamoDbError('invalid-config', message);
}
