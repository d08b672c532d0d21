// Node benchmarks (not tests), driven by bench/run.py; prints the same JSON lines as the
// Rust binaries (see bench/rust/src/lib.rs). Runs on Node 20, 22 and 24 alike.
//
//   node bench.mjs <client> <endpoint> <mode> <small|large|typed> [args]
//   typed: the small item plus, in user.data, a Set of 1,000 strings (SS) and 100 KB of binary
//          (a Uint8Array, B): what sets and binary cost each client
//   client: ours       the js-shim's DynamoDb, from the package npm pack made of it
//                      (installed by run.sh into .ours/node_modules/jovo-dynamodb-wasm; another
//                      install of it with BENCH_OURS_DIR=<dir holding node_modules>, to compare)
//           original   @jovotech/db-dynamodb 4.1.0 (AWS SDK v3)
//           awslite    @aws-lite/client + @aws-lite/dynamodb: GetItem / PutItem of the same
//                      item, keep-alive as it does by default
//           floor      node:http keep-alive POST of a request signed once
//   mode:   cold                              one load, print {"event":"loaded"}
//           latency <ops> <reps> <warmup>     concurrency 1, loads then saves, timed each
//           throughput <workers> <seconds>    `workers` concurrent load+save cycles
//           eventloop <cycles> <users>        the event-loop gap (see eventLoop below)
//
// Both plugins get the same config and the same minimal Jovo object (what loadData and
// saveData use of it: $user, getPersistableData, setPersistableData, getCurrentHistoryItem).
import http from 'node:http';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { marshal } from '../items/marshal.cjs';

const require = createRequire(import.meta.url);
// Every client runs in a Jovo app's process, as it would in production: the framework is loaded
// for aws-lite and the floor too, so peak RSS compares what each client adds to the same app
// (@jovotech/framework alone takes a Node 24 process from ~43 to ~89 MB).
require('@jovotech/framework');
const [client, endpoint, mode, shape, ...rest] = process.argv.slice(2);
const TABLE = process.env.BENCH_TABLE || 'bench-users';
const userId = `bench-${shape}`;
const item = shape === 'typed' ? typedItem() : readItem(shape);

function readItem(name) {
  return JSON.parse(readFileSync(new URL(`../items/${name}.json`, import.meta.url), 'utf8'));
}

function typedItem() {
  const typed = readItem('small');
  const tags = new Set(Array.from({ length: 1000 }, (_, i) => `tag-${i}`));
  const avatar = new Uint8Array(100 * 1024).map((_, i) => (i * 31) & 255);
  typed.user = { ...typed.user, data: { ...typed.user.data, tags, avatar } };
  return typed;
}
const num = (i, d) => (rest[i] === undefined ? d : Number(rest[i]));
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return user + system; // microseconds, every thread of the process
};
const print = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);
const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench-secret' };

const storedElements = { user: true, session: true, history: { enabled: true, size: 11 }, createdAt: true, updatedAt: true };

function fakeJovo(data = item) {
  return {
    $user: { isNew: true },
    getPersistableData: () => ({
      user: data.user, session: data.session, history: data.history,
      createdAt: data.createdAt, updatedAt: new Date().toISOString(),
    }),
    setPersistableData(loaded) {
      this.loaded = loaded;
    },
    getCurrentHistoryItem: () => ({}),
  };
}

async function pluginClient() {
  const config = {
    table: { name: TABLE },
    storedElements,
    libraryConfig: { dynamoDbClient: { endpoint, region: 'us-east-1', credentials } },
  };
  // Both from require(), as a CommonJS Jovo app (the template's shape) loads them.
  const { DynamoDb } = client === 'original'
    ? require('@jovotech/db-dynamodb')
    : require(`${process.env.BENCH_OURS_DIR ?? './.ours'}/node_modules/jovo-dynamodb-wasm`);
  const plugin = new DynamoDb(config);
  await plugin.initialize();
  const load = async (id = userId) => {
    const jovo = fakeJovo();
    await plugin.loadData(id, jovo);
    if (jovo.$user.isNew) throw new Error('no item loaded');
    return jovo.loaded;
  };
  return {
    load,
    save: (id = userId, data = item) => plugin.saveData(id, fakeJovo(data)),
    close: () => plugin.close?.(),
  };
}

async function awsLiteClient() {
  const { default: awsLite } = await import('@aws-lite/client');
  const aws = await awsLite({
    region: 'us-east-1', endpoint, ...credentials, plugins: [import('@aws-lite/dynamodb')],
  });
  const load = async (id = userId) => {
    const { Item } = await aws.DynamoDB.GetItem({ TableName: TABLE, Key: { userId: id }, ConsistentRead: true });
    if (!Item) throw new Error('no item loaded');
    return Item;
  };
  const save = (id = userId, data = item) =>
    aws.DynamoDB.PutItem({
      TableName: TABLE,
      Item: { userId: id, user: data.user, session: data.session, history: data.history, createdAt: data.createdAt, updatedAt: new Date().toISOString() },
    });
  return { load, save, close: () => {} };
}

// ---- the floor: SigV4 by hand, once; then the same bytes on a kept-alive connection ----

function signedHeaders(target, body) {
  const url = new URL(endpoint);
  const amzDate = new Date().toISOString().replace(/[:-]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const headers = {
    'content-type': 'application/x-amz-json-1.0',
    host: url.host,
    'x-amz-date': amzDate,
    'x-amz-target': `DynamoDB_20120810.${target}`,
  };
  const names = Object.keys(headers).sort();
  const sha = (s) => createHash('sha256').update(s).digest('hex');
  const canonical = ['POST', '/', '', ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), sha(body)].join('\n');
  const scope = `${day}/us-east-1/dynamodb/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha(canonical)].join('\n');
  let key = `AWS4bench-secret`;
  for (const part of [day, 'us-east-1', 'dynamodb', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=bench/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  headers['content-length'] = Buffer.byteLength(body);
  return headers;
}

function floorClient() {
  const agent = new http.Agent({ keepAlive: true });
  const url = new URL(endpoint);
  const prepared = (target, payload) => {
    const body = Buffer.from(JSON.stringify(payload));
    return { body, headers: signedHeaders(target, body) };
  };
  const get = prepared('GetItem', { TableName: TABLE, Key: { userId: { S: userId } }, ConsistentRead: true });
  const put = prepared('PutItem', { TableName: TABLE, Item: { userId: { S: userId }, ...marshal(item).M } });
  const send = ({ body, headers }) =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path: '/', method: 'POST', headers, agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  return { load: () => send(get), save: () => send(put), close: () => agent.destroy() };
}

async function timed(ops, fn) {
  const walls = [];
  const cpu = cpuNow();
  for (let i = 0; i < ops; i++) {
    const t = process.hrtime.bigint();
    await fn();
    walls.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  return { walls, cpu: (cpuNow() - cpu) / ops };
}

/**
 * The event loop under load, as js-shim/test/event-loop.test.js measures it: `cycles`
 * concurrent load -> modify -> save cycles over `users` users, while a 1 ms timer ticks; the
 * longest wall-clock gap between ticks, and the CPU time the main thread used in that gap
 * (process.threadCpuUsage, Node 22.19+ / 24; the whole process where it is missing).
 */
async function eventLoop(c, cycles, users) {
  const ids = Array.from({ length: users }, (_, i) => `loop-user-${i}`);
  const data = (visits) => ({ ...item, user: { data: { visits } } });
  for (const id of ids) await c.save(id, data(0));
  for (const id of ids) await c.load(id); // warm: code paths compiled, connections open
  const threadCpu = typeof process.threadCpuUsage === 'function';
  const cpuUsage = threadCpu ? () => process.threadCpuUsage() : () => process.cpuUsage();
  let last = performance.now();
  let lastCpu = cpuUsage();
  let longest = { gap_ms: 0, gap_cpu_ms: 0 };
  const sample = () => {
    const now = performance.now();
    const cpu = cpuUsage();
    const gap = now - last;
    if (gap > longest.gap_ms) {
      longest = { gap_ms: gap, gap_cpu_ms: (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000 };
    }
    last = now;
    lastCpu = cpu;
  };
  const ticker = setInterval(sample, 1);
  const started = performance.now();
  const cpu0 = cpuNow();
  await Promise.all(Array.from({ length: cycles }, async (_, i) => {
    const id = ids[i % users];
    const loaded = await c.load(id);
    const visits = client === 'floor' ? 0 : Number(loaded.user?.data?.visits ?? 0);
    await c.save(id, data(visits + 1));
  }));
  const elapsed = performance.now() - started;
  const cpu = cpuNow() - cpu0;
  clearInterval(ticker);
  sample();
  print({
    kind: 'eventloop', cycles, users, elapsed_ms: elapsed, ops_per_s: (2 * cycles) / (elapsed / 1000),
    cpu_us: cpu / (2 * cycles), cpu_scope: threadCpu ? 'main thread' : 'process', ...longest,
  });
}

async function main() {
  const c = client === 'floor' ? floorClient() : client === 'awslite' ? await awsLiteClient() : await pluginClient();
  if (mode === 'cold') {
    await c.load();
    print({ event: 'loaded' });
  } else if (mode === 'latency') {
    const [ops, reps, warmup] = [num(0, 200), num(1, 5), num(2, 50)];
    await c.save();
    for (let i = 0; i < warmup; i++) {
      await c.load();
      await c.save();
    }
    for (let rep = 0; rep < reps; rep++) {
      for (const op of ['load', 'save']) {
        const { walls, cpu } = await timed(ops, () => c[op]());
        print({ kind: 'latency', op, rep, cpu_us: cpu, wall_us: walls });
      }
    }
  } else if (mode === 'throughput') {
    const [workers, seconds] = [num(0, 64), num(1, 2)];
    await c.save();
    let stop = false;
    let count = 0;
    const loop = async () => {
      while (!stop) {
        await c.load();
        await c.save();
        count += 2;
      }
    };
    const loops = Array.from({ length: workers }, loop);
    await new Promise((r) => setTimeout(r, 300)); // connections open, code warm
    const [start, t, cpu] = [count, process.hrtime.bigint(), cpuNow()];
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const [done, elapsed, used] = [count - start, Number(process.hrtime.bigint() - t) / 1e9, cpuNow() - cpu];
    stop = true;
    await Promise.all(loops);
    print({ kind: 'throughput', op: 'cycle', workers, ops: done, ops_per_s: done / elapsed, cpu_us: used / done });
  } else if (mode === 'eventloop') {
    await eventLoop(c, num(0, 500), num(1, 100));
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  await c.close();
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
