// Transpiles the component twice with jco, into dist/:
//   dist/jspi.js  async host imports (send, sleep-ms) and async client methods, via JSPI
//   dist/sync.js  every import and export synchronous (send blocks on a worker thread)
//   dist/*.core*.wasm  the core modules, identical for both transpilations, stored once
// Quick when dist/ is newer than the component, this script and the installed jco.
//
//   node scripts/build.mjs [path/to/component.wasm]   (default: ../build/jovo_dynamodb.wasm)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const component = resolve(process.argv[2] ?? join(packageDir, '..', 'build', 'jovo_dynamodb.wasm'));
const distDir = join(packageDir, 'dist');
const jco = join(packageDir, 'node_modules', '@bytecodealliance', 'jco', 'dist', 'jco.js');
const stamp = join(distDir, '.built-from');

const ASYNC_IMPORTS = ['send', 'sleep-ms'].map((name) => `jovo:dynamodb/host@0.1.0#${name}`);
const ASYNC_EXPORTS = ['ensure-table', 'ensure-time-to-live', 'load-user', 'save-user', 'delete-user'].map(
  (method) => `jovo:dynamodb/store@0.1.0#[method]client.${method}`,
);
const MODES = {
  sync: [],
  jspi: ['--async-mode', 'jspi', '--async-imports', ...ASYNC_IMPORTS, '--async-exports', ...ASYNC_EXPORTS],
};

function inputsFingerprint() {
  const jcoVersion = JSON.parse(readFileSync(join(packageDir, 'node_modules', '@bytecodealliance', 'jco', 'package.json'), 'utf8')).version;
  const { size, mtimeMs } = statSync(component);
  const self = statSync(fileURLToPath(import.meta.url)).mtimeMs;
  return JSON.stringify({ component, size, mtimeMs, self, jcoVersion });
}

function transpile(mode, outDir) {
  execFileSync(process.execPath, [
    jco, 'transpile', component, '-o', outDir, '--name', 'jovo_dynamodb',
    '--instantiation', 'async', '--no-typescript', '--minify', '--quiet', ...MODES[mode],
  ], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function build() {
  if (!existsSync(component)) {
    throw new Error(`component not found: ${component} (build it with ../scripts/build-component.sh)`);
  }
  const fingerprint = inputsFingerprint();
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === fingerprint) return;

  const work = mkdtempSync(join(tmpdir(), 'jovo-dynamodb-jco-'));
  try {
    for (const mode of Object.keys(MODES)) transpile(mode, join(work, mode));
    rmSync(distDir, { recursive: true, force: true });
    for (const mode of Object.keys(MODES)) cpSync(join(work, mode, 'jovo_dynamodb.js'), join(distDir, `${mode}.js`));
    for (const file of readdirSync(join(work, 'sync')).filter((name) => name.endsWith('.wasm'))) {
      // getCoreModule hands both transpilations the same compiled modules, so they must match.
      if (!readFileSync(join(work, 'sync', file)).equals(readFileSync(join(work, 'jspi', file)))) {
        throw new Error(`core module ${file} differs between the sync and jspi transpilations`);
      }
      cpSync(join(work, 'sync', file), join(distDir, file));
    }
    writeFileSync(stamp, fingerprint);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.error(`built ${distDir} from ${component}`);
}

build();
