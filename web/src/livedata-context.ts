import { createContext, useContext } from 'react';
import type { LiveData } from '@livedata/wasm';

export interface LiveDataContextValue {
  client: LiveData;
  /** The client's stale threshold, which freshness indicators count against. */
  staleThresholdMs: number;
}

export const LiveDataContext = createContext<LiveDataContextValue | null>(null);

export function useLiveDataContext(): LiveDataContextValue {
  const value = useContext(LiveDataContext);
  if (!value) throw new Error('useLiveDataContext must be used inside a LiveDataProvider');
  return value;
}

export const useLiveDataClient = (): LiveData => useLiveDataContext().client;
