// The data-layer section of bench/run.sh: the data layer in the browser's engine. In one node process, our WASM
// module (wasm/dist) against @tanstack/query-core on the same ~20 KB JSON list body, with no
// network: both get their responses from the same in-memory fetch stub.
//   a. cached read: a fresh cached key, ours (async by API) against TanStack's getQueryData
//      (sync) and fetchQuery with staleTime Infinity (its async equivalent); and our sync
//      peek() against getQueryData;
//   b. ingest: a new version of the body each call, parsed and stored; ours with forceFresh,
//      TanStack's fetchQuery with staleTime 0. `stubOnlyNs` is what the stub and one
//      JSON parse cost alone, the floor under both.
// Prints one JSON object on stdout (ratio = ours / theirs, lower is better), progress on stderr.
//   node data-layer.mjs [--quick] [--body FILE]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { QueryClient } from '@tanstack/query-core';

import { campaignsList, listVersions } from './list-body.mjs';
import { compare } from './measure.mjs';
import { importLiveData } from '../../wasm/test/module.js';

const PLANS = {
  full: { rounds: 11, batchMs: 100, warmupMs: 1000 },
  quick: { rounds: 7, batchMs: 30, warmupMs: 300 },
};
const GENERATED_ITEMS = 85; // ~20 KB of campaigns, see list-body.mjs
const VERSIONS = 64; // ingest cycles through these; consecutive calls always differ
const PARAMS_LIMIT = 50; // the key both libraries cache under (the body may hold more items)

const log = (line) => process.stderr.write(`data-layer: ${line}\n`);
const roundTo = (value, digits) => Number(value.toFixed(digits));

function fail(message) {
  log(message);
  process.exit(1);
}

function readList(bodyFile) {
  if (!bodyFile) return campaignsList(GENERATED_ITEMS);
  try {
    return JSON.parse(readFileSync(bodyFile, 'utf8'));
  } catch (error) {
    return fail(`--body ${bodyFile}: ${error.message}`);
  }
}

// A fetch that answers every request with a version of the body, as mock-server would:
// `next()` picks which. Both libraries pay for the same Response and its body stream.
function fetchStub(versions, next) {
  return async () => {
    const { text, etag } = versions[next()];
    return new Response(text, {
      status: 200,
      headers: { 'content-type': 'application/json', etag, 'cache-control': 'max-age=60' },
    });
  };
}

// The version index a stub serves: always the first, or the next one on every call.
const firstVersion = () => () => 0;
function cyclingVersions() {
  let served = -1;
  const next = () => (served = (served + 1) % VERSIONS);
  next.last = () => served;
  return next;
}

function expect(condition, what) {
  if (!condition) throw new Error(`benchmark invariant broken: ${what}`);
}

async function cachedRead({ createLiveData, versions, plan }) {
  const live = await createLiveData({
    baseUrl: 'http://bench.invalid', eventTarget: null, fetch: fetchStub(versions, firstVersion()),
  });
  const queryClient = new QueryClient();
  const fetchFromStub = fetchStub(versions, firstVersion());
  let tanstackFetches = 0;
  const queryFn = async () => {
    tanstackFetches++;
    return (await fetchFromStub()).json();
  };

  // Prime both caches with one network-shaped fetch each.
  const ours = await live.getCampaigns({ limit: PARAMS_LIMIT });
  expect(ours.error === null && !ours.fromCache, 'our first read fetches');
  const theirs = await queryClient.fetchQuery({ queryKey: ['campaigns', { limit: PARAMS_LIMIT }], queryFn });

  // Keys and params are built per call, as an application's component does.
  let lastOurs;
  let lastPeek;
  let lastTheirs;
  const results = await compare(
    {
      ours: {
        async runBatch(n) {
          for (let i = 0; i < n; i++) lastOurs = await live.getCampaigns({ limit: PARAMS_LIMIT });
        },
        check: () => expect(lastOurs.fromCache && lastOurs.data === ours.data, 'our read is a cache hit'),
      },
      oursPeek: {
        runBatch(n) {
          for (let i = 0; i < n; i++) lastPeek = live.peek('campaigns', { limit: PARAMS_LIMIT });
        },
        check: () => expect(lastPeek !== undefined && lastPeek.data === ours.data, 'our peek finds the data'),
      },
      tanstackGetQueryData: {
        runBatch(n) {
          for (let i = 0; i < n; i++) lastTheirs = queryClient.getQueryData(['campaigns', { limit: PARAMS_LIMIT }]);
        },
        check: () => expect(lastTheirs === theirs, 'getQueryData finds the data'),
      },
      tanstackFetchQuery: {
        async runBatch(n) {
          for (let i = 0; i < n; i++) {
            lastTheirs = await queryClient.fetchQuery({
              queryKey: ['campaigns', { limit: PARAMS_LIMIT }], queryFn, staleTime: Infinity,
            });
          }
        },
        check: () => expect(lastTheirs === theirs && tanstackFetches === 1, 'fetchQuery is a cache hit'),
      },
    },
    plan,
  );
  expect(live.stats().networkRequests === 1, 'our reads never went to the network');
  live.dispose();
  queryClient.clear();
  return results;
}

async function ingest({ createLiveData, versions, plan }) {
  const updatedAtOf = versions.map(({ text }) => JSON.parse(text).items[0].updatedAt);
  const ourVersions = cyclingVersions();
  const live = await createLiveData({
    baseUrl: 'http://bench.invalid', eventTarget: null, fetch: fetchStub(versions, ourVersions),
  });
  const queryClient = new QueryClient();
  const theirVersions = cyclingVersions();
  const fetchFromStub = fetchStub(versions, theirVersions);
  const queryFn = async () => (await fetchFromStub()).json();
  const floorVersions = cyclingVersions();
  const floorStub = fetchStub(versions, floorVersions);

  let lastOurs;
  let lastTheirs;
  let lastFloor;
  const results = await compare(
    {
      ours: {
        async runBatch(n) {
          for (let i = 0; i < n; i++) lastOurs = await live.getCampaigns({ limit: PARAMS_LIMIT }, { forceFresh: true });
        },
        check: () =>
          expect(
            lastOurs.error === null && !lastOurs.fromCache && lastOurs.data.items[0].updatedAt === updatedAtOf[ourVersions.last()],
            'our forced fetch takes in the new version',
          ),
      },
      tanstack: {
        async runBatch(n) {
          for (let i = 0; i < n; i++) {
            lastTheirs = await queryClient.fetchQuery({ queryKey: ['campaigns', { limit: PARAMS_LIMIT }], queryFn, staleTime: 0 });
          }
        },
        check: () => expect(lastTheirs.items[0].updatedAt === updatedAtOf[theirVersions.last()], 'fetchQuery takes in the new version'),
      },
      stubOnly: {
        async runBatch(n) {
          for (let i = 0; i < n; i++) lastFloor = await (await floorStub()).json();
        },
        check: () => expect(lastFloor.items[0].updatedAt === updatedAtOf[floorVersions.last()], 'the stub serves versions in turn'),
      },
    },
    plan,
  );
  live.dispose();
  queryClient.clear();
  return results;
}

let args;
try {
  ({ values: args } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, body: { type: 'string' } },
    strict: true,
  }));
} catch (error) {
  fail(`${error.message} (usage: data-layer.mjs [--quick] [--body FILE])`);
}
const plan = args.quick ? PLANS.quick : PLANS.full;

const made = listVersions(readList(args.body), VERSIONS);
if (made.error) fail(`${args.body ?? 'generated body'}: ${made.error}`);
const { versions } = made;

const { createLiveData } = await importLiveData().catch((error) =>
  fail(`cannot load the WASM module (run wasm/build.sh first): ${error.message}`),
);

log(`body ${versions[0].text.length} bytes, ${plan.rounds} rounds of ~${plan.batchMs} ms per contender`);
const setup = { createLiveData, versions, plan };
const read = await cachedRead(setup);
log(
  `cached read: ours ${read.ours.nsPerOp.toFixed(0)} ns, peek ${read.oursPeek.nsPerOp.toFixed(0)} ns, ` +
    `getQueryData ${read.tanstackGetQueryData.nsPerOp.toFixed(0)} ns, fetchQuery ${read.tanstackFetchQuery.nsPerOp.toFixed(0)} ns`,
);
const taken = await ingest(setup);
log(
  `ingest: ours ${taken.ours.nsPerOp.toFixed(0)} ns, fetchQuery ${taken.tanstack.nsPerOp.toFixed(0)} ns, ` +
    `stub and JSON.parse alone ${taken.stubOnly.nsPerOp.toFixed(0)} ns`,
);

const ns = (result) => roundTo(result.nsPerOp, 1);
const ratio = (ours, theirs) => roundTo(ours.nsPerOp / theirs.nsPerOp, 3);
process.stdout.write(
  `${JSON.stringify({
    cachedRead: {
      oursNs: ns(read.ours),
      tanstackGetQueryDataNs: ns(read.tanstackGetQueryData),
      tanstackFetchQueryNs: ns(read.tanstackFetchQuery),
      ratioVsGetQueryData: ratio(read.ours, read.tanstackGetQueryData),
      ratioVsFetchQuery: ratio(read.ours, read.tanstackFetchQuery),
      peekNs: ns(read.oursPeek),
      ratioPeekVsGetQueryData: ratio(read.oursPeek, read.tanstackGetQueryData),
    },
    ingest: {
      oursNs: ns(taken.ours),
      tanstackNs: ns(taken.tanstack),
      ratio: ratio(taken.ours, taken.tanstack),
      stubOnlyNs: ns(taken.stubOnly),
    },
    bodyBytes: Buffer.byteLength(versions[0].text),
    items: JSON.parse(versions[0].text).items.length,
    method: { ...plan, quick: args.quick, statistic: 'median of rounds, ns per operation' },
    node: process.version,
  })}\n`,
);
