// Cold start of the bundled Jovo Lambda handler: ours vs the original plugin vs the same app
// with no database plugin (the three bundles coldstart.sh writes into .work/coldstart/), one
// LaunchRequest per process, table existing, whole process timed from outside. Run by
// coldstart.sh, which builds the bundles first.
//
//   node coldstart.mjs [--runs N] [--nodes 20,22,24]   interleaved runs, a summary per Node
//   node coldstart.mjs --serve                         dynalite + tables up, the commands
//                                                      printed, until Ctrl-C (for other tools)
//   node coldstart.mjs --profile DIR [--runs N] [--nodes 20,22,24]
//       instead of timing: N rounds of `node --cpu-prof` runs of each variant into
//       DIR/<node>/<variant>/, each summarised by coldstart-profile.mjs (main-thread self time
//       per package of the bundle; the exact bundle only: the minified one has no path comments)
//
// Each run is `/usr/bin/time -f '%U %S %M' <node> lambda-runner.cjs <bundle> <user> 1 any`, the
// bundle copied alone into an empty folder; wall time is read around the child. Runs go in
// rounds of one run of each variant, the order rotated every round (ours original none, original
// none ours, ...) so that no variant always follows the same one. The ratio ours/original is the
// median of the per-round ratios; a plugin's share is its run minus the same round's run with no
// plugin, and "ours' share / the original's" is the median of the per-round quotients of those.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { startDynalite } from '../support/dynalite.js';

const deployDir = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(deployDir, '..', '..');
const runner = join(deployDir, 'lambda-runner.cjs');

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    nodes: { type: 'string', default: '20,22,24' },
    serve: { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});

function nodeBinary(major) {
  if (major === '20') return 'node';
  for (const dir of [packageDir, join(deployDir, 'app')]) {
    const bin = join(dir, 'node_modules', `node-${major}`, 'bin', 'node');
    if (existsSync(bin)) return bin;
  }
  throw new Error(`no Node ${major}: run scripts/test-deploy.sh first (it installs node-${major})`);
}

const lambdaRoot = mkdtempSync(join(tmpdir(), 'jovo-coldstart-'));
const VARIANTS = ['ours', 'original', 'none'].map((name) => {
  const bundle = join(deployDir, '.work', 'coldstart', name, 'index.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run coldstart.sh (it builds the bundles)`);
  const dir = join(lambdaRoot, name);
  mkdirSync(dir);
  copyFileSync(bundle, join(dir, 'index.js'));
  return { name, dir, bundle: join(dir, 'index.js'), table: `coldstart-users-${name}` };
});

const dynalite = await startDynalite();
const cleanup = async () => {
  await dynalite.stop();
  rmSync(lambdaRoot, { recursive: true, force: true });
};
const baseEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', DYNAMODB_ENDPOINT: dynalite.endpoint };
// The environment of a Lambda function, not of the machine running this: AWS_CA_BUNDLE is not set
// there, and where a machine sets it (this project's sandbox does) ours reads that file, checks
// every certificate and builds a TLS context of the default roots plus those at start, even for
// an http:// endpoint, which the original never does (measured on Node 20: +270 ms of CPU under
// load). Set COLDSTART_KEEP_AWS_CA_BUNDLE=1 to measure with it.
if (!process.env.COLDSTART_KEEP_AWS_CA_BUNDLE) delete baseEnv.AWS_CA_BUNDLE;
const argsOf = (variant) => [runner, variant.bundle, 'amzn1.ask.account.coldstart', '1', 'any'];

// The tables, created by the first runs of each bundle, until two runs in a row succeed: the
// measured runs then all find an ACTIVE table and an existing user. (The original plugin
// answers its first requests with "Creating a table. Please wait a moment and resend".)
for (const variant of VARIANTS) {
  let successes = 0;
  let last = null;
  for (let attempt = 0; attempt < 30 && successes < 2; attempt++) {
    last = spawnSync('node', argsOf(variant), { cwd: variant.dir, encoding: 'utf8', env: { ...baseEnv, DYNAMODB_TABLE: variant.table } });
    successes = last.status === 0 ? successes + 1 : 0;
    if (last.status !== 0) await new Promise((resolvePromise) => setTimeout(resolvePromise, 200));
  }
  if (successes < 2) {
    await cleanup();
    throw new Error(`${variant.name}: the handler keeps failing:\n${last.stdout}${last.stderr}`);
  }
}

if (options.serve) {
  console.log(`dynalite: ${dynalite.endpoint} (tables ${VARIANTS.map((v) => v.table).join(', ')} exist)`);
  for (const variant of VARIANTS) {
    console.log(`${variant.name}: (cd ${variant.dir} && DYNAMODB_ENDPOINT=${dynalite.endpoint} DYNAMODB_TABLE=${variant.table} AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true node ${argsOf(variant).join(' ')})`);
  }
  console.log('Ctrl-C stops dynalite and removes the bundles copies.');
  await new Promise((resolvePromise) => process.once('SIGINT', resolvePromise).once('SIGTERM', resolvePromise));
  await cleanup();
  process.exit(0);
}

if (options.profile) {
  try {
    for (const major of options.nodes.split(',')) {
      const bin = nodeBinary(major);
      const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
      for (let i = 0; i < Number(options.runs); i++) {
        for (const variant of VARIANTS) {
          const dir = resolve(options.profile, version, variant.name);
          mkdirSync(dir, { recursive: true });
          // 100 µs sampling: profile.md's earlier cold-start profiles used the same.
          const result = spawnSync(bin, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval', '100', ...argsOf(variant)], {
            cwd: variant.dir,
            encoding: 'utf8',
            env: { ...baseEnv, DYNAMODB_TABLE: variant.table },
          });
          if (result.status !== 0) throw new Error(`${variant.name} failed:\n${result.stdout}${result.stderr}`);
        }
      }
      for (const variant of VARIANTS) {
        const dir = resolve(options.profile, version, variant.name);
        const files = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile')).map((name) => join(dir, name));
        const summary = spawnSync('node', [join(deployDir, 'coldstart-profile.mjs'), variant.bundle, ...files], { encoding: 'utf8' });
        if (summary.status !== 0) throw new Error(summary.stderr);
        writeFileSync(join(dir, 'summary.json'), summary.stdout);
        console.log(`${version} ${variant.name}: ${summary.stdout.trim()}`);
      }
    }
  } finally {
    await cleanup();
  }
  process.exit(0);
}

function once(bin, variant) {
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', 'TIME %U %S %M', bin, ...argsOf(variant)], {
    cwd: variant.dir,
    encoding: 'utf8',
    env: { ...baseEnv, DYNAMODB_TABLE: variant.table },
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const match = /TIME ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(result.stderr);
  if (result.status !== 0 || !match) throw new Error(`${variant.name} failed:\n${result.stdout}${result.stderr}`);
  return { wallMs, cpuMs: (Number(match[1]) + Number(match[2])) * 1000, peakMiB: Number(match[3]) / 1024 };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const spread = (values, digits = 0) =>
  `${Math.min(...values).toFixed(digits)} / ${median(values).toFixed(digits)} / ${Math.max(...values).toFixed(digits)}`;

const runs = Number(options.runs);
const report = {};
const ratioSpread = (values) => `${median(values).toFixed(2)} (min ${Math.min(...values).toFixed(2)}, max ${Math.max(...values).toFixed(2)})`;
try {
  for (const major of options.nodes.split(',')) {
    const bin = nodeBinary(major);
    const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
    for (const variant of VARIANTS) once(bin, variant); // one warm-up each, not counted
    const samples = Object.fromEntries(VARIANTS.map((variant) => [variant.name, []]));
    const loadBefore = loadavg();
    for (let i = 0; i < runs; i++) {
      for (let k = 0; k < VARIANTS.length; k++) {
        const variant = VARIANTS[(i + k) % VARIANTS.length];
        samples[variant.name].push(once(bin, variant));
      }
    }
    const loadAfter = loadavg();
    const ratios = samples.ours.map((sample, i) => sample.wallMs / samples.original[i].wallMs);
    // Each plugin's share, per round and per measure: its run minus that round's run with none.
    const shares = {};
    for (const key of ['wallMs', 'cpuMs']) {
      const share = (name) => samples[name].map((sample, i) => sample[key] - samples.none[i][key]);
      const ours = share('ours');
      const original = share('original');
      shares[key] = { ours, original, oursOverOriginal: ours.map((value, i) => value / original[i]) };
    }
    report[version] = { samples, wallRatioMedian: median(ratios), shares, loadAverage: { before: loadBefore, after: loadAfter } };
    console.log(`Node ${version}, ${runs} interleaved rounds (min / median / max); load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} before, ${loadAfter.map((x) => x.toFixed(2)).join(' ')} after`);
    for (const variant of VARIANTS) {
      const s = samples[variant.name];
      console.log(
        `  ${variant.name.padEnd(8)} wall ms ${spread(s.map((x) => x.wallMs))}   cpu ms ${spread(s.map((x) => x.cpuMs))}   peak RSS MiB ${spread(s.map((x) => x.peakMiB), 1)}`,
      );
    }
    console.log(`  ours/original wall, median of pairwise ratios: ${ratioSpread(ratios)}`);
    for (const [key, label] of [['wallMs', 'wall'], ['cpuMs', 'cpu ']]) {
      const s = shares[key];
      console.log(
        `  share (variant - none) ${label} ms: ours ${spread(s.ours)}   original ${spread(s.original)}   ours/original ${ratioSpread(s.oursOverOriginal)}; of the medians ${(median(s.ours) / median(s.original)).toFixed(2)}`,
      );
    }
  }
} finally {
  await cleanup();
}
mkdirSync(join(deployDir, '.work'), { recursive: true });
writeFileSync(join(deployDir, '.work', 'coldstart.json'), JSON.stringify(report, null, 2) + '\n');
