// User stories of sets and binary data (issue 17), through the plugin and the edge entry
// against dynalite, each checked in the raw attribute values the AWS SDK reads: a Set is
// stored as SS, NS or BS and binary data as B, as the original plugin (util-dynamodb's
// marshall) stores them; they load as unmarshall gives them (Set, Uint8Array), so a load
// and a save change no type. Where marshall would store something other than the app's data,
// the save is refused with invalid-input naming the attribute, and nothing is stored.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDb as OriginalDynamoDb } from '@jovotech/db-dynamodb';
import { NumberValueImpl as SdkNumberValue, unmarshall } from '@aws-sdk/util-dynamodb';
import { DynamoDb, NumberValue } from '../src/index.js';
import { ownCodec } from '../src/base64.js';
import { openStore } from '../src/edge/index.js';
import { parseItemJson } from '../src/json.js';
import { TEST_CREDENTIALS, dynamoDbClientConfig, pluginConfig } from './support/config.js';
import { startDynalite } from './support/dynalite.js';
import { itemLoadedByOurs, rawItem, saveUserDataWithOurs } from './support/items.js';

const BIG = 12345678901234567890123n;
const DECIMAL_38 = '0.12345678901234567890123456789012345678';

let dynalite;
let tableName;
let original;
const closers = [];
before(async () => {
  dynalite = await startDynalite({ createTableMs: 50 });
  const setup = new DynamoDb(pluginConfig(dynalite.endpoint));
  closers.push(() => setup.close());
  await setup.initialize();
  tableName = setup.config.table.name;
  original = new OriginalDynamoDb({ table: { name: tableName }, libraryConfig: { dynamoDbClient: dynamoDbClientConfig(dynalite.endpoint) } });
  closers.push(() => original.client.destroy());
});
after(async () => {
  for (const close of closers) await close();
  await dynalite?.stop();
});

/**
 * The plugin and the edge entry on the same table, with the same marshall options, each
 * saving and loading a user's `user.data`.
 */
async function subjects(marshall) {
  const plugin = new DynamoDb({
    table: { name: tableName },
    libraryConfig: { dynamoDbClient: dynamoDbClientConfig(dynalite.endpoint), ...(marshall ? { marshall } : {}) },
  });
  if (marshall) plugin.config.libraryConfig.marshall = marshall; // exactly these, no defaults merged
  const store = await openStore({
    table: { name: tableName },
    client: { endpoint: dynalite.endpoint, region: 'us-east-1', credentials: { ...TEST_CREDENTIALS } },
    ...(marshall ? { marshall } : {}),
  });
  closers.push(() => plugin.close());
  return [
    {
      name: 'the plugin',
      save: (userId, data) => saveUserDataWithOurs(plugin, userId, data),
      load: async (userId) => (await itemLoadedByOurs(plugin, userId))?.user.data,
    },
    {
      name: 'the edge entry',
      save: (userId, data) => store.saveUser(userId, { user: { data } }),
      load: async (userId) => (await store.loadUser(userId))?.user.data,
    },
  ];
}

/** The raw attribute values of the user's data, as the AWS SDK reads them. */
async function storedData(userId) {
  return (await rawItem(original, userId))?.user.M.data.M;
}

/** Saves `data` through the original plugin and returns its raw attribute values. */
async function storedByOriginal(userId, data) {
  await saveUserDataWithOurs(original, userId, data);
  return storedData(userId);
}

function bytes(...values) {
  return new Uint8Array(values);
}

describe('sets and binary data are stored as the original plugin stores them', () => {
  const data = {
    tags: new Set(['sports', 'news', '']),
    scores: new Set([1, 2.5, -3, 0.1]),
    bigScores: new Set([BIG, 7n]),
    avatar: bytes(0, 1, 2, 254, 255),
    fromBuffer: Buffer.from('hello'),
    part: bytes(9, 8, 7, 6).subarray(1, 3),
    empty: new Uint8Array(0),
    keys: new Set([bytes(1), bytes(2, 3), new Uint8Array(0)]),
    nested: { list: [new Set(['a']), bytes(42)] },
  };

  test('SS, NS, BS and B, nested too, with the same raw attribute values as the original', async () => {
    const expected = await storedByOriginal('types-original', data);
    assert.deepEqual(expected.tags, { SS: ['sports', 'news', ''] });
    assert.deepEqual(expected.avatar, { B: bytes(0, 1, 2, 254, 255) });
    for (const subject of await subjects()) {
      await subject.save('types-ours', data);
      assert.deepEqual(await storedData('types-ours'), expected, subject.name);
    }
  });

  test('they load as unmarshall gives them: Sets, and Uint8Arrays (not Buffers)', async () => {
    for (const subject of await subjects()) {
      await subject.save('types-load', data);
      const loaded = await subject.load('types-load');
      const unmarshalled = unmarshall(await rawItem(original, 'types-load')).user.data;
      assert.deepEqual(loaded, unmarshalled, subject.name);
      assert.deepEqual(loaded.tags, new Set(['sports', 'news', '']));
      // Members load as N does: 7n comes back as the number 7, as unmarshall gives it.
      assert.deepEqual(loaded.bigScores, new Set([BIG, 7]));
      assert.equal(Object.getPrototypeOf(loaded.fromBuffer), Uint8Array.prototype, 'a Buffer loads as a Uint8Array');
      assert.deepEqual(loaded.fromBuffer, new Uint8Array(Buffer.from('hello')));
      assert.deepEqual(loaded.part, bytes(8, 7), 'a view loads as the bytes it viewed');
      assert.equal(loaded.avatar.buffer.byteLength, 5, 'each Uint8Array has a buffer of its own');
    }
  });

  test('a number set holds numbers, BigInts and NumberValues (ours and util-dynamodb\'s) with their digits', async () => {
    const scores = new Set([1, BIG, new NumberValue(DECIMAL_38), new SdkNumberValue('-1.00000000000000000001')]);
    for (const subject of await subjects()) {
      await subject.save('number-set', { scores });
      // DynamoDB keeps no member order: compared as sets.
      assert.deepEqual(new Set((await storedData('number-set')).scores.NS), new Set(['1', String(BIG), DECIMAL_38, '-1.00000000000000000001']), subject.name);
      const loaded = [...(await subject.load('number-set')).scores];
      // Each member loads as a number attribute does: number, BigInt or NumberValue. unmarshall
      // gives the first two alike, and rounds the two decimals to doubles.
      assert.deepEqual(new Set(loaded.filter((member) => !(member instanceof NumberValue))), new Set([1, BIG]));
      assert.deepEqual(new Set(loaded.filter((member) => member instanceof NumberValue).map(String)), new Set([DECIMAL_38, '-1.00000000000000000001']));
    }
  });

  test('typed arrays are stored as the bytes they view; an ArrayBuffer or a DataView is refused, not stored empty', async () => {
    const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    const data = {
      words: new Uint16Array([0x0102]),
      offset: new Uint8Array(bytes(9, 8, 7).buffer, 1, 2),
      floats: new Set([new Float64Array([1.5]), bytes(1)]),
    };
    for (const subject of await subjects()) {
      await subject.save('binary-kinds', data);
      const stored = await storedData('binary-kinds');
      assert.deepEqual(stored.words, { B: littleEndian ? bytes(2, 1) : bytes(1, 2) }, subject.name);
      assert.deepEqual(stored.offset, { B: bytes(8, 7) });
      assert.deepEqual(new Set(stored.floats.BS.map((member) => String([...member]))), new Set([String([...new Uint8Array(new Float64Array([1.5]).buffer)]), '1']));
      assert.deepEqual((await subject.load('binary-kinds')).offset, bytes(8, 7));
      // The original's SDK writes these as empty binaries: refused, naming the attribute.
      for (const [name, value, kind] of [
        ['buffer', bytes(5, 6).buffer, 'an ArrayBuffer'],
        ['emptyBuffer', new ArrayBuffer(0), 'an ArrayBuffer'],
        ['view', new DataView(bytes(9, 8, 7).buffer, 1, 2), 'a DataView'],
        ['inSet', new Set([bytes(1), bytes(2).buffer]), 'a Set of binary that also holds|an ArrayBuffer'],
      ]) {
        await assert.rejects(
          subject.save('binary-refused', { [name]: value }),
          { code: 'invalid-input', message: new RegExp(`item\\.user\\.data\\.${name}.*(${kind})`) },
          `${subject.name} ${name}`,
        );
      }
    }
  });
});

describe('no load and save changes a type', () => {
  test('sets and binary saved by the original load as Set and Uint8Array and are saved back unchanged', async () => {
    const data = {
      tags: new Set(['a', 'b']),
      ids: new Set([BIG, 3n]),
      precise: new Set([new SdkNumberValue(DECIMAL_38), new SdkNumberValue('2')]),
      blobs: new Set([bytes(1), bytes(255)]),
      raw: bytes(0, 0, 7),
      visits: 3,
    };
    for (const subject of await subjects()) {
      const userId = `cycle-${subject.name}`;
      const stored = await storedByOriginal(userId, data);
      await subject.save(userId, await subject.load(userId));
      assert.deepEqual(await storedData(userId), stored, subject.name);
    }
  });
});

describe('marshall options apply to sets and binary as in the original', () => {
  test('undefined members are dropped with removeUndefinedValues, refused without it', async () => {
    const expected = await storedByOriginal('undefined-member-original', { tags: new Set(['a', undefined]) });
    for (const subject of await subjects()) {
      await subject.save('undefined-member', { tags: new Set(['a', undefined]) });
      assert.deepEqual(await storedData('undefined-member'), expected, subject.name);
    }
    for (const subject of await subjects({ removeUndefinedValues: false, convertClassInstanceToMap: true })) {
      await assert.rejects(subject.save('undefined-member-strict', { tags: new Set(['a', undefined]) }), {
        code: 'invalid-input',
        message: /item\.user\.data\.tags is a Set holding undefined\. Pass options\.removeUndefinedValues=true/,
      }, subject.name);
    }
  });

  test('an empty Set is refused, or stored as NULL with convertEmptyValues; an empty binary too', async () => {
    for (const subject of await subjects()) {
      await assert.rejects(subject.save('empty-set', { tags: new Set() }), { code: 'invalid-input', message: /item\.user\.data\.tags is an empty Set/ }, subject.name);
      await assert.rejects(subject.save('empty-set', { tags: new Set([undefined]) }), { code: 'invalid-input', message: /is an empty Set/ }, subject.name);
    }
    const options = { removeUndefinedValues: true, convertClassInstanceToMap: true, convertEmptyValues: true };
    const data = { tags: new Set(), avatar: new Uint8Array(0), name: '' };
    await saveUserDataWithOurs(new OriginalDynamoDb({ table: { name: tableName }, libraryConfig: { dynamoDbClient: dynamoDbClientConfig(dynalite.endpoint), marshall: options } }), 'empty-values-original', data);
    const expected = await storedData('empty-values-original');
    assert.deepEqual(expected, { tags: { NULL: true }, avatar: { NULL: true }, name: { NULL: true } });
    for (const subject of await subjects(options)) {
      await subject.save('empty-values', data);
      assert.deepEqual(await storedData('empty-values'), expected, subject.name);
    }
  });
});

describe('what the original would store other than the app\'s data is refused, naming the attribute', () => {
  const REFUSED = [
    ['a Set of strings and a number (the original: the number as text)', { tags: new Set(['a', 1]) }, /item\.user\.data\.tags is a Set of strings that also holds a number/],
    ['a Set of numbers and a string (DynamoDB: a validation error)', { tags: new Set([1, 'a']) }, /item\.user\.data\.tags is a Set of numbers that also holds a string/],
    ['a Set of binary and a string (the original: the string\'s UTF-8 bytes)', { tags: new Set([bytes(1), 'a']) }, /is a Set of binary data that also holds a string/],
    ['a Set of Sets', { tags: new Set([new Set(['a'])]) }, /is a Set holding an object \(Set\)\. Only Number Set \(NS\), Binary Set \(BS\) or String Set \(SS\)/],
    ['a Set of booleans', { flags: new Set([true]) }, /item\.user\.data\.flags is a Set holding a boolean/],
    ['a Blob (the original: an empty binary)', { avatar: new Blob(['x']) }, /item\.user\.data\.avatar is a Blob/],
    ['a number in a Set beyond 2^53', { ids: new Set([2 ** 53 + 1]) }, /item\.user\.data\.ids is a number beyond ±Number\.MAX_SAFE_INTEGER/],
    ['NaN in a Set', { ids: new Set([Number.NaN]) }, /Special numeric value NaN at item\.user\.data\.ids/],
    ['a subclass of Set (the original: an empty map)', { tags: new (class TagSet extends Set {})(['a']) }, /item\.user\.data\.tags is an instance of TagSet, a subclass of Set or Map/],
  ];
  for (const [what, data, message] of REFUSED) {
    test(what, async () => {
      for (const subject of await subjects()) {
        await assert.rejects(subject.save('refused', data), { code: 'invalid-input', message }, subject.name);
        assert.equal(await rawItem(original, 'refused'), undefined, 'nothing was stored');
      }
    });
  }

  test('a Set whose members DynamoDB counts as duplicates (1 and 1n, equal bytes) is refused by the component', async () => {
    for (const subject of await subjects()) {
      for (const data of [{ ids: new Set([1, 1n]) }, { ids: new Set([1, new NumberValue('1.0')]) }, { keys: new Set([bytes(1), bytes(1)]) }]) {
        await assert.rejects(subject.save('duplicates', data), { code: 'invalid-input', message: /'user\.data\.(ids|keys)'.*holds one member twice/ }, subject.name);
      }
    }
    assert.equal(await rawItem(original, 'duplicates'), undefined, 'nothing was stored');
  });
});

describe('the differences the first comparison with the original found (issue 17, item 7)', () => {
  test('a number beyond ±(2^53 - 1) is refused, as the original refuses it: a double has lost its digits', async () => {
    for (const value of [2 ** 53 + 1, 1e21, -1e300]) {
      await assert.rejects(saveUserDataWithOurs(original, 'too-big', { value }), /greater than|lesser than/);
      for (const subject of await subjects()) {
        await assert.rejects(subject.save('too-big', { value }), { code: 'invalid-input', message: /item\.user\.data\.value is a number beyond ±Number\.MAX_SAFE_INTEGER.*BigInt or a NumberValue/ }, subject.name);
      }
    }
  });

  test('a boxed BigInt is refused: the original stores it as an empty map', async () => {
    assert.deepEqual(await storedByOriginal('boxed-bigint-original', { value: Object(5n) }), { value: { M: {} } });
    for (const subject of await subjects()) {
      await assert.rejects(subject.save('boxed-bigint', { value: Object(5n) }), { code: 'invalid-input', message: /item\.user\.data\.value is a boxed BigInt/ }, subject.name);
    }
  });

  test('holes of a sparse array are dropped with removeUndefinedValues off, as in the original', async () => {
    const options = { removeUndefinedValues: false, convertClassInstanceToMap: true };
    // eslint-disable-next-line no-sparse-arrays
    const data = { list: [1, , 3] };
    const originalPlugin = new OriginalDynamoDb({ table: { name: tableName }, libraryConfig: { dynamoDbClient: dynamoDbClientConfig(dynalite.endpoint), marshall: options } });
    await saveUserDataWithOurs(originalPlugin, 'sparse-original', data);
    const expected = await storedData('sparse-original');
    assert.deepEqual(expected, { list: { L: [{ N: '1' }, { N: '3' }] } });
    for (const subject of await subjects(options)) {
      await subject.save('sparse', data);
      assert.deepEqual(await storedData('sparse'), expected, subject.name);
      await assert.rejects(subject.save('sparse', { list: [1, undefined] }), { code: 'invalid-input', message: /item\.user\.data\.list\[1\] is undefined/ });
    }
  });

  test('without convertClassInstanceToMap, { constructor: 1 } is refused and Object.create({ inherited: 1 }) stored, as in the original', async () => {
    const options = { removeUndefinedValues: true, convertClassInstanceToMap: false };
    const originalPlugin = new OriginalDynamoDb({ table: { name: tableName }, libraryConfig: { dynamoDbClient: dynamoDbClientConfig(dynalite.endpoint), marshall: options } });
    await assert.rejects(saveUserDataWithOurs(originalPlugin, 'constructor-key', { value: { constructor: 1 } }), /convertClassInstanceToMap=true/);
    await saveUserDataWithOurs(originalPlugin, 'inherited-original', { value: Object.create({ inherited: 1 }) });
    const expected = await storedData('inherited-original');
    assert.deepEqual(expected, { value: { M: { inherited: { N: '1' } } } });
    for (const subject of await subjects(options)) {
      await assert.rejects(subject.save('constructor-key', { value: { constructor: 1 } }), {
        code: 'invalid-input',
        message: /at item\.user\.data\.value: an object whose constructor key is not Object\. Pass options\.convertClassInstanceToMap=true/,
      }, subject.name);
      await subject.save('inherited', { value: Object.create({ inherited: 1 }) });
      assert.deepEqual(await storedData('inherited'), expected, subject.name);
    }
    // With the default (convertClassInstanceToMap on) both store a map holding the key.
    for (const subject of await subjects()) {
      await subject.save('constructor-key', { value: { constructor: 1 } });
      assert.deepEqual(await storedData('constructor-key'), { value: { M: { constructor: { N: '1' } } } }, subject.name);
    }
  });

  test('a Map with keys 1 and \'1\' is refused: the original keeps only the last value', async () => {
    assert.deepEqual(await storedByOriginal('map-keys-original', { byId: new Map([[1, 'a'], ['1', 'b']]) }), { byId: { M: { 1: { S: 'b' } } } });
    for (const subject of await subjects()) {
      await assert.rejects(subject.save('map-keys', { byId: new Map([[1, 'a'], ['1', 'b']]) }), {
        code: 'invalid-input',
        message: /item\.user\.data\.byId\.1 is a second key of the Map with this text/,
      }, subject.name);
    }
  });
});

describe('reading the component\'s item text', () => {
  test('the four tagged forms load as unmarshall gives them; whitespace inside the brackets is JSON\'s', () => {
    const loaded = parseItemJson('{"b":$B"AAH/","e":$B"","ss":$SS["a", "", "\\u00e9"],"ns":$NS[ 1 ,2.5,-0.1,12345678901234567890123,1e-130 ],"bs":$BS["AQ==",""],"l":[$SS["x"]]}');
    assert.deepEqual(loaded, {
      b: bytes(0, 1, 255),
      e: new Uint8Array(0),
      ss: new Set(['a', '', '\u00e9']),
      ns: new Set([1, 2.5, -0.1, BIG, 1e-130]),
      bs: new Set([bytes(1), new Uint8Array(0)]),
      l: [new Set(['x'])],
    });
  });

  test('a $ inside a string is an ordinary character', () => {
    const text = '{"price":"$5","t":":$SS[","$B":"$B\\"AQ==\\""}';
    assert.deepEqual(parseItemJson(text), JSON.parse(text));
  });

  test('a malformed tag is malformed-response (the component never sends one)', () => {
    for (const text of ['{"a":$X[1]}', '{"a":$ss["x"]}', '{"a":$SS[]}', '{"a":$SS[1]}', '{"a":$NS["1"]}', '{"a":$SS["x","x"]}', '{"a":$B"AQ="}', '{"a":$B"AB=="}', '{"a":$B "AQ=="}', '{"a":$BS["AQ=="}', '{"a":$B"A Q=="}']) {
      assert.throws(() => parseItemJson(text), { name: 'DynamoDbError', code: 'malformed-response' }, text);
    }
  });

  test('the codec of its own (no Buffer, no toBase64) gives Buffer\'s text and bytes and refuses what is not canonical', () => {
    for (let length = 0; length < 70; length++) {
      const data = new Uint8Array(length).map((_, index) => (index * 37 + length) % 256);
      const text = Buffer.from(data).toString('base64');
      assert.equal(ownCodec.encode(data), text);
      assert.deepEqual(ownCodec.decode(text), data);
    }
    for (const text of ['A', 'AA=A', 'A===', 'AB==', 'AAB=', 'AA!A', 'AA==AAAA', '====']) {
      assert.throws(() => ownCodec.decode(text), SyntaxError, text);
    }
  });
});

describe('the edge entry where there is no Buffer (browsers, workerd)', () => {
  test('loaded without Buffer, it saves and loads binary data and binary sets with its own base64', async () => {
    const edge = fileURLToPath(new URL('../src/edge/index.js', import.meta.url));
    const script = `
      // The codec is chosen when the module loads: no Buffer then. (Node's fetch needs it
      // back afterwards; browsers and workerd have none at all.)
      const buffer = globalThis.Buffer;
      globalThis.Buffer = undefined;
      const { openStore } = await import(${JSON.stringify(edge)});
      globalThis.Buffer = buffer;
      const store = await openStore({ table: { name: process.env.TABLE }, client: { endpoint: process.env.ENDPOINT, region: 'us-east-1', credentials: ${JSON.stringify(TEST_CREDENTIALS)} } });
      const avatar = new Uint8Array(1000).map((_, index) => (index * 7) % 256);
      await store.saveUser('no-buffer', { user: { data: { avatar, keys: new Set([new Uint8Array([1, 2]), new Uint8Array([255])]) } } });
      const { user } = await store.loadUser('no-buffer');
      console.log(JSON.stringify({ same: user.data.avatar.every((byte, index) => byte === avatar[index]) && user.data.avatar.length === 1000, keys: [...user.data.keys].map((key) => [...key]), isBuffer: Buffer.isBuffer(user.data.avatar) }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, TABLE: tableName, ENDPOINT: dynalite.endpoint },
    });
    const loaded = JSON.parse(stdout);
    assert.deepEqual({ ...loaded, keys: new Set(loaded.keys.map(String)) }, { same: true, keys: new Set(['1,2', '255']), isBuffer: false });
    const stored = await storedData('no-buffer');
    assert.deepEqual(stored.avatar.B, new Uint8Array(1000).map((_, index) => (index * 7) % 256));
    assert.deepEqual(new Set(stored.keys.BS.map(String)), new Set(['1,2', '255']));
  });
});
