import { formatAge, formatExactTime } from '../format/format';
import { useNow } from '../hooks/useNow';

export type FreshnessState = 'live' | 'fresh' | 'loading' | 'stale' | 'error';

export interface FreshnessInput {
  updatedAt: number | null;
  loading: boolean;
  stale: boolean;
  /** Any error with a user-facing message: the module's, or an admin call's. */
  error: { message: string } | null;
}

interface DataFreshnessIndicatorProps extends FreshnessInput {
  staleThresholdMs: number;
  /** The live feed is connected: data it has not reported as changed is current, whatever its age. */
  live?: boolean;
}

/** Loading wins (a refresh is under way, whatever came before), then errors, then the live feed, then age. */
export function freshnessState(
  input: FreshnessInput,
  ageMs: number | null,
  staleThresholdMs: number,
  live = false,
): FreshnessState {
  if (input.loading) return 'loading';
  if (input.error) return 'error';
  if (live && ageMs !== null) return 'live';
  if (input.stale || (ageMs !== null && ageMs > staleThresholdMs)) return 'stale';
  return 'fresh';
}

function describe(state: FreshnessState, ageMs: number | null): string {
  const age = ageMs === null ? null : ageMs < 1000 ? 'updated just now' : `updated ${formatAge(ageMs)} ago`;
  switch (state) {
    case 'live':
      // The time is when the server last confirmed the data (a 304 counts), not when it
      // changed, so no change is claimed: the feed vouches that nothing did since.
      return 'live · up to date';
    case 'loading':
      return 'refreshing…';
    case 'error':
      // The error's own message goes to the toast and the tooltip; here, what it means for the data.
      return age ? `refresh failed · ${age}` : 'could not load';
    case 'stale':
      return age ? `stale: ${age}` : 'stale';
    case 'fresh':
      return age ?? 'not loaded yet';
  }
}

/** How current a section's data is: its age (counting every second), a refresh, staleness or an error. */
export function DataFreshnessIndicator({ staleThresholdMs, live, ...input }: DataFreshnessIndicatorProps) {
  const now = useNow(1000);
  const ageMs = input.updatedAt === null ? null : Math.max(0, now - input.updatedAt);
  const state = freshnessState(input, ageMs, staleThresholdMs, live);
  const exactTime =
    input.updatedAt === null ? null : `Last confirmed by the server: ${formatExactTime(input.updatedAt)}`;
  const tooltip = [state === 'error' ? input.error?.message : null, exactTime].filter(Boolean).join('\n');
  return (
    <span
      className={`freshness freshness--${state}`}
      data-testid="freshness"
      data-state={state}
      title={tooltip || undefined}
    >
      <span className="freshness__dot" aria-hidden="true" />
      <span data-testid="freshness-text">{describe(state, ageMs)}</span>
    </span>
  );
}
