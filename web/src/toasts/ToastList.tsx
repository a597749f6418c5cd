import { useEffect } from 'react';
import type { Toast } from './ToastProvider';

interface ToastListProps {
  toasts: Toast[];
  onDismiss: (key: string) => void;
  autoDismissMs: number;
}

/**
 * The live region is always in the page, even when empty: screen readers announce only
 * changes to a region they already know about.
 */
export function ToastList({ toasts, onDismiss, autoDismissMs }: ToastListProps) {
  return (
    <div className="toasts" role="status" aria-live="polite" data-testid="toasts">
      {toasts.map((toast) => (
        <ToastItem key={toast.key} toast={toast} onDismiss={onDismiss} autoDismissMs={autoDismissMs} />
      ))}
    </div>
  );
}

function ToastItem({ toast, onDismiss, autoDismissMs }: { toast: Toast } & Omit<ToastListProps, 'toasts'>) {
  const { key, revision } = toast;
  useEffect(() => {
    const timer = setTimeout(() => onDismiss(key), autoDismissMs);
    return () => clearTimeout(timer);
  }, [key, revision, onDismiss, autoDismissMs]);

  return (
    <div className={`toast toast--${toast.tone}`} data-testid="toast">
      <div className="toast__body">
        <strong className="toast__title">{toast.title}</strong>
        <p className="toast__message">{toast.message}</p>
      </div>
      <button
        type="button"
        className="toast__close"
        aria-label={`Dismiss: ${toast.title}`}
        onClick={() => onDismiss(key)}
      >
        ×
      </button>
    </div>
  );
}
