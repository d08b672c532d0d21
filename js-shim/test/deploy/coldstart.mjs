// Cold start of the bundled Jovo Lambda handler: ours vs the original plugin (the two bundles
// coldstart.sh writes into .work/coldstart/), one LaunchRequest per process, table existing,
// whole process timed from outside. Run by coldstart.sh, which builds both bundles first.
//
//   node coldstart.mjs [--runs N] [--nodes 20,22,24]   interleaved runs, a summary per Node
//   node coldstart.mjs --serve                         dynalite + tables up, the commands
//                                                      printed, until Ctrl-C (for other tools)
//
// Each run is `/usr/bin/time -f '%U %S %M' <node> lambda-runner.cjs <bundle> <user> 1 any`, the
// bundle copied alone into an empty folder; wall time is read around the child. Runs alternate
// A B A B ..., and the ratio ours/original is the median of the pairwise ratios.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { startDynalite } from '../support/dynalite.js';

const deployDir = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(deployDir, '..', '..');
const runner = join(deployDir, 'lambda-runner.cjs');

const { values: options } = parseArgs({
  options: { runs: { type: 'string', default: '15' }, nodes: { type: 'string', default: '20,22,24' }, serve: { type: 'boolean', default: false } },
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
const VARIANTS = ['ours', 'original'].map((name) => {
  const bundle = join(deployDir, '.work', 'coldstart', name, 'index.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run coldstart.sh (it builds both bundles)`);
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
try {
  for (const major of options.nodes.split(',')) {
    const bin = nodeBinary(major);
    const version = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
    for (const variant of VARIANTS) once(bin, variant); // one warm-up each, not counted
    const samples = { ours: [], original: [] };
    for (let i = 0; i < runs; i++) for (const variant of VARIANTS) samples[variant.name].push(once(bin, variant));
    const ratios = samples.ours.map((sample, i) => sample.wallMs / samples.original[i].wallMs);
    report[version] = { samples, wallRatioMedian: median(ratios) };
    console.log(`Node ${version}, ${runs} interleaved runs each (min / median / max)`);
    for (const variant of VARIANTS) {
      const s = samples[variant.name];
      console.log(
        `  ${variant.name.padEnd(8)} wall ms ${spread(s.map((x) => x.wallMs))}   cpu ms ${spread(s.map((x) => x.cpuMs))}   peak RSS MiB ${spread(s.map((x) => x.peakMiB), 1)}`,
      );
    }
    console.log(`  ours/original wall, median of pairwise ratios: ${median(ratios).toFixed(2)} (min ${Math.min(...ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)})`);
  }
} finally {
  await cleanup();
}
mkdirSync(join(deployDir, '.work'), { recursive: true });
writeFileSync(join(deployDir, '.work', 'coldstart.json'), JSON.stringify(report, null, 2) + '\n');
