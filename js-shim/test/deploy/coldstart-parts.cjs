// The parts of a plugin's cold start that can be timed apart, in a fresh process each (run it
// many times, interleaved with the other plugin): the framework required first (both plugins
// share it, so it is not theirs), then the plugin's module evaluated, then, for ours, the work
// its first operation starts with: the core module's base64 decoded and compiled.
//
//   node coldstart-parts.cjs <app dir whose node_modules has the plugin> <ours|original>
// Prints one JSON line of milliseconds: wall and process CPU (every thread: V8 compiles wasm
// and JS on helper threads) per part.
'use strict';
const { createRequire } = require('node:module');
const { join, resolve } = require('node:path');

const [appDir, which] = process.argv.slice(2);
const requireFrom = createRequire(join(resolve(appDir), 'package.json'));
const plugin = { ours: 'jovo-dynamodb-wasm', original: '@jovotech/db-dynamodb' }[which];
if (!plugin) {
  console.error('usage: node coldstart-parts.cjs <app dir> <ours|original>');
  process.exit(2);
}

const marks = [];
const mark = (name) => marks.push({ name, wall: process.hrtime.bigint(), cpu: process.cpuUsage() });
const cpuMs = (a, b) => (b.user - a.user + b.system - a.system) / 1000;

async function main() {
  mark('start');
  requireFrom('@jovotech/framework');
  mark('framework');
  requireFrom(plugin);
  mark('plugin module');
  if (which === 'ours') {
    // The same calls as dist/index.cjs's inlineCoreModule (src/engine/inline-wasm.js).
    // Already loaded by the plugin's module: this require costs nothing more.
    const { CORE_MODULES_BASE64 } = require(join(requireFrom.resolve(plugin), '..', 'generated.cjs'));
    const decoded = {};
    for (const [name, base64] of Object.entries(CORE_MODULES_BASE64)) decoded[name] = Buffer.from(base64, 'base64');
    mark('base64 decode');
    await Promise.all(Object.values(decoded).map((bytes) => WebAssembly.compile(bytes)));
    mark('WebAssembly.compile');
  }
  const out = {};
  for (let i = 1; i < marks.length; i++) {
    out[marks[i].name] = {
      wallMs: Math.round(Number(marks[i].wall - marks[i - 1].wall) / 1e4) / 100,
      cpuMs: Math.round(cpuMs(marks[i - 1].cpu, marks[i].cpu) * 100) / 100,
    };
  }
  console.log(JSON.stringify(out));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
