// Every failure of this package is a DynamoDbError whose `code` is the name of the WIT
// `store-error` case (e.g. 'table-missing', 'invalid-config', 'throttled'), so callers can
// branch on it. Messages never contain credentials: the component never echoes them and
// this package never puts them into a message.

export class DynamoDbError extends Error {
  /**
   * @param {string} code  WIT store-error case name
   * @param {string} message
   * @param {object} [serviceError]  the WIT service-error record, for DynamoDB's own errors
   */
  constructor(code, message, serviceError) {
    super(message);
    this.name = 'DynamoDbError';
    this.code = code;
    if (serviceError) {
      this.serviceCode = serviceError.code;
      this.requestId = serviceError.requestId;
      this.statusCode = serviceError.status;
      this.attempts = serviceError.attempts;
    }
  }
}

/** Turns a `store-error` thrown by the transpiled component into a DynamoDbError. */
export function fromComponentError(error) {
  const storeError = error?.payload;
  if (!storeError || typeof storeError.tag !== 'string') return error;
  const { tag, val } = storeError;
  if (typeof val === 'string') return new DynamoDbError(tag, val);
  return new DynamoDbError(tag, describeServiceError(tag, val), val);
}

/** Whether `error` came from the component as a `store-error` (the instance stays usable). */
export function isStoreError(error) {
  return error instanceof DynamoDbError || typeof error?.payload?.tag === 'string';
}

function describeServiceError(tag, { code, message, requestId, status, attempts }) {
  const requestIdText = requestId ? `request id ${requestId}` : 'no request id';
  const attemptsText = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
  return `DynamoDB ${tag}: ${code}: ${message} (HTTP ${status}, ${requestIdText}, ${attemptsText})`;
}

/**
 * What failed, for a message about someone else's error (a credentials or region provider):
 * its class name and code, e.g. `CredentialsProviderError` or `Error, code ENOENT`, never its
 * message, which may quote a secret (`secretAccessKey=...`, a token in a URL).
 */
export function errorKind(error) {
  const identifier = (value) => typeof value === 'string' && /^[A-Za-z_$][\w$.-]{0,63}$/.test(value);
  const name = identifier(error?.name) ? error.name : identifier(error?.constructor?.name) ? error.constructor.name : typeof error;
  return identifier(error?.code) ? `${name}, code ${error.code}` : name;
}
