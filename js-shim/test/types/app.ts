// A Jovo app as its developer writes it, swapping only the import: must type-check.
import { App } from '@jovotech/framework';
import { DynamoDb, DynamoDbError, NumberValue, type StoredValue } from 'jovo-dynamodb-wasm';
import { NumberValue as EdgeNumberValue, openStore, type BinaryInput, type StoredValue as EdgeStoredValue } from 'jovo-dynamodb-wasm/edge';

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

// Sets, binary data and NumberValue from either entry, as an app writes them.

export async function keepTags(store: Awaited<ReturnType<typeof openStore>>): Promise<Set<string>> {
  const avatar: BinaryInput = new Uint8Array([1, 2]);
  const scores = new Set<number | bigint | NumberValue>([1, 2n, new EdgeNumberValue('0.1')]);
  await store.saveUser('u', { user: { data: { tags: new Set(['a']), scores, avatar, raw: new ArrayBuffer(2) } } });
  const item = await store.loadUser('u');
  const data = (item?.user as { data: Record<string, EdgeStoredValue> } | undefined)?.data;
  const tags: StoredValue | undefined = data?.tags;
  return tags instanceof Set ? new Set([...tags].filter((tag): tag is string => typeof tag === 'string')) : new Set();
}

export function isExact(value: unknown): boolean {
  return value instanceof NumberValue || value instanceof EdgeNumberValue;
}
