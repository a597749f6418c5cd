// An in-memory stand-in for the livedata client: scripted results per endpoint and an
// event emitter, so hooks and components are tested without the WebAssembly module.
import { vi } from 'vitest';
import type {
  ConnectionStatus,
  EndpointName,
  EventName,
  EventPayloads,
  LiveData,
  LiveDataErrorInfo,
  LiveDataResult,
  RefreshReport,
} from '@livedata/wasm';
import { stableKey } from '../hooks/stableKey';

type Params = Record<string, unknown> | undefined;
type Responder = (params: Params, options: { forceFresh?: boolean }) => LiveDataResult | Promise<LiveDataResult>;

/** The key the fake gives a request; the real module normalizes the query similarly. */
export const fakeKey = (endpoint: string, params?: object) => `${endpoint}?${stableKey(params)}`;

export function okResult<T>(endpoint: string, data: T, overrides: Partial<LiveDataResult<T>> = {}): LiveDataResult<T> {
  return {
    data,
    endpoint,
    key: fakeKey(endpoint),
    version: 1,
    fromCache: false,
    revalidated: false,
    stale: false,
    fallback: false,
    updatedAt: Date.now(),
    status: 200,
    error: null,
    ...overrides,
  };
}

export function makeError(endpoint: string, overrides: Partial<LiveDataErrorInfo> = {}): LiveDataErrorInfo {
  return {
    kind: 'http_server',
    status: 503,
    endpoint,
    attempts: 3,
    message: "The server ran into a problem.",
    detail: 'GET /api/' + endpoint + ': 503',
    ...overrides,
  };
}

/** A failure with nothing cached: the module answers an empty value of the endpoint's shape. */
export function fallbackResult<T>(endpoint: string, emptyData: T, error = makeError(endpoint)): LiveDataResult<T> {
  return okResult(endpoint, emptyData, {
    fallback: true,
    stale: true,
    updatedAt: null,
    version: 0,
    status: 503,
    error,
  });
}

interface Watcher {
  endpoint: string;
  params: Params;
  listener: (result: LiveDataResult) => void;
  active: boolean;
}

export class FakeLiveData {
  private readonly responders = new Map<string, Responder>();
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();
  private readonly watchers = new Set<Watcher>();
  /** Every call's endpoint and params, reads and watches alike, in order. */
  private readonly calls: [string, Params][] = [];
  connectionStatus: ConnectionStatus = { state: 'idle', version: 0, lastChangeAt: null };

  /** Scripts what requests for `endpoint` resolve with; the key is filled in from the params. */
  respond(endpoint: EndpointName, responder: Responder | LiveDataResult): this {
    const respond = typeof responder === 'function' ? responder : () => responder;
    this.responders.set(endpoint, async (params, options) => ({
      ...(await respond(params, options)),
      key: fakeKey(endpoint, params),
    }));
    return this;
  }

  /** What the module's cache holds fresh for a call (peek): nothing unless a test scripts it. */
  readonly peek = vi.fn((_endpoint: string, _params?: Params): LiveDataResult | undefined => undefined);

  readonly get = vi.fn(async (endpoint: string, params?: Params, options: { forceFresh?: boolean } = {}) => {
    this.calls.push([endpoint, params]);
    return this.responderFor(endpoint)(params, options);
  });

  /** Like the module's watch: the scripted result now (asynchronously), then whatever push() delivers. */
  readonly watch = vi.fn((endpoint: string, params: Params, listener: (result: LiveDataResult) => void) => {
    this.calls.push([endpoint, params]);
    const watcher: Watcher = { endpoint, params, listener, active: true };
    this.watchers.add(watcher);
    void Promise.resolve(this.responderFor(endpoint)(params, {})).then((result) => {
      if (watcher.active) listener(result);
    });
    return () => {
      watcher.active = false;
      this.watchers.delete(watcher);
    };
  });

  /** A change reached the module: every watcher of `endpoint` gets its scripted result again. */
  async push(endpoint: string): Promise<void> {
    for (const watcher of [...this.watchers]) {
      if (watcher.endpoint !== endpoint) continue;
      const result = await this.responderFor(endpoint)(watcher.params, {});
      if (watcher.active) watcher.listener(result);
    }
  }

  watcherCount(): number {
    return this.watchers.size;
  }

  private responderFor(endpoint: string): Responder {
    const responder = this.responders.get(endpoint);
    if (!responder) throw new Error(`FakeLiveData: no response scripted for ${endpoint}`);
    return responder;
  }

  readonly forceRefreshData = vi.fn(async (endpoints: string[] = []): Promise<RefreshReport> => ({
    endpoints: endpoints.map((endpoint) => ({ endpoint, ok: true, requests: 1, error: null })),
    allOk: true,
  }));

  on<E extends EventName>(eventName: E, listener: (payload: EventPayloads[E]) => void): () => void {
    const set = this.listeners.get(eventName) ?? new Set();
    this.listeners.set(eventName, set);
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  emit<E extends EventName>(eventName: E, payload: EventPayloads[E]): void {
    for (const listener of [...(this.listeners.get(eventName) ?? [])])
      (listener as (p: EventPayloads[E]) => void)(payload);
  }

  listenerCount(eventName?: EventName): number {
    if (eventName) return this.listeners.get(eventName)?.size ?? 0;
    return [...this.listeners.values()].reduce((sum, set) => sum + set.size, 0);
  }

  /** The parameters of the latest read or watch of `endpoint`. */
  lastParams(endpoint: string): Params {
    return this.calls.filter(([name]) => name === endpoint).at(-1)?.[1];
  }

  private facade: LiveData | null = null;

  /**
   * This fake as the interface the app consumes; methods the app does not use throw.
   * Always the same object, as the real client is: hooks depend on its identity.
   */
  asLiveData(): LiveData {
    this.facade ??= this.createFacade();
    return this.facade;
  }

  private createFacade(): LiveData {
    const unused = (name: string) => () => {
      throw new Error(`FakeLiveData: ${name} is not faked`);
    };
    return {
      endpoints: ['overview', 'campaigns', 'flows', 'forms', 'segments'],
      get: this.get as LiveData['get'],
      getOverviewMetrics: (params, options) => this.get('overview', params as Params, options) as never,
      getCampaigns: (params, options) => this.get('campaigns', params as Params, options) as never,
      getFlows: (params, options) => this.get('flows', params as Params, options) as never,
      getForms: (params, options) => this.get('forms', params as Params, options) as never,
      getSegments: (params, options) => this.get('segments', params as Params, options) as never,
      forceRefreshData: this.forceRefreshData,
      on: this.on.bind(this),
      watch: this.watch as unknown as LiveData['watch'],
      connection: () => this.connectionStatus,
      setFocused: () => {},
      peek: this.peek as LiveData['peek'],
      fetchFromAPI: unused('fetchFromAPI'),
      invalidate: unused('invalidate'),
      invalidateEndpoint: unused('invalidateEndpoint'),
      clear: unused('clear'),
      freshness: unused('freshness'),
      stats: unused('stats'),
      setOnline: unused('setOnline'),
      dispose: () => {},
    };
  }
}
