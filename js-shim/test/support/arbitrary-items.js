// fast-check arbitraries for raw DynamoDB items as another writer (an analytics job, the
// AWS CLI, the original plugin) may have stored them: all ten attribute types, nested, with
// the edge values of each: numbers of 38 significant digits and at DynamoDB's magnitude
// limits (1e125, 1e-130), negative numbers, empty strings and binaries, binary with every
// byte value, unicode up to astral planes, sets with an empty-string member, large sets.
import fc from 'fast-check';

/** Top-level attribute names the items use (the plugin stores only names it is told to). */
export const ATTRIBUTE_NAMES = ['user', 'session', 'a', 'b', 'scores', 'flags$', 'Zoë', '😀'];

const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 10 }), // every code point, astral ones too
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom('', '$', '$B"AA=="', '$SS["x"]', '$NS[1]', 'a$b', '\u0000', '"\\\n', '𝄞'),
);

// No "__proto__": the AWS SDK's PutItem cannot write that key (its serializer assigns it as a
// prototype and sends an attribute value with no type or two). No empty key: DynamoDB
// refuses empty attribute names at any depth.
const mapKey = fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom('$', '$B', '$SS', 'N', 'SS', 'constructor', 'toString', '😀'));

/** Decimal number texts DynamoDB stores: at most 38 significant digits, magnitude 1e-130 up to below 1e126. */
const numberText = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n }).map(String),
  fc
    .tuple(fc.boolean(), fc.integer({ min: 1, max: 9 }), fc.stringMatching(/^[0-9]{0,37}$/), fc.integer({ min: -130, max: 125 }))
    .map(([negative, first, rest, exponent]) => `${negative ? '-' : ''}${first}${rest ? `.${rest}` : ''}E${exponent}`),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }).filter((value) => value === 0 || (Math.abs(value) >= 1e-130 && Math.abs(value) < 1e125)).map(String),
  fc.constantFrom('0', '-1', '0.5', '9007199254740993', '-9007199254740993', '1E+125', '9.9999999999999999999999999999999999999E+125', '-9.9999999999999999999999999999999999999E+125', '1E-130', '-1E-130', '12345678901234567890123456789012345678', '0.1000000000000000000001'),
);

/** The value a number text stands for, so that NS members are distinct as DynamoDB sees them. */
function numericIdentity(text) {
  const [, sign, whole, fraction = '', exponent = '0'] = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  const digits = (whole + fraction).replace(/^0+/, '');
  const significant = digits.replace(/0+$/, '');
  if (significant === '') return '0';
  const scale = Number(exponent) - fraction.length + (digits.length - significant.length);
  return `${sign}${significant}e${scale}`;
}

const everyByte = Uint8Array.from({ length: 256 }, (_, index) => index);
const bytes = fc.oneof(
  { arbitrary: fc.uint8Array({ maxLength: 40 }), weight: 6 },
  { arbitrary: fc.constant(new Uint8Array(0)), weight: 1 },
  { arbitrary: fc.constant(everyByte), weight: 1 },
);
const hex = (value) => Buffer.from(value).toString('hex');

/** A set: mostly a few members, at times a hundred or more (a 400 KB item allows more). */
function setOf(member, selector) {
  return fc.oneof(
    { arbitrary: fc.uniqueArray(member, { minLength: 1, maxLength: 6, selector }), weight: 9 },
    // fast-check keeps lengths near the minimum, so the minimum is what makes a set large.
    { arbitrary: fc.uniqueArray(member, { minLength: 100, maxLength: 300, selector }), weight: 1 },
  );
}

export const attributeValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { arbitrary: text.map((S) => ({ S })), weight: 4 },
    { arbitrary: numberText.map((N) => ({ N })), weight: 4 },
    { arbitrary: bytes.map((B) => ({ B })), weight: 2 },
    { arbitrary: fc.boolean().map((BOOL) => ({ BOOL })), weight: 1 },
    { arbitrary: fc.constant({ NULL: true }), weight: 1 },
    // Half the string sets also hold the empty string (allowed in non-key sets).
    { arbitrary: fc.tuple(setOf(text), fc.boolean()).map(([SS, withEmpty]) => ({ SS: withEmpty && !SS.includes('') ? [...SS, ''] : SS })), weight: 2 },
    { arbitrary: setOf(numberText, numericIdentity).map((NS) => ({ NS })), weight: 2 },
    { arbitrary: setOf(bytes, hex).map((BS) => ({ BS })), weight: 2 },
    { arbitrary: tie('map'), weight: 2 },
    { arbitrary: tie('list'), weight: 2 },
  ),
  map: fc.dictionary(mapKey, tie('value'), { maxKeys: 5, noNullPrototype: true }).map((M) => ({ M })),
  list: fc.array(tie('value'), { maxLength: 5 }).map((L) => ({ L })),
})).value;

/** A raw item without its key: some of ATTRIBUTE_NAMES, each with any attribute value. */
export const rawAttributes = fc
  .uniqueArray(fc.constantFrom(...ATTRIBUTE_NAMES), { minLength: 1, maxLength: 5 })
  .chain((names) => fc.tuple(...names.map((name) => attributeValue.map((value) => [name, value]))))
  .map(Object.fromEntries);
