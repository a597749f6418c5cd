// The WASM module under node against a real mock-server: the behaviour the native
// integration tests check (tests/integration/client_integration_test.cpp), on the same server.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { startServer } from '../../tests/support/mock_server.mjs';
import { importLiveData, wasmDist } from './module.js';

const { createLiveData, LiveDataError, EVENTS } = await importLiveData();

let server;
const clients = [];

before(async () => {
  server = await startServer();
});
after(async () => {
  for (const client of clients) client.dispose();
  await server.stop();
});
beforeEach(async () => {
  await server.reset();
});

async function client(options = {}) {
  const ld = await createLiveData({ baseUrl: server.url, eventTarget: null, ...options });
  clients.push(ld);
  return ld;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// An assert.rejects check: a LiveDataError of kind `config` whose detail names `option`.
const configErrorNaming = (option) => (error) => {
  assert.ok(error instanceof LiveDataError, String(error));
  assert.equal(error.kind, 'config');
  assert.ok(error.detail.includes(`config.${option} `), error.detail);
  return true;
};

test('every bad option is a config error naming it, a misspelt one too', async () => {
  for (const [options, option] of [
    [{ retry: { maxAtempts: 5 } }, 'retry.maxAtempts'],
    [{ retrys: { maxAttempts: 5 } }, 'retrys.maxAttempts'],
    [{ cache: { maxEntry: 5 } }, 'cache.maxEntry'],
    [{ ttl: { campains: 5 } }, 'ttl.campains'],
    [{ staleThreshold: 5 }, 'staleThreshold'],
    [{ requestTimeoutMs: 1e300 }, 'requestTimeoutMs'],
    [{ retry: { maxAttempts: 2.5 } }, 'retry.maxAttempts'],
    [{ cache: { maxEntries: -1 } }, 'cache.maxEntries'],
    [{ obeyCacheControl: 'no' }, 'obeyCacheControl'],
    [{ requestTimeoutMs: null }, 'requestTimeoutMs'],
    [{ retry: 3 }, 'retry'],
    [{ fetch: 'x' }, 'fetch'],
    [{ tickIntervalMs: 0 }, 'tickIntervalMs'],
    [{ baseUrl: undefined }, 'baseUrl'],
  ]) {
    await assert.rejects(createLiveData({ baseUrl: server.url, eventTarget: null, ...options }), configErrorNaming(option), option);
  }
  const error = await createLiveData({ baseUrl: server.url, retry: { maxAtempts: 5 } }).catch((e) => e);
  assert.doesNotMatch(error.message, /\.:/, 'one sentence, then the detail');
  const refused = await createLiveData({ baseUrl: 'http://user:secretpw@127.0.0.1:1', eventTarget: null }).catch((e) => e);
  assert.ok(refused instanceof LiveDataError);
  assert.doesNotMatch(`${refused.message} ${refused.detail}`, /secretpw/, 'the refused password is not repeated');
  const ld = await client({ ttl: { campaigns: 1000 }, live: { path: '/api/changes' } });
  assert.equal((await ld.getCampaigns()).error, null, 'ttl.<endpoint> and live.path are options');
});

// setTimeout fires a delay over 2^31 - 1 ms at once: a long timeout or backoff must still wait.
test('delays beyond setTimeout\'s range are waited for, not turned into a burst', async () => {
  await server.faults([{ path: '/api/flows', status: 503, times: 10 }]);
  const ld = await client({ requestTimeoutMs: 2 ** 32, retry: { baseDelayMs: 2 ** 33, maxDelayMs: 2 ** 33 } });
  const overview = await ld.getOverviewMetrics();
  assert.equal(overview.error, null, 'a long request timeout does not fire at once');
  ld.getFlows();
  await sleep(500);
  const { log } = await server.requests();
  assert.deepEqual(
    log.map((request) => request.path),
    ['/api/overview', '/api/flows'],
    'one attempt at flows; its retry waits its (very long) turn',
  );
});

test('forceFresh puts _t on the wire but never in the key', async () => {
  const ld = await client();
  const first = await ld.getCampaigns({ limit: 5 });
  const fresh = await ld.getCampaigns({ limit: 5 }, { forceFresh: true });
  assert.equal(fresh.error, null);
  assert.equal(fresh.fromCache, false);
  assert.equal(fresh.key, first.key);
  assert.doesNotMatch(fresh.key, /_t=/);
  const { log } = await server.requests();
  assert.equal(log.length, 2);
  assert.doesNotMatch(log[0].query, /_t=/);
  assert.match(log[1].query, /(^|&)_t=\d{13}(&|$)/);
  assert.equal(log[1].cacheControl, 'no-cache');
});

test('an expired entry revalidates with If-None-Match and the server answers 304', async () => {
  const ld = await client({ ttl: { defaultMs: 30 }, obeyCacheControl: false });
  const first = await ld.getFlows();
  await sleep(60);
  const second = await ld.getFlows();
  assert.equal(second.revalidated, true);
  assert.equal(second.fromCache, true);
  assert.equal(second.status, 304);
  assert.equal(second.version, first.version);
  assert.strictEqual(second.data, first.data, 'the same version reuses the parsed data');
  const { log } = await server.requests();
  assert.equal(log.length, 2);
  assert.notEqual(log[1].ifNoneMatch, '');
  assert.equal(log[1].status, 304);
  assert.equal(ld.stats().notModified, 1);
});

test('the same result twice costs no second request and no second parse', async () => {
  const ld = await client();
  const first = await ld.getSegments();
  const second = await ld.getSegments();
  assert.equal(second.fromCache, true);
  assert.strictEqual(second.data, first.data);
  assert.equal((await server.requests()).counts['/api/segments'], 1);
  assert.equal(ld.stats().hits, 1);
});

test('peek() returns the fresh cached result at once, as the async read does, without a request', async () => {
  const ld = await client();
  assert.equal(ld.peek('campaigns', { limit: 8 }), undefined, 'nothing cached yet');
  const fetched = await ld.getCampaigns({ limit: 8 });
  const peeked = ld.peek('campaigns', { limit: 8 });
  const read = await ld.getCampaigns({ limit: 8 });
  assert.strictEqual(peeked, read, 'the same result object for the same version');
  assert.strictEqual(peeked.data, fetched.data);
  assert.equal(peeked.fromCache, true);
  assert.equal(peeked.error, null);
  assert.equal(ld.peek('campaigns', { limit: 9 }), undefined, 'another key');
  assert.equal(ld.peek('campaigns', { limit: 'x' }), undefined, 'bad parameters');
  assert.equal(ld.peek('nonsense'), undefined, 'no such endpoint');
  assert.equal((await server.requests()).counts['/api/campaigns'], 1);
  assert.equal(ld.stats().hits, 2, 'the peek and the second read');
});

test('peek() finds nothing once the entry is invalidated, expired or the client offline', async () => {
  const ld = await client({ ttl: { defaultMs: 40 }, obeyCacheControl: false });
  await ld.getOverviewMetrics({ from: '2026-10-01', to: '2026-10-31' });
  assert.ok(ld.peek('overview', { from: '2026-10-01', to: '2026-10-31' }));
  ld.setOnline(false);
  assert.equal(ld.peek('overview', { from: '2026-10-01', to: '2026-10-31' }), undefined);
  ld.setOnline(true);
  ld.invalidateEndpoint('overview');
  assert.equal(ld.peek('overview', { from: '2026-10-01', to: '2026-10-31' }), undefined);
  await ld.getOverviewMetrics({ from: '2026-10-01', to: '2026-10-31' });
  await sleep(60);
  assert.equal(ld.peek('overview', { from: '2026-10-01', to: '2026-10-31' }), undefined);
});

test('a new body is parsed once, and its result reused while nothing changes', async (t) => {
  const ld = await client();
  const parse = t.mock.method(JSON, 'parse');
  const first = await ld.getForms({ limit: 3 });
  assert.equal(parse.mock.callCount(), 1, 'the host parses; the core reuses its verdict');
  const second = await ld.getForms({ limit: 3 });
  const third = await ld.getForms({ limit: 3 });
  assert.equal(parse.mock.callCount(), 1);
  assert.notStrictEqual(second, first, 'fromCache differs');
  assert.strictEqual(third, second);
  assert.ok(Object.isFrozen(third));
});

test('a body larger than the module memory grows it, and results still read right', async () => {
  const big = JSON.stringify({ items: [{ id: 'x'.repeat(24 << 20) }], total: 1, limit: 1, offset: 0 });
  const ld = await client({
    cache: { maxBytes: 64 << 20 },
    fetch: async () => new Response(big, { status: 200, headers: { 'content-type': 'application/json' } }),
  });
  const first = await ld.getCampaigns({ limit: 1 });
  assert.equal(first.error, null);
  assert.equal(first.data.items[0].id.length, 24 << 20);
  assert.strictEqual(ld.peek('campaigns', { limit: 1 }).data, first.data);
});

test('ten concurrent identical requests reach the server once', async () => {
  const ld = await client();
  const results = await Promise.all(Array.from({ length: 10 }, () => ld.getForms({ limit: 7 })));
  assert.ok(results.every((result) => result.error === null && result.key === results[0].key));
  assert.equal((await server.requests()).counts['/api/forms'], 1);
  assert.equal(ld.stats().deduplicated, 9);
});

test('injected 503s are retried, then the request succeeds', async () => {
  const ld = await client({ retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 } });
  await server.faults([{ path: '/api/overview', status: 503, times: 2 }]);
  const result = await ld.getOverviewMetrics();
  assert.equal(result.error, null);
  assert.ok(Array.isArray(result.data.series));
  assert.equal((await server.requests()).counts['/api/overview'], 3);
  assert.equal(ld.stats().retries, 2);
});

test('Retry-After of a 429 is honoured, and the wait announced as livedata:retry', async () => {
  const ld = await client({ retry: { baseDelayMs: 1, maxDelayMs: 1, maxAttempts: 2 } });
  const retries = [];
  ld.on('livedata:retry', (payload) => retries.push(payload));
  await server.faults([{ path: '/api/campaigns', status: 429, times: 1, retryAfter: '1' }]);
  const started = Date.now();
  const result = await ld.getCampaigns({ limit: 3 });
  assert.equal(result.error, null);
  assert.ok(Date.now() - started >= 950, 'waited for Retry-After: 1');
  assert.equal(retries.length, 1);
  assert.equal(retries[0].endpoint, 'campaigns');
  assert.equal(retries[0].key, result.key);
  assert.equal(retries[0].error.kind, 'rate_limited');
  assert.equal(retries[0].delayMs, 1000);
  assert.ok(Math.abs(retries[0].retryAt - (started + 1000)) < 500, `retryAt ${retries[0].retryAt - started} ms after the call`);
});

test('persistent failure serves the cached data, stale, with the error', async () => {
  const ld = await client({ retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 2 } });
  const good = await ld.getCampaigns({ limit: 4 });
  await server.faults([{ path: '/api/campaigns', status: 503, times: -1 }]);
  assert.ok(ld.invalidate('campaigns*') >= 1);
  const result = await ld.getCampaigns({ limit: 4 });
  assert.equal(result.stale, true);
  assert.equal(result.fromCache, true);
  assert.equal(result.error.kind, 'http_server');
  assert.equal(result.error.status, 503);
  assert.equal(result.error.attempts, 2);
  assert.deepEqual(result.data, good.data);
  assert.equal(ld.freshness('campaigns').error.kind, 'http_server');
  await server.clearFaults();
});

test('with nothing cached, a failure gives an empty value of the endpoint shape, marked fallback', async () => {
  const ld = await client({ retry: { maxAttempts: 1 } });
  await server.faults([{ path: '/api/segments', status: 500, times: 1 }]);
  const result = await ld.getSegments();
  assert.equal(result.fallback, true);
  assert.equal(result.error.kind, 'http_server');
  assert.ok(Array.isArray(result.data.items) && result.data.items.length === 0);
});

test('a malformed body is a parse error, not a crash', async () => {
  const ld = await client({ retry: { maxAttempts: 1 } });
  await server.faults([{ path: '/api/flows', malformed: true, times: 1 }]);
  const result = await ld.getFlows({ limit: 2 });
  assert.equal(result.error.kind, 'parse');
  assert.equal(result.fallback, true);
  assert.deepEqual(result.data.items, [], 'the rejected body is never delivered as data');
  assert.equal(ld.peek('flows', { limit: 2 }), undefined, 'nor cached');
});

test('a body past maxResponseBytes is a parse error with the fallback, not retried', async () => {
  const ld = await client({ maxResponseBytes: 64 }); // a campaigns page is kilobytes
  const result = await ld.getCampaigns();
  assert.equal(result.error.kind, 'parse');
  assert.match(result.error.detail, /over 64 bytes/);
  assert.equal(result.fallback, true);
  assert.equal((await server.requests()).counts['/api/campaigns'], 1);
});

test('a body that never ends is cut at maxResponseBytes and the rest left unread', async () => {
  let pulled = 0;
  let cancelled = false;
  const endless = () =>
    new ReadableStream({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(64 << 10));
      },
      cancel() {
        cancelled = true;
      },
    });
  const ld = await client({
    maxResponseBytes: 1 << 20,
    fetch: async () => new Response(endless(), { status: 200, headers: { 'content-type': 'application/json' } }),
  });
  const result = await ld.getForms();
  assert.equal(result.error.kind, 'parse');
  assert.match(result.error.detail, /over 1048576 bytes/);
  assert.ok(cancelled, 'the body is cancelled');
  assert.ok(pulled <= 20, `read ${pulled} pieces of 64 KB for a bound of 1 MB`);
});

test('an error status past maxResponseBytes keeps its meaning, its body cut', async () => {
  const ld = await client({
    maxResponseBytes: 100,
    retry: { maxAttempts: 1 },
    fetch: async () => new Response('x'.repeat(5000), { status: 503, headers: { 'content-type': 'text/html' } }),
  });
  const result = await ld.getForms();
  assert.equal(result.error.kind, 'http_server');
  assert.equal(result.error.status, 503);
});

test('forceRefreshData() emits forceDataRefresh and refetches all five endpoints', async () => {
  const ld = await client();
  const seen = [];
  const unsubscribe = ld.on('forceDataRefresh', (event) => seen.push(event.endpoints));
  const report = await ld.forceRefreshData();
  unsubscribe();
  assert.equal(report.allOk, true);
  assert.deepEqual(report.endpoints.map((e) => e.endpoint).sort(), ['campaigns', 'flows', 'forms', 'overview', 'segments']);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].length, 5);
  const { counts, log } = await server.requests();
  for (const endpoint of ['overview', 'campaigns', 'flows', 'forms', 'segments']) {
    assert.equal(counts[`/api/${endpoint}`], 1, endpoint);
  }
  assert.ok(log.every((entry) => /_t=\d+/.test(entry.query)), 'every refetch busts caches');
});

test('forceRefreshData(names) refreshes only those, and reports a name that matches nothing', async () => {
  const ld = await client();
  const report = await ld.forceRefreshData(['campaigns', 'nonsense']);
  assert.equal(report.allOk, false);
  const byName = Object.fromEntries(report.endpoints.map((e) => [e.endpoint, e]));
  assert.equal(byName.campaigns.ok, true);
  assert.equal(byName.nonsense.ok, false);
  assert.equal(byName.nonsense.error.kind, 'config');
  assert.deepEqual(Object.keys((await server.requests()).counts), ['/api/campaigns']);
});

test('events: loading, updated and error reach listeners and the DOM event target', async () => {
  const target = new EventTarget();
  const ld = await client({ eventTarget: target, retry: { maxAttempts: 1 } });
  const order = [];
  for (const name of EVENTS) target.addEventListener(name, (event) => order.push([name, event.detail]));
  const viaOn = [];
  ld.on('livedata:updated', (payload) => viaOn.push(payload));
  await ld.getCampaigns({ limit: 2 });
  await server.faults([{ path: '/api/flows', status: 500, times: 1 }]);
  await ld.getFlows({ limit: 2 });
  const names = order.map(([name]) => name);
  // The core's order: loading ends, then the outcome is announced.
  assert.deepEqual(names, [
    'livedata:loading', 'livedata:loading', 'livedata:updated',
    'livedata:loading', 'livedata:loading', 'livedata:error',
  ]);
  assert.equal(order[0][1].loading, true);
  assert.equal(order[1][1].loading, false);
  assert.equal(order[2][1].fromCache, false);
  assert.equal(order[5][1].error.kind, 'http_server');
  assert.equal(order[5][1].servedStale, false);
  assert.equal(viaOn.length, 1);
  assert.equal(viaOn[0].endpoint, 'campaigns');
});

test('stale detection fires livedata:stale once the threshold passes', async () => {
  const ld = await client({ staleThresholdMs: 100 });
  const stale = [];
  ld.on('livedata:stale', (payload) => stale.push(payload));
  await ld.getForms();
  assert.equal(ld.freshness('forms').stale, false);
  await sleep(300);
  assert.equal(stale.length, 1);
  assert.equal(stale[0].endpoint, 'forms');
  assert.ok(stale[0].ageMs > 100);
  const freshness = ld.freshness('forms');
  assert.equal(freshness.stale, true);
  assert.ok(freshness.ageMs >= 300 - 50);
});

test('a request past its timeout fails as timeout', async () => {
  const ld = await client({ requestTimeoutMs: 100, retry: { maxAttempts: 1 } });
  await server.faults([{ path: '/api/overview', delayMs: 400, times: 1 }]);
  const result = await ld.getOverviewMetrics({ from: '2026-10-01', to: '2026-10-31' });
  assert.equal(result.error.kind, 'timeout');
  assert.equal(result.fallback, true);
  // The server finishes the abandoned request later; let it, so the next test starts clean.
  while (!(await server.requests()).counts['/api/overview']) await sleep(20);
});

test('offline requests fail fast as offline with the cached data', async () => {
  const ld = await client();
  const cached = await ld.getCampaigns({ limit: 6 });
  ld.setOnline(false);
  ld.invalidate('campaigns*');
  const result = await ld.getCampaigns({ limit: 6 });
  assert.equal(result.error.kind, 'offline');
  assert.equal(result.stale, true);
  assert.deepEqual(result.data, cached.data);
  assert.equal((await server.requests()).counts['/api/campaigns'], 1);
  // Coming back online revalidates what went stale meanwhile; the test waits for that
  // request so it cannot land in the next test's request counts.
  const revalidated = new Promise((resolve) => {
    const unsubscribe = ld.on('livedata:updated', () => {
      unsubscribe();
      resolve();
    });
  });
  ld.setOnline(true);
  await revalidated;
  assert.equal((await server.requests()).counts['/api/campaigns'], 2);
});

test('bad input gets a typed error and never a crash', async () => {
  await assert.rejects(createLiveData({ baseUrl: 'ftp://example.com' }), (error) => {
    assert.ok(error instanceof LiveDataError);
    assert.equal(error.kind, 'config');
    return true;
  });
  await assert.rejects(createLiveData({ baseUrl: server.url, retry: { maxAttempts: 'x' } }), configErrorNaming('retry.maxAttempts'));
  const ld = await client();
  for (const [result, field] of [
    [await ld.getCampaigns({ limit: 'ten' }), 'limit'],
    [await ld.getCampaigns({ limit: 0 }), 'limit'],
    [await ld.getCampaigns({ colour: 'red' }), 'colour'],
    [await ld.getOverviewMetrics({ from: '2026-13-01' }), 'from'],
    [await ld.get('nonsense'), 'nonsense'],
  ]) {
    assert.equal(result.error.kind, 'config', field);
    assert.match(result.error.detail + result.error.message, new RegExp(field));
    assert.equal(result.fallback, true);
  }
  assert.deepEqual(await server.requests().then((r) => r.counts), {}, 'bad arguments never reach the network');
  assert.throws(() => ld.on('nonsense', () => {}), TypeError);
});

test('parsed results stay within the core cache limits, however many distinct reads', async () => {
  const ld = await client({ cache: { maxEntries: 4 } });
  const results = [];
  for (let limit = 1; limit <= 40; limit++) {
    results.push(await ld.getCampaigns({ limit }));
    assert.ok(ld.stats().memoized <= 4, `after ${limit} distinct reads: ${ld.stats().memoized} held`);
  }
  assert.equal(ld.stats().entries, 4);
  assert.equal(ld.stats().evictions, 36);
  // What is still cached is still served from memory, with the data parsed once.
  const cached = await ld.getCampaigns({ limit: 40 });
  assert.equal(cached.fromCache, true);
  assert.strictEqual(cached.data, results.at(-1).data);
  assert.strictEqual(ld.peek('campaigns', { limit: 40 }), cached);
  // An evicted read goes back to the server and comes back whole.
  assert.equal(ld.peek('campaigns', { limit: 1 }), undefined);
  const again = await ld.getCampaigns({ limit: 1 });
  assert.equal(again.fromCache, false);
  assert.deepEqual(again.data, results[0].data);
  ld.clear();
  assert.equal(ld.stats().memoized, 0);
});

test('the endpoints and their parameters come from the module', async () => {
  const ld = await client();
  assert.deepEqual([...ld.endpoints], ['overview', 'campaigns', 'flows', 'forms', 'segments']);
  const sorted = await ld.getSegments({ sort: '-name', limit: 3, offset: 1, status: undefined });
  assert.equal(sorted.error, null);
  assert.equal(sorted.key, 'GET segments?limit=3&offset=1&sort=-name');
  const overview = await ld.getOverviewMetrics({ from: '2026-10-01', to: '2026-10-31' });
  assert.equal(overview.key, 'GET overview?from=2026-10-01&to=2026-10-31');
});

test('clear() drops the data; dispose() makes the client unusable', async () => {
  const ld = await client();
  await ld.getFlows();
  ld.clear();
  const again = await ld.getFlows();
  assert.equal(again.fromCache, false);
  assert.equal((await server.requests()).counts['/api/flows'], 2);
  ld.dispose();
  assert.throws(() => ld.stats(), LiveDataError);
});

test('unsubscribing and unwatching after dispose() do nothing, as React cleanups may run after it', async () => {
  const ld = await client();
  const unsubscribe = ld.on('livedata:updated', () => {});
  const unwatch = ld.watch('flows', {}, () => {});
  ld.dispose();
  assert.doesNotThrow(unsubscribe);
  assert.doesNotThrow(unwatch);
});

// --- watched calls and the live feed

// Resolves once `predicate` holds, polling every 10 ms; rejects after `limitMs`.
async function until(predicate, limitMs = 10000, what = 'the condition') {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (predicate()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('a watched call gets the data, then a change the sync commits, by itself', async () => {
  const ld = await client();
  const results = [];
  const states = [];
  ld.on('livedata:connection', (status) => states.push(status.state));
  const unwatch = ld.watch('campaigns', { limit: 4 }, (result) => results.push(result));
  await until(() => results.length === 1, 10000, 'the first result');
  assert.equal(results[0].error, null);
  await until(() => ld.connection().state === 'live', 10000, 'the feed to be live');
  assert.deepEqual(states.slice(0, 2), ['connecting', 'live']);
  const version = ld.connection().version;
  assert.ok(version > 0);
  await sleep(200); // the subscription's own revalidation (a 304) lands
  await server.reset();

  await server.admin('POST', '/admin/touch', { endpoint: 'campaigns' });
  await until(() => results.length === 2, 10000, 'the change');
  assert.notDeepEqual(results[1].data, results[0].data);
  assert.ok(ld.connection().version > version);
  assert.ok(ld.connection().lastChangeAt > 0);
  const { log } = await server.requests();
  const campaigns = log.filter((entry) => entry.path === '/api/campaigns');
  assert.equal(campaigns.length, 1, 'one request for the one watched call');
  assert.notEqual(campaigns[0].ifNoneMatch, '', 'conditional');

  unwatch();
  await server.admin('POST', '/admin/touch', { endpoint: 'campaigns' });
  await sleep(300);
  assert.equal(results.length, 2, 'nothing after unwatch');
});

test('a watch with bad parameters hears its config error once', async () => {
  const ld = await client();
  const results = [];
  ld.watch('campaigns', { limit: 'many' }, (result) => results.push(result));
  await until(() => results.length === 1, 5000, 'the error');
  assert.equal(results[0].error.kind, 'config');
  assert.equal(results[0].fallback, true);
  assert.throws(() => ld.watch('campaigns', {}), TypeError);
});

test('the live options are checked and the feed can be switched off', async () => {
  await assert.rejects(createLiveData({ baseUrl: server.url, live: { enabled: 'yes' } }), configErrorNaming('live.enabled'));
  await assert.rejects(createLiveData({ baseUrl: server.url, live: { idleTimeoutMs: 'soon' } }), configErrorNaming('live.idleTimeoutMs'));
  await assert.rejects(createLiveData({ baseUrl: server.url, live: { reconnectBaseMs: 0 } }), LiveDataError);
  const ld = await client({ live: { enabled: false } });
  const results = [];
  ld.watch('flows', {}, (result) => results.push(result));
  await until(() => results.length === 1, 5000, 'the first result');
  await sleep(200);
  assert.equal(ld.connection().state, 'idle');
});

test('data is frozen through and through: one reader cannot change what the others see', async () => {
  const ld = await client();
  const first = await ld.getCampaigns({ limit: 3 });
  assert.ok(Object.isFrozen(first.data.items) && Object.isFrozen(first.data.items[0]));
  assert.throws(() => first.data.items.pop(), TypeError);
  assert.throws(() => {
    first.data.items[0].name = 'edited';
  }, TypeError);
  const again = await ld.getCampaigns({ limit: 3 });
  assert.equal(again.data.items.length, 3);
});

test('a result\'s own key is a pattern naming its entry', async () => {
  const ld = await client();
  const result = await ld.getCampaigns({ limit: 2 });
  await ld.getCampaigns({ limit: 3 });
  assert.equal(ld.invalidate(result.key), 1);
  assert.equal(ld.invalidate('campaigns*'), 2);
});

test('arguments of the wrong type are TypeErrors, and a disposed client rejects', async () => {
  const ld = await createLiveData({ baseUrl: server.url, eventTarget: null });
  assert.throws(() => ld.on('livedata:updated', undefined), TypeError);
  assert.throws(() => ld.invalidate(undefined), TypeError);
  assert.throws(() => ld.invalidateEndpoint(5), TypeError);
  assert.throws(() => ld.freshness(undefined), TypeError);
  assert.throws(() => ld.setOnline('false'), TypeError);
  assert.throws(() => ld.setFocused(1), TypeError);
  await assert.rejects(ld.forceRefreshData('flows'), TypeError);
  await assert.rejects(ld.forceRefreshData([5]), TypeError);
  for (const [path, options] of [
    [42, undefined], [undefined, undefined], ['/api/flows', { query: 'limit=2' }], ['/api/flows', { query: [['limit']] }],
    ['/api/flows', { query: { limit: { a: 1 } } }], ['/api/flows', { query: { limit: NaN } }], ['/api/flows', { forceFresh: 1 }],
  ]) {
    await assert.rejects(ld.fetchFromAPI(path, options), TypeError, `fetchFromAPI(${path}, ${JSON.stringify(options)})`);
  }
  assert.deepEqual(await server.requests().then((r) => r.counts), {}, 'nothing was refreshed or fetched');
  ld.dispose();
  for (const call of [() => ld.getFlows(), () => ld.get('flows'), () => ld.fetchFromAPI('/api/flows'), () => ld.forceRefreshData()]) {
    await assert.rejects(call(), (error) => error instanceof LiveDataError && error.kind === 'config');
  }
});

test('calls still waiting when the client is disposed reject, as calls after it do', async () => {
  const ld = await client();
  await server.faults([{ path: '/api/forms', delayMs: 2000, times: 2 }]);
  const pending = [ld.getForms({ limit: 11 }), ld.forceRefreshData(['forms'])];
  await new Promise((resolve) => setTimeout(resolve, 100));
  ld.dispose();
  for (const call of pending) {
    const settled = Promise.race([call, sleep(3000).then(() => 'still pending after 3 s')]);
    await assert.rejects(settled, (error) => error instanceof LiveDataError && /disposed/.test(error.message));
  }
});

test('fetchFromAPI leaves out a query value that is null or undefined, as the endpoint calls do', async () => {
  const ld = await client();
  const result = await ld.fetchFromAPI('/api/flows', { query: { limit: 2, status: null, sort: undefined } });
  assert.equal(result.error, null);
  assert.equal(result.key, 'GET flows?limit=2');
});

test('a path that is not an absolute path is a config error and reaches no server', async () => {
  const ld = await client();
  for (const path of ['api/flows', 'http://elsewhere.test/x', '/api/flows?limit=1']) {
    const result = await ld.fetchFromAPI(path);
    assert.equal(result.error.kind, 'config', path);
    assert.equal(result.error.attempts, 0, path);
    assert.equal(result.fallback, true, path);
  }
  assert.deepEqual(await server.requests().then((r) => r.counts), {});
});

test('a fallback list has every field of a list page', async () => {
  await server.faults([{ path: '/api/segments', status: 404, times: 1 }]);
  const ld = await client();
  const result = await ld.getSegments();
  assert.equal(result.fallback, true);
  assert.deepEqual(result.data, { items: [], total: 0, limit: 50, offset: 0, statisticsAsOf: null });
});

test('an unknown endpoint watched is heard once, named', async () => {
  const ld = await client();
  const results = [];
  ld.watch('nope', {}, (result) => results.push(result));
  await until(() => results.length === 1, 5000, 'the error');
  assert.equal(results[0].error.kind, 'config');
  assert.match(results[0].error.detail, /"nope"/);
});

test('a network failure names its reason (node keeps it in the error\'s cause)', async () => {
  const closed = createServer();
  await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address();
  await new Promise((resolve) => closed.close(resolve)); // nothing listens there now
  const ld = await client({ baseUrl: `http://127.0.0.1:${port}`, retry: { maxAttempts: 1 } });
  const result = await ld.getFlows();
  assert.equal(result.error.kind, 'network');
  assert.match(result.error.detail, /ECONNREFUSED/);
});

// The .wasm fetched from where locateFile says, served with `contentType`; the first
// `failures` requests for it answered 503.
async function withWasmServedAs(contentType, use, { failures = 0 } = {}) {
  const wasm = await readFile(join(wasmDist(), 'livedata-core.wasm'));
  let answered = 0;
  const files = createHttpServer((req, res) => {
    if (answered++ < failures) {
      res.writeHead(503).end();
      return;
    }
    res.writeHead(200, { 'content-type': contentType });
    res.end(wasm);
  });
  await new Promise((resolve) => files.listen(0, '127.0.0.1', resolve));
  try {
    return await use(`http://127.0.0.1:${files.address().port}/`);
  } finally {
    files.close();
  }
}

test('a fetched .wasm labelled application/wasm is compiled as it downloads, any other label from its bytes', async (t) => {
  const compileStreaming = t.mock.method(WebAssembly, 'compileStreaming');
  for (const [contentType, streamed] of [
    ['application/wasm', 1],
    ['application/octet-stream', 0],
  ]) {
    compileStreaming.mock.resetCalls();
    await withWasmServedAs(contentType, async (folder) => {
      const ld = await client({ module: { locateFile: (name) => folder + name } });
      assert.equal((await ld.getSegments()).status, 200, contentType);
    });
    assert.equal(compileStreaming.mock.callCount(), streamed, contentType);
  }
});

test('where streaming compilation fails, the .wasm is compiled from its bytes', async (t) => {
  const compileStreaming = t.mock.method(WebAssembly, 'compileStreaming', async () => {
    throw new TypeError('a Response of its own');
  });
  await withWasmServedAs('application/wasm', async (folder) => {
    const ld = await client({ module: { locateFile: (name) => folder + name } });
    assert.equal((await ld.getSegments()).status, 200);
  });
  assert.equal(compileStreaming.mock.callCount(), 1);
});

test('a module that failed to load is not kept: the next client loads it again', async () => {
  await withWasmServedAs(
    'application/wasm',
    async (folder) => {
      const module = { locateFile: (name) => folder + name };
      await assert.rejects(client({ module }), /HTTP 503/);
      const ld = await client({ module });
      assert.equal((await ld.getSegments()).status, 200);
    },
    { failures: 1 },
  );
});

// A module that cannot start must be an error, not a promise that never settles (the
// timeout turns a hang into a failure: the server keeps node's event loop alive).
test('the module loads from module.wasmBinary, and one that cannot start rejects', { timeout: 20_000 }, async () => {
  const ld = await client({ module: { wasmBinary: await readFile(join(wasmDist(), 'livedata-core.wasm')) } });
  assert.equal((await ld.getSegments()).status, 200);
  const withModule = (wasmBinary) => createLiveData({ baseUrl: server.url, eventTarget: null, module: { wasmBinary } });
  // An HTML page where the .wasm was expected (a server's fallback route): no WebAssembly.
  await assert.rejects(withModule(new TextEncoder().encode('<!doctype html><title>Not here</title>')), WebAssembly.CompileError);
  // Valid WebAssembly of another build, asking for an import this glue does not give:
  // (module (import "env" "missing" (func))).
  const otherBuild = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: one () -> ()
    0x02, 0x0f, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x07, 0x6d, 0x69, 0x73, 0x73, 0x69, 0x6e, 0x67, 0x00, 0x00, // import env.missing
  ]);
  assert.equal(WebAssembly.validate(otherBuild), true);
  await assert.rejects(withModule(otherBuild));
});
