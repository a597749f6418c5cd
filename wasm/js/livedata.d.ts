// TypeScript declarations of the livedata WASM module's JavaScript entry (livedata.js).

export type EndpointName = 'overview' | 'campaigns' | 'flows' | 'forms' | 'segments';

export type ErrorKind =
  | 'network'
  | 'timeout'
  | 'http_client'
  | 'http_server'
  | 'rate_limited'
  | 'parse'
  | 'cancelled'
  | 'offline'
  | 'config';

/** A request's error, as a value: results carry it, nothing throws. */
export interface LiveDataErrorInfo {
  kind: ErrorKind;
  /** HTTP status when there was a response, else 0. */
  status: number;
  endpoint: string;
  /** Network attempts made, retries included. */
  attempts: number;
  /** Short and user-facing, fit for a toast. */
  message: string;
  /** For logs: URL, status line, transport message. */
  detail: string;
}

/**
 * Thrown by createLiveData for bad options: a `config` error whose detail names the option
 * (a misspelt name, a value of the wrong type, a number that is not a whole number in range,
 * a value out of bounds). Rejected by calls on a disposed client.
 */
export declare class LiveDataError extends Error {
  kind: ErrorKind;
  detail: string;
}

export interface LiveDataOptions {
  /** Where the API lives: http(s)://host[:port][/prefix]. Required. */
  baseUrl: string;
  /** Data older than this is flagged stale (default 300000: 5 minutes). */
  staleThresholdMs?: number;
  /** Per-request timeout (default 10000). */
  requestTimeoutMs?: number;
  /**
   * The largest response body read, in bytes as decoded (default 33554432: 32 MiB); past it
   * the rest is left unread, and data (a 2xx) fails with kind 'parse', not retried.
   */
  maxResponseBytes?: number;
  /** Whether responses' Cache-Control overrides the TTLs (default true). */
  obeyCacheControl?: boolean;
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number; maxRetryAfterMs?: number };
  /** Client cache lifetimes: a default and per-endpoint overrides, in ms (default 60000). */
  ttl?: { defaultMs?: number } & Partial<Record<EndpointName, number>>;
  cache?: { maxEntries?: number; maxBytes?: number };
  /**
   * The live feed (GET /api/changes), opened by the first watch(): a change the server commits
   * refetches the watched calls it names, conditionally. Reconnects wait a random time up to
   * min(maxReconnectDelayMs, reconnectBaseMs * 2^(n-1)); silence past idleTimeoutMs is a dead
   * connection; while down, or off (enabled: false), watched calls are polled every
   * fallbackPollMs (0: never).
   */
  live?: {
    enabled?: boolean;
    /** The feed's path under baseUrl (default "/api/changes"). */
    path?: string;
    reconnectBaseMs?: number;
    maxReconnectDelayMs?: number;
    idleTimeoutMs?: number;
    fallbackPollMs?: number;
    /** Revalidate watched calls the feed does not keep current when the page regains focus (default true). */
    revalidateOnFocus?: boolean;
    revalidateOnReconnect?: boolean;
  };
  /**
   * One live feed stream per browser (default true, where Web Locks and BroadcastChannel exist):
   * one tab holds the stream and relays it to the others; another takes over when it closes.
   */
  shareStream?: boolean;
  /** Where DOM CustomEvents are dispatched (default `window`; null for none). */
  eventTarget?: EventTarget | null;
  /** How often stale detection runs (default a tenth of the threshold, 50 ms to 1 s). */
  tickIntervalMs?: number;
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** Receives the core's log lines (retries, evictions, fallbacks). */
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
  /** Where the module's .wasm comes from: { wasmBinary } its bytes, { locateFile } its URL (called as Emscripten's, with 'livedata-core.wasm'). Neither is needed in a browser (fetched beside the entry) nor under node (read from the file beside it). */
  module?: { wasmBinary?: ArrayBuffer | Uint8Array; locateFile?: (path: string, prefix: string) => string };
}

export interface RequestOptions {
  /** Skip the client cache, send `_t=<ms>` and `Cache-Control: no-cache`. */
  forceFresh?: boolean;
}

export interface LiveDataResult<T = unknown> {
  /**
   * The parsed JSON: the server's data, the cached data, or an empty value of the endpoint's
   * shape (lists: no items, limit 50, statisticsAsOf null; overview: zero totals, no series,
   * range dates null). Frozen through and through: every reader of the entry shares it.
   */
  data: T;
  endpoint: string;
  /** The cache key (normalized query, never `_t`). */
  key: string;
  /**
   * Equal versions mean equal data (and the same parsed object); 0 for fallbacks. Results are
   * frozen: the same object is handed out again while nothing in it changes.
   */
  version: number;
  /** Served from the client cache (a hit, a 304 or a fallback). */
  fromCache: boolean;
  /** The server confirmed the cached data with 304. */
  revalidated: boolean;
  /** Older than the stale threshold, or served after an error. */
  stale: boolean;
  /** Nothing was cached: an empty value of the endpoint's shape. */
  fallback: boolean;
  /** When the server last confirmed the data (ms since the epoch); null for fallbacks. */
  updatedAt: number | null;
  /** HTTP status of the last response, 0 without one. */
  status: number;
  error: LiveDataErrorInfo | null;
}

export interface OverviewParams {
  /** YYYY-MM-DD */
  from?: string;
  to?: string;
}
export interface ListParams {
  status?: string;
  /** A field, "-field" for descending. */
  sort?: string;
  /** 1 to 500. */
  limit?: number;
  offset?: number;
}

export interface Freshness {
  lastUpdated: number | null;
  ageMs: number;
  stale: boolean;
  loading: boolean;
  error: LiveDataErrorInfo | null;
}

export interface RefreshReport {
  endpoints: { endpoint: string; ok: boolean; requests: number; error: LiveDataErrorInfo | null }[];
  allOk: boolean;
}

export interface ClientStats {
  hits: number;
  misses: number;
  revalidations: number;
  notModified: number;
  networkRequests: number;
  deduplicated: number;
  retries: number;
  errors: number;
  staleServed: number;
  fallbacks: number;
  bytesReceived: number;
  evictions: number;
  entries: number;
  cacheBytes: number;
  /** hits / (hits + misses); 0 before any request. */
  hitRate: number;
  /** Parsed results held in JavaScript, one per cached entry at most (so within cache.maxEntries). */
  memoized: number;
}

export type ConnectionState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface ConnectionStatus {
  state: ConnectionState;
  /** The last change version seen; 0 before any. */
  version: number;
  /** When the last change arrived (ms since the epoch); null before any. */
  lastChangeAt: number | null;
}

export interface EventPayloads {
  forceDataRefresh: { endpoints: string[] };
  'livedata:updated': { endpoint: string; key: string; updatedAt: number; fromCache: boolean };
  'livedata:error': { endpoint: string; key: string; error: LiveDataErrorInfo; servedStale: boolean };
  'livedata:stale': { endpoint: string; key: string; lastUpdated: number; ageMs: number };
  'livedata:loading': { endpoint: string; key: string; loading: boolean };
  'livedata:connection': ConnectionStatus;
  /**
   * A request failed and is tried again at `retryAt` (ms since the epoch), after `delayMs`:
   * its backoff, or the wait the server asked for (a 429's Retry-After). The key stays
   * loading until then; `error` is the failure that is being retried.
   */
  'livedata:retry': { endpoint: string; key: string; error: LiveDataErrorInfo; delayMs: number; retryAt: number };
}
export type EventName = keyof EventPayloads;
export declare const EVENTS: readonly EventName[];

export interface LiveData {
  /** The endpoints, in the core's order, as the module describes them. */
  readonly endpoints: readonly EndpointName[];
  getOverviewMetrics<T = unknown>(params?: OverviewParams, options?: RequestOptions): Promise<LiveDataResult<T>>;
  getCampaigns<T = unknown>(params?: ListParams, options?: RequestOptions): Promise<LiveDataResult<T>>;
  getFlows<T = unknown>(params?: ListParams, options?: RequestOptions): Promise<LiveDataResult<T>>;
  getForms<T = unknown>(params?: ListParams, options?: RequestOptions): Promise<LiveDataResult<T>>;
  getSegments<T = unknown>(params?: ListParams, options?: RequestOptions): Promise<LiveDataResult<T>>;
  /** Any endpoint by name. An unknown name resolves with a `config` error. */
  get<T = unknown>(endpoint: string, params?: OverviewParams | ListParams, options?: RequestOptions): Promise<LiveDataResult<T>>;
  /**
   * Synchronously, what `get(endpoint, params)` would resolve with right now from a fresh cache
   * entry (counted as a hit; no request, no event), the same object for the same version;
   * undefined when it would need anything more (nothing cached, expired, invalidated, offline),
   * and for an unknown endpoint or bad parameters (which `get` reports as errors).
   */
  peek<T = unknown>(endpoint: EndpointName, params?: OverviewParams | ListParams): LiveDataResult<T> | undefined;
  /**
   * Any path of the API (`/api/...`), with its query: null and undefined values are left
   * out. A path or query of the wrong type rejects with a TypeError; a bad path resolves
   * with a `config` error.
   */
  fetchFromAPI<T = unknown>(
    path: string,
    options?: { query?: Record<string, string | number> | [string, string][]; forceFresh?: boolean },
  ): Promise<LiveDataResult<T>>;
  /** Invalidates and refetches the named endpoints (all when omitted); emits forceDataRefresh. */
  forceRefreshData(endpoints?: string[]): Promise<RefreshReport>;
  /**
   * Marks matching entries for revalidation; returns how many. A glob on each entry's key
   * (a result's `key`, "GET campaigns?limit=5") and on the key without its method
   * ("campaigns*").
   */
  invalidate(pattern: string): number;
  invalidateEndpoint(endpoint: string): number;
  /** Drops all cached data (e.g. on sign-out). */
  clear(): void;
  freshness(endpoint: string): Freshness;
  stats(): ClientStats;
  setOnline(online: boolean): void;
  /**
   * Watches a call (the data is on screen): `listener` gets the result now and again whenever
   * the data changes, as the live feed reports it. Returns the unwatch function.
   */
  watch<T = unknown>(
    endpoint: EndpointName,
    params: OverviewParams | ListParams | undefined,
    listener: (result: LiveDataResult<T>) => void,
  ): () => void;
  /** The live feed's state. */
  connection(): ConnectionStatus;
  /** The page gained or lost focus (the module listens to window focus and visibility itself). */
  setFocused(focused: boolean): void;
  /** Returns the unsubscribe function. */
  on<E extends EventName>(eventName: E, listener: (payload: EventPayloads[E]) => void): () => void;
  /**
   * Cancels everything in flight and frees the module's memory for this client. Calls still
   * waiting reject with the same LiveDataError as calls made after it.
   */
  dispose(): void;
}

export declare function createLiveData(options: LiveDataOptions): Promise<LiveData>;
