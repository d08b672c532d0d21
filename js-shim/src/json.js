// Items come out of the component as JSON text whose numbers carry DynamoDB's exact digits
// (up to 38 significant ones). JSON.parse would round every number to a double, and the
// next save would store the rounded value. `parseItemJson` loads numbers the way `unmarshall`
// of @aws-sdk/util-dynamodb does, without losing a digit:
//   integers within ±(2^53 - 1)            number
//   integers beyond                         BigInt (as unmarshall does)
//   other numbers a double holds exactly    number (its shortest form has the same digits)
//   other numbers                           NumberValue, the exact text (unmarshall would throw
//                                           or round; e.g. 38 significant digits)
// The item writer (item.js) writes BigInt and NumberValue back with the same digits.
//
// Cost: almost every item has no number a double could get wrong, and for those the text
// goes straight to JSON.parse. A number needs a closer look only when it has 16 or more
// digits or an exponent; two regular expressions find such candidates in ~10-15 % of the
// JSON.parse time (measured on the 96 KB bench item: 40-60 µs next to 330-440 µs). Each
// candidate is then checked on its own, and only when one really needs a BigInt or
// NumberValue does the whole text go through the parser below, about twice the time of
// JSON.parse. A reviver reading `context.source` (Node 21+) would give the same answer, but
// a reviver call per value measured 2.2 ms on that item, and Node 20 has none.
//
// Item text adds four forms JSON lacks, each starting with a `$` where a value starts:
// `$B"<base64>"`, `$SS[...]`, `$NS[...]`, `$BS[...]` (binary, string, number and binary sets;
// wit/world.wit). They load as unmarshall gives them: a Uint8Array (not a Buffer), and Sets
// whose numbers follow the rules above. An item with such a `$` goes through the parser below.
import { decodeBase64 } from './base64.js';
import { DynamoDbError } from './errors.js';

// The brand that marks our NumberValue. The plugin and the edge entry are bundled apart (and
// an app may bundle and minify them again), so each has its own copy of the class under a
// name the bundler chose; a registered symbol is the same in every copy.
const NUMBER_VALUE_BRAND = Symbol.for('jovo-dynamodb-wasm.NumberValue');

/**
 * A number a JavaScript number cannot hold exactly, kept as its decimal text. Same shape as
 * NumberValue of @aws-sdk/util-dynamodb (and @aws-sdk/lib-dynamodb): `value` is the text,
 * `toString()` and `valueOf()` return it. Saving an item writes exactly these digits.
 */
export class NumberValue {
  /** @param {string | number | bigint} value decimal text (or a number that is exact) */
  constructor(value) {
    const text = typeof value === 'string' ? value.trim() : String(value);
    if (!isDecimalText(text)) {
      throw new DynamoDbError('invalid-input', 'NumberValue needs a decimal number such as "1.5" or "-12e3"');
    }
    if (typeof value === 'number' && !Number.isSafeInteger(value) && Number.isInteger(value)) {
      throw new DynamoDbError('invalid-input', 'NumberValue was given an integer beyond 2^53 as a number, which is already rounded; pass its digits as a string or a BigInt');
    }
    this.value = text;
  }

  /** `x instanceof NumberValue` holds for a NumberValue of either entry (by the brand). */
  static [Symbol.hasInstance](value) {
    return typeof value === 'object' && value !== null && value[NUMBER_VALUE_BRAND] === true;
  }

  static from(value) {
    return new NumberValue(value);
  }

  /** The DynamoDB attribute value, as util-dynamodb's NumberValue gives it. */
  toAttributeValue() {
    return { N: this.value };
  }

  /** The value as a BigInt; throws a SyntaxError for a fraction, as BigInt() does. */
  toBigInt() {
    return BigInt(this.value);
  }

  toString() {
    return this.value;
  }

  valueOf() {
    return this.value;
  }
}
// On the prototype, not enumerable: for...in, Object.keys and JSON.stringify do not see it.
Object.defineProperty(NumberValue.prototype, NUMBER_VALUE_BRAND, { value: true });

/**
 * Whether the object `value` is a NumberValue: ours from either entry (by the brand), or
 * util-dynamodb's (@aws-sdk/lib-dynamodb's) by its shape, since an app's bundler may rename
 * that class too.
 */
export function isNumberValue(value) {
  return (
    value[NUMBER_VALUE_BRAND] === true ||
    (typeof value.value === 'string' && typeof value.toAttributeValue === 'function' && typeof value.toBigInt === 'function')
  );
}

/** Whether `text` is a JSON number: `-?int(.frac)?(e[+-]?exp)?`. */
export function isDecimalText(text) {
  return DECIMAL.test(text);
}

const DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * The JavaScript value of the component's item text, with numbers as described above and
 * the four forms JSON lacks as unmarshall gives them: `$B"..."` a Uint8Array, `$SS[...]` a
 * Set of strings, `$NS[...]` a Set of numbers (each as parseNumber gives it), `$BS[...]` a
 * Set of Uint8Arrays.
 * @param {string} text
 */
export function parseItemJson(text) {
  try {
    return hasTag(text) || hasNumberToKeep(text) ? new Parser(text).parseDocument() : JSON.parse(text);
  } catch (error) {
    // The component only ever returns item text; anything else is a bug somewhere, not user input.
    throw new DynamoDbError('malformed-response', `the component returned an item that is not item text: ${error.message}`);
  }
}

/**
 * Whether `text` may hold a set or binary value: a `$` where a value starts (after ':', ','
 * or '['). A `$` inside a string that happens to follow one of them (":$5") only costs the
 * exact parse. Most items hold no `$` at all: one indexOf, a few µs on the 96 KB bench item.
 */
function hasTag(text) {
  for (let at = text.indexOf('$'); at !== -1; at = text.indexOf('$', at + 1)) {
    let before = at - 1;
    while (before >= 0 && isWhitespace(text.charCodeAt(before))) before--;
    const opener = text.charCodeAt(before);
    if (opener === 0x3a || opener === 0x2c || opener === 0x5b) return true;
  }
  return false;
}

// Candidates: 16 or more digits (and points) in a row, and a digit followed by an exponent.
// Spelled out rather than `{16}`: V8's regexp engine then skips ahead through the text
// instead of trying every position (26 µs instead of 180 µs on the 96 KB item).
const LONG_DIGITS = new RegExp('[\\d.]'.repeat(16), 'g');
const EXPONENT = /\d[eE][+-]?\d/g;
const TOKEN_CHAR = /[\d.eE+-]/;

/** Whether some number in `text` would come out of JSON.parse other than as parseNumber says. */
function hasNumberToKeep(text) {
  return someCandidateNeedsKeeping(text, LONG_DIGITS) || someCandidateNeedsKeeping(text, EXPONENT);
}

function someCandidateNeedsKeeping(text, pattern) {
  pattern.lastIndex = 0;
  let match;
  while ((match = pattern.exec(text)) !== null) {
    let start = match.index;
    let end = start + match[0].length;
    while (start > 0 && TOKEN_CHAR.test(text[start - 1])) start--;
    while (end < text.length && TOKEN_CHAR.test(text[end])) end++;
    pattern.lastIndex = end;
    // A number token follows ':', ',' or '[' (and maybe whitespace); anything else is a
    // run of digits inside a string. A string that merely looks like one (":12345...") only
    // costs the careful parse.
    let before = start - 1;
    while (before >= 0 && isWhitespace(text.charCodeAt(before))) before--;
    const opener = text[before];
    if (opener !== ':' && opener !== ',' && opener !== '[') continue;
    const token = text.slice(start, end);
    if (isDecimalText(token) && typeof parseNumber(token) !== 'number') return true;
  }
  return false;
}

/**
 * The value of one JSON number text: a number when a double holds it exactly (or it is a
 * safe integer), a BigInt for an integer beyond ±(2^53 - 1), a NumberValue otherwise.
 */
export function parseNumber(text) {
  const { negative, digits, scale } = decompose(text);
  if (digits === '') return Number(text); // zero, keeping -0 as JSON.parse does
  if (scale >= 0) {
    // An integer. Up to 15 digits every double is exact; beyond, decide on the exact value.
    if (digits.length + scale <= 15) return Number(text);
    if (digits.length + scale > MAX_INTEGER_DIGITS) return new NumberValue(text);
    const magnitude = BigInt(digits) * 10n ** BigInt(scale);
    if (magnitude <= MAX_SAFE) return Number(negative ? -magnitude : magnitude);
    return negative ? -magnitude : magnitude;
  }
  const number = Number(text);
  // The shortest text of the double (what String() gives) has the same digits and scale
  // exactly when the double is this decimal number as JavaScript writes it.
  const shortest = decompose(String(number));
  if (shortest.digits === digits && shortest.scale === scale && shortest.negative === negative) return number;
  return new NumberValue(text);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
// DynamoDB's largest numbers have 126 digits; an integer far beyond that is kept as text
// rather than built as a BigInt of arbitrary size.
const MAX_INTEGER_DIGITS = 400;

/** `text` as sign, significant digits without leading or trailing zeros, and power of ten. */
function decompose(text) {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  const all = whole + fraction;
  let first = 0;
  while (first < all.length && all.charCodeAt(first) === 48) first++;
  let last = all.length;
  while (last > first && all.charCodeAt(last - 1) === 48) last--;
  return {
    negative: sign === '-',
    digits: all.slice(first, last),
    scale: Number(exponent) - fraction.length + (all.length - last),
  };
}

function isWhitespace(code) {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

const NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * A plain recursive-descent parser of item text: JSON whose numbers go through parseNumber,
 * and the four tagged forms.
 */
class Parser {
  constructor(text) {
    this.text = text;
    this.at = 0;
  }

  parseDocument() {
    const value = this.parseValue();
    this.skipWhitespace();
    if (this.at !== this.text.length) this.fail('unexpected text after the end');
    return value;
  }

  parseValue() {
    this.skipWhitespace();
    const code = this.text.charCodeAt(this.at);
    switch (code) {
      case 0x7b: // {
        return this.parseObject();
      case 0x5b: // [
        return this.parseArray();
      case 0x22: // "
        return this.parseString();
      case 0x74: // t
        return this.parseLiteral('true', true);
      case 0x66: // f
        return this.parseLiteral('false', false);
      case 0x6e: // n
        return this.parseLiteral('null', null);
      case 0x24: // $
        return this.parseTagged();
      default:
        return this.parseNumberToken();
    }
  }

  parseObject() {
    const object = {};
    this.at++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.at) === 0x7d) {
      this.at++;
      return object;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text.charCodeAt(this.at) !== 0x22) this.fail('expected a property name');
      const key = this.parseString();
      this.skipWhitespace();
      if (this.text.charCodeAt(this.at) !== 0x3a) this.fail("expected ':'");
      this.at++;
      const value = this.parseValue();
      // A "__proto__" key is an own property, as JSON.parse makes it, not the prototype.
      if (key === '__proto__') {
        Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
      } else {
        object[key] = value;
      }
      if (this.endOfList(0x7d)) return object;
    }
  }

  parseArray() {
    const array = [];
    this.at++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.at) === 0x5d) {
      this.at++;
      return array;
    }
    for (;;) {
      array.push(this.parseValue());
      if (this.endOfList(0x5d)) return array;
    }
  }

  /** After an element: true at the closing bracket, false after a comma. */
  endOfList(closing) {
    this.skipWhitespace();
    const code = this.text.charCodeAt(this.at++);
    if (code === closing) return true;
    if (code !== 0x2c) this.fail(`expected ',' or '${String.fromCharCode(closing)}'`);
    return false;
  }

  parseString() {
    const { text } = this;
    const start = this.at;
    let end = start + 1;
    for (;;) {
      end = text.indexOf('"', end);
      if (end === -1) this.fail('unterminated string');
      let backslashes = 0;
      while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
      if (backslashes % 2 === 0) break;
      end++;
    }
    this.at = end + 1;
    const raw = text.slice(start + 1, end);
    // Without escapes and control characters the content is the string itself; otherwise
    // JSON.parse decodes (and checks) the escapes.
    if (raw.indexOf('\\') === -1 && !CONTROL.test(raw)) return raw;
    return JSON.parse(text.slice(start, end + 1));
  }

  /** `$B"<base64>"`, `$SS[...]`, `$NS[...]` or `$BS[...]`, the tag followed by no whitespace. */
  parseTagged() {
    const { text } = this;
    if (text.startsWith('$B"', this.at)) {
      this.at += 2;
      return decodeBase64(this.parseString());
    }
    const tag = text.slice(this.at, this.at + 4);
    this.at += 3;
    switch (tag) {
      case '$SS[':
        return this.parseSet(() => this.parseStringMember());
      case '$NS[':
        return this.parseSet(() => this.parseNumberToken());
      case '$BS[':
        return this.parseSet(() => decodeBase64(this.parseStringMember()));
      default:
        this.at -= 3;
        return this.fail('unknown tag');
    }
  }

  /** The members of a set, from '[' to ']': at least one (DynamoDB has no empty sets), distinct. */
  parseSet(parseMember) {
    this.at++;
    const members = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.at) === 0x5d) this.fail('an empty set');
    for (;;) {
      this.skipWhitespace();
      members.push(parseMember());
      if (this.endOfList(0x5d)) break;
    }
    const set = new Set(members);
    if (set.size !== members.length) this.fail('a set with a repeated member');
    return set;
  }

  parseStringMember() {
    if (this.text.charCodeAt(this.at) !== 0x22) this.fail('expected a string');
    return this.parseString();
  }

  parseLiteral(word, value) {
    if (!this.text.startsWith(word, this.at)) this.fail('unexpected token');
    this.at += word.length;
    return value;
  }

  parseNumberToken() {
    NUMBER_TOKEN.lastIndex = this.at;
    const match = NUMBER_TOKEN.exec(this.text);
    if (match === null) this.fail('unexpected token');
    this.at += match[0].length;
    return parseNumber(match[0]);
  }

  skipWhitespace() {
    while (isWhitespace(this.text.charCodeAt(this.at))) this.at++;
  }

  fail(reason) {
    throw new SyntaxError(`${reason} at position ${this.at}`);
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/;
