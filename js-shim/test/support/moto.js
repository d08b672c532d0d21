// A moto server on 127.0.0.1 (the one local DynamoDB stand-in that checks SigV4 signatures and
// IAM policies; installed by scripts/install-moto.sh into host-tests/.venv-moto, pinned), with
// IAM users and roles made through moto's own IAM and STS APIs before auth is switched on.
// Stopped by its PID. The test code may use fetch; the plugin's path never does.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { openSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const INSTALL = fileURLToPath(new URL('../../../scripts/install-moto.sh', import.meta.url));

/** The eight permissions the Jovo DynamoDB integration documents for its IAM user. */
export const SEED_PERMISSIONS = [
  'dynamodb:CreateTable', 'dynamodb:DescribeTable', 'dynamodb:Query', 'dynamodb:Scan',
  'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem',
];

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

async function waitForPort(port, child, log, limitMs = 30_000) {
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}); see ${log}`);
    const open = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() - started > limitMs) throw new Error(`moto_server did not listen within ${limitMs / 1000} s; see ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function xml(text, tag) {
  const found = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text)?.[1];
  if (found === undefined) throw new Error(`moto's answer has no <${tag}>`);
  return found;
}

function policy(actions) {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
}

export async function startMoto() {
  const server = execFileSync('bash', [INSTALL], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').at(-1);
  const port = await freePort();
  const log = join(tmpdir(), `jovo-dynamodb-moto-${port}.log`);
  const output = openSync(log, 'w');
  const child = spawn(server, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', output, output] });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitForPort(port, child, log);
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }

  // moto routes IAM and STS Query calls by the credential scope; before auth is on, the
  // signature is not checked.
  async function query(service, params) {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`,
        'x-amz-date': '20260101T000000Z',
      },
      body: new URLSearchParams(params).toString(),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`moto ${service} ${params.Action} failed: HTTP ${response.status}`);
    return text;
  }

  return {
    endpoint,
    pid: child.pid,
    /** An IAM user allowed exactly `actions`, and an access key of it. */
    async userWithPolicy(name, actions) {
      await query('iam', { Action: 'CreateUser', Version: '2010-05-08', UserName: name });
      await query('iam', { Action: 'PutUserPolicy', Version: '2010-05-08', UserName: name, PolicyName: 'jovo-dynamodb', PolicyDocument: policy(actions) });
      const answer = await query('iam', { Action: 'CreateAccessKey', Version: '2010-05-08', UserName: name });
      return { accessKeyId: xml(answer, 'AccessKeyId'), secretAccessKey: xml(answer, 'SecretAccessKey') };
    },
    /** Temporary credentials (with a session token and an expiration) of a role allowed exactly `actions`. */
    async assumedRole(name, actions) {
      const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'sts:AssumeRole' }] });
      const created = await query('iam', { Action: 'CreateRole', Version: '2010-05-08', RoleName: name, AssumeRolePolicyDocument: trust });
      await query('iam', { Action: 'PutRolePolicy', Version: '2010-05-08', RoleName: name, PolicyName: 'jovo-dynamodb', PolicyDocument: policy(actions) });
      const answer = await query('sts', { Action: 'AssumeRole', Version: '2011-06-15', RoleArn: xml(created, 'Arn'), RoleSessionName: 'jovo-session' });
      return {
        accessKeyId: xml(answer, 'AccessKeyId'),
        secretAccessKey: xml(answer, 'SecretAccessKey'),
        sessionToken: xml(answer, 'SessionToken'),
        expiration: xml(answer, 'Expiration'),
      };
    },
    /** Switches signature and IAM checks on for every later request. */
    async enableAuth() {
      const response = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '0' });
      const text = await response.text();
      if (response.status !== 200 || !text.includes('ok')) throw new Error(`reset-auth answered HTTP ${response.status}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      process.kill(child.pid, 'SIGTERM');
      await exited;
    },
  };
}
