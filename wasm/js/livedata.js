// livedata for the JavaScript ecosystem: createLiveData() loads the WASM module (the C++
// core, compiled by Emscripten) and wraps its client in promises, listeners and DOM events.
// Nothing of the data layer's logic lives here: caching, revalidation, retry, fallback and
// freshness are the core's; this file converts calls and results and keeps parsed JSON
// (one parse per version of a body, done by host.js when the response arrives).
import createLiveDataCore from './livedata-core.js';
import { createHost } from './host.js';

const utf8 = new TextDecoder();

export const ENDPOINTS = Object.freeze(['overview', 'campaigns', 'flows', 'forms', 'segments']);

// The core's event types and the names they carry here (ld.on) and as DOM CustomEvents.
const EVENT_NAMES = Object.freeze({
  forceDataRefresh: 'forceDataRefresh',
  dataUpdated: 'livedata:updated',
  dataError: 'livedata:error',
  dataStale: 'livedata:stale',
  loadingChanged: 'livedata:loading',
});
export const EVENTS = Object.freeze(Object.values(EVENT_NAMES));

// The parameters each endpoint takes, in the order they cross into the module: two strings,
// then two integers, with bits 1, 2, 4, 8 saying which are present (bindings.cpp CrossedParams).
const OVERVIEW_PARAMS = Object.freeze({ strings: ['from', 'to'], integers: [] });
const LIST_PARAMS = Object.freeze({ strings: ['status', 'sort'], integers: ['limit', 'offset'] });

// ResultFlag bits of bindings.cpp's ResultRecord (float64 version and updatedAt, then int32
// slot, status and flags).
const FLAG = Object.freeze({
  fromCache: 1, revalidated: 2, stale: 4, fallback: 8, hasError: 16, bodyFromResponse: 32,
});

// An endpoint call converted for the module: { index, present, strings: [2], integers: [2],
// problem }, `problem` naming the first bad parameter; index -1 for a name that is no endpoint.
function convert(endpoint, params) {
  const index = ENDPOINTS.indexOf(endpoint);
  const call = { index, present: 0, strings: ['', ''], integers: [0, 0], problem: null };
  if (index < 0 || params === undefined || params === null) return call;
  if (typeof params !== 'object') {
    call.problem = 'parameters must be an object';
    return call;
  }
  const accepted = index === 0 ? OVERVIEW_PARAMS : LIST_PARAMS;
  for (const name in params) {
    if (!Object.prototype.hasOwnProperty.call(params, name)) continue;
    const value = params[name];
    const stringAt = accepted.strings.indexOf(name);
    const integerAt = accepted.integers.indexOf(name);
    if (stringAt < 0 && integerAt < 0) call.problem = `unknown parameter: ${name}`;
    else if (value === undefined || value === null) continue;
    else if (stringAt >= 0) {
      if (typeof value !== 'string') call.problem = `${name} must be a string`;
      call.strings[stringAt] = value;
      call.present |= 1 << stringAt;
    } else {
      if (!Number.isInteger(value) || Math.abs(value) > 1e9) call.problem = `${name} must be an integer`;
      call.integers[integerAt] = value;
      call.present |= 4 << integerAt;
    }
    if (call.problem) {
      call.problem = `invalid parameter: ${call.problem}`;
      return call;
    }
  }
  return call;
}

// One string per distinct call, for remembering its cache key's slot: the first string's
// length keeps the two strings apart.
const signatureOf = ({ index, present, strings, integers }) =>
  `${index}:${present}:${integers[0]}:${integers[1]}:${strings[0].length}:${strings[0]}${strings[1]}`;

// A DOM event carrying `detail`: a CustomEvent, or where there is none (Node 18 has Event
// and EventTarget but no global CustomEvent) an Event with the same `detail`.
const domEvent =
  typeof CustomEvent === 'function'
    ? (name, detail) => new CustomEvent(name, { detail })
    : (name, detail) => Object.defineProperty(new Event(name), 'detail', { value: detail, enumerable: true });

/** A livedata error: bad configuration at creation time. Request errors are values. */
export class LiveDataError extends Error {
  constructor(error) {
    super(error.message + (error.detail ? `: ${error.detail}` : ''));
    this.name = 'LiveDataError';
    Object.assign(this, { kind: error.kind, detail: error.detail });
  }
}

// One module instance per page, or per `module` options object (under node, the object
// carrying wasmBinary), shared by every client created with it. Emscripten turns the
// object it is given into the module, so it gets a copy.
const defaultModuleOptions = {};
const modules = new WeakMap(); // module options -> Promise of the instance

// The module's functions for one client, each given the client's handle first
// (wasm/src/bindings.cpp), as methods.
const CLIENT_FUNCTIONS = Object.freeze([
  'configError', 'fetchFromAPI', 'getEndpoint', 'peekEndpoint', 'getUnknown', 'rejectParams',
  'resultRecord', 'resultDetail', 'forceRefreshData', 'invalidate', 'invalidateEndpoint', 'clear', 'freshness',
  'stats', 'tick', 'setOnline', 'bodyBuffer', 'completeRequest', 'failRequest', 'runTimer',
]);
function bindClient(module, handle) {
  // A plain export (bindings.cpp). Its first call swaps Emscripten's forwarding stub for
  // the wasm function itself, which is then held here rather than looked up on `module`
  // each time (slot -1 finds nothing).
  module._livedata_peek_slot(handle, -1);
  const peekSlot = module._livedata_peek_slot;
  const client = {
    delete: () => module.deleteClient(handle),
    peekSlot: (slot) => peekSlot(handle, slot) !== 0,
  };
  for (const name of CLIENT_FUNCTIONS) client[name] = module[name].bind(null, handle);
  return client;
}

function loadModule(moduleOptions = defaultModuleOptions) {
  if (!modules.has(moduleOptions)) modules.set(moduleOptions, createLiveDataCore({ ...moduleOptions }));
  return modules.get(moduleOptions);
}

function checkOptions(options) {
  if (options === null || typeof options !== 'object') throw new TypeError('createLiveData: options must be an object');
  if (typeof options.baseUrl !== 'string') throw new TypeError('createLiveData: baseUrl must be a string');
  for (const name of ['staleThresholdMs', 'requestTimeoutMs', 'tickIntervalMs']) {
    if (options[name] !== undefined && !Number.isFinite(options[name])) {
      throw new TypeError(`createLiveData: ${name} must be a number`);
    }
  }
  for (const group of ['retry', 'ttl', 'cache']) {
    const value = options[group];
    if (value === undefined) continue;
    if (value === null || typeof value !== 'object') throw new TypeError(`createLiveData: ${group} must be an object`);
    for (const [key, number] of Object.entries(value)) {
      if (!Number.isFinite(number)) throw new TypeError(`createLiveData: ${group}.${key} must be a number`);
    }
  }
}

/**
 * Creates a client. See livedata.d.ts for every option and method.
 */
export async function createLiveData(options) {
  checkOptions(options);
  const module = await loadModule(options.module);
  const listeners = new Map(); // event name -> Set of listeners
  const eventTarget =
    options.eventTarget === undefined ? (typeof window !== 'undefined' ? window : null) : options.eventTarget;
  let client = null;

  function emit(type, payload) {
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
    heap: () => module.HEAPU8,
  });
  client = bindClient(
    module,
    module.createClient(
      {
        baseUrl: options.baseUrl,
        staleThresholdMs: options.staleThresholdMs,
        requestTimeoutMs: options.requestTimeoutMs,
        obeyCacheControl: options.obeyCacheControl,
        retry: options.retry,
        ttl: options.ttl,
        cache: options.cache,
      },
      host,
    ),
  );
  const configError = client.configError();
  if (configError) {
    client.delete();
    throw new LiveDataError(configError);
  }

  // Per slot (one per cache key, numbered by the module): its endpoint and key, the parsed
  // data of one version, and the last result built, handed out again while nothing in it
  // changes, so a cached read allocates nothing.
  const slots = []; // slot -> { endpoint, key, version, data, result }
  const recordAt = client.resultRecord();
  // Views of the record; when the module's memory grows, its old buffer is detached and
  // views over it have length 0, so they are made again.
  const recordViews = () => ({
    numbers: new Float64Array(module.HEAPU8.buffer, recordAt, 2),
    integers: new Int32Array(module.HEAPU8.buffer, recordAt + 16, 3),
  });
  let record = recordViews();
  // The slot of each endpoint call (signatureOf) whose result was not a fallback: the key
  // of a call is a function of the call, so peek() can name it by its slot.
  const slotOfCall = new Map();
  function rememberSlot(signature) {
    if (record.integers.length === 0) record = recordViews();
    if (!(record.integers[2] & FLAG.fallback)) slotOfCall.set(signature, record.integers[0]);
  }

  // The result the module just left in its record (bindings.cpp ResultRecord).
  function readResult() {
    if (record.integers.length === 0) record = recordViews();
    const version = record.numbers[0];
    const updatedAt = record.numbers[1];
    const slotIndex = record.integers[0];
    const status = record.integers[1];
    const flags = record.integers[2];
    let slot = slots[slotIndex];
    const last = slot && slot.result;
    if (last && version !== 0 && !(flags & FLAG.hasError) && last.version === version && last.flags === flags &&
        last.updatedAt === updatedAt && last.status === status) {
      return last.result;
    }
    const haveData = slot !== undefined && version !== 0 && slot.version === version;
    const fromResponse = !haveData && (flags & FLAG.bodyFromResponse) !== 0;
    let detail = null;
    if (!slot || flags & FLAG.hasError || !(haveData || fromResponse)) {
      detail = client.resultDetail();
      slot = slots[slotIndex] = slot || { endpoint: detail.endpoint, key: detail.key };
    }
    let data;
    if (haveData) data = slot.data;
    else if (fromResponse) data = host.responseData();
    else data = JSON.parse(utf8.decode(module.HEAPU8.subarray(detail.bodyAt, detail.bodyAt + detail.bodyLength)));
    if (version !== 0) Object.assign(slot, { version, data });
    const result = Object.freeze({
      data,
      endpoint: slot.endpoint,
      key: slot.key,
      version,
      fromCache: (flags & FLAG.fromCache) !== 0,
      revalidated: (flags & FLAG.revalidated) !== 0,
      stale: (flags & FLAG.stale) !== 0,
      fallback: (flags & FLAG.fallback) !== 0,
      updatedAt: flags & FLAG.fallback ? null : updatedAt,
      status,
      error: detail ? detail.error : null,
    });
    slot.result = { version, flags, updatedAt, status, result };
    return result;
  }

  let disposed = false;
  function live() {
    if (disposed) throw new LiveDataError({ kind: 'config', message: 'this livedata client was disposed', detail: '' });
    return client;
  }

  // `start(token)` starts a request and says whether its result is ready already; else it
  // comes through host.deliver(token). An endpoint call's `signature` is remembered with it.
  const waiting = new Map(); // token -> { resolve, signature }
  let nextToken = 1;
  function request(start, signature) {
    const token = nextToken++;
    if (start(token)) {
      if (signature) rememberSlot(signature);
      return Promise.resolve(readResult());
    }
    return new Promise((resolve) => waiting.set(token, { resolve, signature }));
  }
  function deliver(token) {
    const { resolve, signature } = waiting.get(token);
    waiting.delete(token);
    if (signature) rememberSlot(signature);
    resolve(readResult());
  }

  function endpointRequest(endpoint, params, forceFresh) {
    const call = convert(endpoint, params);
    const { index, problem, present, strings, integers } = call;
    if (index < 0) return request((token) => live().getUnknown(String(endpoint), token));
    if (problem) return request((token) => live().rejectParams(endpoint, problem, token));
    const signature = signatureOf(call);
    // A fresh hit by slot is exactly what the full call would answer (the core's peek shares
    // its freshness rule), without building the query and key again.
    const found = forceFresh ? undefined : peekCall(signature);
    if (found) return Promise.resolve(found);
    return request(
      (token) => live().getEndpoint(index, present, strings[0], strings[1], integers[0], integers[1], forceFresh, token),
      signature,
    );
  }

  // The fresh cached result of a call already seen, by its slot; undefined when there is
  // none or the call is new.
  function peekCall(signature) {
    const slot = slotOfCall.get(signature);
    return slot !== undefined && live().peekSlot(slot) ? readResult() : undefined;
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
  if (typeof window !== 'undefined' && window.addEventListener) {
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    if (globalThis.navigator && globalThis.navigator.onLine === false) client.setOnline(false);
  }

  return {
    getOverviewMetrics: endpointCall('overview'),
    getCampaigns: endpointCall('campaigns'),
    getFlows: endpointCall('flows'),
    getForms: endpointCall('forms'),
    getSegments: endpointCall('segments'),
    /** Any endpoint by name, with its parameter object. */
    get: (endpoint, params, requestOptions = {}) => endpointCall(endpoint)(params, requestOptions),
    /** The fresh cached result of get(endpoint, params), at once, or undefined (see livedata.d.ts). */
    peek(endpoint, params) {
      const call = convert(endpoint, params);
      const { index, problem, present, strings, integers } = call;
      if (index < 0 || problem) return undefined;
      const signature = signatureOf(call);
      if (slotOfCall.has(signature)) return peekCall(signature);
      if (!live().peekEndpoint(index, present, strings[0], strings[1], integers[0], integers[1])) return undefined;
      rememberSlot(signature);
      return readResult();
    },
    fetchFromAPI(path, { query = {}, forceFresh = false } = {}) {
      const pairs = Array.isArray(query) ? query : Object.entries(query).map(([k, v]) => [k, String(v)]);
      return request((token) => live().fetchFromAPI(path, pairs, forceFresh, token));
    },
    forceRefreshData(endpoints = []) {
      return new Promise((resolve) => live().forceRefreshData(endpoints, resolve));
    },
    invalidate: (pattern) => live().invalidate(pattern),
    invalidateEndpoint: (endpoint) => live().invalidateEndpoint(endpoint),
    clear() {
      live().clear();
      for (const slot of slots) if (slot) Object.assign(slot, { version: 0, data: undefined, result: undefined });
    },
    freshness: (endpoint) => live().freshness(endpoint),
    stats: () => live().stats(),
    setOnline: (online) => live().setOnline(online),
    on(eventName, listener) {
      if (!EVENTS.includes(eventName)) throw new TypeError(`livedata: unknown event ${eventName}; one of ${EVENTS.join(', ')}`);
      if (!listeners.has(eventName)) listeners.set(eventName, new Set());
      // A wrapper per subscription, so the same function subscribed twice unsubscribes once.
      const entry = (payload) => listener(payload);
      listeners.get(eventName).add(entry);
      return () => listeners.get(eventName).delete(entry);
    },
    /** Cancels everything in flight and frees the module's memory for this client. */
    dispose() {
      if (disposed) return;
      disposed = true;
      clearTimeout(tickTimer);
      if (typeof window !== 'undefined' && window.removeEventListener) {
        window.removeEventListener('online', onOnline);
        window.removeEventListener('offline', onOffline);
      }
      host.dispose();
      client.delete();
      listeners.clear();
      slots.length = 0;
      slotOfCall.clear();
    },
  };
}
