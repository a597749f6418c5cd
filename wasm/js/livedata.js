// livedata for the JavaScript ecosystem: createLiveData() loads the WASM module (the C++
// core, compiled by Emscripten) and wraps its client in promises, listeners and DOM events.
// Nothing of the data layer's logic lives here: caching, revalidation, retry, fallback and
// freshness are the core's; this file converts calls and results and keeps parsed JSON.
import createLiveDataCore from './livedata-core.js';
import { createHost } from './host.js';

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
    if (eventTarget && typeof CustomEvent === 'function') {
      eventTarget.dispatchEvent(new CustomEvent(name, { detail: payload }));
    }
  }

  const host = createHost({ client: () => client, fetch: options.fetch, log: options.log, onEvent: emit });
  client = new module.WasmClient(
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
  );
  const configError = client.configError();
  if (configError) {
    client.delete();
    throw new LiveDataError(configError);
  }

  // Parsed data per cache key, for exactly the version whose body the module sent last
  // (wasm/src/bindings.cpp): a result of that version arrives without a body.
  const parsed = new Map(); // key -> { version, data }

  function toResult(raw) {
    let data;
    if (raw.body !== undefined) {
      data = JSON.parse(raw.body);
      if (raw.version !== 0) parsed.set(raw.key, { version: raw.version, data });
    } else {
      data = parsed.get(raw.key).data;
    }
    return {
      data,
      endpoint: raw.endpoint,
      key: raw.key,
      version: raw.version,
      fromCache: raw.fromCache,
      revalidated: raw.revalidated,
      stale: raw.stale,
      fallback: raw.fallback,
      updatedAt: raw.updatedAt,
      status: raw.status,
      error: raw.error,
    };
  }

  let disposed = false;
  function live() {
    if (disposed) throw new LiveDataError({ kind: 'config', message: 'this livedata client was disposed', detail: '' });
    return client;
  }

  function request(start) {
    return new Promise((resolve) => start((raw) => resolve(toResult(raw))));
  }

  const endpointCall = (name) => (params, { forceFresh = false } = {}) =>
    request((done) => live().getEndpoint(name, params, forceFresh, done));

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
    fetchFromAPI(path, { query = {}, forceFresh = false } = {}) {
      const pairs = Array.isArray(query) ? query : Object.entries(query).map(([k, v]) => [k, String(v)]);
      return request((done) => live().fetchFromAPI(path, pairs, forceFresh, done));
    },
    forceRefreshData(endpoints = []) {
      return new Promise((resolve) => live().forceRefreshData(endpoints, resolve));
    },
    invalidate: (pattern) => live().invalidate(pattern),
    invalidateEndpoint: (endpoint) => live().invalidateEndpoint(endpoint),
    clear() {
      live().clear();
      parsed.clear();
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
      parsed.clear();
    },
  };
}
