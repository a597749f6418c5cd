import { formatAgo, formatExactTime } from '../format/format';
import { useNow } from '../hooks/useNow';

interface StatisticsAgeProps {
  /** The list's statisticsAsOf: ISO 8601, null before the first fetch, undefined while nothing has loaded. */
  asOf: string | null | undefined;
}

/**
 * How old a list's statistics are (counts and rates come from the upstream's budgeted
 * reports, on a slower schedule than the records): shown beside the data's own freshness.
 * Holds its line while nothing has loaded, so the card does not shift when it arrives.
 */
export function StatisticsAge({ asOf }: StatisticsAgeProps) {
  const now = useNow(1000);
  if (asOf === undefined) return <span data-testid="statistics-age">{'\u00a0'}</span>;
  const at = asOf === null ? Number.NaN : Date.parse(asOf);
  const text = Number.isNaN(at) ? 'Statistics not fetched yet' : `Statistics as of ${formatAgo(Math.max(0, now - at))}`;
  return (
    <span data-testid="statistics-age" title={Number.isNaN(at) ? undefined : `Statistics fetched ${formatExactTime(at)}`}>
      {text}
    </span>
  );
}
