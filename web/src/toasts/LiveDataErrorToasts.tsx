import { useEffect } from 'react';
import { useLiveDataClient } from '../livedata-context';
import { humanize } from '../format/format';
import { useToasts } from './ToastProvider';

/** Turns the module's request errors into toasts, one per endpoint and kind of failure. */
export function LiveDataErrorToasts() {
  const client = useLiveDataClient();
  const { notify } = useToasts();

  useEffect(
    () =>
      client.on('livedata:error', ({ endpoint, error, servedStale }) => {
        // Cancellations are the dashboard's own doing (newer requests superseding older ones).
        if (error.kind === 'cancelled') return;
        notify({
          key: `${endpoint}:${error.kind}`,
          title: servedStale ? `${humanize(endpoint)}: showing earlier data` : `${humanize(endpoint)} could not load`,
          message: error.message,
        });
      }),
    [client, notify],
  );

  return null;
}
