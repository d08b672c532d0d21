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
import { compareAttributes, compareLoaded, isNumberValue } from './deep-equality.js';

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
    name: 'a key named __proto__ is kept',
    reason:
      "A map key \"__proto__\" is stored and loaded as an ordinary key. The original's marshall and unmarshall assign it with `map[key] = value`, which sets the object's prototype instead: the key and its value are lost on save, and on load when another writer stored it.",
    originalRefused: (error, data) => hasProtoKey(data) && /datatypes|AttributeValue/.test(error.message),
    stored: (ours, original) => onlyProtoKeyDiffers(ours?.M, original?.M, (a, b) => compareAttributes({ M: a }, { M: b }, explainStored)),
    loaded: (ours, original) => onlyProtoKeyDiffers(ours, original, (a, b) => compareLoaded(a, b, explainLoaded)),
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

/**
 * Where dynalite, the local server of the tests, refuses what DynamoDB takes, both plugins
 * fail with its ValidationException; not a difference between the plugins, so not listed in
 * the README. The name of the limit, or null.
 */
export function explainTestServerRefusal(error, data) {
  // dynalite copies maps by assignment, so a map under a "__proto__" key reaches its
  // validation as an attribute value with no type.
  if (error?.code === 'service' && /Supplied AttributeValue is empty/.test(error.message) && hasProtoKey(data)) return 'dynalite: a map under a "__proto__" key';
  return null;
}

/** Whether `value` holds an own "__proto__" key somewhere. */
function hasProtoKey(value, seen = new Set()) {
  if (value === null || typeof value !== 'object' || seen.has(value)) return false;
  seen.add(value);
  if (Object.hasOwn(value, '__proto__')) return true;
  const children = value instanceof Map || value instanceof Set ? [...value.values()] : Object.values(value);
  return children.some((child) => hasProtoKey(child, seen));
}

/** Whether the two maps hold the same keys and values but for an own "__proto__" key of ours. */
function onlyProtoKeyDiffers(ours, original, compare) {
  if (!isObject(ours) || !isObject(original) || !Object.hasOwn(ours, '__proto__') || Object.hasOwn(original, '__proto__')) return false;
  const rest = Object.fromEntries(Object.entries(ours).filter(([key]) => key !== '__proto__'));
  return compare(rest, { ...original }).unexplained.length === 0;
}

function isObject(value) {
  return value !== null && typeof value === 'object';
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
