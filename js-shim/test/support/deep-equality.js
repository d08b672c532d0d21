// Comparisons for the property tests, each returning the places where two values differ
// (not just true/false), so that a known, listed difference can be told from a new one.
//   compareLoaded      two loaded JavaScript values: knows Set (members in any order), BigInt,
//                      typed arrays and Buffer (class and bytes), NumberValue (its digits),
//                      -0, and objects by their own enumerable keys
//   compareAttributes  two raw DynamoDB attribute values: SS, NS and BS as sets (DynamoDB
//                      keeps no member order), N by its exact text, B by its bytes
// Both take `tolerate(ours, original, path)`, asked at each place that differs: the name of
// the listed difference that explains it, or null. Unexplained places are returned.

/**
 * @returns {{ unexplained: Array<{ path: string, ours: unknown, original: unknown }>, explained: string[] }}
 */
export function compareLoaded(ours, original, tolerate = () => null, path = 'item') {
  const result = { unexplained: [], explained: [] };
  walkLoaded(ours, original, path, tolerate, result);
  return result;
}

function walkLoaded(ours, original, path, tolerate, result) {
  if (sameLeaf(ours, original)) return;
  const differ = () => {
    const name = tolerate(ours, original, path);
    if (name) result.explained.push(name);
    else result.unexplained.push({ path, ours, original });
  };
  if (ours instanceof Set && original instanceof Set) {
    const matched = matchMembers([...ours], [...original], (a, b) => compareLoaded(a, b, tolerate, `${path}[member]`));
    if (matched) result.explained.push(...matched);
    else differ();
    return;
  }
  if (Array.isArray(ours) && Array.isArray(original)) {
    if (ours.length !== original.length) return differ();
    for (let index = 0; index < ours.length; index++) walkLoaded(ours[index], original[index], `${path}[${index}]`, tolerate, result);
    return;
  }
  if (isPlainObject(ours) && isPlainObject(original)) {
    const keys = Object.keys(ours).sort();
    const originalKeys = Object.keys(original).sort();
    if (keys.length !== originalKeys.length || keys.some((key, index) => key !== originalKeys[index])) return differ();
    for (const key of keys) walkLoaded(ours[key], original[key], `${path}.${key}`, tolerate, result);
    return;
  }
  differ();
}

/** Equal scalars: same type and value; binary by class and bytes; NumberValue by digits. */
function sameLeaf(ours, original) {
  if (Object.is(ours, original)) return true;
  if (ArrayBuffer.isView(ours) && ArrayBuffer.isView(original)) {
    return ours.constructor === original.constructor && bytesOf(ours).equals(bytesOf(original));
  }
  if (isNumberValue(ours) && isNumberValue(original)) return ours.value === original.value;
  return false;
}

/**
 * Pairs every member of `ours` with a member of `original` that compares equal (explained
 * differences allowed); the names of the differences used, or null when some member has no
 * partner. Sets are small here, so trying every pair is fine.
 */
function matchMembers(ours, original, compare) {
  if (ours.length !== original.length) return null;
  const free = new Set(original.keys());
  const explained = [];
  for (const member of ours) {
    let partner = -1;
    for (const index of free) {
      const { unexplained, explained: names } = compare(member, original[index]);
      if (unexplained.length === 0) {
        partner = index;
        explained.push(...names);
        break;
      }
    }
    if (partner < 0) return null;
    free.delete(partner);
  }
  return explained;
}

function isPlainObject(value) {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

export function isNumberValue(value) {
  return value !== null && typeof value === 'object' && value.constructor?.name?.endsWith('NumberValue') && typeof value.value === 'string';
}

export function bytesOf(view) {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** Same result shape as compareLoaded, for raw attribute values ({ S: ... }, { M: {...} }, ...). */
export function compareAttributes(ours, original, tolerate = () => null, path = 'item') {
  const result = { unexplained: [], explained: [] };
  walkAttributes(ours, original, path, tolerate, result);
  return result;
}

function walkAttributes(ours, original, path, tolerate, result) {
  const type = typeOf(ours);
  const differ = () => {
    const name = tolerate(ours, original, path);
    if (name) result.explained.push(name);
    else result.unexplained.push({ path, ours, original });
  };
  if (type !== typeOf(original)) return differ();
  switch (type) {
    case 'M': {
      const keys = Object.keys(ours.M).sort();
      const originalKeys = Object.keys(original.M).sort();
      if (keys.length !== originalKeys.length || keys.some((key, index) => key !== originalKeys[index])) return differ();
      for (const key of keys) walkAttributes(ours.M[key], original.M[key], `${path}.${key}`, tolerate, result);
      return;
    }
    case 'L':
      if (ours.L.length !== original.L.length) return differ();
      for (let index = 0; index < ours.L.length; index++) walkAttributes(ours.L[index], original.L[index], `${path}[${index}]`, tolerate, result);
      return;
    case 'SS':
    case 'NS':
    case 'BS':
      if (!sameMembers(ours[type], original[type])) differ();
      return;
    case 'B':
      if (!bytesOf(ours.B).equals(bytesOf(original.B))) differ();
      return;
    default:
      if (!Object.is(ours[type], original[type])) differ();
  }
}

function typeOf(attribute) {
  const types = Object.keys(attribute ?? {}).filter((key) => attribute[key] !== undefined);
  return types.length === 1 ? types[0] : `invalid(${types.join(',')})`;
}

/** Set members as sets: the same members, each once, in any order (B members by bytes). */
function sameMembers(ours, original) {
  const key = (member) => (typeof member === 'string' ? `s:${member}` : `b:${bytesOf(member).toString('base64')}`);
  const keys = ours.map(key).sort();
  const originalKeys = original.map(key).sort();
  return keys.length === originalKeys.length && keys.every((member, index) => member === originalKeys[index]);
}

/** A raw item in a stable, readable text: set members sorted, binary as base64. */
export function describeAttributes(item) {
  return JSON.stringify(canonical({ M: item }).M);
}

function canonical(attribute) {
  const type = typeOf(attribute);
  switch (type) {
    case 'M':
      return { M: Object.fromEntries(Object.keys(attribute.M).sort().map((key) => [key, canonical(attribute.M[key])])) };
    case 'L':
      return { L: attribute.L.map(canonical) };
    case 'B':
      return { B: bytesOf(attribute.B).toString('base64') };
    case 'BS':
      return { BS: attribute.BS.map((member) => bytesOf(member).toString('base64')).sort() };
    case 'SS':
    case 'NS':
      return { [type]: [...attribute[type]].sort() };
    default:
      return attribute;
  }
}
