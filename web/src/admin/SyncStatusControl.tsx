import { useEffect, useRef, useState } from 'react';
import type { SyncAccepted, SyncStatus } from '../api/types';
import { formatAgo } from '../format/format';
import { useLiveDataClient } from '../livedata-context';
import { useNow } from '../hooks/useNow';
import { useConnection } from '../hooks/useConnection';
import { usePolling } from '../hooks/usePolling';
import { adminRequest } from './adminApi';
import { useAdminErrorToast } from './useAdminErrorToast';

const IDLE_POLL_MS = 10_000;
// While a sync runs, or one asked for has not finished, the status is worth watching closely.
const ACTIVE_POLL_MS = 1_000;
const GIVE_UP_WAITING_MS = 60_000;

/** Runs that have ended, successfully or not: a sync asked for is over when this grows. */
const finishedRuns = (status: SyncStatus) => status.counters.successes + status.counters.failures;

function lastSuccessAt(status: SyncStatus): number | null {
  const times = Object.values(status.entities)
    .map((entity) => entity.lastSuccessAt)
    .filter((time): time is number => typeof time === 'number');
  return times.length ? Math.max(...times) : null;
}

function describe(status: SyncStatus | undefined, now: number): string {
  if (!status) return 'Sync status…';
  if (status.state === 'running') return status.progress ? `Syncing ${status.progress.entity}…` : 'Syncing…';
  if (status.state === 'failed') return 'Last sync failed';
  const last = lastSuccessAt(status);
  return last === null ? 'Not synced yet' : `Synced ${formatAgo(now - last)}`;
}

/** The last failure, for the status's tooltip: "campaigns: http 503: ...". */
function failureText(status: SyncStatus | undefined): string | undefined {
  const failure = status?.lastError;
  return failure ? `${failure.entity}: ${failure.message}` : undefined;
}

interface PendingSync {
  finishedRunsBefore: number;
  requestedAt: number;
}

/** The backend's sync with the upstream account: its state, and a button to start one. */
export function SyncStatusControl({ token }: { token: string }) {
  const client = useLiveDataClient();
  const reportError = useAdminErrorToast();
  const now = useNow(1000);
  const [posting, setPosting] = useState(false);
  const [pending, setPending] = useState<PendingSync | null>(null);
  const [running, setRunning] = useState(false);

  const status = usePolling((signal) => adminRequest<SyncStatus>(token, '/api/sync/status', { signal }), {
    intervalMs: pending || running ? ACTIVE_POLL_MS : IDLE_POLL_MS,
    resetKey: token,
    onErrorChange: (error) => reportError('Sync status', error),
  });
  // A change the live feed reports was committed by a sync (here or on another instance),
  // and a feed live again means the server answers again: either way the status is asked
  // at once, not at the next poll, so "Synced" never lags the data on screen.
  // Only on news after the first poll: a control mounted while the feed is live polls once.
  const connection = useConnection();
  const { refresh } = status;
  const live = connection.state === 'live';
  const heard = useRef({ lastChangeAt: connection.lastChangeAt, live });
  useEffect(() => {
    const before = heard.current;
    heard.current = { lastChangeAt: connection.lastChangeAt, live };
    if (live && (!before.live || before.lastChangeAt !== connection.lastChangeAt)) refresh();
  }, [connection.lastChangeAt, live, refresh]);

  useEffect(() => {
    const current = status.data;
    if (!current) return;
    setRunning(current.state === 'running');
    if (!pending) return;
    const finished = current.state !== 'running' && finishedRuns(current) > pending.finishedRunsBefore;
    if (finished) {
      // The server's data changed; the client's cache would serve the old data until it expires.
      void client.forceRefreshData();
      setPending(null);
    } else if (Date.now() - pending.requestedAt > GIVE_UP_WAITING_MS) {
      setPending(null);
    }
  }, [status.data, pending, client]);

  const syncNow = async () => {
    setPosting(true);
    try {
      const accepted = await adminRequest<SyncAccepted>(token, '/api/sync', { method: 'POST', body: { force: false } });
      setPending({ finishedRunsBefore: finishedRuns(accepted.status), requestedAt: Date.now() });
      status.refresh();
    } catch (error) {
      reportError('Sync could not start', error instanceof Error ? error : new Error(String(error)));
    } finally {
      setPosting(false);
    }
  };

  const state = status.error ? 'error' : (status.data?.state ?? 'unknown');
  const busy = posting || pending !== null;
  return (
    <div className="sync-status" data-testid="sync-status" data-state={state}>
      <span className="sync-status__state">
        <span className={`sync-status__dot sync-status__dot--${state}`} aria-hidden="true" />
        <span className="sync-status__text" title={failureText(status.data) ?? status.error?.message ?? undefined}>
          {status.error ? 'Sync status unavailable' : describe(status.data, now)}
        </span>
      </span>
      <button
        type="button"
        className="button button--ghost"
        data-testid="sync-button"
        aria-busy={busy}
        aria-disabled={busy}
        onClick={() => busy || void syncNow()}
      >
        {busy ? 'Syncing…' : 'Sync now'}
      </button>
    </div>
  );
}
