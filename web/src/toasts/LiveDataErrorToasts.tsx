import { useEffect, useRef } from 'react';
import { useLiveDataClient } from '../livedata-context';
import { humanize } from '../format/format';
import { TOAST_AUTO_DISMISS_MS, useToasts } from './ToastProvider';

/** "Campaigns", "Campaigns and Flows", "Campaigns, Flows and Forms". */
function listOf(names: string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * Turns the module's request errors into toasts: one per cause (kind of failure, and whether
 * earlier data is still shown), naming every section it hit lately. A server that is down
 * fails every section at once; that is one problem, not five toasts over the page.
 */
export function LiveDataErrorToasts() {
  const client = useLiveDataClient();
  const { notify } = useToasts();
  // By toast key, the sections the cause hit and when it last did: a section is named while
  // its toast may still be up.
  const hits = useRef(new Map<string, Map<string, number>>());

  useEffect(
    () =>
      client.on('livedata:error', ({ endpoint, error, servedStale }) => {
        // Cancellations are the dashboard's own doing (newer requests superseding older ones).
        if (error.kind === 'cancelled') return;
        const key = `${error.kind}:${error.status}:${servedStale ? 'stale' : 'none'}`;
        const now = Date.now();
        const endpoints = hits.current.get(key) ?? new Map<string, number>();
        for (const [name, at] of endpoints) if (now - at > TOAST_AUTO_DISMISS_MS) endpoints.delete(name);
        endpoints.delete(endpoint); // re-inserted last: the list reads in the order of the latest hits
        endpoints.set(endpoint, now);
        hits.current.set(key, endpoints);
        const sections = listOf([...endpoints.keys()].map(humanize));
        notify({
          key,
          title: servedStale ? `${sections}: showing earlier data` : `${sections} could not load`,
          message: error.message,
        });
      }),
    [client, notify],
  );

  return null;
}
