// User story: a Jovo server answers many users at once, and its other requests (health
// checks, timers, other plugins) keep being served while the DynamoDB plugin works. The
// component is driven step by step with async I/O, so the event loop must keep turning:
// during 500 concurrent load -> modify -> save cycles over 100 users against dynalite, no gap
// of a 1 ms timer is held by work for more than LONGEST_GAP_BOUND_MS. The time the process
// waits for a core on an overloaded machine is left out (see withTicker), since no code can
// prevent it. (The earlier worker-thread design blocked the loop for 1.2-1.6 s under this load.)
//
// The bound is a guard against that failure, not a performance figure: measured on this
// 2-core machine at load averages 8-9 (three runs per Node), the longest held time was
// 34-58 ms on Node 20 (whole-process CPU), 23-33 ms on Node 22 and 17-25 ms on Node 24
// (16-18 ms on a quiet machine). 500 ms is 8.6x the highest of those and still half the old
// failure. How short the gaps are (ours <= 20 ms on a quiet machine, against the original
// plugin and aws-lite) is measured by `make bench` (bench/RESULTS.md, "Node's event loop
// under load").
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DynamoDb } from '../src/index.js';
import { pluginConfig } from './support/config.js';
import { startDynalite } from './support/dynalite.js';
import { itemLoadedByOurs, saveUserDataWithOurs } from './support/items.js';

const CYCLES = 500;
const USERS = 100;
const TICK_MS = 1;
const LONGEST_GAP_BOUND_MS = 500;
const CPU_SCOPE = typeof process.threadCpuUsage === 'function' ? 'the main thread' : 'this process';

let dynalite;
let plugin;
before(async () => {
  dynalite = await startDynalite();
  plugin = new DynamoDb(pluginConfig(dynalite.endpoint));
  await plugin.initialize();
  // Warm: the first operations compile the code paths; a server has done this long before.
  for (let user = 0; user < USERS; user += 1) await saveUserDataWithOurs(plugin, `user-${user}`, { visits: 0 });
});
after(async () => {
  await plugin?.close();
  await dynalite?.stop();
});

/**
 * Runs `work` while a timer ticks every TICK_MS. For each gap between ticks it takes the wall
 * time and the CPU time used in it: by the main thread where Node.js can tell
 * (process.threadCpuUsage, Node 22.19+ / 23.9+), else by the whole process, an upper bound
 * that includes V8's compiler and GC helper threads. A gap full of CPU time is the loop held
 * by work; the part of a gap without CPU time is the process waiting for a core on an
 * overloaded machine, which no code of this package can prevent. A gap's held time is the
 * smaller of the two, which on a quiet machine is simply the gap.
 */
async function withTicker(work) {
  let ticks = 0;
  let last = performance.now();
  const cpuUsage = typeof process.threadCpuUsage === 'function' ? () => process.threadCpuUsage() : () => process.cpuUsage();
  let lastCpu = cpuUsage();
  const longest = { gapMs: 0, gapCpuMs: 0, heldMs: 0, heldGapMs: 0 };
  const sample = () => {
    const now = performance.now();
    const cpu = cpuUsage();
    const gapMs = now - last;
    const cpuMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
    if (gapMs > longest.gapMs) Object.assign(longest, { gapMs, gapCpuMs: cpuMs });
    if (Math.min(gapMs, cpuMs) > longest.heldMs) Object.assign(longest, { heldMs: Math.min(gapMs, cpuMs), heldGapMs: gapMs });
    last = now;
    lastCpu = cpu;
  };
  const ticker = setInterval(() => {
    sample();
    ticks += 1;
  }, TICK_MS);
  const started = performance.now();
  try {
    await work();
  } finally {
    clearInterval(ticker);
  }
  sample();
  return { ticks, longest, elapsedMs: performance.now() - started };
}

async function cycle(index) {
  const userId = `user-${index % USERS}`;
  const item = await itemLoadedByOurs(plugin, userId);
  await saveUserDataWithOurs(plugin, userId, { visits: item.user.data.visits + 1, by: index });
}

test(`during ${CYCLES} concurrent load-modify-save cycles over ${USERS} users, a ${TICK_MS} ms timer is never held up more than ${LONGEST_GAP_BOUND_MS} ms`, async (t) => {
  const { ticks, longest, elapsedMs } = await withTicker(() =>
    Promise.all(Array.from({ length: CYCLES }, (_, index) => cycle(index))),
  );
  t.diagnostic(
    `${CYCLES} cycles (${2 * CYCLES} operations) in ${elapsedMs.toFixed(0)} ms = ${((2 * CYCLES) / (elapsedMs / 1000)).toFixed(0)} ops/s; ${ticks} ticks; ` +
      `longest gap ${longest.gapMs.toFixed(1)} ms (${CPU_SCOPE} used ${longest.gapCpuMs.toFixed(1)} ms of CPU in it); ` +
      `longest held ${longest.heldMs.toFixed(1)} ms (in a ${longest.heldGapMs.toFixed(1)} ms gap)`,
  );
  assert.ok(
    longest.heldMs <= LONGEST_GAP_BOUND_MS,
    `the event loop was held for ${longest.heldMs.toFixed(1)} ms (${CPU_SCOPE}'s CPU time in a ${longest.heldGapMs.toFixed(1)} ms gap)`,
  );
  // Every user got its five visits' saves; which one won is up to the interleaving.
  for (let user = 0; user < USERS; user += 1) {
    const item = await itemLoadedByOurs(plugin, `user-${user}`);
    assert.equal(item.user.data.by % USERS, user);
  }
});
