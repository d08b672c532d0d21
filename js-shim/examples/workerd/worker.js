// A Cloudflare Worker (run here by workerd) that counts a user's visits in DynamoDB through
// the jovo-dynamodb-wasm component: GET /?user=<id> loads the user's item, increments
// user.data.visits, saves it and answers { userId, visits, loadedAfterMs }.
//
// workerd compiles no WebAssembly from bytes at run time, so the core module is imported as
// a module (`wasm = embed ...` in config.capnp) and handed to openStore as a Module.
import { openStore } from 'jovo-dynamodb-wasm/edge';
import core from 'jovo-dynamodb-wasm/dist/jovo_dynamodb.core.wasm';

const wasm = { 'jovo_dynamodb.core.wasm': core };

// One store per isolate, opened by the first request and reused by later ones.
let opening;

export default {
  async fetch(request, env) {
    const started = Date.now();
    const userId = new URL(request.url).searchParams.get('user') ?? '';
    try {
      const store = await openedStore(env);
      const item = (await store.loadUser(userId)) ?? { user: { data: { visits: 0 } } };
      const loadedAfterMs = Date.now() - started;
      item.user.data.visits += 1;
      await store.saveUser(userId, item);
      return Response.json({ userId, visits: item.user.data.visits, loadedAfterMs });
    } catch (error) {
      const status = error.code === 'invalid-input' ? 400 : 503;
      return Response.json({ code: error.code ?? 'internal', message: error.message }, { status });
    }
  },
};

function openedStore(env) {
  opening ??= openStore({
    table: { name: env.TABLE_NAME },
    client: {
      endpoint: env.DYNAMODB_ENDPOINT || undefined,
      region: env.AWS_REGION,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    },
    wasm,
  });
  // A failed open (say, a bad config) is not cached: the next request tries again.
  opening.catch(() => {
    opening = undefined;
  });
  return opening;
}
