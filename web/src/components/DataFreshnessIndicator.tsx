import { formatAgo, formatExactTime } from '../format/format';
import { useNow } from '../hooks/useNow';

export type FreshnessState = 'live' | 'fresh' | 'loading' | 'stale' | 'error' | 'unconfirmed';

/**
 * The live feed, as it concerns a section: `live` (connected: what it has not reported as
 * changed is current, whatever its age), `down` (it was followed and is reconnecting or
 * offline: nothing would tell of a change), or absent (not followed, or still connecting).
 */
export type FeedState = 'live' | 'down';

export interface FreshnessInput {
  updatedAt: number | null;
  loading: boolean;
  stale: boolean;
  /** Any error with a user-facing message: the module's, or an admin call's. */
  error: { message: string } | null;
}

interface DataFreshnessIndicatorProps extends FreshnessInput {
  staleThresholdMs: number;
  feed?: FeedState;
}

/**
 * Loading wins (a refresh is under way, whatever came before), then errors, then the live
 * feed, then age; data younger than the threshold is fresh only while no feed that should
 * vouch for it is down.
 */
export function freshnessState(
  input: FreshnessInput,
  ageMs: number | null,
  staleThresholdMs: number,
  feed?: FeedState,
): FreshnessState {
  if (input.loading) return 'loading';
  if (input.error) return 'error';
  if (feed === 'live' && ageMs !== null) return 'live';
  if (input.stale || (ageMs !== null && ageMs > staleThresholdMs)) return 'stale';
  if (feed === 'down' && ageMs !== null) return 'unconfirmed';
  return 'fresh';
}

function describe(state: FreshnessState, ageMs: number | null): string {
  const age = ageMs === null ? null : `updated ${formatAgo(ageMs)}`;
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
    case 'unconfirmed':
      // The data may still be current, but nothing would say if it changed: not "live".
      return `not live · ${age}`;
    case 'fresh':
      return age ?? 'not loaded yet';
  }
}

/** How current a section's data is: its age (counting every second), a refresh, staleness or an error. */
export function DataFreshnessIndicator({ staleThresholdMs, feed, ...input }: DataFreshnessIndicatorProps) {
  const now = useNow(1000);
  const ageMs = input.updatedAt === null ? null : Math.max(0, now - input.updatedAt);
  const state = freshnessState(input, ageMs, staleThresholdMs, feed);
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
