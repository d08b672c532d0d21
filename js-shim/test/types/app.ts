// A Jovo app as its developer writes it, swapping only the import: must type-check.
import { App } from '@jovotech/framework';
import { DynamoDb, DynamoDbError } from 'jovo-dynamodb-wasm';

const app = new App({ plugins: [] });

app.configure({
  plugins: [
    new DynamoDb({ table: { name: 'users' } }),
    new DynamoDb({
      table: { name: 'users', billingMode: 'PAY_PER_REQUEST', primaryKeyColumn: 'id' },
      libraryConfig: {
        dynamoDbClient: {
          region: 'us-east-1',
          credentials: { accessKeyId: 'myAccessKeyId', secretAccessKey: 'mySecretAccessKey' },
        },
        marshall: { removeUndefinedValues: true, convertClassInstanceToMap: true },
      },
      storedElements: { session: true, history: { enabled: true, size: 3 } },
      component: { asyncMode: 'auto', poolSize: 4, onSleep: (ms: number) => void ms },
    }),
    new DynamoDb({
      table: { name: 'users', optimisticLocking: true, versionAttribute: 'rev', expireAfterDays: 180, expiryAttribute: 'ttl' },
    }),
  ],
});

export async function timeToLiveReason(plugin: DynamoDb): Promise<string | undefined> {
  const timeToLive = await plugin.ensureTimeToLive();
  return timeToLive.status === 'unavailable' ? timeToLive.reason : undefined;
}

export function describe(error: unknown): string {
  return error instanceof DynamoDbError ? `${error.code}: ${error.message}` : String(error);
}
