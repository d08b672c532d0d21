// Base64 (RFC 4648, standard alphabet, padded) for binary attributes in item text (`$B"..."`,
// `$BS[...]`). The plugin and the edge entry share this module, and the edge entry runs where
// there is no Buffer (browsers, workerd, Deno without Node compatibility), so it uses, in order:
// the runtime's Uint8Array.prototype.toBase64 / Uint8Array.fromBase64 (TC39, in recent
// browsers), Node's Buffer (native; for a 100 KB attribute ~20x faster than the loop below),
// and a small codec of its own. All three give the same text and bytes.
//
// Decoding is strict: the component copies DynamoDB's base64, which is canonical; anything
// else means a broken response, and the caller reports it as malformed-response.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

const nativeToBase64 = typeof Uint8Array.prototype.toBase64 === 'function';
const nativeFromBase64 = typeof Uint8Array.fromBase64 === 'function';
const NodeBuffer = typeof globalThis.Buffer === 'function' ? globalThis.Buffer : undefined;

/** The base64 text of `bytes`. */
export function encodeBase64(bytes) {
  if (nativeToBase64) return bytes.toBase64();
  if (NodeBuffer !== undefined) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return encodeOwn(bytes);
}

/**
 * The bytes of base64 `text`, as a Uint8Array of their own (never a Buffer, nor a view of a
 * shared pool). Throws a SyntaxError when `text` is not canonical padded base64.
 */
export function decodeBase64(text) {
  if (text.length % 4 !== 0) throw malformed();
  if (nativeFromBase64) {
    try {
      return Uint8Array.fromBase64(text, { lastChunkHandling: 'strict' });
    } catch {
      throw malformed();
    }
  }
  const size = decodedSize(text);
  if (NodeBuffer !== undefined) {
    // Node's decoder skips characters outside the alphabet instead of failing; it then
    // yields fewer bytes than the text's length says, which is how a bad text shows.
    const decoded = NodeBuffer.from(text, 'base64');
    if (decoded.length !== size || !hasCanonicalTail(text)) throw malformed();
    const bytes = new Uint8Array(size);
    bytes.set(decoded);
    return bytes;
  }
  return decodeOwn(text);
}

function decodedSize(text) {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

// The bits a last, padded group does not use must be zero (RFC 4648 section 3.5), so that
// every byte string has exactly one text.
function hasCanonicalTail(text) {
  if (text.endsWith('==')) return (ALPHABET.indexOf(text[text.length - 3]) & 0x0f) === 0;
  if (text.endsWith('=')) return (ALPHABET.indexOf(text[text.length - 2]) & 0x03) === 0;
  return true;
}

function encodeOwn(bytes) {
  let text = '';
  let index = 0;
  for (; index + 2 < bytes.length; index += 3) {
    const group = (bytes[index] << 16) | (bytes[index + 1] << 8) | bytes[index + 2];
    text += ALPHABET[group >> 18] + ALPHABET[(group >> 12) & 63] + ALPHABET[(group >> 6) & 63] + ALPHABET[group & 63];
  }
  const rest = bytes.length - index;
  if (rest === 1) {
    const group = bytes[index] << 16;
    text += `${ALPHABET[group >> 18]}${ALPHABET[(group >> 12) & 63]}==`;
  } else if (rest === 2) {
    const group = (bytes[index] << 16) | (bytes[index + 1] << 8);
    text += `${ALPHABET[group >> 18]}${ALPHABET[(group >> 12) & 63]}${ALPHABET[(group >> 6) & 63]}=`;
  }
  return text;
}

const SEXTETS = new Int8Array(128).fill(-1);
for (let index = 0; index < ALPHABET.length; index++) SEXTETS[ALPHABET.charCodeAt(index)] = index;

function sextet(text, index) {
  const code = text.charCodeAt(index);
  const value = code < 128 ? SEXTETS[code] : -1;
  if (value < 0) throw malformed();
  return value;
}

function decodeOwn(text) {
  if (text.length % 4 !== 0 || !hasCanonicalTail(text)) throw malformed();
  const size = decodedSize(text);
  const bytes = new Uint8Array(size);
  let at = 0;
  for (let index = 0; index < text.length; index += 4) {
    const last = index + 4 === text.length;
    // Padding only at the very end: '==' or '=' (decodedSize counted it).
    const third = last && size % 3 === 1 ? 0 : sextet(text, index + 2);
    const fourth = last && size % 3 !== 0 ? 0 : sextet(text, index + 3);
    const group = (sextet(text, index) << 18) | (sextet(text, index + 1) << 12) | (third << 6) | fourth;
    bytes[at++] = group >> 16;
    if (at < size) bytes[at++] = (group >> 8) & 0xff;
    if (at < size) bytes[at++] = group & 0xff;
  }
  return bytes;
}

function malformed() {
  return new SyntaxError('binary data that is not canonical base64');
}

/** For tests: the codec of its own, which runtimes without Buffer or toBase64 use. */
export const ownCodec = { encode: encodeOwn, decode: decodeOwn };
