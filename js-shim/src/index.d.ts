// Types of jovo-dynamodb-wasm: the config interface of @jovotech/db-dynamodb 4.1.0 plus
// table.billingMode, optimistic locking, retention and the `component` section, without any
// @aws-sdk types.
import type { DbPlugin, DbPluginConfig, Jovo, RequiredOnlyWhere } from '@jovotech/framework';

export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials expire; a provider is asked again 5 minutes before (without one, before each operation). */
  expiration?: Date;
}

/** Like the SDK's credential providers (e.g. from @aws-sdk/credential-providers). */
export type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

export interface DynamoDbTableConfig {
  /** Table name: 3 to 255 characters of A-Z a-z 0-9 _ - . (required). */
  name: string;
  /** Create the table when it does not exist. Default: true. */
  createTableOnInit?: boolean;
  /** Partition key attribute (type S) holding the user id. Default: 'userId'. */
  primaryKeyColumn?: string;
  /** For PROVISIONED tables. Default: 2. */
  readCapacityUnits?: number;
  /** For PROVISIONED tables. Default: 2. */
  writeCapacityUnits?: number;
  /** How a table created by the plugin is billed. Default: 'PROVISIONED'. */
  billingMode?: 'PROVISIONED' | 'PAY_PER_REQUEST';
  /**
   * Optimistic locking against lost updates when two requests of the same user overlap: each
   * item carries a version number, and a save whose loaded version is no longer the stored one
   * fails with a DynamoDbError of code 'conditional-conflict' and stores nothing.
   * Default: false (the original's behaviour: the last writer wins).
   */
  optimisticLocking?: boolean;
  /** The top-level attribute holding the version. Default: 'version'. */
  versionAttribute?: string;
  /**
   * Data retention: each save writes `expiryAttribute` = now + this many days (epoch seconds),
   * and initialize() turns DynamoDB Time to Live on for it. 1 to 36500. Default: none.
   */
  expireAfterDays?: number;
  /** The top-level attribute holding the expiry time. Default: 'expiresAt'. */
  expiryAttribute?: string;
}

/** The part of the SDK's DynamoDBClientConfig that this plugin understands. */
export interface DynamoDbClientConfig {
  /** Default: AWS_REGION, then AWS_DEFAULT_REGION, then the profile's `region` in ~/.aws/config. */
  region?: string | (() => Promise<string>);
  /** E.g. 'http://127.0.0.1:8000' for a local DynamoDB. Default: from the region. */
  endpoint?: string | URL | { protocol?: string; hostname: string; port?: number; path?: string };
  /**
   * Fixed keys, or an async provider (e.g. fromNodeProviderChain() of
   * @aws-sdk/credential-providers), called before each operation unless its last result
   * expires more than 5 minutes later. Default: the AWS SDKs' chain: AWS_ACCESS_KEY_ID /
   * AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, then the profile AWS_PROFILE (or default) of
   * ~/.aws/credentials and ~/.aws/config (static keys or credential_process), then ECS
   * container credentials, then EC2 instance metadata (IMDSv2).
   */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Attempts per operation, including the first (1 to 20). Default: 4. */
  maxAttempts?: number;
  /**
   * Not supported (there is no AWS SDK underneath): an invalid-config error. Use component.ca
   * or AWS_CA_BUNDLE for a private CA, component.proxy or HTTPS_PROXY for a proxy.
   */
  requestHandler?: never;
}

/** The options of @aws-sdk/util-dynamodb's marshall that apply to items. */
export interface DynamoDbMarshallOptions {
  /** Drop undefined values; otherwise they are an error. Default: true. */
  removeUndefinedValues?: boolean;
  /** Store class instances as maps; otherwise they are an error. Default: true. */
  convertClassInstanceToMap?: boolean;
  /** Store empty strings, empty binary data and empty Sets as NULL. Default: false. */
  convertEmptyValues?: boolean;
}

/** How the WebAssembly component runs. */
export interface DynamoDbComponentConfig {
  /**
   * @deprecated Accepted and ignored: one engine now serves every Node.js version (the
   * component is driven step by step with async I/O; no JSPI, no worker thread).
   */
  asyncMode?: 'auto' | 'jspi' | 'sync';
  /** @deprecated Accepted and ignored: one component instance serves any number of concurrent requests. */
  poolSize?: number;
  /** Time limit of one HTTP exchange in ms; cut to what is left of operationTimeoutMs. Default: 5000. */
  requestTimeoutMs?: number;
  /**
   * Time limit of one whole operation (initialize's table check or creation, loadData,
   * saveData, deleteData) in ms, across attempts, backoff and table waits; it then fails with
   * code 'timed-out'. Default: 2500, so one Alexa LaunchRequest (up to three operations) ends
   * within Alexa's 8 s even when DynamoDB stalls. Raise it (e.g. to 60000) for an initialize()
   * that creates a table and should wait for it.
   */
  operationTimeoutMs?: number;
  /**
   * More certificate authorities to trust, added to Node's defaults (which include
   * NODE_EXTRA_CA_CERTS) and to AWS_CA_BUNDLE: PEM text, or the path of a PEM file.
   */
  ca?: string;
  /**
   * The proxy for every request: an http:// URL (user and password in it are sent as
   * Proxy-Authorization: Basic), or false for no proxy. Default: HTTPS_PROXY / https_proxy for
   * https endpoints (through a CONNECT tunnel), HTTP_PROXY / http_proxy for http endpoints,
   * except the hosts NO_PROXY / no_proxy lists.
   */
  proxy?: string | false;
  /** Retry backoff base in ms (full jitter). Default: 50. */
  retryBaseDelayMs?: number;
  /** Retry backoff cap in ms. Default: 2000. */
  retryMaxDelayMs?: number;
  /** How long initialize() waits for a new table to become ACTIVE, in ms. Default: 60000. */
  tableReadyTimeoutMs?: number;
  /** Called with each wait the component asks for (retry backoff, polling a new table), for metrics. */
  onSleep?: (ms: number) => void;
}

export interface DynamoDbConfig extends DbPluginConfig {
  table: DynamoDbTableConfig;
  libraryConfig?: {
    dynamoDbClient?: DynamoDbClientConfig;
    marshall?: DynamoDbMarshallOptions;
  };
  component?: DynamoDbComponentConfig;
}

export type DynamoDbInitConfig = RequiredOnlyWhere<DynamoDbConfig, 'table'>;

export { DynamoDbError, DynamoDbErrorCode } from './errors.js';
/**
 * Loaded items keep every digit DynamoDB stored: integers beyond ±(2^53 - 1) are BigInts (as
 * util-dynamodb's unmarshall gives them), other numbers a double cannot hold exactly are
 * NumberValues; everything else is a number. Saves write BigInts and NumberValues (ours, the
 * edge entry's or util-dynamodb's) with their exact digits. Sets and binary data in
 * $user.data are stored as SS/NS/BS and B and load as Set and Uint8Array (StoredValue).
 */
export { BinaryInput, NumberValue, StoredValue } from './json.js';

/** How DynamoDB Time to Live stands on the table. */
export type TimeToLiveStatus =
  /** table.expireAfterDays is not set: Time to Live is left alone. */
  | { status: 'not-configured' }
  /** Time to Live is on (or being turned on) for table.expiryAttribute. */
  | { status: 'enabled' }
  /** No Time to Live API (dynalite) or missing permissions; items still carry the expiry attribute. */
  | { status: 'unavailable'; reason: string };

export declare class DynamoDb extends DbPlugin<DynamoDbConfig> {
  constructor(config: DynamoDbInitConfig);
  getDefaultConfig(): DynamoDbConfig;
  getInitConfig(): DynamoDbInitConfig;
  /** How Time to Live stood after initialize(); undefined before. */
  timeToLive?: TimeToLiveStatus;
  /**
   * Ensures the table exists and is ACTIVE (creating it and waiting when allowed), then
   * records `timeToLive`; 'unavailable' is logged as a warning, not thrown.
   */
  initialize(): Promise<void>;
  /** Turns Time to Live on for table.expiryAttribute when expireAfterDays is set, and says how it stands. */
  ensureTimeToLive(): Promise<TimeToLiveStatus>;
  loadData(userId: string, jovo: Jovo): Promise<void>;
  saveData(userId: string, jovo: Jovo): Promise<void>;
  /** Deletes the stored item of a user. */
  deleteData(userId: string): Promise<void>;
  /** Lets go of the component instance (operations in flight finish); the next call opens a new one. */
  close(): Promise<void>;
}
