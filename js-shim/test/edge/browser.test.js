// The browser example (examples/browser) in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core) against a real dynalite: the page, served from 127.0.0.1 by a
// static server of ours, loads the package's edge bundle (dist/edge.mjs, the core modules
// inlined), counts a visit and loads it back.
// With UPDATE_SCREENSHOT=1 it rewrites examples/browser/screenshot.png for the README; by
// default it takes the screenshot in memory only, so a test run leaves the tree clean.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { startDynalite } from '../support/dynalite.js';
import { rawItem } from './support/raw-dynamodb.js';
import { startStaticServer } from './support/static-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];
const SCREENSHOT = fileURLToPath(new URL('../../examples/browser/screenshot.png', import.meta.url));
const TABLE_NAME = 'browser-visits';
const PAGE_TIMEOUT_MS = 30_000;

let dynalite;
let site;
let profileDir;
let browser;

before(async () => {
  dynalite = await startDynalite();
  site = await startStaticServer();
  profileDir = await mkdtemp(join(tmpdir(), 'jovo-edge-chromium-'));
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 900, height: 640 },
  });
});

after(async () => {
  await browser?.close();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
  await site?.close();
  await dynalite?.stop();
});

/** Opens the example page for `userId` in a new tab and waits for its outcome. */
async function visitPage(userId) {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  // Chromium logs every HTTP error status as a console error; DescribeTable's 400 for a
  // missing table is an answer the component expects, so only other messages count.
  page.on('console', (message) => {
    const problem = ['error', 'warning'].includes(message.type()) && !message.text().startsWith('Failed to load resource');
    if (problem) pageErrors.push(`console ${message.type()}: ${message.text()}`);
  });
  const query = new URLSearchParams({ endpoint: dynalite.endpoint, table: TABLE_NAME, user: userId });
  await page.goto(`${site.origin}/examples/browser/index.html?${query}`);
  await page.waitForFunction(() => document.body.dataset.state !== 'running', null, { timeout: PAGE_TIMEOUT_MS });
  const state = await page.evaluate(() => document.body.dataset.state);
  const result = await page.evaluate(() => window.visitResult);
  return { page, state, result, pageErrors };
}

test('a first visit in the browser creates the table, saves the visit and loads it back', async () => {
  const { page, state, result, pageErrors } = await visitPage('carol');
  assert.equal(state, 'done', JSON.stringify(result));
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(result.storedItem, { userId: 'carol', user: { data: { visits: 1 } } });
  console.log(`Chromium first visit (table created): first item loaded ${result.firstLoad.sinceScriptStartMs} ms after the script started, ${result.firstLoad.sincePageStartMs} ms after navigation`);
  await page.close();
});

test('a returning visit counts on from the stored item, as dynalite holds it', async () => {
  const { page, state, result, pageErrors } = await visitPage('carol');
  assert.equal(state, 'done', JSON.stringify(result));
  assert.deepEqual(pageErrors, []);
  assert.equal(result.visits, 2);
  assert.deepEqual(await rawItem(dynalite.endpoint, TABLE_NAME, 'carol'), {
    userId: { S: 'carol' },
    user: { M: { data: { M: { visits: { N: '2' } } } } },
  });
  console.log(`Chromium returning visit (table existing): first item loaded ${result.firstLoad.sinceScriptStartMs} ms after the script started, ${result.firstLoad.sincePageStartMs} ms after navigation`);
  const png = await page.screenshot(process.env.UPDATE_SCREENSHOT === '1' ? { path: SCREENSHOT } : {});
  assert.ok(png.length > 1000, 'the page renders');
  await page.close();
});

test('a DynamoDB that cannot be reached shows the transport-failed code in the page', async () => {
  const page = await browser.newPage();
  const query = new URLSearchParams({ endpoint: 'http://127.0.0.1:9', table: TABLE_NAME, user: 'dave' });
  await page.goto(`${site.origin}/examples/browser/index.html?${query}`);
  await page.waitForFunction(() => document.body.dataset.state !== 'running', null, { timeout: PAGE_TIMEOUT_MS });
  assert.equal(await page.evaluate(() => document.body.dataset.state), 'failed');
  assert.equal(await page.evaluate(() => window.visitResult.code), 'transport-failed');
  await page.close();
});
