import { humanize } from '../format/format';

/** A status word in a colored pill; the color comes from the CSS for `status-badge--<status>`. */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`status-badge status-badge--${status}`}>{humanize(status)}</span>;
}
