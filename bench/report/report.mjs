// Writes BENCHMARKS.md (and its latency chart) from the JSON files bench/run.sh collected in
// one run. Every figure is shown beside its baseline from that same run, as a ratio.
//   node bench/report/report.mjs --results DIR --out FILE --started ISO --seconds N --mode full|quick
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentileChartSvg } from './chart.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, value, i, all) => (i % 2 ? pairs : [...pairs, [value.replace(/^--/, ''), all[i + 1]]]), []),
);
const resultsDir = args.results;
const outFile = args.out;
const here = dirname(fileURLToPath(import.meta.url));

const readJson = (name) => JSON.parse(readFileSync(join(resultsDir, name), 'utf8'));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fixed = (value, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const thousands = (value) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a');
const percent = (ratio, digits = 1) => (Number.isFinite(ratio) ? `${(ratio * 100).toFixed(digits)}%` : 'n/a');
const ms = (us) => (Number.isFinite(us) ? `${(us / 1000).toFixed(2)} ms` : 'n/a');
const verdict = (met) => (met ? '**met**' : '**missed**');
const table = (header, rows) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

const machine = readJson('machine.json');
const sections = [];
const aims = [];

const chartFile = join(resultsDir, 'latency-percentiles.svg');

// ---- http: wrk, median of the rounds (by throughput) per case
const httpRuns = {};
for (const file of readdirSync(join(resultsDir, 'http'))) {
  const match = /^(.*)-(\d+)\.json$/.exec(file);
  if (!match) continue;
  const text = readFileSync(join(resultsDir, 'http', file), 'utf8').trim();
  if (!text) throw new Error(`http/${file}: wrk printed no result`);
  (httpRuns[match[1]] ??= []).push(JSON.parse(text));
}
const http = Object.fromEntries(
  Object.entries(httpRuns).map(([name, runs]) => {
    const byThroughput = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
    const middle = byThroughput[Math.floor(byThroughput.length / 2)];
    return [name, { ...middle, rounds: runs.length, allRequestsPerSecond: runs.map((r) => r.requestsPerSecond), failedTotal: runs.reduce((n, r) => n + r.failed, 0) }];
  }),
);
const rps = (name) => http[name]?.requestsPerSecond;
const httpRatios = [
  ['mock-server', 'bare-httplib', 'cached 200 vs the bare tuned cpp-httplib floor', 0.9],
  ['mock-server', 'fastify', 'cached 200 vs Fastify 4 serving the same bytes from memory', 1.0],
  ['mock-server', 'mock-server-no-metrics', 'with vs without the monitoring middleware', null],
  ['mock-server-304', 'bare-httplib-304', '304 path vs the floor answering 304', 0.9],
  ['mock-server-redis', 'mock-server', 'Redis-backed cached path (memory tier in front) vs memory-backed', 0.9],
  ['mock-server-cold', 'mock-server', 'cold path (render from SQLite) vs cached', null],
];
{
  const rows = Object.keys(http)
    .sort()
    .map((name) => {
      const r = http[name];
      return [name, thousands(r.requestsPerSecond), r.allRequestsPerSecond.map(thousands).join(', '), ms(r.latencyUs.p50), ms(r.latencyUs.p99), ms(r.latencyUs.p999), String(r.failedTotal)];
    });
  const ratioRows = httpRatios
    .filter(([a, b]) => http[a] && http[b])
    .map(([a, b, what, aim]) => {
      const ratio = rps(a) / rps(b);
      if (aim !== null) aims.push([`Server: ${what}`, `${fixed(ratio)} (throughput ratio)`, `≥ ${aim}`, verdict(ratio >= aim)]);
      return [what, `${a} / ${b}`, fixed(ratio, 3), aim === null ? '' : `≥ ${aim}: ${verdict(ratio >= aim)}`];
    });
  const stats = existsSync(join(resultsDir, 'http', 'cache-stats-cold.json')) ? readJson('http/cache-stats-cold.json') : null;
  // callgrind's count per request (bench/run.sh, full runs only): the floor's count over
  // ours is the throughput ratio a server bound by its own instructions would show.
  const instructions = existsSync(join(resultsDir, 'instructions.json')) ? readJson('instructions.json') : null;
  const instructionRows = !instructions
    ? []
    : [
        ['cached 200', 'mock-server', 'bare-httplib'],
        ['304', 'mock-server-304', 'bare-httplib-304'],
      ].map(([what, ours, floor]) => {
        const ratio = instructions[floor] / instructions[ours];
        aims.push([`Server: ${what} vs the floor, instructions per request`, `${fixed(ratio)} (floor / ours)`, '≥ 0.9', verdict(ratio >= 0.9)]);
        return [what, thousands(instructions[ours]), thousands(instructions[floor]), fixed(ratio, 3), `≥ 0.9: ${verdict(ratio >= 0.9)}`];
      });
  const instructionSection = !instructions
    ? ''
    : `

Instructions per request, counted by callgrind (user space only: the kernel's side of the system calls is not in it): each
server answers 300, then 3,300 requests on one kept-alive connection, and the difference between the runs is divided
by 3,000, which leaves start-up out; each pair of runs is made twice and the lower count kept. The count does not move with the machine's load as wrk's rounds do: it is the
cost of our own code per request, beside the floor's.

${table(['case', 'mock-server', 'bare-httplib', 'floor / mock-server', 'aim'], instructionRows)}`;
  sections.push(`## 1. Server: cached path against the floor (wrk)

Every server answers \`GET /api/campaigns?limit=50\` with the same ${thousands(readFileSync(join(resultsDir, 'http-body.json')).length)} bytes
(checked byte for byte before measuring). \`bare-httplib\` is \`bench/servers/bare_server.cpp\`: one route, the bytes
in memory, tuned as mock-server is (Nagle off, 16 threads, long keep-alive, deep backlog). \`fastify\` is Fastify 4 on
node ${machine.node} with the same bytes and headers (\`bench/js/fastify-server.mjs\`). \`-304\` cases send the
ETag in \`If-None-Match\`; \`mock-server-redis\` keeps its response cache in a real redis-server; \`mock-server-cold\`
asks for a page no request asked for before, against a server whose response cache holds one entry, so every request
is rendered from SQLite${stats ? ` (its cache: ${thousands(stats.hits)} hits, ${thousands(stats.computations)} renders)` : ''}.
Rounds rotate the order of the cases; the figure is the median round.

${table(['case', 'req/s (median)', 'req/s per round', 'p50', 'p99', 'p99.9', 'failed'], rows)}

${table(['ratio', 'cases', 'value', 'aim'], ratioRows)}${instructionSection}

![latency percentiles](${relative(dirname(outFile), chartFile)})`);
}

// ---- stampede
{
  const rows = [];
  for (const backend of ['memory', 'redis']) {
    const file = `stampede-${backend}.json`;
    if (!existsSync(join(resultsDir, file))) continue;
    const s = readJson(file);
    rows.push([backend, String(s.concurrency), s.rounds.map((r) => r.computations).join(', '), s.rounds.map((r) => r.coalesced).join(', '), String(s.failedRequests), s.rounds.map((r) => fixed(r.maxMs, 1)).join(', ')]);
    aims.push([`Stampede (${backend}): renders for ${s.concurrency} concurrent requests on a cold key`, String(s.maxComputations), '1', verdict(s.maxComputations === 1 && s.failedRequests === 0)]);
  }
  sections.push(`## 2. Stampede: ${rows[0]?.[1] ?? 100} concurrent requests on a cold key

\`bench/stampede/stampede.cpp\`: each client connects first, then all are released together on a query never asked
before. The server's own counters (\`GET /api/cache/stats\`) count renders (\`computations\`) and requests that
waited for another's render (\`coalesced\`); the rest were cache hits. Without single-flight the baseline is one render
per request.

${table(['cache', 'clients', 'renders per round', 'coalesced per round', 'failed', 'slowest response per round (ms)'], rows)}`);
}

// ---- sync
if (existsSync(join(resultsDir, 'sync.json'))) {
  const sync = readJson('sync.json');
  const rows = sync.runs.map((run) => [
    thousands(run.records),
    `${thousands(run.fullSync.ms)} ms`,
    thousands(run.fullSync.recordsPerSecond),
    thousands(run.baselineInsert.recordsPerSecond),
    fixed(run.syncVsBaseline, 3),
    `${thousands(run.incremental.changed)} changed: ${thousands(run.incremental.recordsRead)} read, ${thousands(run.incremental.rowsWritten)} written, ${thousands(run.incremental.ms)} ms`,
    percent(run.incremental.fractionOfFull, 2),
  ]);
  for (const run of sync.runs) {
    const changedFraction = run.incremental.changed / run.records;
    aims.push([`Incremental sync cost (${thousands(run.records)} records, ${percent(changedFraction, 0)} changed)`, `${percent(run.incremental.fractionOfFull, 2)} of a full sync`, 'proportional to what changed', verdict(run.incremental.fractionOfFull <= changedFraction * 5)]);
  }
  sections.push(`## 3. Sync: full and incremental, against a plain batched SQLite insert

\`bench/sync\`: ${sync.description ?? 'the sync service reads the upstream feed and writes the store, as in production'}.
The baseline inserts the same rows with one prepared \`INSERT\` per row, one transaction per page, into a fresh file
with the store's pragmas: the floor for writing them.

${table(['records', 'full sync', 'records/s', 'baseline insert records/s', 'sync / baseline', 'incremental after changes', 'incremental / full time'], rows)}
${sync.notes ? `\n${sync.notes}\n` : ''}`);
}

// ---- load generator
{
  const rows = [];
  const freshnessRows = [];
  for (const run of ['memory', 'redis', 'memory-poll']) {
    const file = `loadgen-${run}.json`;
    if (!existsSync(join(resultsDir, file))) continue;
    const f = readJson(file);
    freshnessRows.push([`${f.cache}, ${f.mode === 'poll' ? 'polling (baseline)' : 'live feed'}`, String(f.screensMeasured), String(f.changesMeasured), f.freshnessSamples ? `${fixed(f.freshnessMs.p50, 0)} / ${fixed(f.freshnessMs.p95, 0)} / ${fixed(f.freshnessMs.max, 0)} ms` : 'none', String(f.unseenChanges)]);
    if (f.mode !== 'poll' && f.cache === 'memory' && f.freshnessSamples) {
      aims.push(['Dashboard workload: commit to screen on the live feed (p90 approximated by p95)', `${fixed(f.freshnessMs.p95, 0)} ms, ${f.unseenChanges} unseen`, '≤ 1 s', verdict(f.freshnessMs.p95 <= 1000 && f.unseenChanges === 0)]);
    }
  }
  for (const cache of ['memory', 'redis']) {
    const file = `loadgen-${cache}.json`;
    if (!existsSync(join(resultsDir, file))) continue;
    const l = readJson(file);
    const { userReadHitRate } = l;
    rows.push([cache, String(l.users), `${fixed(l.durationSeconds, 0)} s`, thousands(l.requests), fixed(l.throughputPerSecond, 1), percent(l.endToEndHitRate, 2), percent(userReadHitRate, 2), percent(l.clientHitRate, 2), l.serverCacheHits + l.serverCacheMisses > 0 ? `${percent(l.serverHitRate, 2)} of ${thousands(l.serverCacheHits + l.serverCacheMisses)} (${thousands(l.serverCacheRenders)} renders, ${thousands(l.serverCacheCoalesced)} waited for one)` : 'no lookups', l.syncSuccesses + l.syncFailures ? percent(l.syncSuccessRate, 2) : 'n/a', `${l.syncSuccesses} ok, ${l.syncFailures} failed (${l.syncRetries} page retries)`, percent(l.userErrorRate, 3), `${fixed(l.latencyMs.avg, 3)} ms`, `${fixed(l.latencyMs.p50, 3)} / ${fixed(l.latencyMs.p95, 3)} / ${fixed(l.latencyMs.p99, 3)} ms`, `${fixed(l.networkLatencyMs.p50, 2)} / ${fixed(l.networkLatencyMs.p99, 2)} ms`]);
    aims.push([`Dashboard workload (${cache}): reads served by a cache (client or server)`, percent(l.endToEndHitRate, 2), '≥ 99%', verdict(l.endToEndHitRate >= 0.99)]);
    aims.push([`Dashboard workload (${cache}): user reads answered by the client cache`, percent(userReadHitRate, 2), '> 90%', verdict(userReadHitRate > 0.9)]);
    aims.push([`Dashboard workload (${cache}): client cache hit rate (the live feed's refetches count as misses)`, percent(l.clientHitRate, 2), '> 90%', verdict(l.clientHitRate > 0.9)]);
    const syncsEnded = l.syncSuccesses + l.syncFailures;
    aims.push([`Dashboard workload (${cache}): sync success, user errors, average response`, `${syncsEnded ? percent(l.syncSuccessRate, 1) : 'no sync ended'}, ${percent(l.userErrorRate, 3)}, ${fixed(l.latencyMs.avg, 2)} ms`, '> 99%, < 1%, < 200 ms', verdict((!syncsEnded || l.syncSuccessRate > 0.99) && l.userErrorRate < 0.01 && l.latencyMs.avg < 200)]);
  }
  const first = existsSync(join(resultsDir, 'loadgen-memory.json')) ? readJson('loadgen-memory.json') : null;
  sections.push(`## 4. Load generator: dashboard users on the native client

\`bench/loadgen\` (\`livedata-loadgen\`) starts mock-server (and redis-server for the Redis case) and plays users, each
one \`livedata::Client\` with its own cache as a browser tab has: watch the five endpoints, re-read them every
${first?.refreshIntervalMs ?? 'N'} ms with jitter, force a fresh fetch on ${percent(first?.forceFreshRate ?? NaN, 0)} of refreshes, while the
server syncs every ${first?.syncIntervalSeconds ?? 'N'} s from an upstream that fails ${percent(first?.faultRate ?? NaN, 0)} of its requests and keeps changing.
The first ${first?.warmupSeconds ?? 0} s (every user's first load misses every cache) are run but not counted.
"Served by a cache" is the share of user reads that no one rendered from SQLite (answered by the user's cache, or by the
server's; a render is charged only to a user read that went to the network, at most one per server miss: the server's
misses also count the live feed's refetches of changed data, which no user read made); "from the client cache" the
share the user's own cache answered without a request (the rest are mostly the forced refreshes); the client and
server hit rates are each cache's own, and the client's also counts, as misses, the live feed's refetches. Latency is per user-visible
request (cache hits included); network latency only for requests that reached the server.

${table(['cache', 'users', 'counted', 'requests', 'requests/s', 'served by a cache', 'from the client cache', 'client hit rate', 'server hit rate', 'sync success', 'syncs', 'user errors', 'average', 'p50 / p95 / p99', 'network p50 / p99'], rows)}

Freshness: users watch their five calls on the live feed (as the dashboard does); the baseline runs the same users
polling only (re-reading every ${first?.refreshIntervalMs ?? 'N'} ms through their caches, which the server's max-age keeps for up to a minute).
For each change of campaigns committed in the counted time, the wait from its commit (the change log's \`committedAt\`)
to new campaigns data on each screen that lists the newest campaigns first (a third of the users: any such change
changes their view); "unseen" counts screens that had not shown it when the run ended.

${table(['run', 'screens', 'changes', 'commit to screen p50 / p95 / max', 'unseen'], freshnessRows)}`);
}

// ---- data layer under node
if (existsSync(join(resultsDir, 'data-layer.json'))) {
  const d = readJson('data-layer.json');
  const b = readJson('bundle-size.json');
  aims.push(['Cached read through the WASM module (`live.peek`, synchronous) vs TanStack `getQueryData`', `${fixed(d.cachedRead.ratioPeekVsGetQueryData)} (time ratio)`, '≤ 0.5', verdict(d.cachedRead.ratioPeekVsGetQueryData <= 0.5)]);
  aims.push(['Module size, wasm plus glue, gzipped', `${fixed(b.ours.totalGzip / 1024, 1)} KB`, '≤ 30 KB', verdict(b.ours.totalGzip <= 30 * 1024)]);
  const ns = (value) => `${thousands(value)} ns`;
  sections.push(`## 5. Data layer in the browser's engine: the WASM module against TanStack Query

\`bench/js/data-layer.mjs\`, one node ${d.node ?? machine.node} process, the same ${thousands(d.bodyBytes)}-byte body, no network (both
get it from an in-memory \`fetch\`/\`queryFn\`); rounds alternate between the two libraries and the figure is the
median round, in nanoseconds per operation.

${table(['operation', 'livedata (WASM)', 'TanStack query-core', 'ratio (ours / theirs)'], [
    ['cached read, `live.peek` vs `getQueryData` (both synchronous)', ns(d.cachedRead.peekNs), ns(d.cachedRead.tanstackGetQueryDataNs), fixed(d.cachedRead.ratioPeekVsGetQueryData)],
    ['cached read, `await live.getCampaigns` vs `getQueryData`', ns(d.cachedRead.oursNs), ns(d.cachedRead.tanstackGetQueryDataNs), fixed(d.cachedRead.ratioVsGetQueryData)],
    ['cached read vs `fetchQuery` on a fresh cached key (a promise, like ours)', ns(d.cachedRead.oursNs), ns(d.cachedRead.tanstackFetchQueryNs), fixed(d.cachedRead.ratioVsFetchQuery)],
    ['taking in a new response (parse and store)', ns(d.ingest.oursNs), ns(d.ingest.tanstackNs), fixed(d.ingest.ratio)],
  ])}

Bundle sizes (\`bench/js/bundle-size.mjs\`, esbuild \`--minify\`, gzip level 9):

${table(['bundle', 'gzipped', 'ratio to ours'], [
    ['livedata: wasm + glue + entry', `${thousands(b.ours.totalGzip)} B (wasm ${thousands(b.ours.wasmGzip)}, JS ${thousands(b.ours.jsGzip)})`, '1.00'],
    ['@tanstack/query-core', `${thousands(b.tanstackQueryCore.gzip)} B`, fixed(b.tanstackQueryCore.gzip / b.ours.totalGzip)],
    ['swr', `${thousands(b.swr.gzip)} B`, fixed(b.swr.gzip / b.ours.totalGzip)],
  ])}`);
}

// ---- micro-benchmarks: pairs BM_<Subject>_<Ours>[/arg] and BM_<Subject>_Baseline_<What>[/arg]
{
  const micro = readJson('micro.json');
  const bySubject = new Map();
  for (const bench of micro.benchmarks) {
    if (bench.run_type && bench.run_type !== 'iteration') continue;
    const match = /^BM_([A-Za-z]+)_(Baseline_)?([A-Za-z]+)(\/\d+)?$/.exec(bench.name);
    if (!match) continue;
    const [, subject, isBaseline, what, arg = ''] = match;
    const key = subject + arg;
    const entry = bySubject.get(key) ?? {};
    entry[isBaseline ? 'baseline' : 'ours'] = { name: `${what}${arg}`, ns: bench.cpu_time, error: bench.error_message };
    bySubject.set(key, entry);
  }
  const rows = [...bySubject.entries()].map(([subject, { ours, baseline }]) => [
    subject,
    ours ? `${ours.name}: ${fixed(ours.ns, 1)} ns` : 'missing',
    baseline ? `${baseline.name}: ${fixed(baseline.ns, 1)} ns` : 'missing',
    ours && baseline ? fixed(ours.ns / baseline.ns, 2) : 'n/a',
  ]);
  sections.push(`## 6. Micro-benchmarks (Google Benchmark, CPU time per operation)

\`bench/micro\`: each of the core's operations beside the plain-library version of the same job in the same binary.

${table(['subject', 'livedata', 'baseline', 'ratio'], rows)}`);
}

// ---- live feed
if (existsSync(join(resultsDir, 'live.json'))) {
  const live = readJson('live.json');
  const poll = live.polling;
  const rows = live.watching.map((w) => [
    `${thousands(w.clients)} watching (live feed)`,
    `${fixed(w.p50, 0)} / ${fixed(w.p90, 0)} / ${fixed(w.p99, 0)} / ${fixed(w.max, 0)} ms`,
    fixed(poll.p50 > 0 ? w.p50 / poll.p50 : NaN, 3),
    fixed(w.requestsPerChangePerClient, 2),
    String(w.idleRequests),
    `${thousands(w.rssBytesPerSubscriber / 1024)} KB`,
    w.serverCpuUsPerChangePerClient === undefined ? 'n/a' : `${thousands(w.serverCpuUsPerChangePerClient)} / ${thousands(w.clientsCpuUsPerChangePerClient)} µs`,
    String(w.samples),
  ]);
  rows.push([
    `1 polling every ${thousands(poll.intervalMs)} ms (baseline)`,
    `${fixed(poll.p50, 0)} / ${fixed(poll.p90, 0)} / ${fixed(poll.p99, 0)} / ${fixed(poll.max, 0)} ms`,
    '1.000',
    'n/a',
    `${fixed(poll.requestsPerSecondPerClient, 1)} per second`,
    'n/a',
    'n/a',
    String(poll.samples),
  ]);
  // The aim is set at 1,000 clients (quick runs stop short of it and judge their largest);
  // larger counts are reported as measured.
  const aimed = live.watching.find((w) => w.clients === 1000) ?? live.watching.filter((w) => w.clients < 1000).at(-1);
  if (aimed) {
    aims.push([`Commit to client cache, ${thousands(aimed.clients)} watching native clients (p50, p99)`, `${fixed(aimed.p50, 0)} ms, ${fixed(aimed.p99, 0)} ms`, '≤ 50 ms, ≤ 250 ms', verdict(aimed.p50 <= 50 && aimed.p99 <= 250)]);
  }
  const requestsPerChange = Math.max(...live.watching.map((w) => w.requestsPerChangePerClient));
  const idle = Math.max(...live.watching.map((w) => w.idleRequests));
  aims.push(['Requests per change per watching client; requests while nothing changes', `${fixed(requestsPerChange, 2)}; ${idle}`, '≤ 1; 0', verdict(requestsPerChange <= 1 && idle === 0)]);
  if (live.holding) {
    const h = live.holding;
    aims.push(['Live subscribers one instance holds with heartbeats flowing', `${thousands(h.heldWithHeartbeats)} of ${thousands(h.opened)}`, '≥ 5,000', verdict(h.heldWithHeartbeats >= 5000)]);
  }
  // Commit to screen in Chromium (screen.json): its rows sit under the native ones, against
  // the same polling baseline (a polling page could show a change no sooner than its cache has it).
  const screen = existsSync(join(resultsDir, 'screen.json')) ? readJson('screen.json') : null;
  if (screen) {
    for (const [label, s] of [['1 dashboard in Chromium, new data in its module', screen.cache], ['1 dashboard in Chromium, on screen', screen.screen]]) {
      rows.splice(rows.length - 1, 0, [label, `${fixed(s.p50, 0)} / ${fixed(s.p90, 0)} / ${fixed(s.p99, 0)} / ${fixed(s.max, 0)} ms`, fixed(poll.p50 > 0 ? s.p50 / poll.p50 : NaN, 3), 'n/a', 'n/a', 'n/a', 'n/a', String(s.samples)]);
    }
    aims.push(['Commit to screen, an untouched dashboard in Chromium (p90)', `${fixed(screen.screen.p90, 0)} ms, ${screen.missed} of ${screen.rounds} missed`, '≤ 1 s', verdict(screen.screen.p90 <= 1000 && screen.missed === 0)]);
  }
  sections.push(`## 7. Live updates: commit to client cache and to screen through the change feed

\`bench/live\` (\`livedata-live-bench\`): native \`livedata::Client\`s watch \`/api/campaigns?limit=20\` (sharing one
HTTP transport of 16 workers and one timer thread; each its own event stream). Each round an admin touch makes the
sync commit a change of campaigns; a client's latency runs from the commit (the change log's \`committedAt\`) to the
new data in its cache (its watch listener), one sample per client per round. The baseline, in the same run, is one
client polling every ${thousands(poll.intervalMs)} ms with conditional requests (what TanStack Query's \`refetchInterval\` or SWR's
\`refreshInterval\` do), with changes landing at random points of its cycle. Requests are the server's own count of
\`/api/campaigns\` requests during the rounds; "idle" counts them over 2 s without changes. Memory is the server's
resident memory after the clients subscribed, less before, per subscriber. CPU is user plus system time over the rounds
(the server's from \`/proc\`, the clients' the bench process's own), per change per client: on these 2 cores,
clients × (server + clients) / 2 is the least time in which every client can have the change.${screen ? `

The Chromium rows: \`bench/js/commit-to-screen.mjs\` opens the dashboard in Debian's Chromium and leaves it alone;
${screen.rounds} changes are committed at random moments. "New data in its module" is the page's \`livedata:updated\`
event for campaigns, "on screen" the first change of the campaigns table's DOM (a \`MutationObserver\`), both from
the commit.` : ''}

${table(['clients', 'p50 / p90 / p99 / max', 'p50 / polling p50', 'requests per change per client', 'requests while idle', 'server memory per subscriber', 'CPU per change per client: server / clients', 'samples'], rows)}
${live.holding ? `
Held at once: ${thousands(live.holding.opened)} raw event streams opened together; ${thousands(live.holding.heldWithHeartbeats)} got their subscription and then a
heartbeat (${thousands(live.holding.connectRefused)} connections refused, ${thousands(live.holding.refused503)} answered 503), about
${thousands(live.holding.rssBytesPerStream / 1024)} KB of server memory each; a data request made meanwhile took ${fixed(live.holding.dataRequestWhileHeldMs, 1)} ms
(${live.holding.dataRequestWhileHeldOk ? 'answered 200' : 'failed'}).
` : ''}`);
}

// ---- cluster: wrk through nginx with 1, 2, 3 instances; live across instances; fault tests
if (existsSync(join(resultsDir, 'cluster'))) {
  const runs = {};
  for (const file of readdirSync(join(resultsDir, 'cluster'))) {
    const match = /^(.*)-(\d+)\.json$/.exec(file);
    if (!match) continue;
    (runs[match[1]] ??= []).push(JSON.parse(readFileSync(join(resultsDir, 'cluster', file), 'utf8').trim()));
  }
  const medianRun = (name) => {
    const sorted = [...(runs[name] ?? [])].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
    return sorted[Math.floor(sorted.length / 2)];
  };
  const direct = medianRun('direct');
  const rows = ['direct', 'nginx-1', 'nginx-2', 'nginx-3'].filter((n) => runs[n]).map((name) => {
    const r = medianRun(name);
    const hopUs = direct && name !== 'direct' ? 1e6 / r.requestsPerSecond - 1e6 / direct.requestsPerSecond : NaN;
    return [name, thousands(r.requestsPerSecond), runs[name].map((x) => thousands(x.requestsPerSecond)).join(', '),
      direct ? fixed(r.requestsPerSecond / direct.requestsPerSecond, 3) : 'n/a', Number.isFinite(hopUs) ? `${fixed(hopUs, 1)} µs` : '',
      ms(r.latencyUs.p50), ms(r.latencyUs.p99), String(runs[name].reduce((n, x) => n + x.failed, 0))];
  });
  const liveRows = [];
  if (existsSync(join(resultsDir, 'live-cluster.json'))) {
    const liveCluster = readJson('live-cluster.json');
    const single = existsSync(join(resultsDir, 'live.json')) ? readJson('live.json') : null;
    for (const w of liveCluster.watching ?? []) {
      const same = single?.watching?.find((x) => x.clients === w.clients);
      liveRows.push([thousands(w.clients), `${fixed(w.p50, 0)} / ${fixed(w.p90, 0)} / ${fixed(w.p99, 0)} / ${fixed(w.max, 0)} ms`,
        same ? `${fixed(same.p50, 0)} / ${fixed(same.p99, 0)} ms` : 'n/a', fixed(w.requestsPerChangePerClient, 2), String(w.samples)]);
    }
  }
  const faults = existsSync(join(resultsDir, 'cluster-faults.txt')) ? readFileSync(join(resultsDir, 'cluster-faults.txt'), 'utf8').trim() : '';
  sections.push(`## 9. Several instances: PostgreSQL, Redis and nginx

Three mock-servers share one PostgreSQL store (started in the run's scratch folder) and one redis-server; the
first leads the sync, the others follow. Debian's nginx runs the shipped \`config/nginx-cluster.conf.in\` in front of 1,
2 and 3 of them. \`direct\` is wrk on the leader itself, without the hop: the baseline. The per-request cost of the
hop is 1/throughput through nginx less 1/throughput direct, at the same 32 connections. On this ${machine.cores}-core
machine nginx, wrk and the instances share the cores, so more instances cannot add throughput; what scales is
what a second machine would add.

${table(['case', 'req/s (median)', 'req/s per round', 'vs direct', 'cost of the hop per request', 'p50', 'p99', 'failed'], rows)}
${liveRows.length ? `
Commit to client cache across instances: the leader's sync commits (\`/admin/touch\`), clients watch a follower, so
each change travels through PostgreSQL's notification to the other instance's feed. Beside it, the single-instance
figures of section 7 (p50 / p99).

${table(['clients', 'p50 / p90 / p99 / max', 'one instance p50 / p99', 'requests per change per client', 'samples'], liveRows)}
` : ''}${faults ? `
The fault tests' own figures (\`tests/integration/cluster_test.cpp\`, run by this bench; each is also a test of the
test command, with its bounds asserted):

\`\`\`
${faults}
\`\`\`
` : ''}`);
}

if (existsSync(join(resultsDir, 'fuzz.json'))) {
  const fuzz = readJson('fuzz.json');
  const rows = fuzz.map((f) => ['`' + f.harness + '`', `${f.seconds} s`, thousands(f.executions), thousands(f.execPerSecond),
    thousands(f.corpusFiles), f.ok ? 'none' : "**a crash: see the run's log**"]);
  sections.push(`## 8. Fuzzing: every parser that takes outside bytes (libFuzzer, ASan + UBSan)

\`scripts/fuzz.sh\` runs each harness of \`tests/fuzz/\` from its seed corpus (\`tests/fuzz/corpus/\`) for the time
given; CI runs the same harnesses for 20 s each. A crash, a sanitizer report, a leak or a broken invariant (for the
event-stream parser: the same events whole or in pieces; for query strings: canonical keys) fails the run.

${table(['harness', 'time', 'executions', 'per second', 'corpus files after', 'findings'], rows)}`);
}

// ---- chart
{
  const names = ['bare-httplib', 'mock-server', 'mock-server-no-metrics', 'fastify', 'bare-httplib-304', 'mock-server-304', 'mock-server-redis', 'mock-server-cold'].filter((n) => http[n]);
  const series = names.map((name) => ({ name, values: ['p50', 'p90', 'p99', 'p999'].map((p) => http[name].latencyUs[p]) }));
  for (const cache of ['memory', 'redis']) {
    const file = `loadgen-${cache}.json`;
    if (!existsSync(join(resultsDir, file))) continue;
    const l = readJson(file).networkLatencyMs;
    series.push({ name: `loadgen ${cache} (network)`, values: [l.p50, l.p95, l.p99, l.max].map((v) => v * 1000) });
  }
  writeFileSync(
    chartFile,
    percentileChartSvg({
      title: `Latency percentiles, wrk -c32 (loadgen: p50, p95, p99, max) - ${machine.cores} cores, ${args.started}`,
      percentiles: ['p50', 'p90 (loadgen p95)', 'p99', 'p99.9 (loadgen max)'],
      series,
    }),
  );
}

// ---- the page
const analysisFile = join(here, 'analysis.md');
const commands = readFileSync(join(resultsDir, 'commands.txt'), 'utf8').trim();
const page = `# livedata benchmarks

Generated by \`bench/run.sh${args.mode === 'quick' ? ' --quick' : ''}\` on ${args.started} in ${Math.round(Number(args.seconds) / 60)} min, from commit
\`${machine.commit}\`${machine.uncommittedChanges ? ' (with uncommitted changes)' : ''}. ${args.mode === 'quick' ? '**Quick mode: short runs, figures are rough.** ' : ''}Raw results: \`${relative(dirname(outFile), resultsDir) || '.'}\`.

These machines are shared and noisy: absolute figures move between runs, so every figure stands beside a baseline
measured in the same run, and the ratio is what carries over.

## Machine

${table(['', ''], [
  ['CPU', `${machine.cpu}, ${machine.cores} cores`],
  ['memory', `${machine.memoryGiB} GiB`],
  ['OS', `${machine.os}, ${machine.kernel}`],
  ['compiler, build', `${machine.compiler}, ${machine.buildType}`],
  ['node', machine.node],
  ['load average at start', machine.loadAverage.join(', ')],
  ['packages', Object.entries(machine.packages).map(([k, v]) => `${k} ${v}`).join(', ')],
])}

## Aims

${table(['aim', 'measured', 'aim', 'verdict'], aims)}

${sections.join('\n\n')}

${existsSync(analysisFile) ? readFileSync(analysisFile, 'utf8').trim() + '\n\n' : ''}## Commands

\`\`\`
${commands}
\`\`\`
`;
writeFileSync(outFile, page);
