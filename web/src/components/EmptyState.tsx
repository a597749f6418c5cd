import type { ReactNode } from 'react';

/** What a section shows instead of data: still loading, nothing to show, or nothing could load. */
export function EmptyState({ children, action }: { children: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state" data-testid="empty-state">
      <p>{children}</p>
      {action}
    </div>
  );
}

/**
 * Nothing could load: what failed and why, and a way to try at once. The module also tries
 * again by itself while the section is on screen, as the error's message says.
 */
export function LoadFailure({
  what,
  message,
  onRetry,
  otherAction,
}: {
  what: string;
  message: string;
  onRetry: () => void;
  /** Another way out, beside Try again (back to a page that loaded, say). */
  otherAction?: ReactNode;
}) {
  return (
    <EmptyState
      action={
        <div className="empty-state__actions">
          <button type="button" className="button" onClick={onRetry}>
            Try again
          </button>
          {otherAction}
        </div>
      }
    >
      {what} could not load. {message}
    </EmptyState>
  );
}

export function LoadingPlaceholder({ rows = 4 }: { rows?: number }) {
  return (
    <div className="skeleton" aria-label="Loading" role="progressbar" data-testid="loading-placeholder">
      {Array.from({ length: rows }, (_, index) => (
        <div key={index} className="skeleton__line" />
      ))}
    </div>
  );
}
