// The edge bundle's size: every file the workerd example ships (its config's `embed`s, which
// are the edge entry's whole module graph) but the worker itself, raw and gzipped. Fails when
// it outgrows its budget, so growth is a decision rather than an accident.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

const EXAMPLE_CONFIG = new URL('../../examples/workerd/config.capnp', import.meta.url);
const GZIP_BUDGET_BYTES = 250 * 1024;

async function bundleFiles() {
  const config = await readFile(EXAMPLE_CONFIG, 'utf8');
  const embedded = [...config.matchAll(/embed "([^"]+)"/g)].map((match) => match[1]);
  return embedded.filter((path) => path.startsWith('../../')).map((path) => new URL(path, EXAMPLE_CONFIG));
}

test('the edge entry with its core modules stays under 250 KB gzipped', async () => {
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
  assert.ok(files.some((file) => file.pathname.endsWith('/dist/jspi.js')), 'the bundle includes the JSPI transpilation');
  assert.ok(sizes.js.gzip + sizes.wasm.gzip < GZIP_BUDGET_BYTES);
});
