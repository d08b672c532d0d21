// User stories of switching from @jovotech/db-dynamodb 4.1.0 to this plugin and back: both
// plugins on the same dynalite table must read each other's items unchanged.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DynamoDb as OriginalDynamoDb } from '@jovotech/db-dynamodb';
import { BaseComponent, Component } from '@jovotech/framework';
import { DynamoDb } from '../src/index.js';
import { dynamoDbClientConfig, pluginConfig } from './support/config.js';
import { startDynalite } from './support/dynalite.js';
import { itemLoadedByOriginal, itemLoadedByOurs, rawItem } from './support/items.js';
import { storingComponent, visit, visitCounterApp } from './support/jovo.js';

/** $user.data of a real app: every JSON type, nesting, unicode and awkward numbers. */
const USER_DATA = {
  name: 'Zoë 😀 \u00e9\u0301 "quoted" \\ back\nslash',
  empty: '',
  visits: 42,
  negative: -7,
  fraction: 0.1,
  pi: 3.141592653589793,
  large: 9007199254740991,
  zero: 0,
  flags: { premium: true, muted: false, nothing: null },
  list: [1, 'two', { three: 3 }, [4, [5]], null, false],
  emptyObject: {},
  emptyList: [],
  deep: { a: { b: { c: { d: { e: 'deep' } } } } },
};

let dynalite;
let tableConfig;
let ours;
let original;
before(async () => {
  dynalite = await startDynalite();
  const config = pluginConfig(dynalite.endpoint);
  tableConfig = config.table;
  ours = new DynamoDb(config);
  await ours.initialize(); // creates the table; the original would fail its first request
  original = new OriginalDynamoDb({
    table: { name: tableConfig.name },
    libraryConfig: { dynamoDbClient: dynamoDbClientConfig(dynalite.endpoint) },
  });
  await original.initialize();
});
after(async () => {
  await ours?.close();
  original?.client.destroy();
  await dynalite.stop();
});

/** Reports $user.data of the request's user, to see what an app gets after loading. */
class ReportUserData extends BaseComponent {
  LAUNCH() {
    return this.$send({ message: 'report', userData: this.$user.data, wasNew: this.$user.isNew });
  }
}
Component({ global: true })(ReportUserData);

describe('switching between the original plugin and ours', () => {
  test('an item saved by the original plugin loads unchanged in ours', async () => {
    await visit(visitCounterApp(original, [storingComponent(USER_DATA)]), 'saved-by-original');
    const report = await visit(visitCounterApp(new DynamoDb({ table: tableConfig, libraryConfig: ours.config.libraryConfig }), [ReportUserData]), 'saved-by-original');
    assert.deepEqual(report.userData, USER_DATA);
    assert.equal(report.wasNew, false);
    assert.deepEqual(await itemLoadedByOurs(ours, 'saved-by-original'), await itemLoadedByOriginal(original, 'saved-by-original'));
  });

  test('an item saved by ours loads unchanged in the original plugin', async () => {
    await visit(visitCounterApp(ours, [storingComponent(USER_DATA)]), 'saved-by-ours');
    const report = await visit(visitCounterApp(original, [ReportUserData]), 'saved-by-ours');
    assert.deepEqual(report.userData, USER_DATA);
    assert.equal(report.wasNew, false);
    assert.deepEqual(await itemLoadedByOriginal(original, 'saved-by-ours'), await itemLoadedByOurs(ours, 'saved-by-ours'));
  });

  test('both plugins store the same DynamoDB attribute values for the same data', async () => {
    await visit(visitCounterApp(original, [storingComponent(USER_DATA)]), 'same-data-original');
    await visit(visitCounterApp(ours, [storingComponent(USER_DATA)]), 'same-data-ours');
    const [fromOriginal, fromOurs] = await Promise.all([
      rawItem(original, 'same-data-original'),
      rawItem(original, 'same-data-ours'),
    ]);
    const comparable = ({ userId, createdAt, updatedAt, ...rest }) => rest;
    assert.deepEqual(comparable(fromOurs), comparable(fromOriginal));
    assert.deepEqual(Object.keys(fromOurs).sort(), Object.keys(fromOriginal).sort());
    assert.deepEqual(fromOurs.userId, { S: 'same-data-ours' });
  });

  test('visits counted by one plugin go on counting in the other', async () => {
    const originalApp = visitCounterApp(original);
    const ourApp = visitCounterApp(ours);
    const counts = [];
    for (const app of [originalApp, ourApp, originalApp, ourApp]) counts.push((await visit(app, 'alternating')).visits);
    assert.deepEqual(counts, [1, 2, 3, 4]);
  });

  test('half an emoji stored by the original plugin loads, saves and loads back unchanged in ours', async () => {
    // `'🎉'.substring(0, 1)`: a lone UTF-16 surrogate, which the original stores as it is.
    const data = { nickname: 'party \ud83c', tail: '\udf89 after', whole: '🎉', mixed: ['\ud83c', { k: 'x\udf89y' }] };
    await visit(visitCounterApp(original, [storingComponent(data)]), 'half-emoji');
    const before = await rawItem(original, 'half-emoji');
    const report = await visit(visitCounterApp(new DynamoDb({ table: tableConfig, libraryConfig: ours.config.libraryConfig }), [ReportUserData]), 'half-emoji');
    assert.deepEqual(report.userData, data);
    // That request loaded and saved the user through ours: the strings are stored as they were.
    const after = await rawItem(original, 'half-emoji');
    assert.deepEqual(after.user, before.user);
    const back = await visit(visitCounterApp(original, [ReportUserData]), 'half-emoji');
    assert.deepEqual(back.userData, data);
  });
});

