// User stories of a bad network between the plugin and DynamoDB: a fault-injecting proxy of
// ours (test/support/fault-proxy-server.js) sits in front of a real dynalite and, per
// request, answers 5xx or throttling errors, resets the connection, truncates or garbles
// the body, answers too late, or flips x-amz-crc32.
//
// For each fault the story is the same: a fault that goes away is retried and the call
// succeeds; a fault that stays ends after maxAttempts (4) attempts, with a backoff sleep
// before each retry, as a DynamoDbError of the right code; the next call succeeds; and a
// save that was acknowledged is in DynamoDB, read back without the plugin. The fault table
// as run is printed as diagnostics.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { DynamoDb, DynamoDbError } from '../src/index.js';
import { TEST_CREDENTIALS, pluginConfig } from './support/config.js';
import { startDynalite } from './support/dynalite.js';
import { Fault, forwards, startFaultProxy } from './support/fault-proxy.js';
import { itemLoadedByOurs, saveUserDataWithOurs } from './support/items.js';
import { rawItemReader } from './support/raw-items.js';

const MAX_ATTEMPTS = 4;
const BASE_DELAY_MS = 50;
// Leaves dynalite room on a busy machine: a pass-through answer must never time out.
const REQUEST_TIMEOUT_MS = 800;
const DELAY_MS = 1500;
// The fault table counts attempts: the operation deadline (default 2500 ms, for Alexa) would
// end the slow cases before their 4th attempt, so it is set beyond them.
const OPERATION_TIMEOUT_MS = 30_000;
const USER = 'fault-user';

/** Each fault and the error code it must end in when it outlasts the attempts. */
const FAULTS = [
  [Fault.internalServerError, 'service'],
  [Fault.serviceUnavailable, 'service'],
  [Fault.throttle('ProvisionedThroughputExceededException'), 'throttled'],
  [Fault.throttle('ThrottlingException'), 'throttled'],
  [Fault.throttle('RequestLimitExceeded'), 'throttled'],
  [Fault.reset, 'transport-failed'],
  // fetch reads fewer bytes than content-length announced: a transport failure.
  [Fault.truncate, 'transport-failed'],
  [Fault.garble, 'malformed-response'],
  [Fault.delay(DELAY_MS), 'timed-out'],
  [Fault.flipCrc, 'malformed-response'],
];

let dynalite;
let proxy;
let raw;
before(async () => {
  dynalite = await startDynalite();
  proxy = await startFaultProxy(dynalite.endpoint);
  raw = rawItemReader(dynalite.endpoint);
});
after(async () => {
  raw.close();
  await proxy.stop();
  await dynalite.stop();
});

/** One plugin behind the fault proxy, and what is known to be stored for its user. */
class Bench {
  rows = [];
  sleeps = [];
  counter = 0;
  /** `n` of the last acknowledged save; a failed save that reached dynalite may also be stored. */
  acknowledged = undefined;
  maybeApplied = undefined;

  constructor() {
    const config = pluginConfig(proxy.endpoint, {
      component: { requestTimeoutMs: REQUEST_TIMEOUT_MS, operationTimeoutMs: OPERATION_TIMEOUT_MS, retryBaseDelayMs: BASE_DELAY_MS, onSleep: (ms) => this.sleeps.push(ms) },
    });
    config.libraryConfig.dynamoDbClient.maxAttempts = MAX_ATTEMPTS;
    this.plugin = new DynamoDb(config);
    this.table = config.table.name;
  }

  async start() {
    await this.plugin.initialize();
    await this.takeObservations();
  }

  async takeObservations() {
    const { seen, pending } = await proxy.takeSeen();
    return { seen, pending, sleeps: this.sleeps.splice(0) };
  }

  /**
   * Runs a save or load with `faults` queued, records a row and returns the problems found.
   * `expectedCode` undefined: the call must succeed after faults.length + 1 attempts.
   */
  async run(operation, faults, expectedCode) {
    await proxy.push(faults);
    const n = ++this.counter;
    const outcome = await (operation === 'save' ? saveUserDataWithOurs(this.plugin, USER, { n }) : itemLoadedByOurs(this.plugin, USER)).then(
      (value) => ({ value }),
      (error) => ({ error }),
    );
    const { seen, pending, sleeps } = await this.takeObservations();
    const problems = [
      ...checkAttempts(seen.length, faults.length, expectedCode, pending),
      ...checkSleeps(sleeps, seen.length),
      ...checkOutcome(outcome, expectedCode, seen.length),
      ...(await this.checkStored(operation, n, faults, outcome)),
    ];
    this.rows.push({ operation, faults, attempts: seen.length, sleeps, outcome, problems });
    return problems;
  }

  async checkStored(operation, n, faults, { value, error }) {
    const stored = await raw.get(this.table, USER);
    const storedN = stored && Number(stored.user.M.data.M.n.N);
    if (operation === 'save' && !error) {
      this.acknowledged = n;
      this.maybeApplied = undefined;
      return storedN === n ? [] : [`acknowledged save ${n} not stored (stored ${storedN})`];
    }
    if (operation === 'save') {
      // Not acknowledged: dynalite holds the last acknowledged save, or this one when a
      // fault hit after dynalite applied it.
      if (storedN === n && faults.some(forwards)) {
        this.maybeApplied = n;
        return [];
      }
      return storedN === this.acknowledged ? [] : [`stored item changed unexpectedly to ${storedN}`];
    }
    if (error) return [];
    const expected = this.maybeApplied ?? this.acknowledged;
    return value?.user.data.n === expected ? [] : [`loaded ${inspect(value?.user)}, stored ${expected}`];
  }

  close() {
    return this.plugin.close();
  }
}

/** The two methods of a Jovo request that loadData and saveData use, for one request. */
function jovoRequestStandIn(userData) {
  return {
    $user: { isNew: true },
    setPersistableData(item) {
      this.loaded = item;
    },
    getPersistableData: () => ({ user: { data: userData } }),
  };
}

function checkAttempts(attempts, faultCount, expectedCode, pending) {
  const expected = expectedCode ? faultCount : faultCount + 1;
  const problems = attempts === expected ? [] : [`${attempts} requests, expected ${expected}`];
  return pending === 0 ? problems : [...problems, `${pending} faults left unused`];
}

/** One backoff before each retry, each within its full-jitter ceiling base * 2^(retry-1). */
function checkSleeps(sleeps, attempts) {
  const problems = sleeps.length === attempts - 1 ? [] : [`${sleeps.length} sleeps for ${attempts} attempts`];
  sleeps.forEach((ms, retry) => {
    if (ms > BASE_DELAY_MS << retry) problems.push(`sleep ${ms} ms before retry ${retry + 1} > ${BASE_DELAY_MS << retry}`);
  });
  return problems;
}

function checkOutcome({ error }, expectedCode, attempts) {
  if (!error) return expectedCode ? [`succeeded, expected ${expectedCode}`] : [];
  if (!(error instanceof DynamoDbError)) return [`not a DynamoDbError: ${inspect(error)}`];
  if (!expectedCode) return [`failed: ${error.message}`];
  const problems = error.code === expectedCode ? [] : [`error code ${error.code}, expected ${expectedCode}`];
  if (!new RegExp(`\\b${attempts} attempts?\\b`).test(error.message)) problems.push(`the message does not say ${attempts} attempts`);
  if (error.attempts !== undefined && error.attempts !== attempts) problems.push(`error.attempts ${error.attempts}, expected ${attempts}`);
  if (error.message.includes(TEST_CREDENTIALS.secretAccessKey)) problems.push('the message holds the secret key');
  return problems;
}

function describeFaults(faults) {
  if (faults.length === 0) return 'none';
  if (faults.every((fault) => fault.label === faults[0].label)) return faults.length === 1 ? faults[0].label : `${faults[0].label} ×${faults.length}`;
  return faults.map((fault) => fault.label).join(', ');
}

function tableRow({ operation, faults, attempts, sleeps, outcome, problems }) {
  const result = outcome.error ? `${outcome.error.code}: ${outcome.error.message.slice(0, 110)}` : 'ok';
  const checks = problems.length === 0 ? 'pass' : `FAIL: ${problems.join('; ')}`;
  return `| ${operation} | ${describeFaults(faults)} | ${attempts} | ${sleeps.join(', ') || '-'} | ${result} | ${checks} |`;
}

describe(`faults between the plugin and DynamoDB`, () => {
  let bench;
  before(async () => {
    bench = new Bench();
    await bench.start();
    assert.deepEqual(await bench.run('save', [], undefined), []);
  });
  after(() => bench.close());

  for (const [fault, finalCode] of FAULTS) {
    test(`${fault.label}: retried once and succeeds; ×${MAX_ATTEMPTS} ends in ${finalCode} after ${MAX_ATTEMPTS} attempts; the plugin works on; no acknowledged save lost`, async () => {
      const problems = [
        ...(await bench.run('save', [fault], undefined)),
        ...(await bench.run('load', [fault], undefined)),
        ...(await bench.run('save', Array(MAX_ATTEMPTS).fill(fault), finalCode)),
        ...(await bench.run('load', Array(MAX_ATTEMPTS).fill(fault), finalCode)),
        ...(await bench.run('save', [], undefined)),
        ...(await bench.run('load', [], undefined)),
      ];
      assert.deepEqual(problems, []);
    });
  }

  test('three different faults in a row are retried through, and the save succeeds on the 4th attempt', async () => {
    const faults = [Fault.throttle('ThrottlingException'), Fault.reset, Fault.flipCrc];
    assert.deepEqual(await bench.run('save', faults, undefined), []);
  });

  test('a client error (ValidationException) is not retried: one attempt, no sleep, code service', async () => {
    assert.deepEqual(await bench.run('save', [Fault.validation], 'service'), []);
    assert.deepEqual(await bench.run('save', [], undefined), []);
  });

  // With optimistic locking a save is a conditional put, not idempotent by itself. When its
  // answer is lost after DynamoDB applied it, the retry finds its own write; the component
  // recognises that and reports success instead of a conflict, and the version moves once.
  test('with optimistic locking, a save whose answer was lost is retried without a false conflict', async () => {
    const locked = new DynamoDb(pluginConfig(proxy.endpoint, {
      table: { optimisticLocking: true },
      component: { requestTimeoutMs: REQUEST_TIMEOUT_MS, operationTimeoutMs: OPERATION_TIMEOUT_MS, retryBaseDelayMs: BASE_DELAY_MS },
    }));
    try {
      await locked.initialize();
      for (const [visit, fault] of [Fault.truncate, Fault.delay(DELAY_MS), Fault.flipCrc, Fault.garble].entries()) {
        const request = jovoRequestStandIn({ visit });
        await locked.loadData('locked-user', request);
        await proxy.push([fault]);
        await locked.saveData('locked-user', request);
        const stored = await raw.get(locked.config.table.name, 'locked-user');
        assert.deepEqual(stored.version, { N: String(visit + 1) }, `one save, one version step, despite ${fault.label}`);
        assert.deepEqual(stored.user.M.data.M.visit, { N: String(visit) });
      }
      await proxy.takeSeen();
      // A real conflict is still one: a request that loaded before another one saved.
      const stale = jovoRequestStandIn({ visit: 'stale' });
      await locked.loadData('locked-user', stale);
      const overtaking = jovoRequestStandIn({ visit: 'overtaking' });
      await locked.loadData('locked-user', overtaking);
      await locked.saveData('locked-user', overtaking);
      await assert.rejects(locked.saveData('locked-user', stale), { name: 'DynamoDbError', code: 'conditional-conflict' });
    } finally {
      await locked.close();
    }
  });

  test('the fault table as run', (t) => {
    t.diagnostic(`fault table (maxAttempts ${MAX_ATTEMPTS}, retryBaseDelayMs ${BASE_DELAY_MS}, requestTimeoutMs ${REQUEST_TIMEOUT_MS})`);
    t.diagnostic('| call | faults injected | requests | backoff sleeps (ms) | outcome | checks |');
    for (const row of bench.rows) t.diagnostic(tableRow(row));
    assert.ok(bench.rows.length > FAULTS.length * 4);
  });
});
