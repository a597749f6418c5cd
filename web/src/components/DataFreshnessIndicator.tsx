import { formatAgo, formatExactTime } from '../format/format';
import { useNow } from '../hooks/useNow';

export type FreshnessState = 'live' | 'fresh' | 'loading' | 'retrying' | 'stale' | 'error' | 'unconfirmed';

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
  /** While loading: the failure being retried and when the next try is due (ms since the epoch). */
  retry?: PendingRetry | null;
}

export interface PendingRetry {
  error: { kind: string; message: string };
  retryAt: number;
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
  if (input.loading) return input.retry ? 'retrying' : 'loading';
  if (input.error) return 'error';
  if (feed === 'live' && ageMs !== null) return 'live';
  if (input.stale || (ageMs !== null && ageMs > staleThresholdMs)) return 'stale';
  if (feed === 'down' && ageMs !== null) return 'unconfirmed';
  return 'fresh';
}

// What a retried failure was, in the indicator's few words (the full message is in the tooltip).
function retryCause(kind: string): string {
  switch (kind) {
    case 'rate_limited':
      return 'server busy';
    case 'network':
    case 'offline':
      return "can't reach server";
    case 'timeout':
      return 'server slow';
    default:
      return 'server error';
  }
}

// `now` is the last tick's (up to a second old): the wait is counted from the clock itself,
// so it never reads longer than the server asked for.
function describeRetry(retry: PendingRetry, now: number): string {
  const seconds = Math.ceil((retry.retryAt - Math.max(now, Date.now())) / 1000);
  return `${retryCause(retry.error.kind)} · ${seconds > 0 ? `retrying in ${seconds} s` : 'retrying…'}`;
}

function describe(state: FreshnessState, ageMs: number | null, retry: PendingRetry | null, now: number): string {
  const age = ageMs === null ? null : `updated ${formatAgo(ageMs)}`;
  switch (state) {
    case 'live':
      // The time is when the server last confirmed the data (a 304 counts), not when it
      // changed, so no change is claimed: the feed vouches that nothing did since.
      return 'live · up to date';
    case 'loading':
      return 'refreshing…';
    case 'retrying':
      return retry ? describeRetry(retry, now) : 'retrying…';
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

/**
 * How current a section's data is: its age (counting every second), a refresh (and, when
 * it waits to try again, why and for how long), staleness or an error.
 */
export function DataFreshnessIndicator({ staleThresholdMs, feed, ...input }: DataFreshnessIndicatorProps) {
  const now = useNow(1000);
  const ageMs = input.updatedAt === null ? null : Math.max(0, now - input.updatedAt);
  const state = freshnessState(input, ageMs, staleThresholdMs, feed);
  // While live the feed vouches for the data at every moment, without a request: the last
  // request's time is then when it was fetched, not the last the server confirmed it.
  const exactTime =
    input.updatedAt === null
      ? null
      : state === 'live'
        ? `Kept current by the live feed; last fetched: ${formatExactTime(input.updatedAt)}`
        : `Last confirmed by the server: ${formatExactTime(input.updatedAt)}`;
  const shownError = state === 'error' ? input.error : state === 'retrying' ? input.retry?.error : null;
  const tooltip = [shownError?.message, exactTime].filter(Boolean).join('\n');
  return (
    <span
      className={`freshness freshness--${state}`}
      data-testid="freshness"
      data-state={state}
      title={tooltip || undefined}
    >
      <span className="freshness__dot" aria-hidden="true" />
      <span data-testid="freshness-text">{describe(state, ageMs, input.retry ?? null, now)}</span>
    </span>
  );
}
