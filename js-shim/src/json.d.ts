// Types of src/json.js, shared by the Jovo plugin (src/index.d.ts) and the edge entry
// (src/edge/index.d.ts).

/**
 * A number a JavaScript number cannot hold exactly (e.g. 38 significant digits), as its
 * decimal text; what a load returns for such a stored number, and what a save writes back
 * digit for digit. Same shape as NumberValue of @aws-sdk/util-dynamodb, which saves accept too.
 */
export declare class NumberValue {
  /**
   * True for a NumberValue of either entry (jovo-dynamodb-wasm and jovo-dynamodb-wasm/edge,
   * import or require), which each carry their own copy of the class.
   */
  static [Symbol.hasInstance](value: unknown): boolean;
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

/**
 * A value of a loaded item, as util-dynamodb's unmarshall gives each DynamoDB type: S string,
 * N number (BigInt beyond ±(2^53 - 1), NumberValue where a double is not exact), B Uint8Array,
 * BOOL boolean, NULL null, L array, M object, SS Set of strings, NS Set of numbers (each as N),
 * BS Set of Uint8Arrays.
 */
export type StoredValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | NumberValue
  | Uint8Array
  | Set<string>
  | Set<number | bigint | NumberValue>
  | Set<Uint8Array>
  | StoredValue[]
  | { [attribute: string]: StoredValue };

/**
 * Binary data a save stores as B (in a Set: BS), as marshall does: a Uint8Array, Buffer or
 * other typed array (the bytes it views). It loads as a Uint8Array. An ArrayBuffer or a
 * DataView is refused (the original plugin stores them as empty binaries): wrap it in a
 * Uint8Array.
 */
export type BinaryInput = Exclude<ArrayBufferView, DataView>;
