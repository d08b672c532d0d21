export { DynamoDb } from './DynamoDb.js';
export { DynamoDbError } from './errors.js';
