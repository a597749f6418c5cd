import { useEffect, useRef } from 'react';
import { useLiveDataClient } from '../livedata-context';
import { humanize } from '../format/format';
import { useToasts } from './ToastProvider';

/** "Campaigns", "Campaigns and Flows", "Campaigns, Flows and Forms". */
function listOf(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * Turns the module's request errors into toasts: one per cause (kind of failure, and whether
 * earlier data is still shown), naming every section it hit. A server that is down fails
 * every section at once, and the module keeps trying each: that is one problem, told once.
 * A cause is told again only when it hits another section; once every section it hit has
 * data again (livedata:updated), it is over: its toast goes, and the next failure is news.
 */
export function LiveDataErrorToasts() {
  const client = useLiveDataClient();
  const { notify, dismiss } = useToasts();
  // By toast key, the sections the cause hit that have not recovered yet.
  const causes = useRef(new Map<string, Set<string>>());

  useEffect(() => {
    const unsubscribeError = client.on('livedata:error', ({ endpoint, error, servedStale }) => {
      // Cancellations are the dashboard's own doing (newer requests superseding older ones).
      if (error.kind === 'cancelled') return;
      const key = `${error.kind}:${error.status}:${servedStale ? 'stale' : 'none'}`;
      const endpoints = causes.current.get(key) ?? new Set<string>();
      if (endpoints.has(endpoint)) return; // told already; a toast dismissed stays dismissed
      endpoints.add(endpoint);
      causes.current.set(key, endpoints);
      const sections = listOf([...endpoints].map(humanize));
      notify({
        key,
        title: servedStale ? `${sections}: showing earlier data` : `${sections} could not load`,
        message: error.message,
      });
    });
    const unsubscribeUpdated = client.on('livedata:updated', ({ endpoint }) => {
      for (const [key, endpoints] of causes.current) {
        if (!endpoints.delete(endpoint) || endpoints.size > 0) continue;
        // Over: its toast goes too, rather than tell of a failure the page no longer shows.
        causes.current.delete(key);
        dismiss(key);
      }
    });
    return () => {
      unsubscribeError();
      unsubscribeUpdated();
    };
  }, [client, notify, dismiss]);

  return null;
}
