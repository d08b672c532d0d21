// Types of src/errors.js, shared by the Jovo plugin (src/index.d.ts) and the edge entry
// (src/edge/index.d.ts).

/** The case names of the component's WIT `store-error`. */
export type DynamoDbErrorCode =
  | 'invalid-config'
  | 'invalid-input'
  | 'item-too-large'
  | 'table-missing'
  | 'credentials-unavailable'
  | 'access-denied'
  | 'throttled'
  | 'conditional-conflict'
  | 'transport-failed'
  /** TLS could not be established (certificate not trusted, wrong host name, expired; no protocol agreed); never retried. */
  | 'tls-failed'
  | 'timed-out'
  | 'malformed-response'
  | 'service';

export declare class DynamoDbError extends Error {
  name: 'DynamoDbError';
  code: DynamoDbErrorCode;
  /** DynamoDB's error code (e.g. 'ValidationException'), for errors DynamoDB returned. */
  serviceCode?: string;
  requestId?: string;
  statusCode?: number;
  attempts?: number;
  constructor(code: DynamoDbErrorCode, message: string);
}
