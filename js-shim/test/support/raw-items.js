// Reads items straight from the local DynamoDB with the AWS SDK (a dev dependency, via the
// original plugin), bypassing the component: what was really stored, attribute values and all.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamoDbClientConfig } from './config.js';

/** @returns {{ get: (table: string, userId: string, keyColumn?: string) => Promise<object | undefined>, close: () => void }} */
export function rawItemReader(endpoint) {
  const client = new DynamoDBClient(dynamoDbClientConfig(endpoint));
  return {
    async get(table, userId, keyColumn = 'userId') {
      const command = new GetItemCommand({ TableName: table, Key: { [keyColumn]: { S: userId } }, ConsistentRead: true });
      return (await client.send(command)).Item;
    },
    close: () => client.destroy(),
  };
}
