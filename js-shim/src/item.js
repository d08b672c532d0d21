// The one item writer of the package, for the plugin and the edge entry alike. Items cross
// into the component as JSON text; JavaScript values that JSON cannot carry are handled here
// first, the way `marshall` of @aws-sdk/util-dynamodb handles them with the plugin's
// `libraryConfig.marshall` options (the edge entry's `marshall`):
//   undefined          dropped with removeUndefinedValues, an error otherwise
//   functions          dropped, in objects and arrays
//   class instances    their enumerable properties with convertClassInstanceToMap (a Date
//                      becomes {} as in the original), an error otherwise
//   Map                an object; boxed primitives their value
//   bigint, NumberValue (ours or util-dynamodb's): their exact digits
//   NaN, Infinity      an error, as in the original
//   Set, binary        an error: a JSON item has no set or binary type
//   cycles, nesting deeper than DynamoDB's 32 levels: an error
// Every error is a DynamoDbError of code 'invalid-input' naming where in the item it is,
// never the value. `convertEmptyValues` is left to the component (its marshall-options).
import { DynamoDbError } from './errors.js';
import { NumberValue, isDecimalText } from './json.js';

/** DynamoDB nests documents at most 32 levels deep (the component's marshal::MAX_DEPTH). */
export const MAX_DEPTH = 32;

/**
 * The JSON text of `item` (an object of attribute values) for the component's `save-user`.
 * @param {object} item
 * @param {{ removeUndefinedValues?: boolean, convertClassInstanceToMap?: boolean }} [marshallOptions]
 *   both default to true, the plugin's defaults and the WIT's
 */
export function itemToJson(item, marshallOptions) {
  const { removeUndefinedValues = true, convertClassInstanceToMap = true } = marshallOptions ?? {};
  if (!isMapLike(item, convertClassInstanceToMap)) {
    throw invalidInput(`the item must be an object of attribute names and values, not ${kindOf(item)}`);
  }
  // Most items are plain JSON data already: checked by one walk that builds nothing,
  // JSON.stringify writes them several times faster than the writer below would.
  if (isPlainJson(item, 0, removeUndefinedValues)) return JSON.stringify(item);
  return new ItemWriter(removeUndefinedValues, convertClassInstanceToMap).write(item, 0);
}

/** Refuses a user id the component cannot take (jco would throw a TypeError for a non-string). */
export function checkUserId(userId) {
  if (typeof userId !== 'string' || userId === '') {
    throw invalidInput(`the user id must be a non-empty string, not ${kindOf(userId)}`);
  }
  // A lone surrogate (half of a UTF-16 pair) has no UTF-8 form: on its way into the component
  // it would become U+FFFD, and 'user-\ud800', 'user-\udbff' and 'user-\ufffd' would share one
  // item. Refused before anything is sent, without quoting the id.
  if (!isWellFormed(userId)) {
    throw invalidInput(`the user id is not valid Unicode: it holds a lone surrogate (at index ${loneSurrogateIndex(userId)}), which has no UTF-8 form`);
  }
}

function isWellFormed(text) {
  if (typeof text.isWellFormed === 'function') return text.isWellFormed();
  return loneSurrogateIndex(text) < 0;
}

function loneSurrogateIndex(text) {
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) index += 1;
      else return index;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return index;
    }
  }
  return -1;
}

/**
 * Whether JSON.stringify writes `value` exactly as ItemWriter would: only plain objects,
 * arrays, strings, finite numbers, booleans and null, within the depth limit; undefined and
 * functions only where JSON.stringify drops them too (object properties, when they are to be
 * dropped), and no toJSON method for JSON.stringify to call. Anything else is ItemWriter's.
 */
function isPlainJson(value, depth, removeUndefinedValues) {
  if (depth > MAX_DEPTH) return false;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index++) {
          const element = value[index];
          // JSON.stringify writes null for these in arrays, where they are to be dropped.
          if (element === undefined || typeof element === 'function') return false;
          if (!isPlainJson(element, depth + 1, removeUndefinedValues)) return false;
        }
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      for (const key in value) {
        // Inherited enumerable properties: util-dynamodb writes them, JSON.stringify does not.
        if (!Object.hasOwn(value, key)) return false;
        const element = value[key];
        if (typeof element === 'function') {
          if (key === 'toJSON') return false;
        } else if (element === undefined) {
          if (!removeUndefinedValues) return false;
        } else if (!isPlainJson(element, depth + 1, removeUndefinedValues)) {
          return false;
        }
      }
      return true;
    }
    default:
      return false;
  }
}

/** Whether `item` is written as a map (the only shape an item may have). */
function isMapLike(item, convertClassInstanceToMap) {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return false;
  const prototype = Object.getPrototypeOf(item);
  if (prototype === Object.prototype || prototype === null) return true;
  const kind = item.constructor?.name;
  if (kind === 'Map') return true;
  if (SCALAR_CLASSES.has(kind) || kind === 'Set' || isBinary(item) || isNumberValue(item)) return false;
  return convertClassInstanceToMap;
}

const SCALAR_CLASSES = new Set(['Boolean', 'Number', 'String', 'BigInt']);

function isBinary(value) {
  const kind = value.constructor?.name;
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer || kind === 'Blob' || kind === 'File';
}

// Ours, or util-dynamodb's (@aws-sdk/lib-dynamodb's) by its shape: another copy of the class.
function isNumberValue(value) {
  return value instanceof NumberValue || (value.constructor?.name === 'NumberValue' && typeof value.value === 'string');
}

class ItemWriter {
  constructor(removeUndefinedValues, convertClassInstanceToMap) {
    this.removeUndefinedValues = removeUndefinedValues;
    this.convertClassInstanceToMap = convertClassInstanceToMap;
    // The keys and indices down to the value being written, and the objects on that path.
    // Kept for error messages and cycle detection only: building path strings for every
    // value cost more than writing the item.
    this.path = [];
    this.ancestors = [];
  }

  write(value, depth) {
    if (depth > MAX_DEPTH) throw this.tooDeep(value);
    switch (typeof value) {
      case 'string':
        return JSON.stringify(value);
      case 'number':
        // The original's wording (util-dynamodb's), with where it is.
        if (!Number.isFinite(value)) throw invalidInput(`Special numeric value ${value} at ${this.where()} is not allowed.`);
        return String(value);
      case 'boolean':
        return value ? 'true' : 'false';
      case 'bigint':
        return value.toString();
      case 'object':
        if (value === null) return 'null';
        return this.writeObject(value, depth);
      case 'undefined':
        throw this.error('is undefined. Pass options.removeUndefinedValues=true to remove undefined values from map/array/set.');
      default:
        throw this.error(`is a ${typeof value}, which DynamoDB cannot store`);
    }
  }

  writeObject(value, depth) {
    if (Array.isArray(value)) return this.writeList(value, depth);
    const prototype = Object.getPrototypeOf(value);
    if (prototype === Object.prototype || prototype === null) return this.writeProperties(value, depth);
    if (isNumberValue(value)) {
      // util-dynamodb's does not check its text when it is made.
      if (!isDecimalText(value.value)) throw this.error('is a NumberValue whose value is not a decimal number such as "1.5"');
      return value.value;
    }
    const kind = value.constructor?.name;
    if (kind === 'Map') return this.writeMap(value, depth);
    if (SCALAR_CLASSES.has(kind)) return this.write(value.valueOf(), depth);
    if (kind === 'Set') throw this.error('is a Set; a JSON item has no set type, store an array');
    if (isBinary(value)) throw this.error('is binary data; a JSON item has no binary type, encode it as a string (e.g. base64)');
    if (this.convertClassInstanceToMap) return this.writeProperties(value, depth);
    throw invalidInput(
      `Unsupported type passed at ${this.where()}: an instance of ${kind ?? 'a class'}. ` +
        'Pass options.convertClassInstanceToMap=true to marshall typeof object as map attribute.',
    );
  }

  writeList(list, depth) {
    this.ancestors.push(list);
    const { path } = this;
    let json = '[';
    let first = true;
    path.push(0);
    for (let index = 0; index < list.length; index++) {
      const element = list[index];
      if (typeof element === 'function' || (element === undefined && this.removeUndefinedValues)) continue;
      path[path.length - 1] = index;
      json += (first ? '' : ',') + this.write(element, depth + 1);
      first = false;
    }
    path.pop();
    this.ancestors.pop();
    return `${json}]`;
  }

  // util-dynamodb walks objects with for...in: own and inherited enumerable properties.
  writeProperties(object, depth) {
    this.ancestors.push(object);
    const { path } = this;
    let json = '{';
    let first = true;
    path.push('');
    for (const key in object) {
      const element = object[key];
      if (typeof element === 'function' || (element === undefined && this.removeUndefinedValues)) continue;
      path[path.length - 1] = key;
      json += `${first ? '' : ','}${JSON.stringify(key)}:${this.write(element, depth + 1)}`;
      first = false;
    }
    path.pop();
    this.ancestors.pop();
    return `${json}}`;
  }

  writeMap(map, depth) {
    this.ancestors.push(map);
    const { path } = this;
    let json = '{';
    let first = true;
    path.push('');
    for (const [key, element] of map) {
      if (typeof element === 'function' || (element === undefined && this.removeUndefinedValues)) continue;
      const name = String(key);
      path[path.length - 1] = name;
      json += `${first ? '' : ','}${JSON.stringify(name)}:${this.write(element, depth + 1)}`;
      first = false;
    }
    path.pop();
    this.ancestors.pop();
    return `${json}}`;
  }

  // The item's attributes are at depth 1, as in the component (marshal::MAX_DEPTH), and no
  // value may be deeper than 32. A cycle is endless nesting, so it always ends up here too;
  // only then are the ancestors searched, to say which of the two it is.
  tooDeep(value) {
    const chain = [...this.ancestors, value];
    for (let depth = 1; depth < chain.length; depth++) {
      if (chain.indexOf(chain[depth]) < depth) {
        return this.error('refers back to an object that contains it; a circular structure cannot be stored', depth);
      }
    }
    return this.error(`is nested deeper than DynamoDB's ${MAX_DEPTH} levels`);
  }

  /** `problem` of the value at the current path (or its first `depth` steps). */
  error(problem, depth = this.path.length) {
    return invalidInput(`${this.where(depth)} ${problem}`);
  }

  /** The current path (or its first `depth` steps), e.g. `item.user.data.list[3]`. */
  where(depth = this.path.length) {
    let where = 'item';
    for (const step of this.path.slice(0, depth)) where += typeof step === 'number' ? `[${step}]` : `.${step}`;
    return where;
  }
}

/** What a value is, for messages that must not show the value itself. */
export function kindOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === '') return 'an empty string';
  const type = typeof value;
  if (type === 'object') return `an object (${value.constructor?.name ?? 'no prototype'})`;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function invalidInput(message) {
  return new DynamoDbError('invalid-input', message);
}
