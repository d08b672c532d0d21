// Where a cold start of the bundled Jovo handler spends its main thread: self time of V8
// .cpuprofile files (node --cpu-prof of lambda-runner.cjs on one bundle of coldstart.sh),
// each sample put under the package its bundle line came from (esbuild's
// `// node_modules/<package>/…` comments in an unminified bundle) or under what Node was
// doing (reading the file, compiling the script, GC, ...). Several profiles of the same
// variant are summarised as the median per group, so variants can be subtracted group by
// group: what a plugin costs is its variant's row minus the no-plugin variant's row.
//
//   node coldstart-profile.mjs <bundle.js> <a.cpuprofile> [b.cpuprofile ...]
// Prints one JSON object: {group: median ms, ...} (groups of 1 ms or more) plus "busy" (all
// but idle) and "total".
import { readFileSync } from 'node:fs';

const [bundlePath, ...files] = process.argv.slice(2);
if (!bundlePath || files.length === 0) {
  console.error('usage: node coldstart-profile.mjs <bundle.js> <a.cpuprofile> [...]');
  process.exit(2);
}

// The line where each bundled module starts, from esbuild's path comments.
const starts = [];
const lines = readFileSync(bundlePath, 'utf8').split('\n');
for (let i = 0; i < lines.length; i++) {
  const match = /^\/\/ (\S+\.(?:c|m)?[jt]s)$/.exec(lines[i]);
  if (!match) continue;
  const path = match[1];
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  let label = pkg ? pkg[1] : `the app (${path.split('/')[0]})`;
  // Ours in two parts: jco's glue + the base64 core modules, and the plugin itself.
  if (label === 'jovo-dynamodb-wasm') label = path.endsWith('generated.cjs') ? 'ours: generated.cjs (jco glue, base64 wasm)' : 'ours: index.cjs (plugin)';
  starts.push([i, label]);
}
const labelOfLine = (line) => {
  let lo = 0;
  let hi = starts.length - 1;
  let found = "the bundle's prelude";
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid][0] <= line) {
      found = starts[mid][1];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
};

function group(callFrame, stack) {
  const { url, functionName, lineNumber } = callFrame;
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'GC';
  if (url.startsWith('wasm://') || callFrame.codeType === 'wasm' || /^\$?(wasm-function|js-to-wasm|wasm-to-js)/.test(functionName)) return 'ours: the component (wasm)';
  if (url.endsWith('/index.js') && !url.includes('node_modules')) return labelOfLine(lineNumber);
  // Native and Node-internal frames: named by the nearest caller that says what they do.
  for (const frame of stack) {
    const f = frame.callFrame;
    if (f.functionName === 'wrapSafe' || f.functionName === 'compileFunction') return 'Node: compiling the bundle (wrapSafe)';
    if (f.functionName === 'readFileSync' || f.functionName === 'readFileUtf8') return 'Node: reading the bundle (readFileSync)';
    if (f.url.endsWith('/index.js') && !f.url.includes('node_modules')) return `${labelOfLine(f.lineNumber)} (native, called from it)`;
    if (f.url.includes('lambda-runner.cjs')) return 'lambda-runner.cjs';
  }
  if (functionName === '(program)') return 'V8/Node native (program)';
  if (url.startsWith('node:')) return 'Node internals';
  return `other: ${functionName || url}`;
}

const perFile = files.map((file) => {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n);
  const groupOf = new Map();
  const totals = { busy: 0, total: 0 };
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const us = profile.timeDeltas[i] ?? 0;
    if (!groupOf.has(id)) {
      const stack = [];
      for (let n = byId.get(id); n; n = parent.get(n.id)) stack.push(n);
      groupOf.set(id, group(byId.get(id).callFrame, stack));
    }
    const g = groupOf.get(id);
    totals[g] = (totals[g] ?? 0) + us / 1000;
    totals.total += us / 1000;
    if (g !== 'idle') totals.busy += us / 1000;
  }
  return totals;
});

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const keys = new Set(perFile.flatMap((t) => Object.keys(t)));
const summary = {};
for (const key of keys) {
  const ms = median(perFile.map((t) => t[key] ?? 0));
  // A group under 1 ms is sampling noise at 100 µs: left out so the rows that matter stay readable.
  if (ms >= 1) summary[key] = Math.round(10 * ms) / 10;
}
console.log(JSON.stringify(Object.fromEntries(Object.entries(summary).sort((a, b) => b[1] - a[1]))));
