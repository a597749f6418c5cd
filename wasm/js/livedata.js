// livedata for the JavaScript ecosystem: createLiveData() loads the WASM module (the C++
// core, compiled by Emscripten) and wraps its client in promises, listeners and DOM events.
// Nothing of the data layer's logic lives here: caching, revalidation, retry, fallback and
// freshness are the core's; this file converts calls and results and keeps parsed JSON
// (one parse per version of a body, done by host.js when the response arrives).
import createLiveDataCore from './livedata-core.js';
import { MAX_TIMER_MS, createHost } from './host.js';

const utf8 = new TextDecoder();

// The core's event types and the names they carry here (ld.on) and as DOM CustomEvents.
// entryRemoved is the adapter's own: it bounds the memo of parsed data.
const EVENT_NAMES = Object.freeze({
  forceDataRefresh: 'forceDataRefresh',
  dataUpdated: 'livedata:updated',
  dataError: 'livedata:error',
  dataStale: 'livedata:stale',
  loadingChanged: 'livedata:loading',
  connectionChanged: 'livedata:connection',
  retryScheduled: 'livedata:retry',
});
export const EVENTS = Object.freeze(Object.values(EVENT_NAMES));

// The endpoints, as the module's table describes them (describeEndpoints): their names,
// and per endpoint its parameters' names in order, each with its kind, its position's bit
// and its place among the texts or the integers (bindings.cpp CrossedParams). Plain arrays
// searched with indexOf: for five endpoints and four parameters that beats a Map.
function endpointTable(described) {
  const endpoints = described.map(({ name, params, crossable }) => {
    const counts = { text: 0, integer: 0 };
    return Object.freeze({
      name,
      crossable,
      params: Object.freeze(params.map((param) => param.name)),
      isText: Object.freeze(params.map((param) => param.kind === 'text')),
      bits: Object.freeze(params.map((_, position) => 1 << position)),
      places: Object.freeze(params.map((param) => counts[param.kind]++)),
    });
  });
  return Object.freeze({ names: Object.freeze(endpoints.map((entry) => entry.name)), endpoints });
}

// An endpoint call converted for the module: { index, present, strings: [2], integers: [2],
// problem }, `problem` naming the first bad parameter; index -1 for a name that is no endpoint.
function convert(table, endpoint, params) {
  const index = table.names.indexOf(endpoint);
  const call = { index, present: 0, strings: ['', ''], integers: [0, 0], problem: null };
  if (index < 0) return call;
  const spec = table.endpoints[index];
  if (!spec.crossable) {
    call.problem = `invalid parameter: ${endpoint} has more parameters than this module can pass`;
    return call;
  }
  if (params === undefined || params === null) return call;
  if (typeof params !== 'object') {
    call.problem = 'parameters must be an object';
    return call;
  }
  for (const name in params) {
    if (!Object.prototype.hasOwnProperty.call(params, name)) continue;
    const value = params[name];
    const at = spec.params.indexOf(name);
    if (at < 0) call.problem = `unknown parameter: ${name}`;
    else if (value === undefined || value === null) continue;
    else if (spec.isText[at]) {
      if (typeof value !== 'string') call.problem = `${name} must be a string`;
      call.strings[spec.places[at]] = value;
      call.present |= spec.bits[at];
    } else {
      if (!Number.isSafeInteger(value)) call.problem = `${name} must be an integer`;
      call.integers[spec.places[at]] = value;
      call.present |= spec.bits[at];
    }
    if (call.problem) {
      call.problem = `invalid parameter: ${call.problem}`;
      return call;
    }
  }
  return call;
}

// One string per distinct call, for remembering the cache entry it reads: the first
// string's length keeps the two strings apart.
const signatureOf = ({ index, present, strings, integers }) =>
  `${index}:${present}:${integers[0]}:${integers[1]}:${strings[0].length}:${strings[0]}${strings[1]}`;

// A DOM event carrying `detail`: a CustomEvent, or where there is none (Node 18 has Event
// and EventTarget but no global CustomEvent) an Event with the same `detail`.
const domEvent =
  typeof CustomEvent === 'function'
    ? (name, detail) => new CustomEvent(name, { detail })
    : (name, detail) => Object.defineProperty(new Event(name), 'detail', { value: detail, enumerable: true });

// An argument the module takes as a string or a boolean: anything else is a TypeError here,
// not Embind's BindingError or a conversion ('false' would be true).
function text(method, value) {
  if (typeof value !== 'string') throw new TypeError(`livedata: ${method} takes a string`);
  return value;
}
function flag(method, value) {
  if (typeof value !== 'boolean') throw new TypeError(`livedata: ${method} takes true or false`);
  return value;
}
// fetchFromAPI's query as [name, value] texts: an object of strings and finite numbers (null
// and undefined leave a name out, as the endpoint calls do), or an array of [name, value]
// string pairs.
function queryPairs(query) {
  const wrong = () => new TypeError('livedata: fetchFromAPI query takes an object of strings and numbers, or [name, value] string pairs');
  if (Array.isArray(query)) {
    if (!query.every((pair) => Array.isArray(pair) && pair.length === 2 && pair.every((part) => typeof part === 'string'))) {
      throw wrong();
    }
    return query;
  }
  if (query === null || typeof query !== 'object') throw wrong();
  const pairs = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) pairs.push([name, String(value)]);
    else throw wrong();
  }
  return pairs;
}

// Parsed data is handed to every reader of its cache entry (and kept for the next), so it is
// frozen through and through: one reader's edit cannot change what the others see. Done once
// per version of a body, beside its parse.
function deepFreeze(value) {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const key of Object.keys(value)) deepFreeze(value[key]);
  return Object.freeze(value);
}

/** A livedata error: bad configuration at creation time. Request errors are values. */
export class LiveDataError extends Error {
  constructor(error) {
    super(error.detail ? `${error.message.replace(/\.$/, '')}: ${error.detail}` : error.message);
    this.name = 'LiveDataError';
    Object.assign(this, { kind: error.kind, detail: error.detail });
  }
}

// One module instance per page, or per `module` options object (where the .wasm comes
// from: wasmBinary, locateFile), shared by every client created with it, with the endpoint
// table and result layout it describes.
const defaultModuleOptions = {};
const modules = new WeakMap(); // module options -> Promise of { module, endpoints, layout }

// The module's functions for one client, each given the client's handle first
// (wasm/src/bindings.cpp), as methods.
const CLIENT_FUNCTIONS = Object.freeze([
  'configError', 'fetchFromAPI', 'getEndpoint', 'peekEndpoint', 'getUnknown', 'rejectParams',
  'resultRecord', 'resultDetail', 'forceRefreshData', 'invalidate', 'invalidateEndpoint', 'clear', 'freshness',
  'stats', 'tick', 'setOnline', 'bodyBuffer', 'completeRequest', 'failRequest', 'runTimer',
  'watchEndpoint', 'unwatch', 'setFocused', 'connection', 'streamResponse', 'streamData', 'streamEnd',
]);
function bindClient(module, handle) {
  // A plain export (bindings.cpp). Its first call swaps Emscripten's forwarding stub for
  // the wasm function itself, which is then held here rather than looked up on `module`
  // each time (entry 0 finds nothing).
  module._livedata_peek_entry(handle, 0, 0);
  const peekEntry = module._livedata_peek_entry;
  const client = {
    delete: () => module.deleteClient(handle),
    peekEntry: (entryId, knownVersion) => peekEntry(handle, entryId, knownVersion) !== 0,
  };
  for (const name of CLIENT_FUNCTIONS) client[name] = module[name].bind(null, handle);
  return client;
}

// The .wasm as Emscripten's minimal runtime takes it, the module option `wasm`: its bytes
// (wasmBinary), or the file beside this one under node (node's fetch has no file: URLs; that
// specifier is not a literal, so bundlers for the browser leave the import alone), or fetched
// from where locateFile says or from beside this file, written out as
// `new URL('./livedata-core.wasm', import.meta.url)`, the form bundlers rewrite to the asset.
// A fetched file is compiled as it downloads (a WebAssembly.Module), as Emscripten's full
// runtime would, when the server labels it application/wasm, which compileStreaming
// requires; labelled otherwise, or where streaming fails (a fetch wrapped into a Response of
// its own), its bytes are compiled once they have arrived.
async function wasmSource({ wasmBinary, locateFile }) {
  if (wasmBinary) return wasmBinary;
  if (isNode && !locateFile) {
    const fs = 'node:fs/promises';
    const { readFile } = await import(/* @vite-ignore */ fs);
    return readFile(new URL('./livedata-core.wasm', import.meta.url));
  }
  // As Emscripten's own glue calls it: the file's name and the folder of the script.
  const url = locateFile
    ? locateFile('livedata-core.wasm', new URL('.', import.meta.url).href)
    : new URL('./livedata-core.wasm', import.meta.url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot fetch the livedata module from ${url}: HTTP ${response.status}`);
  const mediaType = (response.headers.get('content-type') || '').split(';')[0].trim().toLowerCase();
  if (mediaType === 'application/wasm' && typeof WebAssembly.compileStreaming === 'function') {
    return WebAssembly.compileStreaming(response).catch(async () => (await fetch(url)).arrayBuffer());
  }
  return response.arrayBuffer();
}
const isNode = typeof process === 'object' && process !== null && !!(process.versions && process.versions.node);

function loadModule(moduleOptions = defaultModuleOptions) {
  if (!modules.has(moduleOptions)) {
    const loading = (async () => {
      const module = await createLiveDataCore({ wasm: await wasmSource(moduleOptions) });
      delete module.wasm; // the module is this object: its .wasm is not kept for the page's life
      return { module, endpoints: endpointTable(module.describeEndpoints()), layout: module.resultLayout() };
    })();
    modules.set(moduleOptions, loading);
    // A load that failed (the network, a server's error) is not kept: the next client tries again.
    loading.catch(() => modules.delete(moduleOptions));
  }
  return modules.get(moduleOptions);
}

// The options this file takes itself; every other one is the core's (livedata.d.ts).
const ADAPTER_OPTIONS = Object.freeze(['module', 'fetch', 'log', 'eventTarget', 'shareStream', 'tickIntervalMs']);

const optionsError = (detail) => new LiveDataError({ kind: 'config', message: 'Invalid livedata options', detail });

// The adapter's own options; the core judges its own (coreOptions).
function checkOptions(options) {
  if (options === null || typeof options !== 'object') throw optionsError('the options must be an object');
  const { fetch, log, eventTarget, shareStream, tickIntervalMs } = options;
  if (fetch !== undefined && typeof fetch !== 'function') throw optionsError('config.fetch must be a function');
  if (log !== undefined && typeof log !== 'function') throw optionsError('config.log must be a function');
  if (shareStream !== undefined && typeof shareStream !== 'boolean') {
    throw optionsError('config.shareStream must be true or false');
  }
  if (eventTarget !== undefined && eventTarget !== null && typeof (eventTarget && eventTarget.dispatchEvent) !== 'function') {
    throw optionsError('config.eventTarget must be an EventTarget or null');
  }
  if (tickIntervalMs !== undefined && !(Number.isInteger(tickIntervalMs) && tickIntervalMs >= 1 && tickIntervalMs <= MAX_TIMER_MS)) {
    throw optionsError(`config.tickIntervalMs must be a whole number from 1 to ${MAX_TIMER_MS}`);
  }
}

// The core's options as the module takes them: [name, value, name, value, ...], a group's
// fields named after it ("retry.maxAttempts"). The core refuses a name it does not know or a
// value of the wrong type, with an error naming the option (core setOption).
function coreOptions(options) {
  const flat = [];
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined || ADAPTER_OPTIONS.includes(name)) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [field, fieldValue] of Object.entries(value)) {
        if (fieldValue !== undefined) flat.push(`${name}.${field}`, fieldValue);
      }
    } else {
      flat.push(name, value);
    }
  }
  return flat;
}

/**
 * Creates a client. See livedata.d.ts for every option and method.
 */
export async function createLiveData(options) {
  checkOptions(options);
  const { module, endpoints: table, layout } = await loadModule(options.module);
  const FLAG = layout.flagBits;
  const listeners = new Map(); // event name -> Set of listeners
  const eventTarget =
    options.eventTarget === undefined ? (typeof window !== 'undefined' ? window : null) : options.eventTarget;
  let client = null;

  function emit(type, payload) {
    if (type === 'entryRemoved') {
      forgetEntry(payload.entrySlot, payload.entryId);
      return;
    }
    const name = EVENT_NAMES[type];
    if (!name) return;
    for (const listener of listeners.get(name) || []) {
      try {
        listener(payload);
      } catch (error) {
        // One failing listener must not keep the others (or the core) from running.
        setTimeout(() => {
          throw error;
        });
      }
    }
    if (eventTarget) eventTarget.dispatchEvent(domEvent(name, payload));
  }

  const host = createHost({
    client: () => client,
    fetch: options.fetch,
    log: options.log,
    onEvent: emit,
    onResult: (token) => deliver(token),
    onWatchUpdate: (token) => watchUpdate(token),
    shareStream: options.shareStream !== false,
    heap: () => module.HEAPU8,
  });
  client = bindClient(
    module,
    module.createClient(coreOptions(options), host),
  );
  const configError = client.configError();
  if (configError) {
    client.delete();
    throw new LiveDataError(configError);
  }

  // Per cache entry, by its slot (entrySlotOf(FetchResult::entryId), a small number the
  // core reuses): the entry's id, endpoint and key, the parsed data of one version, the last
  // result built (handed out again while nothing in it changes, so a cached read allocates
  // nothing) and the calls that read it. An entry is forgotten when the core announces its
  // removal, so this holds no more than the core's cache does.
  const entries = []; // slot -> { id, endpoint, key, version, data, result, calls }
  let memoized = 0;
  // The entry each endpoint call (signatureOf) last read, so peek() can name it by its id
  // and say which version of it is parsed here.
  const entryOfCall = new Map(); // signature -> entry
  function forgetEntry(slot, entryId) {
    const entry = entries[slot];
    if (!entry || entry.id !== entryId) return;
    for (const signature of entry.calls) entryOfCall.delete(signature);
    entries[slot] = undefined;
    memoized--;
  }

  const recordAt = client.resultRecord();
  // Views of the record, at the offsets the module gives; when its memory grows, the old
  // buffer is detached and views over it have length 0, so they are made again.
  const F64 = 8;
  const I32 = 4;
  const at = {
    version: layout.version / F64, updatedAt: layout.updatedAt / F64, entryId: layout.entryId / F64,
    entrySlot: layout.entrySlot / I32, status: layout.status / I32, flags: layout.flags / I32,
  };
  const recordViews = () => ({
    numbers: new Float64Array(module.HEAPU8.buffer, recordAt, layout.size / F64),
    integers: new Int32Array(module.HEAPU8.buffer, recordAt, layout.size / I32),
  });
  let record = recordViews();
  const readRecord = () => {
    if (record.integers.length === 0) record = recordViews();
    return record;
  };

  // Remembers that the call `signature` reads the entry of the result in the record (made by
  // readResult: takeResult calls both, in that order). A call names one key, so it can only
  // move to another entry after its entry's removal, which forgot the call already.
  function rememberEntry(signature) {
    const { numbers, integers } = readRecord();
    const entry = entries[integers[at.entrySlot]];
    const entryId = numbers[at.entryId];
    if (entryId === 0 || !entry || entry.id !== entryId) return;
    entryOfCall.set(signature, entry);
    entry.calls.add(signature);
  }

  // The result in the record, and the call `signature` (if any) remembered as reading its
  // entry: after the read, which makes the entry, so a call's second read takes the fast path.
  function takeResult(signature) {
    const result = readResult();
    if (signature) rememberEntry(signature);
    return result;
  }

  // The result the module just left in its record (bindings.cpp ResultRecord).
  function readResult() {
    const { numbers, integers } = readRecord();
    const version = numbers[at.version];
    const updatedAt = numbers[at.updatedAt];
    const entryId = numbers[at.entryId];
    const status = integers[at.status];
    const flags = integers[at.flags];
    const slot = integers[at.entrySlot];
    let entry = entryId === 0 ? undefined : entries[slot];
    if (entry !== undefined && entry.id !== entryId) entry = undefined; // a removal not yet announced
    const last = entry && entry.result;
    if (last && version !== 0 && !(flags & FLAG.hasError) && last.version === version && last.flags === flags &&
        last.updatedAt === updatedAt && last.status === status) {
      return last.result;
    }
    const haveData = entry !== undefined && version !== 0 && entry.version === version;
    const fromResponse = !haveData && (flags & FLAG.bodyFromResponse) !== 0;
    let detail = null;
    if (!entry || flags & FLAG.hasError || !(haveData || fromResponse)) {
      detail = client.resultDetail();
      if (!entry) {
        entry = { id: entryId, endpoint: detail.endpoint, key: detail.key, version: 0, data: undefined,
          result: undefined, calls: new Set() };
        if (entryId !== 0) {
          if (entries[slot] === undefined) memoized++;
          else for (const signature of entries[slot].calls) entryOfCall.delete(signature);
          entries[slot] = entry;
        }
      }
    }
    let data;
    if (haveData) data = entry.data;
    else if (fromResponse) data = deepFreeze(host.responseData());
    else data = deepFreeze(JSON.parse(utf8.decode(module.HEAPU8.subarray(detail.bodyAt, detail.bodyAt + detail.bodyLength))));
    if (version !== 0) {
      entry.version = version;
      entry.data = data;
    }
    const result = Object.freeze({
      data,
      endpoint: entry.endpoint,
      key: entry.key,
      version,
      fromCache: (flags & FLAG.fromCache) !== 0,
      revalidated: (flags & FLAG.revalidated) !== 0,
      stale: (flags & FLAG.stale) !== 0,
      fallback: (flags & FLAG.fallback) !== 0,
      updatedAt: flags & FLAG.fallback ? null : updatedAt,
      status,
      error: detail ? detail.error : null,
    });
    entry.result = { version, flags, updatedAt, status, result };
    return result;
  }

  let disposed = false;
  const disposedError = () => new LiveDataError({ kind: 'config', message: 'this livedata client was disposed', detail: '' });
  function live() {
    if (disposed) throw disposedError();
    return client;
  }

  // `start(token)` starts a request and says whether its result is ready already; else it
  // comes through host.deliver(token). An endpoint call's `signature` is remembered with
  // the entry it read.
  // Every promise not yet settled is in `waiting` (forceRefreshData's too, with no
  // signature), so that dispose() can reject them: none is left pending for ever.
  const waiting = new Map(); // token -> { resolve, reject, signature }
  let nextToken = 1;
  function request(start, signature) {
    const token = nextToken++;
    if (disposed) return Promise.reject(disposedError());
    if (start(token)) return Promise.resolve(takeResult(signature));
    return settledByDispose(new Promise((resolve, reject) => waiting.set(token, { resolve, reject, signature })));
  }
  // A waiting promise rejects only when dispose() cuts it off. A caller that awaits it sees
  // that; one that never looked (a call fired and forgotten) must not get an unhandled
  // rejection, which ends a node process, for a disposal it asked for.
  function settledByDispose(promise) {
    promise.catch(() => {});
    return promise;
  }
  function deliver(token) {
    const pending = waiting.get(token);
    if (!pending) return; // rejected by dispose()
    waiting.delete(token);
    pending.resolve(takeResult(pending.signature));
  }

  function endpointRequest(endpoint, params, forceFresh) {
    const call = convert(table, endpoint, params);
    const { index, problem, present, strings, integers } = call;
    if (index < 0) return request((token) => live().getUnknown(String(endpoint), token));
    if (problem) return request((token) => live().rejectParams(endpoint, problem, token));
    const signature = signatureOf(call);
    if (disposed) return Promise.reject(disposedError());
    // A fresh hit by entry is exactly what the full call would answer (the core's peek
    // shares its freshness rule), without building the query and key again.
    const found = forceFresh ? undefined : peekCall(signature);
    if (found) return Promise.resolve(found);
    return request(
      (token) => live().getEndpoint(index, present, strings[0], strings[1], integers[0], integers[1], forceFresh, token),
      signature,
    );
  }

  // The fresh cached result of a call already seen, by its entry; undefined when there is
  // none or the call is new.
  function peekCall(signature) {
    const entry = entryOfCall.get(signature);
    return entry !== undefined && live().peekEntry(entry.id, entry.version) ? readResult() : undefined;
  }

  // Watched calls by token: the listener, and the signature of the call for the memo.
  const watchers = new Map(); // token -> { listener, signature }
  // A listener's exception is re-thrown from a timer: it must not stop the core or the others.
  function hear(listener, result) {
    try {
      listener(result);
    } catch (error) {
      setTimeout(() => {
        throw error;
      });
    }
  }
  function watchUpdate(token) {
    const watcher = watchers.get(token);
    if (!watcher) return;
    hear(watcher.listener, takeResult(watcher.signature));
  }
  function watch(endpoint, params, listener) {
    if (typeof listener !== 'function') throw new TypeError('livedata: watch needs a listener function');
    const call = convert(table, endpoint, params);
    const { index, problem, present, strings, integers } = call;
    const token = nextToken++;
    watchers.set(token, { listener, signature: index >= 0 && !problem ? signatureOf(call) : null });
    if (index < 0 || problem) {
      // The core names the unknown endpoint or the bad parameter; the listener hears it
      // once, as a result, as get() would answer.
      request((t) => (index < 0 ? live().getUnknown(String(endpoint), t) : live().rejectParams(endpoint, problem, t))).then(
        (result) => watchers.has(token) && hear(listener, result),
      );
    } else {
      live().watchEndpoint(index, present, strings[0], strings[1], integers[0], integers[1], token);
    }
    return () => {
      if (!watchers.delete(token) || disposed) return;
      client.unwatch(token);
    };
  }

  const endpointCall = (name) => (params, { forceFresh = false } = {}) => endpointRequest(name, params, forceFresh);

  // Stale detection: the core has no timers; it is ticked so `livedata:stale` fires soon
  // after data turns stale (within a tenth of the threshold, at most a second late).
  const staleThreshold = options.staleThresholdMs ?? 5 * 60 * 1000;
  const tickIntervalMs = options.tickIntervalMs ?? Math.max(50, Math.min(1000, staleThreshold / 10));
  let tickTimer = null;
  const scheduleTick = () => {
    tickTimer = setTimeout(() => {
      if (disposed) return;
      client.tick(Date.now());
      scheduleTick();
    }, tickIntervalMs);
    if (tickTimer && typeof tickTimer.unref === 'function') tickTimer.unref(); // never keeps node alive
  };
  scheduleTick();

  // The browser's own view of the network: offline requests fail fast with cached data.
  const onOnline = () => client.setOnline(true);
  const onOffline = () => client.setOnline(false);
  // Focus and visibility: coming back to the page revalidates what the live feed does not
  // keep current (the core decides what that is).
  const onFocus = () => client.setFocused(true);
  const onBlur = () => client.setFocused(false);
  const onVisibility = () => client.setFocused(document.visibilityState === 'visible');
  if (typeof window !== 'undefined' && window.addEventListener) {
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    window.addEventListener('focus', onFocus);
    window.addEventListener('blur', onBlur);
    if (globalThis.navigator && globalThis.navigator.onLine === false) client.setOnline(false);
  }
  if (typeof document !== 'undefined' && document.addEventListener) {
    document.addEventListener('visibilitychange', onVisibility);
  }

  return {
    endpoints: table.names,
    getOverviewMetrics: endpointCall('overview'),
    getCampaigns: endpointCall('campaigns'),
    getFlows: endpointCall('flows'),
    getForms: endpointCall('forms'),
    getSegments: endpointCall('segments'),
    /** Any endpoint by name, with its parameter object. */
    get: (endpoint, params, requestOptions = {}) => endpointCall(endpoint)(params, requestOptions),
    /** The fresh cached result of get(endpoint, params), at once, or undefined (see livedata.d.ts). */
    peek(endpoint, params) {
      const call = convert(table, endpoint, params);
      const { index, problem, present, strings, integers } = call;
      if (index < 0 || problem) return undefined;
      const signature = signatureOf(call);
      const known = peekCall(signature);
      if (known !== undefined || entryOfCall.has(signature)) return known;
      if (!live().peekEndpoint(index, present, strings[0], strings[1], integers[0], integers[1])) return undefined;
      return takeResult(signature);
    },
    fetchFromAPI(path, { query = {}, forceFresh = false } = {}) {
      let pairs;
      try {
        pairs = queryPairs(query);
        text('fetchFromAPI', path);
        flag('fetchFromAPI forceFresh', forceFresh);
      } catch (error) {
        return Promise.reject(error);
      }
      return request((token) => live().fetchFromAPI(path, pairs, forceFresh, token));
    },
    forceRefreshData(endpoints = []) {
      if (!Array.isArray(endpoints) || !endpoints.every((name) => typeof name === 'string')) {
        return Promise.reject(new TypeError('livedata: forceRefreshData takes an array of endpoint names'));
      }
      if (disposed) return Promise.reject(disposedError());
      const token = nextToken++;
      return settledByDispose(
        new Promise((resolve, reject) => {
          waiting.set(token, { resolve, reject, signature: null });
          live().forceRefreshData(endpoints, (report) => {
            if (waiting.delete(token)) resolve(report);
          });
        }),
      );
    },
    invalidate: (pattern) => live().invalidate(text('invalidate', pattern)),
    invalidateEndpoint: (endpoint) => live().invalidateEndpoint(text('invalidateEndpoint', endpoint)),
    clear: () => live().clear(), // the core announces each entry's removal: the memo empties with it
    freshness: (endpoint) => live().freshness(text('freshness', endpoint)),
    stats: () => Object.assign(live().stats(), { memoized }),
    setOnline: (online) => live().setOnline(flag('setOnline', online)),
    /** Watches a call: listener(result) now and on every change; returns the unwatch function. */
    watch,
    /** The live feed's state: { state, version, lastChangeAt }. */
    connection: () => live().connection(),
    setFocused: (focused) => live().setFocused(flag('setFocused', focused)),
    on(eventName, listener) {
      if (!EVENTS.includes(eventName)) throw new TypeError(`livedata: unknown event ${eventName}; one of ${EVENTS.join(', ')}`);
      if (typeof listener !== 'function') throw new TypeError('livedata: on needs a listener function');
      if (!listeners.has(eventName)) listeners.set(eventName, new Set());
      // A wrapper per subscription, so the same function subscribed twice unsubscribes once.
      const entry = (payload) => listener(payload);
      listeners.get(eventName).add(entry);
      // Safe after dispose() (which drops every listener), as unwatching is: React runs a
      // subtree's cleanups after its provider's, which disposes the client.
      return () => void listeners.get(eventName)?.delete(entry);
    },
    /**
     * Cancels everything in flight (its promises reject with the same LiveDataError as a
     * call after dispose) and frees the module's memory for this client.
     */
    dispose() {
      if (disposed) return;
      disposed = true;
      clearTimeout(tickTimer);
      if (typeof window !== 'undefined' && window.removeEventListener) {
        window.removeEventListener('online', onOnline);
        window.removeEventListener('offline', onOffline);
        window.removeEventListener('focus', onFocus);
        window.removeEventListener('blur', onBlur);
      }
      if (typeof document !== 'undefined' && document.removeEventListener) {
        document.removeEventListener('visibilitychange', onVisibility);
      }
      watchers.clear();
      for (const { reject } of waiting.values()) reject(disposedError());
      waiting.clear();
      host.dispose();
      client.delete();
      listeners.clear();
      entries.length = 0;
      memoized = 0;
      entryOfCall.clear();
    },
  };
}
