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
  /** While loading: a failed try that the module will repeat at `retryAt` (a 429's wait, a backoff). */
  retry: { error: LiveDataErrorInfo; retryAt: number } | null;
  /** A request for this data is on the network (this hook's own, or a refresh elsewhere). */
  loading: boolean;
  /** Older than the stale threshold, or served after an error. */
  stale: boolean;
  /** Nothing was ever received: `data` is an empty value of the endpoint's shape. */
  fallback: boolean;
  /** When the server last confirmed the data (ms since the epoch). */
  updatedAt: number | null;
  /** `data` belongs to the parameters before the current ones, shown while these load. */
  placeholder: boolean;
}

export interface UseLiveDataResult<T> extends LiveDataState<T> {
  /** Bypasses every cache and fetches from the server. */
  refetch: () => Promise<void>;
}

/** The state as kept: `placeholder` is derived when rendering, from the data's own params. */
interface StoredState<T> extends Omit<LiveDataState<T>, 'placeholder'> {
  /** The params (stableKey) `data` belongs to; null before any data. */
  dataParams: string | null;
}

const initialState: StoredState<never> = {
  data: undefined,
  error: null,
  retry: null,
  loading: true,
  stale: false,
  fallback: false,
  updatedAt: null,
  dataParams: null,
};

function applyResult<T>(previous: StoredState<T>, result: LiveDataResult<T>, params: string): StoredState<T> {
  // A failure with nothing cached yields an empty fallback; the last data of these same
  // parameters beats blanking the section. Data of other parameters (a placeholder) is
  // never passed off as theirs: a new filter that fails shows its failure.
  if (result.error && result.fallback && previous.data !== undefined && previous.dataParams === params) {
    return { ...previous, error: result.error, retry: null, loading: false, stale: true };
  }
  return {
    data: result.data,
    error: result.error,
    retry: null,
    loading: false,
    stale: result.stale,
    fallback: result.fallback,
    updatedAt: result.updatedAt,
    dataParams: params,
  };
}

/**
 * One endpoint's data, kept current by the module: the call is watched (the module then
 * knows it is on screen), so its data arrives on mount and again whenever the server's
 * live feed reports a change, or a refresh anywhere brings new data; there is no timer or
 * polling here. The module's loading, stale and error events are reflected in the state.
 */
export function useLiveData<T>(endpoint: EndpointName, params?: OverviewParams | ListParams): UseLiveDataResult<T> {
  const client = useLiveDataClient();
  const paramsKey = stableKey(params);
  const [state, setState] = useState<StoredState<T>>(initialState);
  // The current params, for the event listeners (which outlive a change of params).
  const currentParams = useRef(paramsKey);
  currentParams.current = paramsKey;
  // The module's cache key for the current params, learnt from the first result: events
  // name keys, and only this one concerns this hook. Null while unknown; meanwhile every key
  // of the endpoint concerns it (the new params' first load may retry before its first
  // result) except the one it left, whose request may still be finishing: its end, failure
  // or retry says nothing of the new params.
  const cacheKey = useRef<string | null>(null);
  const leftKey = useRef<{ key: string; params: string } | null>(null);
  const watchedParams = useRef<string | null>(null);
  // Results are applied only for the current params: a refetch answered after the params
  // changed (or after unmount) is dropped. The watch itself is replaced with the params.
  const generation = useRef(0);

  const apply = useCallback((result: LiveDataResult<T>, params: string) => {
    if (result.error?.kind === 'cancelled') {
      setState((previous) => ({ ...previous, loading: false, retry: null }));
      return;
    }
    cacheKey.current = result.key;
    setState((previous) => applyResult(previous, result, params));
  }, []);

  useEffect(() => {
    const current = ++generation.current;
    if (cacheKey.current !== null && watchedParams.current !== null) {
      leftKey.current = { key: cacheKey.current, params: watchedParams.current };
    }
    // Back to the params it left (before their key was known again): their events are theirs.
    if (leftKey.current?.params === paramsKey) leftKey.current = null;
    watchedParams.current = paramsKey;
    cacheKey.current = null;
    // Until the new parameters' first result (which may come within watch, from the cache),
    // what is shown is the previous parameters' data: a placeholder from the first render
    // with the new params (see below), not from this effect's.
    setState((previous) => (previous.data === undefined ? previous : { ...previous, loading: true }));
    const unwatch = client.watch<T>(endpoint, JSON.parse(paramsKey), (result) => {
      if (current === generation.current) apply(result, paramsKey);
    });
    return () => {
      generation.current++;
      unwatch();
    };
  }, [client, endpoint, paramsKey, apply]);

  useEffect(() => {
    const concernsThisHook = (event: { endpoint: string; key: string }) =>
      event.endpoint === endpoint &&
      (cacheKey.current === null ? event.key !== leftKey.current?.key : event.key === cacheKey.current);

    const unsubscribers = [
      client.on('livedata:loading', (event) => {
        // A retry's wait ends with the loading it belongs to.
        if (concernsThisHook(event)) {
          setState((previous) => ({ ...previous, loading: event.loading, retry: event.loading ? previous.retry : null }));
        }
      }),
      client.on('livedata:retry', (event) => {
        if (concernsThisHook(event)) setState((previous) => ({ ...previous, retry: { error: event.error, retryAt: event.retryAt } }));
      }),
      client.on('livedata:stale', (event) => {
        if (concernsThisHook(event)) setState((previous) => ({ ...previous, stale: true }));
      }),
      client.on('livedata:updated', (event) => {
        // The server confirmed this data (a 304 too, which the watch does not deliver as
        // news): whatever failed before has recovered.
        if (!concernsThisHook(event)) return;
        setState((previous) =>
          previous.data === undefined || previous.dataParams !== currentParams.current
            ? previous
            : { ...previous, error: null, stale: false, updatedAt: event.updatedAt },
        );
      }),
      client.on('livedata:connection', (status) => {
        // While the feed is live it vouches for what it has not named, and the module moves
        // its entries' confirmation time silently (no event), so `updatedAt` here can be
        // older than what the module holds. When the feed stops vouching, the age shown
        // counts from the module's own confirmation, not the last request's.
        if (status.state === 'live' || cacheKey.current === null) return;
        const held = client.peek<T>(endpoint, JSON.parse(currentParams.current));
        if (held === undefined || held.key !== cacheKey.current || held.updatedAt === null) return;
        const confirmedAt = held.updatedAt;
        setState((previous) =>
          previous.dataParams !== currentParams.current || previous.error || (previous.updatedAt ?? 0) >= confirmedAt
            ? previous
            : { ...previous, updatedAt: confirmedAt, stale: held.stale },
        );
      }),
      client.on('livedata:error', (event) => {
        // Errors of refreshes started elsewhere reach this hook only as events.
        if (event.error.kind === 'cancelled' || !concernsThisHook(event)) return;
        setState((previous) => ({ ...previous, error: event.error, stale: previous.stale || event.servedStale }));
      }),
    ];
    return () => unsubscribers.forEach((unsubscribe) => unsubscribe());
  }, [client, endpoint]);

  const refetch = useCallback(async () => {
    const current = generation.current;
    setState((previous) => ({ ...previous, loading: true }));
    const result = await client.get<T>(endpoint, JSON.parse(paramsKey), { forceFresh: true } as RequestOptions);
    if (current === generation.current) apply(result, paramsKey);
  }, [client, endpoint, paramsKey, apply]);
  const { dataParams, ...shown } = state;
  return { ...shown, placeholder: state.data !== undefined && dataParams !== paramsKey, refetch };
}
