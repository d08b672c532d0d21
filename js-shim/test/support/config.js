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
