// The dashboard end to end: a real mock-server serving web/dist beside its API, Debian's
// Chromium driven by playwright-core (never a downloaded browser). Screenshots of the main
// states go to $LIVEDATA_ARTIFACTS (default build/browser-artifacts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from '../support/mock_server.mjs';
import { launchChromium, startDashboardServer } from './browser.mjs';

const ARTIFACTS = process.env.LIVEDATA_ARTIFACTS ?? join(ROOT, 'build', 'browser-artifacts');
const SECTIONS = ['overview', 'campaigns', 'flows', 'forms', 'segments'];

let server;
let browser;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Heartbeats every second: a closed tab's stream is noticed (and dropped) within one.
  server = await startDashboardServer(['--heartbeat-seconds', '1']);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// Signed in as the demo's link does: the token in the fragment, which the browser never sends.
async function openDashboard(query = '') {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error));
  // Counts the module's compilations while it downloads (window.wasmStreamingCompiles).
  await page.addInitScript(() => {
    const compileStreaming = WebAssembly.compileStreaming;
    window.wasmStreamingCompiles = 0;
    WebAssembly.compileStreaming = (source) => {
      window.wasmStreamingCompiles += 1;
      return compileStreaming(source);
    };
  });
  await page.goto(`${server.url}/${query ? `?${query}` : ''}#token=${server.token}`);
  return { page, pageErrors };
}

const section = (page, name) => page.getByTestId(`section-${name}`);

// Every section loaded, in one of `states`: by default fresh, or live (kept current by the
// server's change feed).
async function waitForAllSections(page, states = ['fresh', 'live']) {
  for (const name of ['campaigns', 'flows', 'forms', 'segments']) {
    await section(page, name).getByTestId('row').first().waitFor({ timeout: 20000 });
  }
  await page.waitForFunction(
    ({ names, states }) =>
      names.every((name) =>
        states.some((state) => document.querySelector(`[data-testid="section-${name}"] [data-state="${state}"]`)),
      ),
    { names: SECTIONS, states },
    { timeout: 20000 },
  );
}

const connectionState = (page) => page.getByTestId('connection').getAttribute('data-state');

test('the dashboard loads and every section shows data', async () => {
  const { page, pageErrors } = await openDashboard();
  const sentTargets = [];
  page.on('request', (request) => sentTargets.push(request.url()));
  await waitForAllSections(page);
  assert.equal(await page.evaluate(() => window.wasmStreamingCompiles), 1, 'the module compiles as it downloads');
  assert.ok(!page.url().includes(server.token), `the token left the address bar: ${page.url()}`);
  const overview = await section(page, 'overview').innerText();
  assert.match(overview, /revenue/i);
  assert.match(overview, /\d/);
  for (const name of ['campaigns', 'flows', 'forms', 'segments']) {
    assert.ok((await section(page, name).getByTestId('row').count()) > 0, name);
    // The statistics' own age, from the budgeted reports, beside the records' freshness (the
    // live feed brings it should the page have loaded between the records and the reports).
    const age = section(page, name).getByTestId('statistics-age').filter({ hasText: /^Statistics as of (\d+ (s|min) ago|just now)$/ });
    await age.waitFor({ timeout: 15000 });
  }
  const health = section(page, 'monitoring').getByTestId('health-status');
  await health.waitFor({ timeout: 20000 });
  assert.match(await health.innerText(), /healthy|degraded|failing/i);
  assert.equal(await section(page, 'monitoring').getByTestId('target-cache_hit_rate').count(), 1);
  assert.ok(sentTargets.length > 0 && sentTargets.every((url) => !url.includes(server.token)),
    'no request carries the token in its URL (it travels only as a bearer header)');
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-loaded.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-phone.png'), fullPage: true });
  assert.deepEqual(pageErrors, []);
  await page.close();
});

test('Refresh refetches every endpoint with _t and does not reload the page', async () => {
  const { page } = await openDashboard();
  await waitForAllSections(page);
  await page.evaluate(() => {
    window.__beforeRefresh = true;
  });
  await server.reset();
  await page.getByTestId('refresh-button').click();
  // The server's request log tells what went over the wire.
  let refreshed = new Set();
  let log = [];
  for (let i = 0; i < 200 && refreshed.size < SECTIONS.length; i++) {
    ({ log } = await server.requests());
    refreshed = new Set(log.filter((entry) => /(^|&)_t=\d+/.test(entry.query)).map((entry) => entry.path));
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  for (const name of SECTIONS) assert.ok(refreshed.has(`/api/${name}`), `${name} refetched with _t: ${JSON.stringify(log)}`);
  assert.equal(await page.evaluate(() => window.__beforeRefresh), true, 'the page was not reloaded');
  await page.close();
});

test('with faults injected a toast appears, the indicator turns to error and the last data stays', async () => {
  const { page } = await openDashboard();
  await waitForAllSections(page);
  const rowsBefore = await section(page, 'campaigns').getByTestId('row').count();
  await server.faults([{ path: '/api/campaigns', status: 503, times: -1 }]);
  try {
    await page.getByTestId('refresh-button').click();
    const toast = page.getByTestId('toast').first();
    await toast.waitFor({ timeout: 30000 });
    assert.ok((await toast.innerText()).length > 0);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="section-campaigns"] [data-state="error"]'),
      null,
      { timeout: 30000 },
    );
    assert.equal(await section(page, 'campaigns').getByTestId('row').count(), rowsBefore, 'the last data stays on screen');
    assert.ok(await page.locator('[aria-live]').count(), 'toasts are announced');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-error.png'), fullPage: true });
  } finally {
    await server.clearFaults();
  }
  // Once the server answers again the error goes by itself: the module tries the failed
  // query again while it is on screen, and the section follows its answer.
  await page.waitForFunction(
    () => document.querySelector('[data-testid="section-campaigns"] [data-state="live"], [data-testid="section-campaigns"] [data-state="fresh"]'),
    null,
    { timeout: 45000 },
  );
  await page.close();
});

test('a refresh the server answers with 429 says it waits, and for how long, then shows the data', async () => {
  const { page } = await openDashboard();
  await waitForAllSections(page);
  await server.faults([{ path: '/api/campaigns', status: 429, times: 1, retryAfter: '20' }]);
  try {
    await page.getByTestId('refresh-button').click();
    const freshness = section(page, 'campaigns').getByTestId('freshness');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="section-campaigns"] [data-state="retrying"]'),
      null,
      { timeout: 15000 },
    );
    const text = await freshness.innerText();
    const seconds = Number(/server busy · retrying in (\d+) s/.exec(text)?.[1]);
    assert.ok(seconds > 10 && seconds <= 20, `"${text}" counts down from the server's 20 s`);
    assert.match((await freshness.getAttribute('title')) ?? '', /\S/, 'the error is in the tooltip');
    // The other sections are done: the wait holds only its own section, not the Refresh button.
    await page.waitForFunction(
      () => document.querySelector('[data-testid="refresh-button"]')?.getAttribute('aria-busy') === 'false',
      null,
      { timeout: 10000 },
    );
    assert.ok(await page.$('[data-testid="section-campaigns"] [data-state="retrying"]'), 'campaigns still waits');
  } finally {
    await server.clearFaults();
  }
  // The one 429 is spent: the retry at the end of the wait brings the data.
  await page.waitForFunction(
    () => document.querySelector('[data-testid="section-campaigns"] [data-state="live"], [data-testid="section-campaigns"] [data-state="fresh"]'),
    null,
    { timeout: 40000 },
  );
  await page.close();
});

test('a section whose first load failed shows it, then its data once the server recovers, with no click', async () => {
  await server.faults([{ path: '/api/overview', status: 503, times: -1 }]);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await page.addInitScript(() => {
      window.__overviewErrors = 0;
      addEventListener('livedata:error', (event) => {
        if (event.detail.endpoint === 'overview') window.__overviewErrors += 1;
      });
    });
    await page.goto(`${server.url}/#token=${server.token}`);
    await page.waitForFunction(
      () => /could not load/.test(document.querySelector('[data-testid="section-overview"]')?.textContent ?? ''),
      null,
      { timeout: 30000 },
    );
    assert.equal(await section(page, 'overview').getByRole('button', { name: 'Try again' }).count(), 1);
    await page.waitForFunction(() => document.querySelector('[data-testid="connection"]')?.dataset.state === 'live', null, {
      timeout: 20000,
    });
    // The feed's first subscription asks for every watched query once more (it cannot know
    // what changed before it): the faults last until that fetch has failed too. From then on
    // nothing but the module's own recovery asks for the overview again.
    await page.waitForFunction(() => window.__overviewErrors >= 2, null, { timeout: 20000 });
  } finally {
    await server.clearFaults();
  }
  await section(page, 'overview').getByTestId('kpi').first().waitFor({ timeout: 45000 });
  assert.equal(await section(page, 'overview').getByTestId('kpi').count(), 6);
  await page.close();
});

test('with the change feed down, the indicator warns once data passes the stale threshold', async () => {
  // Nothing confirms the data while the feed cannot connect: it ages, and turns stale.
  await server.faults([{ path: '/api/changes', status: 503, times: -1 }]);
  try {
    const { page } = await openDashboard('stale=1500');
    // Young data is "not live" while the feed is down, never fresh; then it is stale.
    await waitForAllSections(page, ['unconfirmed', 'stale']);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="section-campaigns"] [data-state="stale"]'),
      null,
      { timeout: 15000 },
    );
    assert.match(await section(page, 'campaigns').innerText(), /stale/i);
    assert.notEqual(await connectionState(page), 'live');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-stale.png'), fullPage: true });
    await page.close();
  } finally {
    await server.clearFaults();
  }
});

test('an untouched page shows a change the sync commits, without any click', async () => {
  const { page, pageErrors } = await openDashboard();
  await waitForAllSections(page);
  await page.waitForFunction(() => document.querySelector('[data-testid="connection"]')?.dataset.state === 'live', null, {
    timeout: 20000,
  });
  assert.match(await page.getByTestId('connection').innerText(), /live/i);
  const table = () => section(page, 'campaigns').locator('tbody').innerText();
  const before = await table();
  // The page notes when the table changes; the server's change log says when the change was
  // committed (the same machine's clock).
  await page.evaluate(() => {
    const body = document.querySelector('[data-testid="section-campaigns"] tbody');
    new MutationObserver(() => {
      window.__campaignsChangedAt ??= Date.now();
    }).observe(body, { childList: true, subtree: true, characterData: true });
  });
  const { version } = await (await fetch(`${server.url}/api/changes`)).json();
  await server.admin('POST', '/admin/touch', { endpoint: 'campaigns' });
  await page.waitForFunction(() => window.__campaignsChangedAt !== undefined, null, { timeout: 10000 });
  const changedAt = await page.evaluate(() => window.__campaignsChangedAt);
  const { changes } = await (await fetch(`${server.url}/api/changes?since=${version}`)).json();
  const commit = changes.find((change) => change.endpoints.some((endpoint) => endpoint.name === 'campaigns'));
  assert.ok(commit, JSON.stringify(changes));
  const onScreenMs = changedAt - Date.parse(commit.committedAt);
  // Reported, not asserted: speed is the benchmarks' to judge (bench/, BENCHMARKS.md).
  console.log(`# commit to screen: ${onScreenMs} ms`);
  assert.notEqual(await table(), before);
  assert.match(await section(page, 'campaigns').getByTestId('freshness').innerText(), /live/);
  await page.screenshot({ path: join(ARTIFACTS, 'dashboard-live-change.png'), fullPage: true });
  assert.deepEqual(pageErrors, []);
  await page.close();
});

test('two tabs of the same origin hold one stream between them, and the other takes over when one closes', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const subscribers = async () =>
    (await server.admin('GET', '/monitoring/metrics')).liveFeed.subscribers;
  const waitLive = (page) =>
    page.waitForFunction(() => document.querySelector('[data-testid="connection"]')?.dataset.state === 'live', null, {
      timeout: 20000,
    });
  const first = await context.newPage();
  await first.addInitScript(() => {
    window.connectionStates = [];
    addEventListener('livedata:connection', (event) => window.connectionStates.push(event.detail.state));
  });
  await first.goto(`${server.url}/#token=${server.token}`);
  await waitLive(first);
  // The first tab takes the lead while its stream waits to join one: it opens the real
  // stream at once, with no reconnection shown (or waited for) on the way.
  assert.deepEqual(await first.evaluate(() => window.connectionStates), ['connecting', 'live']);
  const second = await context.newPage();
  await second.goto(`${server.url}/#token=${server.token}`);
  await waitLive(second);
  await waitForAllSections(second);
  assert.equal(await subscribers(), 1, 'one stream for two tabs');

  // The second tab follows the first's stream: a change reaches it too.
  const table = () => second.locator('[data-testid="section-campaigns"] tbody').innerText();
  const tableChangedFrom = (previous) =>
    second.waitForFunction(
      (text) => document.querySelector('[data-testid="section-campaigns"] tbody')?.innerText !== text,
      previous,
      { timeout: 10000 },
    );
  const before = await table();
  await server.admin('POST', '/admin/touch', { endpoint: 'campaigns' });
  await tableChangedFrom(before);

  // The leading tab closes: the other leads, with a stream of its own, and still follows.
  await first.close();
  // The server drops the closed tab's stream on its next heartbeat (every second here); the
  // remaining tab reconnects with a random wait of up to a second.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline && (await subscribers()) !== 1) await new Promise((resolve) => setTimeout(resolve, 100));
  await waitLive(second);
  assert.equal(await subscribers(), 1, 'the remaining tab holds the one stream');
  const beforeSecondChange = await table();
  await server.admin('POST', '/admin/touch', { endpoint: 'campaigns' });
  await tableChangedFrom(beforeSecondChange);
  await context.close();
});
