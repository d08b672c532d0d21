// The deliberate differences between this plugin and @jovotech/db-dynamodb 4.1.0 (its
// `marshall`/`unmarshall` of @aws-sdk/util-dynamodb), each with what the original loses.
// js-shim/README.md ("Differences from the original plugin") lists the same, in the same
// words. differential.test.js asks this list about every place where the two plugins
// disagree; a disagreement no entry explains fails the test, so a new difference cannot
// slip in unlisted.
//
// Each entry explains one kind of disagreement, narrowly, by what it sees there:
//   stored(ours, original, path)         raw attribute values that differ
//   loaded(ours, original, path)         loaded values that differ
//   oursRefused(error, data, options)    ours refused a save the original stored
//   originalRefused(error, data, options)  the original failed a save ours stored
//   originalLoadFailed(error)            the original's load threw, ours loaded
import { isNumberValue } from './deep-equality.js';

export const DIFFERENCES = [
  {
    name: 'numbers a double cannot hold load exactly',
    reason:
      "A stored number with more significant digits than a double holds (e.g. 0.1000000000000000000001, 38-digit decimals) loads as a NumberValue with DynamoDB's digits. The original's unmarshall rounds it to a JavaScript number, and its next save stores the rounded digits.",
    loaded: (ours, original) => isNumberValue(ours) && typeof original === 'number' && Number(ours.value) === original,
  },
  {
    name: 'numbers the original cannot load',
    reason:
      "A stored number beyond ±(2^53 - 1) that is not written as an integer (1e20, 1.5e300, 12345678901234567890.5) loads as a BigInt or a NumberValue. The original's unmarshall throws (\"can't be converted to BigInt\"): the user's item can never be loaded again.",
    originalLoadFailed: (error) => /can't be converted to BigInt/.test(error.message),
  },
  {
    name: 'typed arrays other than Uint8Array are stored as their bytes',
    reason:
      "Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array and BigUint64Array are stored as the bytes they view (B), as marshall means to. With the original, marshall passes them on and the AWS SDK's serializer throws a TypeError (s.charCodeAt is not a function): the whole save fails.",
    originalRefused: (error, data) => error instanceof TypeError && /charCodeAt/.test(error.message) && holds(data, isWideTypedArray),
  },
  {
    name: 'an ArrayBuffer or a DataView is refused',
    reason:
      "An ArrayBuffer or a DataView is refused with invalid-input (store a Uint8Array over its bytes: new Uint8Array(buffer)). The original's marshall passes it on and the AWS SDK's serializer writes an empty binary: the bytes are lost.",
    oursRefused: (error) => /is (an ArrayBuffer|a DataView), which the original plugin stores as an empty binary/.test(error.message),
  },
  {
    name: 'a Blob is refused',
    reason:
      'A Blob is refused with invalid-input (its bytes can only be read asynchronously; store new Uint8Array(await blob.arrayBuffer())). The original stores an empty binary: the bytes are lost.',
    oursRefused: (error) => /is a Blob/.test(error.message),
  },
  {
    name: 'a Set of strings and other types is refused',
    reason:
      "A Set mixing strings with numbers, bigints or binary (new Set(['a', 1])) is refused with invalid-input. The original's marshall stores it as a string set whenever the first member is a string, turning the other members into their text ('1'): they load as strings.",
    oursRefused: (error) => /a DynamoDB set holds one type/.test(error.message),
  },
  {
    name: 'a Map with two keys of the same text is refused',
    reason:
      "A Map whose keys have the same text (1 and '1') is refused with invalid-input. The original's marshall writes both under the key '1', and only the last value is stored.",
    oursRefused: (error) => /second key of the Map with this text/.test(error.message),
  },
  {
    name: 'a boxed BigInt is refused',
    reason: 'Object(5n) is refused with invalid-input. The original stores it as an empty map: the number is lost.',
    oursRefused: (error) => /boxed BigInt/.test(error.message),
  },
  {
    name: 'a subclass of Set or Map is refused',
    reason:
      'An instance of a class extending Set or Map is refused with invalid-input. The original stores it as a map of its enumerable properties, which are none: an empty map, the members lost.',
    oursRefused: (error) => /a subclass of Set or Map/.test(error.message),
  },
  {
    name: 'an empty map key is refused before sending',
    reason:
      "A map key '' is refused with invalid-input, as DynamoDB refuses empty attribute names at any depth (ValidationException). The original sends it and fails with DynamoDB; dynalite, the local server of these tests, accepts it, so there the original stores it.",
    oursRefused: (error) => /an attribute name is empty/.test(error.message),
  },
];

/** Whether `value` holds, at any depth, a value for which `predicate` is true. */
function holds(value, predicate, seen = new Set()) {
  if (predicate(value)) return true;
  if (value === null || typeof value !== 'object' || seen.has(value) || ArrayBuffer.isView(value)) return false;
  seen.add(value);
  if (value instanceof Map || value instanceof Set) return [...value.values()].some((child) => holds(child, predicate, seen));
  for (const key in value) if (holds(value[key], predicate, seen)) return true; // inherited too, as marshall walks
  return false;
}

function isWideTypedArray(value) {
  return ArrayBuffer.isView(value) && !(value instanceof Uint8Array) && !(value instanceof DataView);
}

function explainer(kind) {
  return (...args) => DIFFERENCES.find((difference) => difference[kind]?.(...args))?.name ?? null;
}

/** The name of the listed difference that explains the disagreement, or null. */
export const explainStored = explainer('stored');
export const explainLoaded = explainer('loaded');
export const explainOursRefused = explainer('oursRefused');
export const explainOriginalRefused = explainer('originalRefused');
export const explainOriginalLoadFailed = explainer('originalLoadFailed');
