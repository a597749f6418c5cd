import { useEffect, useState } from 'react';
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
  // Held while the pointer is over it or the keyboard's focus is in it (WCAG 2.2.1): one
  // does not lose what one is reading, nor the focus to the page when it goes.
  const [hovered, setHovered] = useState(false);
  const [focused, setFocused] = useState(false);
  const held = hovered || focused;
  useEffect(() => {
    if (held) return undefined;
    const timer = setTimeout(() => onDismiss(key), autoDismissMs);
    return () => clearTimeout(timer);
  }, [key, revision, onDismiss, autoDismissMs, held]);

  return (
    <div
      className={`toast toast--${toast.tone}`}
      data-testid="toast"
      onMouseEnter={() => setHovered(true)}
      onMouseLeave={() => setHovered(false)}
      onFocus={() => setFocused(true)}
      onBlur={(event) => setFocused(event.currentTarget.contains(event.relatedTarget as Node | null))}
    >
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
