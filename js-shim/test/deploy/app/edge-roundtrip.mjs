// A round trip through the package's edge entry, for Bun and Deno (and any runtime with fetch):
// ensureTable, saveUser, loadUser, deleteUser, loadUser again.
//
//   bun edge-roundtrip.mjs <endpoint> <table>
//   deno run --allow-all edge-roundtrip.mjs <endpoint> <table>
//
// Prints one line per step and `round trip ok` at the end; exits 1 on any mismatch.
import { openStore } from 'jovo-dynamodb-wasm/edge';

const argv = globalThis.Deno ? Deno.args : process.argv.slice(2);
const [endpoint, name] = argv;
const exit = (code) => (globalThis.Deno ? Deno.exit(code) : process.exit(code));

try {
  const store = await openStore({
    table: { name },
    client: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'deploy-test', secretAccessKey: 'deploy-test-secret' } },
  });
  console.log('ensureTable:', await store.ensureTable());
  const item = { user: { data: { visits: 3, name: 'Ünïcödé ✓', nested: { list: [1, 'two', true, null] } } } };
  await store.saveUser('edge-user', item);
  const loaded = await store.loadUser('edge-user');
  console.log('loadUser:', JSON.stringify(loaded));
  if (JSON.stringify(loaded?.user) !== JSON.stringify(item.user)) throw new Error('the loaded item differs from the saved one');
  await store.deleteUser('edge-user');
  const gone = await store.loadUser('edge-user');
  console.log('after deleteUser:', JSON.stringify(gone));
  if (gone !== null) throw new Error('the item is still there after deleteUser');
  console.log('round trip ok');
  exit(0);
} catch (error) {
  console.error('round trip failed:', error?.stack ?? error);
  exit(1);
}
