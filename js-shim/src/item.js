// Items cross into the component as JSON text. JavaScript values that JSON cannot carry are
// handled here first, the way `marshall` of @aws-sdk/util-dynamodb handles them with the
// plugin's `libraryConfig.marshall` options:
//   undefined          dropped with removeUndefinedValues, an error otherwise
//   functions          dropped, in objects and arrays
//   class instances    their enumerable properties with convertClassInstanceToMap (a Date
//                      becomes {} as in the original), an error otherwise
//   Map                an object; boxed primitives their value; bigint keeps every digit
//   NaN, Infinity      an error, as in the original
//   Set, binary        an error: a JSON item has no set or binary type
// `convertEmptyValues` is left to the component (its marshall-options).
import { DynamoDbError } from './errors.js';

/** The JSON text of `item` for the component's `save-user`. */
export function itemToJson(item, marshallOptions = {}) {
  return new ItemWriter(marshallOptions).write(item, 'item', new Set());
}

class ItemWriter {
  constructor({ removeUndefinedValues = false, convertClassInstanceToMap = false }) {
    this.removeUndefinedValues = removeUndefinedValues;
    this.convertClassInstanceToMap = convertClassInstanceToMap;
  }

  write(value, path, ancestors) {
    if (value === undefined) {
      throw invalidInput(`${path} is undefined. Pass options.removeUndefinedValues=true to remove undefined values from map/array/set.`);
    }
    if (value === null) return 'null';
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return JSON.stringify(value);
      case 'number':
        return this.writeNumber(value, path);
      case 'bigint':
        return value.toString();
      case 'object':
        return this.writeObject(value, path, ancestors);
      default:
        throw invalidInput(`${path} is a ${typeof value}, which DynamoDB cannot store.`);
    }
  }

  writeNumber(value, path) {
    if (!Number.isFinite(value)) throw invalidInput(`Special numeric value ${value} at ${path} is not allowed.`);
    return JSON.stringify(value);
  }

  writeObject(value, path, ancestors) {
    if (ancestors.has(value)) throw invalidInput(`${path} refers back to itself; a circular structure cannot be stored.`);
    ancestors.add(value);
    try {
      return this.writeObjectOnce(value, path, ancestors);
    } finally {
      ancestors.delete(value);
    }
  }

  writeObjectOnce(value, path, ancestors) {
    const kind = value.constructor?.name;
    if (Array.isArray(value)) return this.writeList(value, path, ancestors);
    if (kind === 'Map') return this.writeMap(value.entries(), path, ancestors);
    if (kind === 'Object' || !value.constructor) return this.writeMap(enumerableEntries(value), path, ancestors);
    if (kind === 'Boolean' || kind === 'Number' || kind === 'String') return this.write(value.valueOf(), path, ancestors);
    if (kind === 'Set') throw invalidInput(`${path} is a Set; a JSON item has no set type, use an array.`);
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      throw invalidInput(`${path} is binary data; a JSON item has no binary type, encode it as a string (e.g. base64).`);
    }
    if (this.convertClassInstanceToMap) return this.writeMap(enumerableEntries(value), path, ancestors);
    throw invalidInput(
      `Unsupported type passed at ${path}: an instance of ${kind ?? 'a class'}. ` +
        'Pass options.convertClassInstanceToMap=true to marshall typeof object as map attribute.',
    );
  }

  writeList(values, path, ancestors) {
    const parts = [];
    values.forEach((element, index) => {
      if (this.isDropped(element)) return;
      parts.push(this.write(element, `${path}[${index}]`, ancestors));
    });
    return `[${parts.join(',')}]`;
  }

  writeMap(entries, path, ancestors) {
    const parts = [];
    for (const [key, element] of entries) {
      if (this.isDropped(element)) continue;
      parts.push(`${JSON.stringify(String(key))}:${this.write(element, `${path}.${key}`, ancestors)}`);
    }
    return `{${parts.join(',')}}`;
  }

  isDropped(value) {
    return typeof value === 'function' || (value === undefined && this.removeUndefinedValues);
  }
}

// util-dynamodb walks objects with for...in: own and inherited enumerable properties.
function* enumerableEntries(object) {
  for (const key in object) yield [key, object[key]];
}

function invalidInput(message) {
  return new DynamoDbError('invalid-input', message);
}
