// The edge bundle's size, raw and gzipped. Fails when it outgrows its budget, so growth is a
// decision rather than an accident. Two budgets:
// - dist/edge.mjs alone, which is all that browsers, Deno, Bun and Node.js load (the core
//   modules are inlined as base64): 250 KB gzipped, as the edge entry's budget was before.
// - what the workerd example ships (its config's `embed`s but the worker itself): workerd
//   refuses to compile WebAssembly from bytes, so it also ships the core modules as wasm
//   modules, and the inlined copy rides along unused: the core module counts about twice.
//   Measured 240 KB gzipped with a 204 KB core module (edge.mjs 153 KB, wasm 87 KB), and
//   300 KB with an earlier 274 KB one. The budget of 350 KB leaves room for such swings of
//   the guest's size and is ~12% of Cloudflare's 3 MB limit for a Worker on the free plan.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

const EXAMPLE_CONFIG = new URL('../../examples/workerd/config.capnp', import.meta.url);
const EDGE_ENTRY_GZIP_BUDGET_BYTES = 250 * 1024;
const WORKERD_GZIP_BUDGET_BYTES = 350 * 1024;
const EDGE_ENTRY = new URL('../../dist/edge.mjs', import.meta.url);

async function bundleFiles() {
  const config = await readFile(EXAMPLE_CONFIG, 'utf8');
  const embedded = [...config.matchAll(/embed "([^"]+)"/g)].map((match) => match[1]);
  return embedded.filter((path) => path.startsWith('../../')).map((path) => new URL(path, EXAMPLE_CONFIG));
}

test('dist/edge.mjs, core modules inlined, stays under 250 KB gzipped', async () => {
  const bytes = await readFile(EDGE_ENTRY);
  const gzip = gzipSync(bytes, { level: 9 }).length;
  console.log(`dist/edge.mjs: ${(bytes.length / 1024).toFixed(1)} KB (${(gzip / 1024).toFixed(1)} KB gzip)`);
  assert.ok(gzip < EDGE_ENTRY_GZIP_BUDGET_BYTES);
});

test('the workerd example\'s package files stay under 350 KB gzipped', async () => {
  const files = await bundleFiles();
  const sizes = { js: { raw: 0, gzip: 0 }, wasm: { raw: 0, gzip: 0 } };
  for (const file of files) {
    const bytes = await readFile(file);
    const kind = file.pathname.endsWith('.wasm') ? sizes.wasm : sizes.js;
    kind.raw += bytes.length;
    kind.gzip += gzipSync(bytes, { level: 9 }).length;
  }
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(
    `edge bundle (${files.length} files): JS ${kb(sizes.js.raw)} (${kb(sizes.js.gzip)} gzip), ` +
      `core wasm ${kb(sizes.wasm.raw)} (${kb(sizes.wasm.gzip)} gzip), ` +
      `total ${kb(sizes.js.raw + sizes.wasm.raw)} (${kb(sizes.js.gzip + sizes.wasm.gzip)} gzip)`,
  );
  assert.ok(files.some((file) => file.pathname.endsWith('/dist/edge.mjs')), 'the bundle includes the edge entry');
  assert.ok(sizes.js.gzip + sizes.wasm.gzip < WORKERD_GZIP_BUDGET_BYTES);
});
