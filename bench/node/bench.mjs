// Node benchmarks (not tests), driven by bench/run.py; prints the same JSON lines as the
// Rust binaries (see bench/rust/src/lib.rs).
//
//   node bench.mjs <client> <endpoint> <cold|latency|throughput> <small|large> [args]
//   client: ours-jspi | ours-sync   the js-shim's DynamoDb (copied to .shim/ by run.sh)
//           original                @jovotech/db-dynamodb 4.1.0 (AWS SDK v3)
//           floor                   node:http keep-alive POST of a request signed once
//
// Both plugins get the same config and the same minimal Jovo object (what loadData and
// saveData use of it: $user, getPersistableData, setPersistableData, getCurrentHistoryItem).
import http from 'node:http';
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { marshal } from '../items/marshal.cjs';

const [client, endpoint, mode, shape, ...rest] = process.argv.slice(2);
const TABLE = 'bench-users';
const userId = `bench-${shape}`;
const item = JSON.parse(readFileSync(new URL(`../items/${shape}.json`, import.meta.url), 'utf8'));
const num = (i, d) => (rest[i] === undefined ? d : Number(rest[i]));
const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return user + system; // microseconds, every thread of the process
};
const print = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

const storedElements = { user: true, session: true, history: { enabled: true, size: 11 }, createdAt: true, updatedAt: true };

function fakeJovo() {
  return {
    $user: { isNew: true },
    getPersistableData: () => ({
      user: item.user, session: item.session, history: item.history,
      createdAt: item.createdAt, updatedAt: new Date().toISOString(),
    }),
    setPersistableData(data) {
      this.loaded = data;
    },
    getCurrentHistoryItem: () => ({}),
  };
}

async function pluginClient() {
  const config = {
    table: { name: TABLE },
    storedElements,
    libraryConfig: {
      dynamoDbClient: { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench-secret' } },
    },
  };
  let plugin;
  if (client === 'original') {
    const { DynamoDb } = await import('@jovotech/db-dynamodb');
    plugin = new DynamoDb(config);
  } else {
    const { DynamoDb } = await import('./.shim/src/index.js');
    plugin = new DynamoDb({ ...config, component: { asyncMode: client === 'ours-jspi' ? 'jspi' : 'sync' } });
  }
  await plugin.initialize();
  return {
    async load() {
      const jovo = fakeJovo();
      await plugin.loadData(userId, jovo);
      if (jovo.$user.isNew) throw new Error('no item loaded');
    },
    save: () => plugin.saveData(userId, fakeJovo()),
    close: () => plugin.close?.(),
  };
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
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const url = new URL(endpoint);
  const prepared = (target, payload) => {
    const body = Buffer.from(JSON.stringify(payload));
    return { body, headers: signedHeaders(target, body) };
  };
  const get = prepared('GetItem', { TableName: TABLE, Key: { userId: { S: userId } } });
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

async function main() {
  const c = client === 'floor' ? floorClient() : await pluginClient();
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
        const { walls, cpu } = await timed(ops, c[op]);
        print({ kind: 'latency', op, rep, cpu_us: cpu, wall_us: walls });
      }
    }
  } else if (mode === 'throughput') {
    const [workers, seconds, op] = [num(0, 64), num(1, 3), rest[2] ?? 'load'];
    await c.save();
    let stop = false;
    let count = 0;
    const loop = async () => {
      while (!stop) {
        await c[op]();
        count += 1;
        // A sync-mode call resolves without a macrotask; yield so the timers can fire.
        await new Promise((r) => setImmediate(r));
      }
    };
    const loops = Array.from({ length: workers }, loop);
    await new Promise((r) => setTimeout(r, 300)); // connections and pool instances first
    const [start, t, cpu] = [count, process.hrtime.bigint(), cpuNow()];
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const [done, elapsed, used] = [count - start, Number(process.hrtime.bigint() - t) / 1e9, cpuNow() - cpu];
    stop = true;
    await Promise.all(loops);
    print({ kind: 'throughput', op, workers, ops: done, ops_per_s: done / elapsed, cpu_us: used / done });
  }
  await c.close();
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
