// Reads (and writes) items straight from the local DynamoDB with the AWS SDK (a dev dependency, via the
// original plugin), bypassing the component: what was really stored, attribute values and all.
import { BatchGetItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamoDbClientConfig } from './config.js';

/**
 * @returns {{
 *   get: (table: string, userId: string, keyColumn?: string) => Promise<object | undefined>,
 *   getMany: (table: string, userIds: string[]) => Promise<Record<string, object>>,
 *   put: (table: string, item: object) => Promise<void>,
 *   close: () => void,
 * }}
 */
export function rawItemReader(endpoint) {
  const client = new DynamoDBClient(dynamoDbClientConfig(endpoint));
  return {
    async get(table, userId, keyColumn = 'userId') {
      const command = new GetItemCommand({ TableName: table, Key: { [keyColumn]: { S: userId } }, ConsistentRead: true });
      return (await client.send(command)).Item;
    },
    /** Up to 100 users' items in one request (BatchGetItem), by user id; missing ones absent. */
    async getMany(table, userIds, keyColumn = 'userId') {
      const items = {};
      let keys = userIds.map((userId) => ({ [keyColumn]: { S: userId } }));
      while (keys.length) {
        const command = new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } });
        const { Responses, UnprocessedKeys } = await client.send(command);
        for (const item of Responses?.[table] ?? []) items[item[keyColumn].S] = item;
        keys = UnprocessedKeys?.[table]?.Keys ?? [];
      }
      return items;
    },
    /** Writes a raw item (attribute values) as another writer of the table would. */
    async put(table, item) {
      await client.send(new PutItemCommand({ TableName: table, Item: item }));
    },
    close: () => client.destroy(),
  };
}
