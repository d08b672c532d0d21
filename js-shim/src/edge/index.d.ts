// Types of jovo-dynamodb-wasm/edge. The options are the WIT `config` record (wit/world.wit)
// in camelCase; its doc comments give every default.

export { DynamoDbError, DynamoDbErrorCode } from '../errors.js';
/**
 * loadUser returns integers beyond ±(2^53 - 1) as BigInt, other inexact numbers as
 * NumberValue, sets as Set and binary as Uint8Array (StoredValue); saveUser takes those and
 * BinaryInput.
 */
export { BinaryInput, NumberValue, StoredValue } from '../json.js';
/** The WIT case names, as `DynamoDbError.code` carries them. */
export type StoreErrorCode = import('../errors.js').DynamoDbErrorCode;

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** For provider results: refreshed 5 minutes before this. */
  expiration?: Date | string;
}

/** A core module: compiled, as bytes, as a fetch Response, or where to fetch it. */
export type CoreModuleSource = WebAssembly.Module | ArrayBuffer | ArrayBufferView | Response | URL | string;

export interface StoreOptions {
  table: {
    name: string;
    createTableOnInit?: boolean;
    primaryKeyColumn?: string;
    readCapacityUnits?: number | bigint;
    writeCapacityUnits?: number | bigint;
    billingMode?: 'PROVISIONED' | 'PAY_PER_REQUEST' | 'provisioned' | 'pay-per-request';
    optimisticLocking?: boolean;
    versionAttribute?: string;
    expireAfterDays?: number;
    expiryAttribute?: string;
  };
  client?: {
    region?: string;
    endpoint?: string;
    /** Fixed keys, or an async provider called ahead of operations and before expiry. */
    credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
    requestTimeoutMs?: number;
    maxAttempts?: number;
    retryBaseDelayMs?: number;
    retryMaxDelayMs?: number;
    tableReadyTimeoutMs?: number;
    /**
     * Time limit of one whole operation in ms (across attempts, backoff and table waits;
     * each exchange's timeout is cut to what is left). Default: none.
     */
    operationTimeoutMs?: number;
  };
  marshall?: {
    removeUndefinedValues?: boolean;
    convertClassInstanceToMap?: boolean;
    /** Store empty strings, empty binary data and empty Sets as NULL. Default: false. */
    convertEmptyValues?: boolean;
  };
  /**
   * The core modules (CORE_MODULE_NAMES): the URL of the folder holding them, an object from
   * name to source, or a function of the name. Default: the copies inlined in the package,
   * compiled from bytes; workerd forbids that, so pass it precompiled WebAssembly.Modules.
   */
  wasm?: string | URL | Record<string, CoreModuleSource> | ((name: string) => CoreModuleSource | Promise<CoreModuleSource>);
}

export type TableStatus = 'already-existed' | 'created' | 'created-concurrently';

export interface EdgeStore {
  ensureTable(): Promise<TableStatus>;
  /** Turns Time to Live on for table.expiryAttribute when expireAfterDays is set, and says how it stands. */
  ensureTimeToLive(): Promise<{ status: 'not-configured' | 'enabled' } | { status: 'unavailable'; reason: string }>;
  /** The stored item, each value a StoredValue (typed `unknown` so that apps cast to their own item type). */
  loadUser(userId: string): Promise<Record<string, unknown> | null>;
  /** Values: StoredValue, BinaryInput, Map, boxed values and class instances, as marshall takes them. */
  saveUser(userId: string, item: Record<string, unknown>): Promise<void>;
  deleteUser(userId: string): Promise<void>;
}

export const CORE_MODULE_NAMES: readonly string[];
/** Instantiates the component and opens a client; fails with `invalid-config` for bad options. No I/O. */
export function openStore(options: StoreOptions): Promise<EdgeStore>;
