import { useCallback, useEffect, useRef, useState } from 'react';
import type {
  EndpointName,
  ListParams,
  LiveDataErrorInfo,
  LiveDataResult,
  OverviewParams,
  RequestOptions,
} from '@livedata/wasm';
import { useLiveDataClient } from '../livedata-context';
import { stableKey } from './stableKey';

export interface LiveDataState<T> {
  /** The last data received; kept when a later request fails. Undefined until the first result. */
  data: T | undefined;
  /** The last request's error, or null once a request succeeds again. */
  error: LiveDataErrorInfo | null;
  /** A request for this data is on the network (this hook's own, or a refresh elsewhere). */
  loading: boolean;
  /** Older than the stale threshold, or served after an error. */
  stale: boolean;
  /** Nothing was ever received: `data` is an empty value of the endpoint's shape. */
  fallback: boolean;
  /** When the server last confirmed the data (ms since the epoch). */
  updatedAt: number | null;
}

export interface UseLiveDataResult<T> extends LiveDataState<T> {
  /** Bypasses every cache and fetches from the server. */
  refetch: () => Promise<void>;
}

const initialState: LiveDataState<never> = {
  data: undefined,
  error: null,
  loading: true,
  stale: false,
  fallback: false,
  updatedAt: null,
};

function applyResult<T>(previous: LiveDataState<T>, result: LiveDataResult<T>): LiveDataState<T> {
  // A failure with nothing cached yields an empty fallback; showing the last data we had
  // (even for other parameters) beats blanking the section.
  if (result.error && result.fallback && previous.data !== undefined) {
    return { ...previous, error: result.error, loading: false, stale: true };
  }
  return {
    data: result.data,
    error: result.error,
    loading: false,
    stale: result.stale,
    fallback: result.fallback,
    updatedAt: result.updatedAt,
  };
}

/**
 * One endpoint's data, kept current: fetched on mount and when `params` change, refreshed
 * from the client's cache whenever the module reports new data for it (so a
 * forceRefreshData() anywhere updates every section), with the module's loading, stale and
 * error events reflected in the state.
 */
export function useLiveData<T>(endpoint: EndpointName, params?: OverviewParams | ListParams): UseLiveDataResult<T> {
  const client = useLiveDataClient();
  const paramsKey = stableKey(params);
  const [state, setState] = useState<LiveDataState<T>>(initialState);
  // The module's cache key for the current params, learnt from the first result: events
  // name keys, and only this one concerns this hook. Null while unknown.
  const cacheKey = useRef<string | null>(null);
  // Each request takes a number; only the latest one's result is applied, so a slow answer
  // for old params never overwrites newer data, nor does one arriving after unmount.
  const latestRequest = useRef(0);

  const load = useCallback(
    async (options: RequestOptions & { quiet?: boolean } = {}) => {
      const request = ++latestRequest.current;
      if (!options.quiet) setState((previous) => ({ ...previous, loading: true }));
      const result = await client.get<T>(endpoint, JSON.parse(paramsKey), { forceFresh: options.forceFresh });
      if (request !== latestRequest.current) return;
      if (result.error?.kind === 'cancelled') {
        setState((previous) => ({ ...previous, loading: false }));
        return;
      }
      cacheKey.current = result.key;
      setState((previous) => applyResult(previous, result));
    },
    [client, endpoint, paramsKey],
  );

  useEffect(() => {
    cacheKey.current = null;
    void load();
    return () => {
      latestRequest.current++;
    };
  }, [load]);

  useEffect(() => {
    const concernsThisHook = (event: { endpoint: string; key: string }) =>
      event.endpoint === endpoint && (cacheKey.current === null || event.key === cacheKey.current);

    const unsubscribers = [
      client.on('livedata:updated', (event) => {
        // The module has the new data cached: reading it back is a cache hit, no request.
        // While the key is unknown, this hook's own first request is still coming.
        if (cacheKey.current !== null && concernsThisHook(event)) void load({ quiet: true });
      }),
      client.on('livedata:loading', (event) => {
        if (concernsThisHook(event)) setState((previous) => ({ ...previous, loading: event.loading }));
      }),
      client.on('livedata:stale', (event) => {
        if (concernsThisHook(event)) setState((previous) => ({ ...previous, stale: true }));
      }),
      client.on('livedata:error', (event) => {
        // Errors of refreshes started elsewhere reach this hook only as events.
        if (event.error.kind === 'cancelled' || !concernsThisHook(event)) return;
        setState((previous) => ({ ...previous, error: event.error, stale: previous.stale || event.servedStale }));
      }),
    ];
    return () => unsubscribers.forEach((unsubscribe) => unsubscribe());
  }, [client, endpoint, load]);

  const refetch = useCallback(() => load({ forceFresh: true }), [load]);
  return { ...state, refetch };
}
