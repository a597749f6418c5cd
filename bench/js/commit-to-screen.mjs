// Commit to screen: how long a change the sync commits takes to appear on an open, untouched
// dashboard in Debian's Chromium (driven by playwright-core, never a downloaded browser).
//
//   node commit-to-screen.mjs --server URL --token T [--rounds 20] [--chromium PATH]
//
// The server must serve the dashboard (mock-server --web-root web/dist). Each round an admin
// touch makes the sync commit a change of campaigns, at a random moment; two times are taken
// from the commit (the change log's committedAt, the same machine's clock):
//   cache   the page's livedata module announces new campaigns data (its livedata:updated
//           DOM event, not served from its cache): the feed's notice and the refetch
//   screen  the campaigns table's DOM changes (a MutationObserver): React's render on top
// Prints the results as JSON on stdout.
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values: options } = parseArgs({
  options: {
    server: { type: 'string' },
    token: { type: 'string' },
    rounds: { type: 'string', default: '20' },
    chromium: { type: 'string', default: process.env.LIVEDATA_CHROMIUM ?? '/usr/bin/chromium' },
  },
});
if (!options.server || !options.token) {
  console.error('usage: node commit-to-screen.mjs --server URL --token T [--rounds N] [--chromium PATH]');
  process.exit(2);
}
const rounds = Number(options.rounds);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function admin(method, path, body) {
  const response = await fetch(options.server + path, {
    method,
    headers: { Authorization: `Bearer ${options.token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? (method === 'POST' ? '' : undefined) : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

// The commit time of the first change of campaigns after `version`.
async function campaignsCommittedAfter(version) {
  const { changes } = await admin('GET', `/api/changes?since=${version}`);
  const change = changes.find((candidate) => candidate.endpoints.some((endpoint) => endpoint.name === 'campaigns'));
  if (!change) throw new Error(`no change of campaigns after version ${version}`);
  return Date.parse(change.committedAt);
}

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  return { samples: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

const browser = await chromium.launch({
  executablePath: options.chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${options.server}/#token=${options.token}`);
  await page.locator('[data-testid="section-campaigns"] [data-testid="row"]').first().waitFor({ timeout: 30000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="connection"]')?.dataset.state === 'live', null, {
    timeout: 30000,
  });
  // The page keeps the first time of each kind after the bench arms it for a round.
  await page.evaluate(() => {
    const marks = (window.__commitToScreen = { armed: false, cache: null, screen: null });
    window.addEventListener('livedata:updated', (event) => {
      if (marks.armed && event.detail.endpoint === 'campaigns' && !event.detail.fromCache) marks.cache ??= Date.now();
    });
    const body = document.querySelector('[data-testid="section-campaigns"] tbody');
    new MutationObserver(() => {
      if (marks.armed) marks.screen ??= Date.now();
    }).observe(body, { childList: true, subtree: true, characterData: true });
  });
  await sleep(1000);  // the subscription's own revalidations land first

  const screen = [];
  const cache = [];
  let missed = 0;
  for (let round = 0; round < rounds; round++) {
    await sleep(200 + Math.random() * 800);
    await page.evaluate(() => Object.assign(window.__commitToScreen, { armed: true, cache: null, screen: null }));
    const { version } = await admin('GET', '/api/changes');
    await admin('POST', '/admin/touch', { endpoint: 'campaigns' });
    const committedAt = await campaignsCommittedAfter(version);
    const marks = await page
      .waitForFunction(() => window.__commitToScreen.screen !== null && window.__commitToScreen, null, { timeout: 10000 })
      .then((handle) => handle.jsonValue(), () => null);
    await page.evaluate(() => (window.__commitToScreen.armed = false));
    if (!marks) {
      missed++;
      continue;
    }
    screen.push(marks.screen - committedAt);
    if (marks.cache !== null) cache.push(marks.cache - committedAt);
  }
  const connection = await page.getByTestId('connection').getAttribute('data-state');
  console.log(JSON.stringify({ rounds, missed, connection, screen: summary(screen), cache: summary(cache) }, null, 2));
} finally {
  await browser.close();
}
