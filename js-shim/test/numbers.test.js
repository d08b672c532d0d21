// User stories of numbers a double cannot hold: integers beyond ±(2^53 - 1) load as BigInt
// (as util-dynamodb's unmarshall, and so the original plugin, gives them), other numbers as
// number, and decimals with more digits than a double keeps as NumberValue; every load→save
// cycle, in the plugin and the edge entry, stores the same digits again.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { DynamoDb as OriginalDynamoDb } from '@jovotech/db-dynamodb';
import { NumberValueImpl as SdkNumberValue, unmarshall } from '@aws-sdk/util-dynamodb';
import { BaseComponent, Component } from '@jovotech/framework';
import { DynamoDb, NumberValue } from '../src/index.js';
import { openStore } from '../src/edge/index.js';
import { itemToJson } from '../src/item.js';
import { parseItemJson } from '../src/json.js';
import { TEST_CREDENTIALS, dynamoDbClientConfig, pluginConfig } from './support/config.js';
import { startDynalite } from './support/dynalite.js';
import { itemLoadedByOurs, rawItem, saveUserDataWithOurs } from './support/items.js';
import { visit, visitCounterApp } from './support/jovo.js';

const BIG = 12345678901234567890123n;
const DECIMAL_38 = '0.12345678901234567890123456789012345678';
const LARGE_ITEM = readFileSync(new URL('../../bench/items/large.json', import.meta.url), 'utf8').trim();

describe('loading numbers from item JSON', () => {
  test('numbers a double holds load as numbers, exactly as JSON.parse gives them', () => {
    const text = '{"a":0,"b":-0,"c":42,"d":-7,"e":0.1,"f":3.141592653589793,"g":9007199254740991,"h":-9007199254740991,"i":1.5e-7,"j":0.30000000000000004,"k":1e-130,"l":123456789012345.6}';
    const loaded = parseItemJson(text);
    assert.deepEqual(loaded, JSON.parse(text));
    assert.ok(Object.is(loaded.b, -0));
  });

  test('integers beyond ±(2^53 - 1) load as BigInt, as unmarshall of util-dynamodb gives them', () => {
    const numbers = ['9007199254740992', '-9007199254740993', '12345678901234567890123', '99999999999999999999999999999999999999'];
    const loaded = parseItemJson(`{"n":[${numbers.join(',')}]}`);
    assert.deepEqual(loaded.n, numbers.map(BigInt));
    assert.deepEqual(loaded.n, numbers.map((N) => unmarshall({ n: { N } }).n));
  });

  test('integers written with an exponent or a zero fraction load by their value', () => {
    assert.deepEqual(parseItemJson('{"a":1e25,"b":1.0,"c":1.5e3,"d":-2E+20}'), { a: 10n ** 25n, b: 1, c: 1500, d: -(2n * 10n ** 20n) });
  });

  test('decimals with more digits than a double holds load as NumberValue with the exact text', () => {
    const loaded = parseItemJson(`{"a":${DECIMAL_38},"b":12345678901234567890.5,"c":-1.00000000000000000001}`);
    for (const [key, text] of [['a', DECIMAL_38], ['b', '12345678901234567890.5'], ['c', '-1.00000000000000000001']]) {
      assert.ok(loaded[key] instanceof NumberValue, key);
      assert.equal(loaded[key].value, text);
      assert.equal(String(loaded[key]), text);
    }
  });

  test('digits inside strings stay strings, and a "__proto__" key stays an own property', () => {
    const text = '{"id":"12345678901234567890","t":"x:1e25","__proto__":{"polluted":true},"n":12345678901234567890}';
    const loaded = parseItemJson(text);
    assert.equal(loaded.id, '12345678901234567890');
    assert.equal(loaded.t, 'x:1e25');
    assert.equal(Object.getPrototypeOf(loaded), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(loaded, '__proto__').value, { polluted: true });
    assert.equal({}.polluted, undefined);
  });

  test('the careful parser gives what JSON.parse gives for everything but numbers (96 KB bench item)', () => {
    const withBigInt = LARGE_ITEM.replace('"visits":560', '"visits":12345678901234567890123');
    const loaded = parseItemJson(withBigInt);
    assert.equal(loaded.user.data.visits, BIG);
    loaded.user.data.visits = 560;
    assert.deepEqual(loaded, JSON.parse(LARGE_ITEM));
  });

  test('escapes, unicode and whitespace parse as JSON.parse parses them', () => {
    const text = ' { "s" : "a\\"b\\\\c\\u00e9\\n\\ud83d\\ude00" , "l" : [ 1 , { } , [ ] , true , false , null ] , "n" : 12345678901234567890 } ';
    const { n, ...rest } = parseItemJson(text);
    assert.equal(n, 12345678901234567890n);
    const { n: _, ...expected } = JSON.parse(text);
    assert.deepEqual(rest, expected);
  });
});

describe('writing numbers into item JSON', () => {
  test('BigInt, our NumberValue and util-dynamodb\'s NumberValue are written with their exact digits', () => {
    const json = itemToJson({ big: BIG, negative: -BIG, ours: new NumberValue(DECIMAL_38), sdk: new SdkNumberValue('-1.00000000000000000001') });
    assert.equal(json, `{"big":${BIG},"negative":-${BIG},"ours":${DECIMAL_38},"sdk":-1.00000000000000000001}`);
  });

  test('every item loads and is written back with the same text', () => {
    const text = `{"a":${BIG},"b":${DECIMAL_38},"c":[1,0.1,-9007199254740993],"d":{"e":1.5e-7}}`;
    assert.equal(itemToJson(parseItemJson(text)), text);
    assert.ok(itemToJson(parseItemJson(LARGE_ITEM)) === LARGE_ITEM, 'the 96 KB bench item comes back as the same text');
  });

  test('a NumberValue whose text is not a number is refused, not written into the JSON', () => {
    assert.throws(() => itemToJson({ n: new SdkNumberValue('1,"x":2') }), { name: 'DynamoDbError', code: 'invalid-input', message: /item\.n is a NumberValue/ });
    assert.throws(() => new NumberValue('twelve'), { name: 'DynamoDbError', code: 'invalid-input' });
  });
});

/** Sets $user.data to `userData` itself (no clone, so NumberValue instances stay what they are). */
function storingExactly(userData) {
  class StoreExactly extends BaseComponent {
    LAUNCH() {
      this.$user.data = userData;
      return this.$send({ message: 'stored' });
    }
  }
  Component({ global: true })(StoreExactly);
  return StoreExactly;
}

describe('big numbers through DynamoDB (dynalite)', () => {
  let dynalite;
  let ours;
  let original;
  before(async () => {
    dynalite = await startDynalite({ createTableMs: 50 });
    const config = pluginConfig(dynalite.endpoint);
    ours = new DynamoDb(config);
    await ours.initialize();
    original = new OriginalDynamoDb({ table: { name: config.table.name }, libraryConfig: { dynamoDbClient: dynamoDbClientConfig(dynalite.endpoint) } });
    await original.initialize();
  });
  after(async () => {
    await ours?.close();
    original?.client.destroy();
    await dynalite?.stop();
  });

  test('a BigInt saved by the original plugin loads in ours as the same BigInt and is saved back unchanged', async () => {
    await visit(visitCounterApp(original, [storingExactly({ big: BIG, small: 7 })]), 'big-from-original');
    const stored = await rawItem(original, 'big-from-original');
    assert.deepEqual(stored.user.M.data.M.big, { N: String(BIG) });

    const loaded = await itemLoadedByOurs(ours, 'big-from-original');
    assert.equal(loaded.user.data.big, BIG);
    assert.equal(loaded.user.data.small, 7);
    await saveUserDataWithOurs(ours, 'big-from-original', loaded.user.data);
    assert.deepEqual((await rawItem(original, 'big-from-original')).user, stored.user);

    // A whole Jovo request (load, count a visit, save) keeps the digits too.
    await visit(visitCounterApp(ours), 'big-from-original');
    assert.deepEqual((await rawItem(original, 'big-from-original')).user.M.data.M.big, { N: String(BIG) });
  });

  test('a BigInt saved by ours loads in the original plugin as the same BigInt and is saved back unchanged', async () => {
    await visit(visitCounterApp(ours, [storingExactly({ big: -BIG })]), 'big-from-ours');
    const stored = await rawItem(original, 'big-from-ours');
    assert.deepEqual(stored.user.M.data.M.big, { N: String(-BIG) });
    assert.equal(unmarshall(stored).user.data.big, -BIG);

    await visit(visitCounterApp(original), 'big-from-ours');
    const afterOriginal = await rawItem(original, 'big-from-ours');
    assert.deepEqual(afterOriginal.user.M.data.M.big, { N: String(-BIG) });
    assert.deepEqual(afterOriginal.user.M.data.M.visits, { N: '1' });
  });

  test('a 38-digit decimal saved by the original plugin loads in ours as a NumberValue and is saved back unchanged', async () => {
    await visit(visitCounterApp(original, [storingExactly({ precise: new SdkNumberValue(DECIMAL_38) })]), 'decimal-from-original');
    const stored = await rawItem(original, 'decimal-from-original');
    assert.deepEqual(stored.user.M.data.M.precise, { N: DECIMAL_38 });

    const loaded = await itemLoadedByOurs(ours, 'decimal-from-original');
    assert.ok(loaded.user.data.precise instanceof NumberValue);
    assert.equal(loaded.user.data.precise.value, DECIMAL_38);
    await saveUserDataWithOurs(ours, 'decimal-from-original', loaded.user.data);
    assert.deepEqual((await rawItem(original, 'decimal-from-original')).user, stored.user);

    await visit(visitCounterApp(ours), 'decimal-from-original');
    assert.deepEqual((await rawItem(original, 'decimal-from-original')).user.M.data.M.precise, { N: DECIMAL_38 });
  });

  test('the edge entry loads and saves the same BigInt and NumberValue digit for digit', async () => {
    const store = await openStore({
      table: { name: ours.config.table.name },
      client: { endpoint: dynalite.endpoint, region: 'us-east-1', credentials: { ...TEST_CREDENTIALS } },
    });
    const item = { user: { data: { big: BIG, precise: new NumberValue(DECIMAL_38), list: [-BIG, 0.1] } } };
    await store.saveUser('edge-numbers', item);
    const stored = await rawItem(original, 'edge-numbers');
    assert.deepEqual(stored.user.M.data.M.big, { N: String(BIG) });
    assert.deepEqual(stored.user.M.data.M.precise, { N: DECIMAL_38 });

    const loaded = await store.loadUser('edge-numbers');
    assert.equal(loaded.user.data.big, BIG);
    assert.deepEqual(loaded.user.data.list, [-BIG, 0.1]);
    assert.equal(loaded.user.data.precise.value, DECIMAL_38);
    await store.saveUser('edge-numbers', loaded);
    assert.deepEqual(await rawItem(original, 'edge-numbers'), stored);

    // The plugin reads what the edge entry wrote, and the other way round.
    assert.equal((await itemLoadedByOurs(ours, 'edge-numbers')).user.data.big, BIG);
  });
});
