// User story: a misbehaving endpoint (a proxy gone wrong, a wrong URL) that answers with a
// huge body must not make the app read it all into memory: a response body over 16 MB ends
// the attempt as a transport failure, in the plugin (node:http) and in the edge entry
// (fetch), and the connection is dropped, whether the body's length is announced or it streams without one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore } from '../src/edge/index.js';
import { DynamoDb } from '../src/index.js';
import { TEST_CREDENTIALS, pluginConfig } from './support/config.js';
import { HUGE_BODY_BYTES, startHugeBodyServer } from './support/huge-body-server.js';
import { itemLoadedByOurs } from './support/items.js';

const TOO_LARGE = /larger than 16777216 bytes/;

for (const announceLength of [true, false]) {
  describe(`a ${HUGE_BODY_BYTES / 1024 / 1024} MB answer ${announceLength ? 'with content-length' : 'streamed without a length'}`, () => {
    let server;
    before(async () => {
      server = await startHugeBodyServer({ announceLength });
    });
    after(() => server.stop());

    test('fails the plugin\'s load with transport-failed', async () => {
      const requestsBefore = server.stats.requests;
      const config = pluginConfig(server.endpoint, { table: { createTableOnInit: false } });
      config.libraryConfig.dynamoDbClient.maxAttempts = 1;
      const plugin = new DynamoDb(config);
      try {
        await assert.rejects(itemLoadedByOurs(plugin, 'big-user'), { name: 'DynamoDbError', code: 'transport-failed', message: TOO_LARGE });
      } finally {
        await plugin.close();
      }
      assert.equal(server.stats.requests - requestsBefore, 1, 'one attempt (maxAttempts 1), the table not described first');
    });

    test('fails the edge entry\'s load with transport-failed', async () => {
      const store = await openStore({
        table: { name: 'edge-big', createTableOnInit: false },
        client: { endpoint: server.endpoint, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 },
      });
      await assert.rejects(store.loadUser('big-user'), { name: 'DynamoDbError', code: 'transport-failed', message: TOO_LARGE });
    });
  });
}
