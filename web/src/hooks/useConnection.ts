import { useEffect, useState } from 'react';
import type { ConnectionStatus } from '@livedata/wasm';
import { useLiveDataClient } from '../livedata-context';

/** The live feed's state as the module reports it (livedata:connection), kept current. */
export function useConnection(): ConnectionStatus {
  const client = useLiveDataClient();
  const [status, setStatus] = useState<ConnectionStatus>(() => client.connection());
  useEffect(() => {
    setStatus(client.connection());
    return client.on('livedata:connection', setStatus);
  }, [client]);
  return status;
}
