// An engine (the plugin's, without Jovo) whose credentials and region come from the chain
// reading an env object of the test's own, never the process environment.
import { toComponentConfig } from '../../src/config.js';
import { CredentialsSource, resolveRegion } from '../../src/credentials.js';
import { openEngine } from '../../src/engine/engine.js';
import { inlineCoreModule } from '../../src/engine/inline-wasm.js';
import { nodeSend } from '../../src/engine/node-http.js';
import { itemToJson } from '../../src/item.js';
import { assertMetadataSafe } from './loopback-only.js';
import { uniqueTableName } from './config.js';

export async function openChainStore({ endpoint, env, options = {}, table = {} }) {
  assertMetadataSafe(env, options);
  const credentials = new CredentialsSource(undefined, env, options);
  const region = await resolveRegion(undefined, env);
  const config = { table: { name: uniqueTableName('chain'), ...table }, libraryConfig: { dynamoDbClient: { endpoint } } };
  const engine = await openEngine({
    getCoreModule: inlineCoreModule,
    config: toComponentConfig(config, { region, credentials: undefined }),
    credentials,
    send: nodeSend,
  });
  return {
    credentials,
    region,
    ensureTable: () => engine.run('ensureTable'),
    save: (userId, data) => engine.run('saveUser', userId, itemToJson({ userId, data })),
    remove: (userId) => engine.run('deleteUser', userId),
    load: async (userId) => {
      const json = await engine.run('loadUser', userId);
      return json ? JSON.parse(json) : undefined;
    },
  };
}
