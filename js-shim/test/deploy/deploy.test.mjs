// The package deployed the way Jovo apps deploy (issue 10, item 4), run by scripts/test-deploy.sh
// after it has installed the app's dependencies (test/deploy/app) and the Bun and Deno packages
// (test/deploy/edge-runtimes). In order, each step using what the one before it made:
//
//   1. `npm pack` of a clean copy of js-shim (no dist/, no node_modules of its own): the
//      tarball must carry every file its package.json points to (prepack builds dist/), or
//      npm pack must fail. This tarball is what every later step installs.
//   2. The tarball installed into the Jovo app (CommonJS TypeScript, Alexa, Lambda), tsc.
//   3. The app bundled with exactly `esbuild --bundle --platform=node --format=cjs`, the bundle
//      copied alone into an empty folder (as a Lambda zip holds it) and its handler invoked
//      three times for one user on a table that does not exist yet: visits 1, 2, 3. On Node 20,
//      22 and 24.
//   4. The tsc output unbundled, from require() with node_modules: the same, on each Node.
//   5. An ES module app importing { DynamoDb }: visits 1, 2 on each Node.
//   6. The edge entry's round trip in Bun and in Deno (skipped, saying why, where they do not run).
//   7. Sizes, printed as diagnostics and written to .work/measurements.json (no assertion).
//
// Everything talks to one dynalite on 127.0.0.1 with its default 500 ms CREATING window.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { startDynalite } from '../support/dynalite.js';

const deployDir = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(deployDir, '..', '..');
const repoDir = resolve(packageDir, '..');
const appDir = join(deployDir, 'app');
const workDir = join(deployDir, '.work');
const runner = join(deployDir, 'lambda-runner.cjs');
const edgeBin = join(deployDir, 'edge-runtimes', 'node_modules', '.bin');

/** Node 20 is the machine's node; 22 and 24 come from npm packages (the package's, else the app's). */
function nodeBinary(major) {
  if (major === 20) return 'node';
  for (const dir of [packageDir, appDir]) {
    const bin = join(dir, 'node_modules', `node-${major}`, 'bin', 'node');
    if (existsSync(bin)) return bin;
  }
  return null;
}
// Plus the oldest Node the package's engines field admits (20.0.0, from the app's devDependencies):
// it has no require() of ES modules, which Node 20.19 and 22.12 added.
const oldest = join(appDir, 'node_modules', 'node-20.0', 'bin', 'node');
const NODES = [
  ...[20, 22, 24].map((major) => ({ major: String(major), bin: nodeBinary(major) })),
  { major: '20.0.0', bin: existsSync(oldest) ? oldest : null },
];
for (const node of NODES) {
  const version = node.bin && spawnSync(node.bin, ['--version'], { encoding: 'utf8' });
  if (!version || version.status !== 0) node.bin = null;
  else node.major = `${node.major} (${version.stdout.trim()})`;
}
const tableSuffix = (major) => major.replace(/ .*/, '').replaceAll('.', '-');

const state = { dynalite: null, tarball: null, packedFiles: [], bundle: null, measurements: {} };

before(async () => {
  mkdirSync(workDir, { recursive: true });
  state.dynalite = await startDynalite();
});
after(async () => {
  await state.dynalite?.stop();
  writeFileSync(join(workDir, 'measurements.json'), JSON.stringify(state.measurements, null, 2) + '\n');
});

function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    timeout: options.timeout ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
    ...options,
    env: { ...process.env, npm_config_update_notifier: 'false', ...options.env },
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.replace(/^npm warn Unknown user config "nodedir".*\n/gm, '');
  return { status: result.status, signal: result.signal, error: result.error, stdout: result.stdout ?? '', output };
}

function describe(result) {
  const why = result.error ? `error ${result.error.message}` : result.signal ? `signal ${result.signal}` : `exit ${result.status}`;
  return `${why}\n${result.output.trim().split('\n').slice(-40).join('\n')}`;
}

// ---------------------------------------------------------------------------------------------
// 1. npm pack of a clean copy

/** What npm pack may read or run: everything in js-shim but tests, examples, node_modules, dist. */
function packInputsFingerprint() {
  const hash = createHash('sha256');
  const skip = new Set(['node_modules', 'dist', 'test', 'examples', '.work']);
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (skip.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) hash.update(`${relative(packageDir, path)}\0`).update(readFileSync(path));
    }
  };
  walk(packageDir);
  for (const file of ['build/jovo_dynamodb.wasm']) {
    const path = join(repoDir, file);
    hash.update(`${file}\0`).update(existsSync(path) ? readFileSync(path) : '');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * A copy of the repository for packing: js-shim copied without dist/ and node_modules/ (which
 * is linked to the real one, for the build tools), every other top-level entry linked.
 */
function cleanCopy() {
  // Outside js-shim: a folder cannot be copied into itself.
  const root = mkdtempSync(join(tmpdir(), 'jovo-deploy-clean-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  for (const entry of readdirSync(repoDir)) {
    if (entry === 'js-shim' || entry === '.git') continue;
    symlinkSync(join(repoDir, entry), join(root, entry));
  }
  const copy = join(root, 'js-shim');
  cpSync(packageDir, copy, {
    recursive: true,
    filter: (source) => {
      const rel = relative(packageDir, source);
      return !/(^|\/)(node_modules|\.work)(\/|$)/.test(rel) && rel !== 'dist' && !rel.startsWith('dist/') && !rel.startsWith('test/deploy');
    },
  });
  symlinkSync(join(packageDir, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

function packFrom(dir, destination) {
  mkdirSync(destination, { recursive: true });
  const result = run('npm', ['pack', '--json', '--pack-destination', destination], { cwd: dir, timeout: 600_000 });
  let tarball = null;
  if (result.status === 0) {
    const json = result.stdout.slice(result.stdout.indexOf('['));
    tarball = join(destination, JSON.parse(json)[0].filename);
  }
  return { result, tarball };
}

function tarballFiles(tarball) {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).map((name) => name.replace(/^package\//, ''));
}

/** Every file the packed package.json names (main, module, types, exports, bin) that is missing. */
function missingEntryPoints(tarball, files) {
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
  const targets = new Set();
  const collect = (value) => {
    if (typeof value === 'string') {
      if (value.startsWith('./') || !value.includes(':')) targets.add(value.replace(/^\.\//, ''));
    } else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  for (const field of ['main', 'module', 'types', 'typings', 'exports', 'bin']) collect(manifest[field]);
  const have = new Set(files);
  return [...targets].filter((target) => !target.includes('*') && !have.has(target));
}

// DEPLOY_TARBALL=/path/to/package.tgz tests that tarball instead of packing js-shim.
const givenTarball = process.env.DEPLOY_TARBALL ? resolve(process.env.DEPLOY_TARBALL) : null;

test('npm pack without a prior build ships dist/ (prepack builds it) or fails loudly', { skip: givenTarball ? `testing DEPLOY_TARBALL=${givenTarball}` : false }, () => {
  const fingerprint = packInputsFingerprint();
  const packDir = join(workDir, 'pack', fingerprint);
  const verdictFile = join(packDir, 'verdict.json');
  let verdict = existsSync(verdictFile) ? JSON.parse(readFileSync(verdictFile, 'utf8')) : null;
  if (!verdict || !existsSync(verdict.tarball ?? '')) {
    rmSync(join(workDir, 'pack'), { recursive: true, force: true });
    const copy = cleanCopy();
    const first = packFrom(copy, join(packDir, 'clean'));
    verdict = { fingerprint, cleanPackStatus: first.result.status, cleanPackOutput: first.result.output.slice(-4000) };
    if (first.tarball) {
      const files = tarballFiles(first.tarball);
      verdict.cleanDistFiles = files.filter((name) => name.startsWith('dist/'));
      verdict.cleanMissing = missingEntryPoints(first.tarball, files);
    }
    if (first.tarball && verdict.cleanDistFiles.length > 0 && verdict.cleanMissing.length === 0) {
      verdict.tarball = first.tarball;
    } else {
      // Build in the copy and pack again, so that the later steps test the rest of the package.
      const build = run('npm', ['run', 'build'], { cwd: copy, timeout: 600_000 });
      const second = build.status === 0 ? packFrom(copy, join(packDir, 'built')) : { tarball: null, result: build };
      verdict.tarball = second.tarball;
      verdict.builtPackOutput = second.result.output.slice(-4000);
    }
    writeFileSync(verdictFile, JSON.stringify(verdict, null, 2) + '\n');
  }
  state.tarball = verdict.tarball;
  if (state.tarball) state.packedFiles = tarballFiles(state.tarball);

  if (verdict.cleanPackStatus !== 0) {
    // Failing loudly is allowed: a non-zero exit that says what is missing.
    assert.match(verdict.cleanPackOutput, /\S/, 'npm pack failed without saying why');
    return;
  }
  assert.ok(verdict.cleanDistFiles.length > 0, `npm pack of a checkout without dist/ succeeded and shipped no dist/ files:\n${verdict.cleanPackOutput}`);
  assert.deepEqual(verdict.cleanMissing, [], 'files named by the packed package.json are missing from the tarball');
});

// ---------------------------------------------------------------------------------------------
// 2. Install into the Jovo app, tsc

function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

test('the tarball installs into the Jovo app and tsc compiles the app', () => {
  if (givenTarball) {
    state.tarball = givenTarball;
    state.packedFiles = tarballFiles(givenTarball);
  }
  assert.ok(state.tarball, 'no tarball to install (see the npm pack test)');
  // Inside the installed package: any npm install in the app that drops the package drops it too.
  const stamp = join(appDir, 'node_modules', 'jovo-dynamodb-wasm', '.installed-from-tarball');
  const tarballHash = sha256(state.tarball);
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== tarballHash) {
    const install = run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', state.tarball], { cwd: appDir, timeout: 600_000 });
    assert.equal(install.status, 0, `npm install of the tarball failed: ${describe(install)}`);
    writeFileSync(stamp, tarballHash);
  }
  const installed = JSON.parse(readFileSync(join(appDir, 'node_modules', 'jovo-dynamodb-wasm', 'package.json'), 'utf8'));
  assert.equal(installed.name, 'jovo-dynamodb-wasm');

  rmSync(join(appDir, 'dist'), { recursive: true, force: true });
  const tsc = run(process.execPath, [join(appDir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', appDir], { cwd: appDir });
  assert.equal(tsc.status, 0, `tsc failed: ${describe(tsc)}`);
  assert.ok(existsSync(join(appDir, 'dist', 'server.lambda.js')));
  assert.match(readFileSync(join(appDir, 'dist', 'app.js'), 'utf8'), /require\("jovo-dynamodb-wasm"\)/, 'tsc did not emit CommonJS');
});

// ---------------------------------------------------------------------------------------------
// 3. The bundle, as `jovo deploy:code` makes it

test('esbuild --bundle --platform=node --format=cjs bundles the app', () => {
  assert.ok(existsSync(join(appDir, 'dist', 'server.lambda.js')), 'no tsc output (see the tsc test)');
  const outfile = join(appDir, 'bundle', 'index.js');
  rmSync(dirname(outfile), { recursive: true, force: true });
  const esbuild = run(join(appDir, 'node_modules', '.bin', 'esbuild'), [
    'dist/server.lambda.js', '--bundle', '--platform=node', '--format=cjs', `--outfile=${relative(appDir, outfile)}`,
  ], { cwd: appDir });
  assert.equal(esbuild.status, 0, `esbuild failed: ${describe(esbuild)}`);
  const warnings = esbuild.output.split('\n').filter((line) => /\[WARNING\]/.test(line));
  for (const warning of warnings) console.log(`# esbuild: ${warning.trim()}`);
  // A Lambda zip holds the bundle alone: run it from an empty folder with no node_modules above it.
  const lambdaDir = mkdtempSync(join(tmpdir(), 'jovo-deploy-lambda-'));
  copyFileSync(outfile, join(lambdaDir, 'index.js'));
  state.bundle = join(lambdaDir, 'index.js');
  state.lambdaDir = lambdaDir;
  const raw = readFileSync(outfile);
  state.measurements.bundle = { bytes: raw.length, gzipBytes: gzipSync(raw, { level: 9 }).length, esbuildWarnings: warnings.length };
});
after(() => state.lambdaDir && rmSync(state.lambdaDir, { recursive: true, force: true }));

/** Runs the Lambda runner on one Node and checks its verdict lines. */
function runHandler({ bin, module, table, user, invocations, cwd }) {
  const result = run(bin, [runner, module, user, String(invocations), '1'], {
    cwd,
    timeout: 60_000,
    env: { DYNAMODB_ENDPOINT: state.dynalite.endpoint, DYNAMODB_TABLE: table, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const lines = result.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  assert.equal(result.status, 0, `the handler failed: ${describe(result)}`);
  assert.deepEqual(lines.map((line) => line.visits), Array.from({ length: invocations }, (_, i) => i + 1), result.output);
  return lines;
}

for (const { major, bin } of NODES) {
  test(`Node ${major}: the bundled Lambda handler creates the missing table on the first LaunchRequest and counts visits 1, 2, 3`, { skip: bin ? false : `Node ${major} is not installed` }, () => {
    assert.ok(state.bundle, 'no bundle (see the esbuild test)');
    const lines = runHandler({ bin, module: state.bundle, table: `deploy-bundle-node${tableSuffix(major)}`, user: `amzn1.ask.account.bundle-${major}`, invocations: 3, cwd: state.lambdaDir });
    console.log(`# Node ${major} bundle: require ${lines[0].loadMs} ms, invocations ${lines.map((l) => l.ms).join(', ')} ms`);
  });
}

// ---------------------------------------------------------------------------------------------
// 4. Unbundled

for (const { major, bin } of NODES) {
  test(`Node ${major}: the tsc output unbundled, from require() with node_modules, counts visits 1, 2, 3`, { skip: bin ? false : `Node ${major} is not installed` }, () => {
    const module = join(appDir, 'dist', 'server.lambda.js');
    assert.ok(existsSync(module), 'no tsc output (see the tsc test)');
    runHandler({ bin, module, table: `deploy-unbundled-node${tableSuffix(major)}`, user: `amzn1.ask.account.unbundled-${major}`, invocations: 3, cwd: appDir });
  });
}

// ---------------------------------------------------------------------------------------------
// 5. ES module consumer

for (const { major, bin } of NODES) {
  test(`Node ${major}: an ES module app imports { DynamoDb } from 'jovo-dynamodb-wasm' and counts visits 1, 2`, { skip: bin ? false : `Node ${major} is not installed` }, () => {
    assert.ok(existsSync(join(appDir, 'node_modules', 'jovo-dynamodb-wasm')), 'the package is not installed (see the install test)');
    const result = run(bin, [join(appDir, 'esm-consumer.mjs'), `esm-user-${major}`], {
      cwd: appDir,
      timeout: 60_000,
      env: { DYNAMODB_ENDPOINT: state.dynalite.endpoint, DYNAMODB_TABLE: `deploy-esm-node${tableSuffix(major)}` },
    });
    assert.equal(result.status, 0, `the ES module app failed: ${describe(result)}`);
    assert.match(result.output, /visit number 1\.[\s\S]*visit number 2\./);
  });
}

// ---------------------------------------------------------------------------------------------
// 6. Bun and Deno

const EDGE_RUNTIMES = [
  { name: 'Bun', bin: join(edgeBin, 'bun'), args: (script, ...rest) => [script, ...rest] },
  { name: 'Deno', bin: join(edgeBin, 'deno'), args: (script, ...rest) => ['run', '--allow-all', '--no-prompt', script, ...rest] },
];

for (const runtime of EDGE_RUNTIMES) {
  const version = existsSync(runtime.bin) ? run(runtime.bin, ['--version'], { timeout: 30_000 }) : null;
  const skip = !version
    ? `${runtime.name}: its npm package is not installed here (test/deploy/edge-runtimes; see test-deploy.sh's output)`
    : version.status !== 0
      ? `${runtime.name}: its npm package installed but does not run on this machine: ${describe(version).split('\n')[0]}`
      : false;
  test(`${runtime.name}: the edge entry's round trip (ensureTable, saveUser, loadUser, deleteUser)`, { skip }, () => {
    assert.ok(existsSync(join(appDir, 'node_modules', 'jovo-dynamodb-wasm')), 'the package is not installed (see the install test)');
    const result = run(runtime.bin, runtime.args(join(appDir, 'edge-roundtrip.mjs'), state.dynalite.endpoint, `deploy-edge-${runtime.name.toLowerCase()}`), {
      cwd: appDir,
      timeout: 60_000,
      env: { DENO_NO_UPDATE_CHECK: '1', DENO_DIR: join(workDir, 'deno-dir'), NO_COLOR: '1' },
    });
    console.log(`# ${runtime.name} ${version.stdout.split('\n')[0].trim()}`);
    assert.equal(result.status, 0, `${runtime.name} round trip failed: ${describe(result)}`);
    assert.match(result.output, /round trip ok/);
  });
}

// ---------------------------------------------------------------------------------------------
// 7. Sizes (measured, not asserted)

function treeBytes(dir) {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = treeBytes(path);
      bytes += sub.bytes;
      files += sub.files;
    } else if (entry.isFile()) {
      bytes += statSync(path).size;
      files += 1;
    }
  }
  return { bytes, files };
}

test('sizes: the bundle, the tarball, the installed package (measured, not asserted)', () => {
  const installedDir = join(appDir, 'node_modules', 'jovo-dynamodb-wasm');
  if (state.tarball) state.measurements.tarball = { bytes: statSync(state.tarball).size, files: state.packedFiles.length };
  if (existsSync(installedDir)) {
    const { bytes, files } = treeBytes(installedDir);
    const tgz = execFileSync('tar', ['-cf', '-', '-C', dirname(installedDir), 'jovo-dynamodb-wasm'], { maxBuffer: 256 * 1024 * 1024 });
    state.measurements.installed = { bytes, files, gzipBytes: gzipSync(tgz, { level: 9 }).length };
  }
  for (const [what, figures] of Object.entries(state.measurements)) {
    console.log(`# size ${what}: ${Object.entries(figures).map(([key, value]) => `${key}=${value}`).join(' ')}`);
  }
});
