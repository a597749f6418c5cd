// The page's one livedata client: created once when the app mounts, shared through context.
import { createElement, useEffect, useState, type ReactNode } from 'react';
import { createLiveData, type LiveData } from '@livedata/wasm';
import { LiveDataContext, type LiveDataContextValue } from './livedata-context';

export const DEFAULT_STALE_THRESHOLD_MS = 5 * 60 * 1000;

/** `?stale=<ms>` lets browser tests see data turn stale without waiting five minutes. */
export function staleThresholdFromUrl(search: string = window.location.search): number {
  const raw = new URLSearchParams(search).get('stale');
  const value = raw === null ? NaN : Number(raw);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_STALE_THRESHOLD_MS;
}

export async function createDashboardLiveData(): Promise<LiveDataContextValue> {
  const staleThresholdMs = staleThresholdFromUrl();
  // The dashboard is served by the API server itself, so the API is on this origin.
  const client = await createLiveData({ baseUrl: window.location.origin, staleThresholdMs });
  return { client, staleThresholdMs };
}

type ClientState =
  { status: 'loading' } | { status: 'ready'; value: LiveDataContextValue } | { status: 'failed'; message: string };

interface LiveDataProviderProps {
  children: ReactNode;
  /** Shown while the WebAssembly module loads. */
  loading: ReactNode;
  /** Shown when the module cannot load (an old browser, a missing .wasm file). */
  renderError: (message: string) => ReactNode;
}

export function LiveDataProvider({ children, loading, renderError }: LiveDataProviderProps) {
  const [state, setState] = useState<ClientState>({ status: 'loading' });

  useEffect(() => {
    let unmounted = false;
    let client: LiveData | null = null;
    createDashboardLiveData().then(
      (value) => {
        // StrictMode mounts twice in development: the first client must not leak.
        if (unmounted) return value.client.dispose();
        client = value.client;
        setState({ status: 'ready', value });
      },
      (error: unknown) => {
        if (!unmounted) setState({ status: 'failed', message: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => {
      unmounted = true;
      client?.dispose();
    };
  }, []);

  if (state.status === 'loading') return loading;
  if (state.status === 'failed') return renderError(state.message);
  return createElement(LiveDataContext.Provider, { value: state.value }, children);
}
