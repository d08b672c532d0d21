// The browser example: opens the store (the package's edge bundle, which carries the core
// modules inlined, so nothing else is fetched), loads the visitor's item, counts the visit, saves it and loads it back, then shows it.
// The page's query names the DynamoDB endpoint, table and user:
//   index.html?endpoint=http://127.0.0.1:8000&table=browser-visits&user=visitor-1
// dynalite checks no signature, so fixed placeholder keys do here; a real app passes an async
// provider of temporary keys (e.g. from a Cognito identity pool) as `credentials`.
import { openStore } from '../../dist/edge.mjs';

const scriptStartedMs = performance.now();
const query = new URLSearchParams(location.search);
const endpoint = query.get('endpoint') ?? 'http://127.0.0.1:8000';
const tableName = query.get('table') ?? 'browser-visits';
const userId = query.get('user') ?? 'visitor-1';

show('endpoint', endpoint);
show('where', `${tableName} / ${userId}`);
countVisit().then(
  (result) => finish('done', result),
  (error) => finish('failed', { code: error.code, message: error.message }),
);

async function countVisit() {
  const store = await openStore({
    table: { name: tableName },
    client: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
  });
  const item = (await store.loadUser(userId)) ?? { user: { data: { visits: 0 } } };
  const firstLoad = timings();
  item.user.data.visits += 1;
  await store.saveUser(userId, item);
  const storedItem = await store.loadUser(userId);
  return { storedItem, visits: storedItem.user.data.visits, firstLoad, roundTrip: timings() };
}

// Since the page's navigation started (HTML, scripts and wasm fetched) and since this script
// started (the modules are in; compiling the wasm, instantiation and DynamoDB calls are not).
function timings() {
  const now = performance.now();
  return { sincePageStartMs: Math.round(now), sinceScriptStartMs: Math.round(now - scriptStartedMs) };
}

function finish(state, result) {
  if (state === 'done') {
    show('visits', String(result.visits));
    show('first-load', describe(result.firstLoad));
    show('round-trip', describe(result.roundTrip));
    show('item', JSON.stringify(result.storedItem, null, 2));
  }
  show('state', state === 'done' ? 'done' : `failed: ${result.code}: ${result.message}`);
  window.visitResult = result;
  document.body.dataset.state = state;
}

function describe({ sincePageStartMs, sinceScriptStartMs }) {
  return `${sinceScriptStartMs} ms after the script started (${sincePageStartMs} ms after navigation)`;
}

function show(id, text) {
  document.getElementById(id).textContent = text;
}
