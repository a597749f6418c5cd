import { useState } from 'react';
import { useLiveDataClient } from '../livedata-context';
import { useToasts } from '../toasts/ToastProvider';

/** Refetches every endpoint from the server, past all caches, without reloading the page. */
export function RefreshButton() {
  const client = useLiveDataClient();
  const { notify } = useToasts();
  const [busy, setBusy] = useState(false);

  const refresh = async () => {
    if (busy) return;
    setBusy(true);
    try {
      // Request failures arrive as livedata:error events, which the sections and toasts show;
      // only a client that cannot run at all (disposed) rejects.
      await client.forceRefreshData();
    } catch {
      notify({ key: 'refresh', title: 'Refresh failed', message: 'The dashboard could not refresh. Reload the page.' });
    } finally {
      setBusy(false);
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
