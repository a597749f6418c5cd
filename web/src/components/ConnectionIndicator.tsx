import type { ConnectionState } from '@livedata/wasm';
import { formatAgo, formatExactTime } from '../format/format';
import { useConnection } from '../hooks/useConnection';
import { useNow } from '../hooks/useNow';

const LABELS: Record<ConnectionState, string> = {
  idle: 'Not live',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/**
 * Whether the dashboard follows the data by itself: Live (the server's change feed is
 * connected), Connecting/Reconnecting, or Offline; with the time of the last change.
 */
export function ConnectionIndicator() {
  const status = useConnection();
  const now = useNow(1000);
  const lastChange =
    status.lastChangeAt === null ? null : `last change ${formatAgo(Math.max(0, now - status.lastChangeAt))}`;
  return (
    <span
      className={`connection connection--${status.state}`}
      data-testid="connection"
      data-state={status.state}
      title={
        status.lastChangeAt === null
          ? 'No change received yet'
          : `Last change received: ${formatExactTime(status.lastChangeAt)}`
      }
    >
      <span className="connection__dot" aria-hidden="true" />
      {/* Only the state is a live region: the age beside it changes every second, and a
          screen reader would announce each tick. */}
      <span role="status">{LABELS[status.state]}</span>
      {lastChange && <span className="connection__detail"> · {lastChange}</span>}
    </span>
  );
}
