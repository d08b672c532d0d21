// fast-check arbitraries for what apps keep in $user.data: JSON-shaped data with the awkward
// corners (unicode, `$` in keys and strings, -0, safe-integer edges) and the JavaScript values
// `marshall` of @aws-sdk/util-dynamodb takes beyond JSON (BigInt, util-dynamodb's NumberValue,
// Sets, binary of every kind, Maps, Dates, class instances, boxed primitives, functions,
// undefined and holes). A few values every DynamoDB writer must refuse (NaN, a 39-digit
// number, an empty set, duplicate set members) come up rarely, to exercise refusals without
// making most items fail.
import fc from 'fast-check';
import { NumberValueImpl as UtilNumberValue } from '@aws-sdk/util-dynamodb';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * fc.oneof with fractional weights (fast-check wants integers): rare values stay rare
 * without scaling every other weight by hand.
 */
function weighted(...entries) {
  const constraints = entries[0]?.arbitrary === undefined ? [entries.shift()] : [];
  return fc.oneof(...constraints, ...entries.map(({ arbitrary, weight }) => ({ arbitrary, weight: Math.round(weight * 100) })));
}

/** An app's class: enumerable own data, a method on the prototype (dropped by marshall). */
export class Reminder {
  constructor(text, due) {
    this.text = text;
    this.due = due;
  }

  remind() {
    return this.text;
  }
}

/** Subclasses of Set and Map, as apps write them. */
class Tags extends Set {}
class Lookup extends Map {}

/** Strings apps store, and the ones that look like item-text tags or JSON. */
const specialStrings = fc.constantFrom(
  '',
  '$',
  '$$',
  '$B"AAE="',
  '$SS["a"]',
  '$NS[1,2]',
  '$BS["AA=="]',
  '{"$B":"x"}',
  'a$b',
  'price: $5',
  '\u0000',
  '\n\t"\\',
  'Zoë 😀 é',
  '𝄞 astral',
  'party \ud83c', // half an emoji: a lone surrogate, stored as it is by both
  '12345678901234567890',
);

export const userString = weighted(
  { arbitrary: fc.string({ maxLength: 10 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 8 }), weight: 2 }, // any code point, astral too
  { arbitrary: specialStrings, weight: 2 },
);

export const userKey = weighted(
  { arbitrary: fc.string({ minLength: 1, maxLength: 8 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }), weight: 1 },
  // No "__proto__": dynalite and the AWS SDK's own (de)serializers assign it as a prototype,
  // so what either plugin does with it cannot be seen through them.
  {
    arbitrary: fc.constantFrom('$', '$B', '$SS', '$NS', '$BS', 'a$', 'userId', 'N', 'M', 'SS', 'constructor', 'toString', 'valueOf', '😀', ''),
    weight: 1,
  },
);

/** Doubles DynamoDB can hold (magnitude at least 1e-130), within the safe-integer range. */
const ordinaryDouble = fc
  .double({ min: -MAX_SAFE, max: MAX_SAFE, noNaN: true })
  .filter((value) => value === 0 || Math.abs(value) >= 1e-100);

const edgeNumbers = fc.constantFrom(-0, 0, MAX_SAFE, -MAX_SAFE, MAX_SAFE - 1, 0.1, 0.2, 1 / 3, 1e-7, 123456.789, 2 ** 52 + 0.5, 1e-130, 1.5e-100);

/** Numbers both writers must refuse or that the original refuses ("use NumberValue"). */
const refusedNumbers = fc.constantFrom(Number.NaN, Infinity, -Infinity, 2 ** 53, 2 ** 53 + 2, 1e21, -1e21, 1.7976931348623157e308, 5e-324);

export const userNumber = weighted(
  { arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }), weight: 4 },
  { arbitrary: ordinaryDouble, weight: 3 },
  { arbitrary: edgeNumbers, weight: 2 },
  { arbitrary: refusedNumbers, weight: 0.05 },
);

const DIGITS_38 = 10n ** 38n - 1n;
export const userBigInt = weighted(
  { arbitrary: fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }), weight: 4 },
  { arbitrary: fc.bigInt({ min: -DIGITS_38, max: DIGITS_38 }), weight: 2 },
  { arbitrary: fc.constantFrom(2n ** 53n, -(2n ** 53n) - 1n, 10n ** 38n, 10n ** 125n), weight: 1 },
  { arbitrary: fc.constant(10n ** 38n + 1n), weight: 0.05 }, // 39 significant digits: refused by both
);

/** Decimal texts beyond a double: long fractions, 38 digits, DynamoDB's magnitude edges. */
export const decimalText = weighted(
  { arbitrary: fc.bigInt({ min: -DIGITS_38, max: DIGITS_38 }).map(String), weight: 2 },
  {
    arbitrary: fc
      .tuple(fc.oneof(fc.bigInt({ min: -1000n, max: 1000n }), fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n })), fc.stringMatching(/^[0-9]{1,22}$/))
      .map(([whole, fraction]) => `${whole}.${fraction}`),
    weight: 3,
  },
  {
    // Small numbers with more digits than a double holds.
    arbitrary: fc.tuple(fc.integer({ min: -999, max: 999 }), fc.stringMatching(/^[0-9]{15,30}[1-9]$/)).map(([whole, fraction]) => `${whole}.${fraction}`),
    weight: 2,
  },
  {
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 9 }), fc.stringMatching(/^[0-9]{0,20}$/), fc.integer({ min: -129, max: 125 }))
      .map(([first, rest, exponent]) => `${first}${rest ? `.${rest}` : ''}e${exponent}`),
    weight: 2,
  },
  {
    arbitrary: fc.constantFrom('0.1000000000000000000001', '12345678901234567890.5', '1e20', '1.5e300', '-1e-130', '9.9999999999999999999999999999999999999e125', '0', '1.50', '-0'),
    weight: 1,
  },
  { arbitrary: fc.constantFrom('abc', '1e126', '1e-131', ' 1', ''), weight: 0.05 }, // not numbers DynamoDB takes
);

/** util-dynamodb's (and lib-dynamodb's) NumberValue: the class apps of the original use. */
export const utilNumberValue = decimalText.map((text) => new UtilNumberValue(text));

const byteArray = fc.uint8Array({ maxLength: 24 });

/** Binary in every form marshall takes: typed arrays, Buffer, DataView, ArrayBuffer, views with an offset. */
export const userBinary = weighted(
  { arbitrary: byteArray.map((bytes) => new Uint8Array(bytes)), weight: 4 },
  { arbitrary: byteArray.map((bytes) => Buffer.from(bytes)), weight: 2 },
  { arbitrary: fc.constant(new Uint8Array(0)), weight: 1 },
  { arbitrary: fc.constant(Uint8Array.from({ length: 256 }, (_, index) => index)), weight: 0.5 },
  { arbitrary: byteArray.map((bytes) => new Uint8Array([9, 9, ...bytes, 9]).subarray(2, 2 + bytes.length)), weight: 1 },
  { arbitrary: fc.int16Array({ maxLength: 6 }), weight: 0.5 },
  { arbitrary: fc.int32Array({ maxLength: 4 }).map((values) => new Uint32Array(values.buffer)), weight: 0.3 },
  { arbitrary: fc.float64Array({ maxLength: 3 }), weight: 0.3 },
  { arbitrary: fc.float32Array({ maxLength: 3 }), weight: 0.3 },
  { arbitrary: fc.bigInt64Array({ maxLength: 2 }), weight: 0.3 },
  { arbitrary: byteArray.map((bytes) => new Int8Array(bytes.buffer)), weight: 0.3 },
  { arbitrary: byteArray.map((bytes) => new Uint8ClampedArray(bytes.buffer)), weight: 0.3 },
  { arbitrary: byteArray.map((bytes) => new DataView(bytes.buffer)), weight: 0.3 },
  { arbitrary: byteArray.map((bytes) => bytes.buffer), weight: 0.5 }, // an ArrayBuffer, empty at times
);

const hex = (bytes) => Buffer.from(bytes).toString('hex');
const uniqueStrings = fc.uniqueArray(userString, { minLength: 1, maxLength: 6 });

/** Sets as apps fill them; marshall makes SS, NS or BS from the first member's type. */
export const userSet = weighted(
  { arbitrary: uniqueStrings.map((members) => new Set(members)), weight: 3 },
  { arbitrary: fc.uniqueArray(fc.oneof(fc.integer(), ordinaryDouble), { minLength: 1, maxLength: 6 }).map((members) => new Set(members)), weight: 2 },
  { arbitrary: fc.uniqueArray(userBigInt, { minLength: 1, maxLength: 4 }).map((members) => new Set(members)), weight: 1 },
  {
    // Numbers and bigints together, distinct as numbers.
    arbitrary: fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 2, maxLength: 5 }).map((members) => new Set(members.map((member, index) => (index % 2 ? BigInt(member) : member)))),
    weight: 0.5,
  },
  { arbitrary: fc.uniqueArray(decimalText, { minLength: 1, maxLength: 4 }).map((texts) => new Set(texts.map((text) => new UtilNumberValue(text)))), weight: 0.5 },
  {
    arbitrary: fc.uniqueArray(fc.uint8Array({ maxLength: 8 }), { minLength: 1, maxLength: 4, selector: hex }).map((members) => new Set(members.map((bytes, index) => (index % 2 ? Buffer.from(bytes) : bytes)))),
    weight: 1.5,
  },
  { arbitrary: uniqueStrings.map((members) => new Set([...members, undefined])), weight: 0.2 },
  // Rarely: what no writer may store as it is (empty, duplicates, mixed kinds).
  {
    arbitrary: fc.constantFrom(
      () => new Set(),
      () => new Set([1, 1n]),
      () => new Set([new UtilNumberValue('1'), new UtilNumberValue('1.0')]),
      () => new Set([new Uint8Array([1]), Buffer.from([1])]),
      () => new Set(['a', 1]),
      () => new Set([1, 'a']),
      () => new Set([{ a: 1 }]),
      () => new Set([true]),
    ).map((make) => make()),
    weight: 0.3,
  },
);

/** JavaScript values beyond JSON that are not containers of further generated data. */
const otherScalars = weighted(
  { arbitrary: fc.integer({ min: -8.64e15, max: 8.64e15 }).map((time) => new Date(time)), weight: 1 },
  { arbitrary: fc.oneof(userNumber, userString, fc.boolean()).map((value) => Object(value)), weight: 0.5 },
  { arbitrary: fc.constant(() => 'dropped'), weight: 0.5 },
  { arbitrary: fc.constant(Object(5n)), weight: 0.05 },
  { arbitrary: fc.constant(Symbol('refused')), weight: 0.02 },
  { arbitrary: fc.constantFrom(() => new Blob(['blob']), () => new Tags(['a']), () => new Lookup([['a', 1]])).map((make) => make()), weight: 0.05 },
);

/**
 * One $user.data object: nested objects, arrays (with holes at times), Maps, class instances
 * and null-prototype objects of the values above.
 */
export const userData = fc.letrec((tie) => ({
  value: weighted(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: userString, weight: 6 },
    { arbitrary: userNumber, weight: 5 },
    { arbitrary: fc.boolean(), weight: 1 },
    { arbitrary: fc.constant(null), weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
    { arbitrary: userBigInt, weight: 1 },
    { arbitrary: utilNumberValue, weight: 1 },
    { arbitrary: userSet, weight: 2 },
    { arbitrary: userBinary, weight: 2 },
    { arbitrary: otherScalars, weight: 1 },
    { arbitrary: tie('object'), weight: 3 },
    { arbitrary: tie('array'), weight: 2 },
    { arbitrary: tie('map'), weight: 0.5 },
    { arbitrary: tie('instance'), weight: 0.5 },
  ),
  entries: fc.array(fc.tuple(userKey, tie('value')), { maxLength: 5 }),
  object: tie('entries').map(objectOf),
  array: fc
    .tuple(fc.array(tie('value'), { maxLength: 5 }), fc.option(fc.nat(), { freq: 8 }))
    .map(([elements, hole]) => {
      // `delete` leaves a hole, as `[1, , 3]` does; marshall's filter skips holes.
      if (hole !== null && elements.length > 0) delete elements[hole % elements.length];
      return elements;
    }),
  // Keys are text, at times a number too; rarely the number and its text (1 and '1') both.
  map: fc
    .tuple(fc.array(fc.tuple(userKey, tie('value')), { maxLength: 4 }), fc.constantFrom('text', 'text', 'text', 'number', 'number', 'both'), tie('value'))
    .map(([entries, keys, value]) => new Map(keys === 'text' ? entries : [[1, value], ...(keys === 'both' ? [['1', value]] : []), ...entries])),
  instance: fc.oneof(
    fc.tuple(userString, tie('value')).map(([text, due]) => new Reminder(text, due)),
    tie('entries').map((entries) => Object.assign(Object.create(null), objectOf(entries))),
    tie('entries').map((entries) => Object.create(objectOf(entries))), // inherited enumerable properties
  ),
})).entries.map(objectOf);

function objectOf(entries) {
  return Object.fromEntries(entries);
}

/** marshall options: mostly the plugin's defaults, the other combinations too. */
export const marshallOptions = weighted(
  { arbitrary: fc.constant({ removeUndefinedValues: true, convertClassInstanceToMap: true }), weight: 3 },
  { arbitrary: fc.record({ removeUndefinedValues: fc.boolean(), convertClassInstanceToMap: fc.boolean(), convertEmptyValues: fc.boolean() }), weight: 1 },
);

/** A stable name for an options object, for keeping one plugin pair per combination. */
export function optionsKey({ removeUndefinedValues, convertClassInstanceToMap, convertEmptyValues = false }) {
  return `remove-undefined=${removeUndefinedValues},class-to-map=${convertClassInstanceToMap},empty-to-null=${convertEmptyValues}`;
}
