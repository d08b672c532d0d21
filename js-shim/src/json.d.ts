// Types of src/json.js, shared by the Jovo plugin (src/index.d.ts) and the edge entry
// (src/edge/index.d.ts).

/**
 * A number a JavaScript number cannot hold exactly (e.g. 38 significant digits), as its
 * decimal text; what a load returns for such a stored number, and what a save writes back
 * digit for digit. Same shape as NumberValue of @aws-sdk/util-dynamodb, which saves accept too.
 */
export declare class NumberValue {
  /** The decimal text, e.g. '0.12345678901234567890123456789012345678'. */
  readonly value: string;
  /** @throws DynamoDbError ('invalid-input') unless `value` is a decimal number. */
  constructor(value: string | number | bigint);
  static from(value: string | number | bigint): NumberValue;
  toAttributeValue(): { N: string };
  toBigInt(): bigint;
  toString(): string;
  valueOf(): string;
}
