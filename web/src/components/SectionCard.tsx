import type { ReactNode } from 'react';
import type { ConnectionState } from '@livedata/wasm';
import { useConnection } from '../hooks/useConnection';
import { useLiveDataContext } from '../livedata-context';
import { DataFreshnessIndicator, type FeedState, type FreshnessInput } from './DataFreshnessIndicator';
import { SectionBoundary } from './SectionBoundary';

interface SectionCardProps {
  /** Names the card for tests (`section-<id>`) and links (`#<id>`). */
  id: string;
  title: string;
  subtitle?: ReactNode;
  /** Controls shown beside the title: filters and the like. */
  actions?: ReactNode;
  freshness: FreshnessInput;
  /** Data the live feed keeps current (the API's sections); admin data polled apart is not. */
  followsLiveFeed?: boolean;
  footer?: ReactNode;
  /** Overrides the client's threshold, for data with its own rhythm (polled admin data). */
  staleThresholdMs?: number;
  wide?: boolean;
  children: ReactNode;
}

export function SectionCard({
  id,
  title,
  subtitle,
  actions,
  freshness,
  followsLiveFeed = true,
  footer,
  staleThresholdMs,
  wide,
  children,
}: SectionCardProps) {
  const context = useLiveDataContext();
  const connection = useConnection();
  const headingId = `${id}-title`;
  return (
    <section
      id={id}
      className={`card${wide ? ' card--wide' : ''}`}
      data-testid={`section-${id}`}
      aria-labelledby={headingId}
      aria-busy={freshness.loading}
    >
      <header className="card__header">
        <div className="card__heading">
          <h2 id={headingId} className="card__title">
            {title}
          </h2>
          {subtitle && <p className="card__subtitle">{subtitle}</p>}
        </div>
        <div className="card__meta">
          {actions}
          <DataFreshnessIndicator
            staleThresholdMs={staleThresholdMs ?? context.staleThresholdMs}
            feed={followsLiveFeed ? feedOf(connection.state) : undefined}
            updatedAt={freshness.updatedAt}
            loading={freshness.loading}
            stale={freshness.stale}
            error={freshness.error}
            retry={freshness.retry}
          />
        </div>
      </header>
      <div className="card__body">
        <SectionBoundary title={title} resetKey={freshness.updatedAt}>{children}</SectionBoundary>
      </div>
      {footer && (
        <footer className="card__footer">
          <SectionBoundary title={title} resetKey={freshness.updatedAt}>{footer}</SectionBoundary>
        </footer>
      )}
    </section>
  );
}

const feedOf = (state: ConnectionState): FeedState | undefined =>
  state === 'live' ? 'live' : state === 'reconnecting' || state === 'offline' ? 'down' : undefined;
