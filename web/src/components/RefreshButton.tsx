import { useState } from 'react';
import { useLiveDataClient } from '../livedata-context';
import { useToasts } from '../toasts/ToastProvider';

/**
 * Refetches every endpoint from the server, past all caches, without reloading the page.
 * Busy until every request it started has been answered or waits to be tried again: a
 * section that waits out a server's Retry-After (a minute, maybe) says so itself, and does
 * not hold the button for the others.
 */
export function RefreshButton() {
  const client = useLiveDataClient();
  const { notify } = useToasts();
  const [busy, setBusy] = useState(false);

  const refresh = async () => {
    if (busy) return;
    setBusy(true);
    const loading = new Set<string>();
    const waiting = new Set<string>();
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      unsubscribe.forEach((stop) => stop());
      setBusy(false);
    };
    const finishIfOnlyWaitsRemain = () => {
      if ([...loading].every((key) => waiting.has(key))) finish();
    };
    const unsubscribe = [
      client.on('livedata:loading', ({ key, loading: isLoading }) => {
        waiting.delete(key);
        if (isLoading) {
          loading.add(key);
        } else {
          loading.delete(key);
          finishIfOnlyWaitsRemain();
        }
      }),
      client.on('livedata:retry', ({ key }) => {
        waiting.add(key);
        finishIfOnlyWaitsRemain();
      }),
    ];
    try {
      // Request failures arrive as livedata:error events, which the sections and toasts show;
      // only a client that cannot run at all (disposed) rejects.
      await client.forceRefreshData();
    } catch {
      notify({ key: 'refresh', title: 'Refresh failed', message: 'The dashboard could not refresh. Reload the page.' });
    } finally {
      finish();
    }
  };

  return (
    <button
      type="button"
      className="button button--primary"
      data-testid="refresh-button"
      aria-busy={busy}
      aria-disabled={busy}
      onClick={() => void refresh()}
    >
      <span className={`icon-refresh${busy ? ' icon-refresh--spinning' : ''}`} aria-hidden="true" />
      {busy ? 'Refreshing…' : 'Refresh'}
    </button>
  );
}
