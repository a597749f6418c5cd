import { useCallback } from 'react';
import { useToasts } from '../toasts/ToastProvider';
import { AdminRequestError } from './adminApi';

/** Reports a failed admin call as a toast, one per route and status. */
export function useAdminErrorToast(): (title: string, error: Error) => void {
  const { notify } = useToasts();
  return useCallback(
    (title: string, error: Error) => {
      const where = error instanceof AdminRequestError ? `${error.path}:${error.status}` : title;
      notify({ key: `admin:${where}`, title, message: error.message });
    },
    [notify],
  );
}
