// User stories of JavaScript values that JSON cannot carry: they are stored as the original's
// `marshall` (@aws-sdk/util-dynamodb) stores them, or refused with its kind of message.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DynamoDb as OriginalDynamoDb } from '@jovotech/db-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoDb } from '../src/index.js';
import { dynamoDbClientConfig, pluginConfig } from './support/config.js';
import { startDynalite } from './support/dynalite.js';
import { itemLoadedByOurs, rawItem, saveUserDataWithOurs } from './support/items.js';

class Reminder {
  constructor(text) {
    this.text = text;
    this.snoozed = undefined;
  }

  remind() {
    return this.text;
  }
}

let dynalite;
let tableName;
let original;
const plugins = [];
before(async () => {
  dynalite = await startDynalite();
  const setup = new DynamoDb(pluginConfig(dynalite.endpoint));
  plugins.push(setup);
  await setup.initialize();
  tableName = setup.config.table.name;
  original = new OriginalDynamoDb({ table: { name: tableName }, libraryConfig: { dynamoDbClient: dynamoDbClientConfig(dynalite.endpoint) } });
});
after(async () => {
  await Promise.all(plugins.map((plugin) => plugin.close()));
  original.client.destroy();
  await dynalite.stop();
});

function pluginWith(marshallOptions) {
  const plugin = new DynamoDb({
    table: { name: tableName },
    libraryConfig: { dynamoDbClient: dynamoDbClientConfig(dynalite.endpoint), marshall: marshallOptions },
  });
  if (marshallOptions) plugin.config.libraryConfig.marshall = marshallOptions; // exactly these, no defaults merged
  plugins.push(plugin);
  return plugin;
}

/** What the original would store for `userData`: marshall of its item with these options. */
function storedByOriginal(userId, userData, marshallOptions) {
  return marshall({ userId, user: { data: userData } }, marshallOptions);
}

describe('values JSON cannot carry, with the default marshall options', () => {
  const defaults = { removeUndefinedValues: true, convertClassInstanceToMap: true };
  const userData = {
    skipped: undefined,
    list: [1, undefined, 2, () => 'dropped'],
    reminder: new Reminder('water the plants'),
    when: new Date('2024-01-02T03:04:05Z'),
    byName: new Map([['a', 1], ['b', { c: undefined }]]),
    boxed: [new Number(5), new String('s'), new Boolean(true)],
    big: 12345678901234567890123n,
    callback: () => 'dropped',
  };

  test('undefined and functions are dropped, class instances, Dates and Maps become maps, as in the original', async () => {
    await saveUserDataWithOurs(pluginWith(), 'js-values', userData);
    const { big, ...comparable } = userData;
    const stored = await rawItem(original, 'js-values');
    assert.deepEqual(stored.user.M.data.M.big, { N: '12345678901234567890123' }, 'a bigint keeps every digit');
    delete stored.user.M.data.M.big;
    assert.deepEqual(stored, storedByOriginal('js-values', comparable, defaults));
  });
});

describe('values JSON cannot carry, with stricter options', () => {
  test('undefined is refused with a clear invalid-input error when removeUndefinedValues is off', async () => {
    const plugin = pluginWith({ removeUndefinedValues: false, convertClassInstanceToMap: true });
    await assert.rejects(saveUserDataWithOurs(plugin, 'strict-undefined', { maybe: undefined }), {
      code: 'invalid-input',
      message: /item\.user\.data\.maybe is undefined\. Pass options\.removeUndefinedValues=true/,
    });
    assert.throws(() => marshall({ maybe: undefined }, { removeUndefinedValues: false }), /removeUndefinedValues=true/);
    assert.equal(await rawItem(original, 'strict-undefined'), undefined, 'nothing was stored');
  });

  test('a class instance is refused with a clear invalid-input error when convertClassInstanceToMap is off', async () => {
    const plugin = pluginWith({ removeUndefinedValues: true, convertClassInstanceToMap: false });
    await assert.rejects(saveUserDataWithOurs(plugin, 'strict-class', { reminder: new Reminder('x') }), {
      code: 'invalid-input',
      message: /instance of Reminder\. Pass options\.convertClassInstanceToMap=true/,
    });
    assert.throws(() => marshall({ reminder: new Reminder('x') }, { convertClassInstanceToMap: false }), /convertClassInstanceToMap=true/);
  });

  test('NaN, sets of mixed types, Blobs and circular structures are refused before anything is sent', async () => {
    const plugin = pluginWith();
    const circular = { name: 'loop' };
    circular.self = circular;
    for (const [label, value, pattern] of [
      ['NaN', Number.NaN, /Special numeric value NaN/],
      ['a Set of mixed types', new Set(['a', 1]), /is a Set of strings that also holds a number/],
      ['a Blob', new Blob(['a']), /is a Blob/],
      ['a circular structure', circular, /circular/],
    ]) {
      await assert.rejects(saveUserDataWithOurs(plugin, 'refused', { value }), { code: 'invalid-input', message: pattern }, label);
    }
  });

  test('convertEmptyValues stores empty strings as NULL, as the original does', async () => {
    const options = { removeUndefinedValues: true, convertClassInstanceToMap: true, convertEmptyValues: true };
    await saveUserDataWithOurs(pluginWith(options), 'empty-values', { nickname: '', list: [''] });
    assert.deepEqual(await rawItem(original, 'empty-values'), storedByOriginal('empty-values', { nickname: '', list: [''] }, options));
    const loaded = await itemLoadedByOurs(pluginWith(options), 'empty-values');
    assert.deepEqual(loaded.user.data, { nickname: null, list: [null] });
  });
});
