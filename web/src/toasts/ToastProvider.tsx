import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { ToastList } from './ToastList';

export interface ToastInput {
  /** Toasts with the same key are one problem: a second one is not stacked under the first. */
  key: string;
  title: string;
  message: string;
  tone?: 'error' | 'info';
}

export interface Toast extends Required<ToastInput> {
  /** Bumped when the same problem is reported again, which restarts the auto-dismiss timer. */
  revision: number;
}

interface ToastApi {
  notify: (toast: ToastInput) => void;
  dismiss: (key: string) => void;
}

const ToastContext = createContext<ToastApi | null>(null);

export function useToasts(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error('useToasts must be used inside a ToastProvider');
  return api;
}

export const TOAST_AUTO_DISMISS_MS = 8000;

export function ToastProvider({
  children,
  autoDismissMs = TOAST_AUTO_DISMISS_MS,
}: {
  children: ReactNode;
  autoDismissMs?: number;
}) {
  const [toasts, setToasts] = useState<Toast[]>([]);

  const notify = useCallback((input: ToastInput) => {
    setToasts((current) => {
      const existing = current.find((toast) => toast.key === input.key);
      const toast: Toast = { tone: 'error', ...input, revision: existing ? existing.revision + 1 : 0 };
      return existing ? current.map((t) => (t.key === input.key ? toast : t)) : [...current, toast];
    });
  }, []);

  const dismiss = useCallback((key: string) => {
    setToasts((current) => current.filter((toast) => toast.key !== key));
  }, []);

  const api = useMemo(() => ({ notify, dismiss }), [notify, dismiss]);
  return (
    <ToastContext.Provider value={api}>
      {children}
      <ToastList toasts={toasts} onDismiss={dismiss} autoDismissMs={autoDismissMs} />
    </ToastContext.Provider>
  );
}
