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

export function LoadingPlaceholder({ rows = 4 }: { rows?: number }) {
  return (
    <div className="skeleton" aria-label="Loading" role="progressbar" data-testid="loading-placeholder">
      {Array.from({ length: rows }, (_, index) => (
        <div key={index} className="skeleton__line" />
      ))}
    </div>
  );
}
