// Plugin configs for the tests: dynalite's endpoint, dummy credentials (dynalite wants an
// Authorization header but checks no signature) and a table name unique per test.
import { randomUUID } from 'node:crypto';

export const TEST_CREDENTIALS = { accessKeyId: 'AKIDTESTEXAMPLE', secretAccessKey: 'test-secret-never-printed' };

export function uniqueTableName(prefix = 'jovo') {
  return `${prefix}-${randomUUID()}`;
}

/** The same `libraryConfig.dynamoDbClient` works for our plugin and for the original. */
export function dynamoDbClientConfig(endpoint) {
  return { endpoint, region: 'us-east-1', credentials: { ...TEST_CREDENTIALS } };
}

export function pluginConfig(endpoint, { table = {}, component = {}, ...rest } = {}) {
  return {
    table: { name: uniqueTableName(), ...table },
    libraryConfig: { dynamoDbClient: dynamoDbClientConfig(endpoint), ...rest.libraryConfig },
    component,
    ...(rest.storedElements ? { storedElements: rest.storedElements } : {}),
  };
}

/**
 * Timeouts for the property tests, which keep many operations in flight on a shared, busy
 * machine: long enough that only a hung operation times out (the defaults, 5 s per exchange
 * and 2.5 s per operation, are for answering Alexa in time, not for a loaded test host).
 */
export const PATIENT_TIMEOUTS = Object.freeze({ requestTimeoutMs: 60_000, operationTimeoutMs: 120_000 });
