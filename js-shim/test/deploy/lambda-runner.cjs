// Runs a Jovo Lambda handler the way AWS Lambda does for an Alexa skill (direct invocation:
// the event is the Alexa request envelope) and checks the visit count in the speech.
//
//   node lambda-runner.cjs <handler module> <userId> [invocations=1] [firstVisit=1]
//
// The module is required (a bundle or the tsc output); its `handler(event, context, callback)`
// is called `invocations` times in this one process, as a warm Lambda container would. Each
// LaunchRequest must answer "visit number <firstVisit + i>" (any number with firstVisit `any`). Prints one JSON line per
// invocation and exits 0 when every answer was right, 1 otherwise. The table and endpoint come
// from DYNAMODB_TABLE and DYNAMODB_ENDPOINT, which the app reads.
'use strict';
const { randomUUID } = require('node:crypto');
const { resolve } = require('node:path');

const [modulePath, userId, invocations = '1', firstVisit = '1'] = process.argv.slice(2);
if (!modulePath || !userId) {
  console.error('usage: node lambda-runner.cjs <handler module> <userId> [invocations] [firstVisit]');
  process.exit(2);
}

const APPLICATION_ID = 'amzn1.ask.skill.00000000-0000-0000-0000-00000000deploy';

function launchRequest(user) {
  return {
    version: '1.0',
    session: {
      new: true,
      sessionId: `amzn1.echo-api.session.${randomUUID()}`,
      application: { applicationId: APPLICATION_ID },
      attributes: {},
      user: { userId: user },
    },
    context: {
      System: {
        application: { applicationId: APPLICATION_ID },
        user: { userId: user },
        device: { deviceId: 'amzn1.ask.device.deploy-test', supportedInterfaces: {} },
        apiEndpoint: 'https://api.amazonalexa.com',
      },
    },
    request: {
      type: 'LaunchRequest',
      requestId: `amzn1.echo-api.request.${randomUUID()}`,
      timestamp: new Date().toISOString(),
      locale: 'en-US',
    },
  };
}

function lambdaContext() {
  const deadline = Date.now() + 30_000;
  return {
    awsRequestId: randomUUID(),
    functionName: 'jovo-deploy-test',
    functionVersion: '$LATEST',
    memoryLimitInMB: '1024',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

// The Lambda runtime takes the first of: the callback's result, the returned promise's value.
function invoke(handler, event) {
  return new Promise((resolvePromise, reject) => {
    let settled = false;
    const callback = (error, result) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolvePromise(result);
    };
    Promise.resolve()
      .then(() => handler(event, lambdaContext(), callback))
      .then((value) => {
        if (!settled && value !== undefined) callback(null, value);
        else if (!settled) callback(new Error('the handler resolved without answering'));
      }, callback);
  });
}

async function main() {
  const started = process.hrtime.bigint();
  const { handler } = require(resolve(modulePath));
  if (typeof handler !== 'function') throw new Error(`${modulePath} exports no handler function`);
  const loadedMs = Number(process.hrtime.bigint() - started) / 1e6;
  let ok = true;
  for (let i = 0; i < Number(invocations); i++) {
    const expected = firstVisit === 'any' ? null : Number(firstVisit) + i;
    const t0 = process.hrtime.bigint();
    const response = await invoke(handler, launchRequest(userId));
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const speech = response?.response?.outputSpeech?.ssml ?? JSON.stringify(response);
    const match = /visit number (\d+)/.exec(speech);
    const visits = match ? Number(match[1]) : null;
    const pass = expected === null ? Number.isInteger(visits) && visits > 0 : visits === expected;
    ok &&= pass;
    console.log(JSON.stringify({ invocation: i + 1, expected, visits, pass, ms: Math.round(ms), loadMs: i === 0 ? Math.round(loadedMs) : undefined, speech }));
  }
  return ok;
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error) => {
    console.error(error && error.stack ? error.stack : error);
    process.exit(1);
  },
);
