export { DynamoDb } from './DynamoDb.js';
export { DynamoDbError } from './errors.js';
export { NumberValue } from './json.js';
