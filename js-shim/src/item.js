// The one item writer of the package, for the plugin and the edge entry alike. Items cross
// into the component as item text: JSON, plus four value forms for what JSON has no type for
// (`$B"<base64>"`, `$SS[...]`, `$NS[...]`, `$BS[...]`; see wit/world.wit). JavaScript values
// are written the way `marshall` of @aws-sdk/util-dynamodb 3.x (the original plugin's) stores
// them with the plugin's `libraryConfig.marshall` options (the edge entry's `marshall`):
//   undefined          dropped with removeUndefinedValues, an error otherwise (array holes:
//                      always dropped, as marshall's Array.filter skips them)
//   functions          dropped, in objects and arrays
//   class instances    their enumerable properties with convertClassInstanceToMap (a Date
//                      becomes {} as in the original), an error otherwise
//   Map                an object; boxed Number, String, Boolean their value
//   bigint, NumberValue (ours, the other entry's or util-dynamodb's): their exact digits
//   Set                of strings SS, of numbers (number, bigint, NumberValue) NS, of binary BS;
//                      empty: NULL with convertEmptyValues, an error otherwise
//   binary             Uint8Array, Buffer, other typed arrays: the bytes they view, as B.
//                      ArrayBuffer and DataView: refused (the original stores them empty).
// and refused where marshall would store something other than the app's data (each is in
// js-shim/README.md): numbers beyond ±(2^53 - 1) (marshall refuses them too), NaN and
// Infinity, a boxed BigInt, a Blob, a Set mixing member types, a subclassed Set or Map, a Map
// with two keys of the same text, cycles and nesting deeper than DynamoDB's 32 levels.
// Every error is a DynamoDbError of code 'invalid-input' naming where in the item it is,
// never the value. The component checks the rest (sizes, set duplicates, number range), and
// turns empty strings and binaries into NULL with convertEmptyValues.
import { encodeBase64 } from './base64.js';
import { DynamoDbError } from './errors.js';
import { isDecimalText, isNumberValue } from './json.js';

/** DynamoDB nests documents at most 32 levels deep (the component's marshal::MAX_DEPTH). */
export const MAX_DEPTH = 32;

/**
 * The item text of `item` (an object of attribute values) for the component's `save-user`.
 * @param {object} item
 * @param {{ removeUndefinedValues?: boolean, convertClassInstanceToMap?: boolean, convertEmptyValues?: boolean }} [marshallOptions]
 *   the first two default to true, the plugin's defaults and the WIT's; the third to false
 */
export function itemToJson(item, marshallOptions) {
  const { removeUndefinedValues = true, convertClassInstanceToMap = true, convertEmptyValues = false } = marshallOptions ?? {};
  if (!isMapLike(item, convertClassInstanceToMap)) {
    throw invalidInput(`the item must be an object of attribute names and values, not ${kindOf(item)}`);
  }
  // Most items are plain JSON data already: checked by one walk that builds nothing,
  // JSON.stringify writes them several times faster than the writer below would.
  if (isPlainJson(item, 0, removeUndefinedValues)) return JSON.stringify(item);
  return new ItemWriter(removeUndefinedValues, convertClassInstanceToMap, convertEmptyValues).write(item, 0);
}

/** Refuses a user id the component cannot take (the binding would throw a TypeError for a non-string). */
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
 * arrays, strings, numbers within ±(2^53 - 1), booleans and null, within the depth limit;
 * undefined and functions only where JSON.stringify drops them too (object properties, when
 * they are to be dropped), and no toJSON method for JSON.stringify to call. Anything else
 * (sets and binary among it) is ItemWriter's.
 */
function isPlainJson(value, depth, removeUndefinedValues) {
  if (depth > MAX_DEPTH) return false;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      // As cheap as Number.isFinite, and false for NaN and ±Infinity too.
      return value <= Number.MAX_SAFE_INTEGER && value >= Number.MIN_SAFE_INTEGER;
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index++) {
          const element = value[index];
          // JSON.stringify writes null for these (and for holes) in arrays, where they are dropped.
          if (element === undefined || typeof element === 'function') return false;
          if (!isPlainJson(element, depth + 1, removeUndefinedValues)) return false;
        }
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      for (const key in value) {
        // Inherited enumerable properties: util-dynamodb writes them, JSON.stringify does not.
        // A key named constructor: refused without convertClassInstanceToMap (see plainObjectRefused).
        if (!Object.hasOwn(value, key) || key === 'constructor') return false;
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
  if (item === null || typeof item !== 'object') return false;
  switch (objectKind(item)) {
    case 'object':
    case 'map':
      return true;
    case 'instance':
      return convertClassInstanceToMap;
    default:
      return false;
  }
}

/**
 * What an object (not null) is to the writer. As in marshall, by constructor name (so that a
 * Set or a Uint8Array of another realm counts too), except: a plain object by its prototype
 * (whatever a key named `constructor` holds), a NumberValue by its brand or shape, binary
 * data by what it is rather than by a list of names (subclasses, SharedArrayBuffer), and
 * subclasses of Set and Map, which marshall would store as empty maps, apart.
 */
function objectKind(value) {
  if (Array.isArray(value)) return 'list';
  const prototype = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) return 'object';
  if (isNumberValue(value)) return 'number-value';
  const constructor = value.constructor;
  switch (constructor?.name) {
    case 'Set':
      return 'set';
    case 'Map':
      return 'map';
    case 'Number':
    case 'String':
    case 'Boolean':
      return 'boxed';
    case 'BigInt':
      return 'boxed-bigint';
    case 'Blob':
    case 'File':
      return 'blob';
    case 'Object':
      // Object.create(someObject): marshall writes it as a map of its enumerable properties,
      // own and inherited, even without convertClassInstanceToMap.
      return 'object';
    default:
  }
  // The original's AWS SDK serializer writes these as an empty binary (the bytes are lost):
  // refused, pointing to a Uint8Array over the same bytes.
  if (value instanceof ArrayBuffer || isArrayBufferByName(constructor?.name) || value instanceof DataView || constructor?.name === 'DataView') {
    return 'unviewed-binary';
  }
  if (ArrayBuffer.isView(value)) return 'binary';
  if (value instanceof Set || value instanceof Map) return 'subclassed-collection';
  if (typeof Blob === 'function' && value instanceof Blob) return 'blob';
  // Object.create(Object.create(null)): marshall too writes it as a map.
  if (!constructor) return 'object';
  return 'instance';
}

function isArrayBufferByName(name) {
  return name === 'ArrayBuffer' || name === 'SharedArrayBuffer';
}

/** The bytes a typed array or Buffer views. */
function bytesOf(value) {
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * Without convertClassInstanceToMap marshall takes an object for a map only when its
 * `constructor` is Object or missing: a plain object with a key named `constructor` holding
 * anything else (`{ constructor: 1 }`) is refused as a class instance.
 */
function plainObjectRefused(object, convertClassInstanceToMap) {
  if (convertClassInstanceToMap) return false;
  const { constructor } = object;
  return Boolean(constructor) && constructor.name !== 'Object';
}

class ItemWriter {
  constructor(removeUndefinedValues, convertClassInstanceToMap, convertEmptyValues) {
    this.removeUndefinedValues = removeUndefinedValues;
    this.convertClassInstanceToMap = convertClassInstanceToMap;
    this.convertEmptyValues = convertEmptyValues;
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
        return this.numberText(value);
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

  numberText(number) {
    // The original's wording (util-dynamodb's), with where it is.
    if (Number.isNaN(number) || number === Infinity || number === -Infinity) {
      throw invalidInput(`Special numeric value ${number} at ${this.where()} is not allowed.`);
    }
    // Beyond ±(2^53 - 1) a double has already lost digits (2 ** 53 + 1 is 2 ** 53), and a
    // load would give a BigInt: marshall refuses such numbers, and so does this.
    if (number > Number.MAX_SAFE_INTEGER || number < Number.MIN_SAFE_INTEGER) {
      throw this.error(
        `is a number beyond ±Number.MAX_SAFE_INTEGER, which a double cannot hold exactly (the original plugin refuses it too). Store a BigInt or a NumberValue with the exact digits.`,
      );
    }
    return String(number);
  }

  writeObject(value, depth) {
    switch (objectKind(value)) {
      case 'list':
        return this.writeList(value, depth);
      case 'object':
        if (plainObjectRefused(value, this.convertClassInstanceToMap)) throw this.classInstanceRefused('an object whose constructor key is not Object');
        return this.writeProperties(value, depth);
      case 'number-value':
        return this.numberValueText(value);
      case 'set':
        return this.writeSet(value);
      case 'map':
        return this.writeMap(value, depth);
      case 'binary':
        return `$B"${encodeBase64(bytesOf(value))}"`;
      case 'boxed':
        return this.write(value.valueOf(), depth);
      case 'boxed-bigint':
        throw this.error('is a boxed BigInt (Object(5n)), which the original plugin stores as an empty map. Store the bigint itself.');
      case 'unviewed-binary':
        throw this.unviewedBinary(value);
      case 'blob':
        throw this.error('is a Blob, whose bytes can only be read asynchronously (the original plugin stores it as an empty binary). Store its bytes: new Uint8Array(await blob.arrayBuffer()).');
      case 'subclassed-collection':
        throw this.error(`is an instance of ${value.constructor?.name ?? 'a subclass'}, a subclass of Set or Map, which the original plugin stores as an empty map. Store a Set or Map.`);
      default:
        if (this.convertClassInstanceToMap) return this.writeProperties(value, depth);
        throw this.classInstanceRefused(`an instance of ${value.constructor?.name ?? 'a class'}`);
    }
  }

  classInstanceRefused(what) {
    return invalidInput(
      `Unsupported type passed at ${this.where()}: ${what}. ` +
        'Pass options.convertClassInstanceToMap=true to marshall typeof object as map attribute.',
    );
  }

  numberValueText(numberValue) {
    // util-dynamodb's does not check its text when it is made.
    if (!isDecimalText(numberValue.value)) throw this.error('is a NumberValue whose value is not a decimal number such as "1.5"');
    return numberValue.value;
  }

  writeList(list, depth) {
    this.ancestors.push(list);
    const { path } = this;
    let json = '[';
    let first = true;
    path.push(0);
    for (let index = 0; index < list.length; index++) {
      const element = list[index];
      if (typeof element === 'function' || (element === undefined && (this.removeUndefinedValues || !(index in list)))) continue;
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
    // marshall makes each key a property name (its text) and keeps the last of two keys with
    // the same text (1 and '1'): the other value would be lost.
    const names = map.size > 1 ? new Set() : undefined;
    let json = '{';
    let first = true;
    path.push('');
    for (const [key, element] of map) {
      if (typeof element === 'function' || (element === undefined && this.removeUndefinedValues)) continue;
      const name = String(key);
      path[path.length - 1] = name;
      if (names !== undefined) {
        if (names.has(name)) throw this.error('is a second key of the Map with this text (e.g. keys 1 and \'1\'); the original plugin keeps only the last one. Give the Map distinct keys.');
        names.add(name);
      }
      json += `${first ? '' : ','}${JSON.stringify(name)}:${this.write(element, depth + 1)}`;
      first = false;
    }
    path.pop();
    this.ancestors.pop();
    return `${json}}`;
  }

  /**
   * `$SS[...]`, `$NS[...]` or `$BS[...]`, the type decided by the members, as marshall
   * decides it by the first one; marshall would then convert every other member to that
   * type (a number to its text in a string set, a string to its UTF-8 bytes in a binary set),
   * which this refuses instead. The component checks duplicates and the number rules.
   */
  writeSet(set) {
    const members = [];
    for (const member of set) {
      if (member === undefined) {
        if (this.removeUndefinedValues) continue;
        throw this.error('is a Set holding undefined. Pass options.removeUndefinedValues=true to remove undefined values from map/array/set.');
      }
      members.push(member);
    }
    if (members.length === 0) {
      if (this.convertEmptyValues) return 'null';
      throw this.error('is an empty Set, which DynamoDB cannot store. Pass a non-empty set, or options.convertEmptyValues=true.');
    }
    const type = setMemberType(members[0]);
    if (type === undefined) {
      throw this.error(`is a Set holding ${kindOf(members[0])}. Only Number Set (NS), Binary Set (BS) or String Set (SS) are allowed.`);
    }
    const texts = [];
    for (const member of members) {
      const memberType = setMemberType(member);
      if (memberType !== type) {
        throw this.error(`is a Set of ${SET_TYPE_NAMES[type]} that also holds ${kindOf(member)}; a DynamoDB set holds one type: strings (SS), numbers (NS) or binary (BS).`);
      }
      texts.push(this.setMemberText(type, member));
    }
    return `$${type}[${texts.join(',')}]`;
  }

  unviewedBinary(value) {
    const kind = value instanceof DataView || value.constructor?.name === 'DataView' ? 'a DataView' : 'an ArrayBuffer';
    return this.error(`is ${kind}, which the original plugin stores as an empty binary (its bytes are lost). Store a Uint8Array over its bytes: new Uint8Array(buffer).`);
  }

  setMemberText(type, member) {
    const value = typeof member === 'object' && objectKind(member) === 'boxed' ? member.valueOf() : member;
    switch (type) {
      case 'SS':
        return JSON.stringify(String(value));
      case 'BS':
        if (objectKind(value) === 'unviewed-binary') throw this.unviewedBinary(value);
        return `"${encodeBase64(bytesOf(value))}"`;
      default:
        if (typeof value === 'number') return this.numberText(value);
        if (typeof value === 'bigint') return value.toString();
        return this.numberValueText(value);
    }
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

const SET_TYPE_NAMES = { SS: 'strings', NS: 'numbers', BS: 'binary data' };

/** The set type a member makes: 'SS', 'NS', 'BS', or undefined for a member no set may hold. */
function setMemberType(member) {
  switch (typeof member) {
    case 'string':
      return 'SS';
    case 'number':
    case 'bigint':
      return 'NS';
    case 'object':
      if (member === null) return undefined;
      switch (objectKind(member)) {
        case 'number-value':
          return 'NS';
        case 'binary':
        case 'unviewed-binary':
          return 'BS';
        case 'boxed': {
          const type = typeof member.valueOf();
          return type === 'string' ? 'SS' : type === 'number' ? 'NS' : undefined;
        }
        default:
          return undefined;
      }
    default:
      return undefined;
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
