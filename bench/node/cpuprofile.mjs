// Summarises a V8 .cpuprofile (node --cpu-prof) of a bench.mjs run: self time grouped by where
// the code lives (the component's wasm, jco's glue, the plugin, Node's http/net, GC, ...), and
// the functions with the most self time. Used for bench/profile.md.
//
//   node cpuprofile.mjs <file.cpuprofile> [top=25] [ops]
// With `ops` (the operations the profiled run made), each line also says µs per operation.
import { readFileSync } from 'node:fs';

const [file, top = '25', opsArg] = process.argv.slice(2);
const perOp = (us) => (opsArg ? `${(us / Number(opsArg)).toFixed(0).padStart(5)} µs/op  ` : '');
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}

function group(frame) {
  const { url, functionName } = frame.callFrame;
  if (functionName === '(idle)') return 'idle (waiting for I/O)';
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return 'V8/Node native (program)';
  if (url.startsWith('wasm://') || /^\$?(wasm-function|js-to-wasm|wasm-to-js)/.test(functionName) || frame.callFrame.codeType === 'wasm') return 'the component (wasm)';
  if (url.includes('generated.cjs')) return "jco's glue (generated.cjs)";
  if (url.includes('jovo-dynamodb-wasm')) return 'the plugin + engine (index.cjs)';
  if (url.includes('@aws-lite')) return 'aws-lite';
  if (url.includes('@aws-sdk') || url.includes('@smithy')) return 'AWS SDK v3';
  if (url.includes('@jovotech')) return 'Jovo framework / db-dynamodb';
  if (/node:(_http|http|https|net|stream|internal\/(streams|http|net|stream_base)|internal\/js_stream)/.test(url) || /^node:_http/.test(url)) return "Node's http/net/streams";
  if (url.startsWith('node:')) return 'Node other (' + url.replace(/^node:(internal\/)?/, '').split('/')[0] + ')';
  if (url.includes('bench.mjs')) return 'bench harness';
  if (url === '') return 'V8 builtins / native: ' + functionName;
  return url.split('/').slice(-2).join('/');
}

const groups = new Map();
let total = 0;
let busy = 0;
const fns = new Map();
for (const [id, us] of self) {
  const node = byId.get(id);
  const g = group(node);
  groups.set(g, (groups.get(g) ?? 0) + us);
  total += us;
  if (!g.startsWith('idle')) busy += us;
  const key = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.split('/').slice(-1)[0]}:${node.callFrame.lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
}
const merged = new Map();
for (const [g, us] of groups) {
  const k = us / busy < 0.01 ? 'other (each < 1 %)' : g;
  merged.set(k, (merged.get(k) ?? 0) + us);
}
console.log(`busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled${opsArg ? `, ${perOp(busy).trim()} in all` : ''}`);
for (const [g, us] of [...merged].sort((a, b) => b[1] - a[1])) {
  if (g.startsWith('idle')) continue;
  console.log(`${((100 * us) / busy).toFixed(1).padStart(5)} %  ${perOp(us)}${g}`);
}
console.log('--- top functions (self, % of busy)');
for (const [f, us] of [...fns].filter(([f]) => !f.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
  console.log(`${((100 * us) / busy).toFixed(1).padStart(5)} %  ${f}`);
}
