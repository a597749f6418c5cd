import type { Alert, Health, HealthStatus, MonitoringStatus, ServiceTarget } from '../api/types';
import { adminRequest } from '../admin/adminApi';
import { useAdminErrorToast } from '../admin/useAdminErrorToast';
import { EmptyState, LoadingPlaceholder } from '../components/EmptyState';
import { SectionCard } from '../components/SectionCard';
import { formatDateTime, formatExactTime, formatPercent, humanize } from '../format/format';
import { usePolling } from '../hooks/usePolling';

export const MONITORING_POLL_MS = 10_000;
// Polled, not cached: stale means several polls in a row went unanswered.
const MONITORING_STALE_MS = 3 * MONITORING_POLL_MS;

// The targets shown as tiles, in this order, with how to show their values.
const TARGET_DISPLAY: Record<string, { label: string; format: (value: number) => string }> = {
  cache_hit_rate: { label: 'Cache hit rate', format: (v) => formatPercent(v) },
  average_response_ms: { label: 'Average latency', format: (v) => `${v.toFixed(v < 10 ? 1 : 0)} ms` },
  sync_success_rate: { label: 'Sync success rate', format: (v) => formatPercent(v) },
  error_rate: { label: 'Error rate', format: (v) => formatPercent(v, 2) },
};

const TARGET_ORDER = Object.keys(TARGET_DISPLAY);

/** "api:errorRate" -> "API error rate". */
const checkLabel = (name: string) => humanize(name.replace(':', '_')).replace(/^Api\b/, 'API');

const HEALTH_LABEL: Record<HealthStatus, string> = { pass: 'Healthy', warn: 'Degraded', fail: 'Failing' };

/**
 * The last health report, or "Unknown" while the last poll failed (the server may be down):
 * an old "Healthy" is not passed off as the present one; the report stays, as of its time.
 */
function HealthSummary({ health, asOf }: { health: Health; asOf: number | null }) {
  const problems = Object.entries(health.checks).flatMap(([name, checks]) =>
    // A name may hold several checks (one per component): the key is the name and the
    // check's place under it.
    checks.flatMap((check, index) => (check.status === 'pass' ? [] : [{ key: `${name}/${index}`, name, check }])),
  );
  const known = asOf === null;
  const status = known ? health.status : 'unknown';
  return (
    <div className="health">
      <span className={`health__status health__status--${status}`} data-testid="health-status" data-status={status}>
        {known ? (HEALTH_LABEL[health.status] ?? health.status) : 'Unknown'}
      </span>
      {!known && (
        <span className="health__as-of">
          last report {HEALTH_LABEL[health.status] ?? health.status}, at {formatExactTime(asOf)}
        </span>
      )}
      {problems.length > 0 && (
        <ul className="health__problems">
          {problems.map(({ key, name, check }) => (
            <li key={key}>
              <strong>{checkLabel(name)}</strong>: {check.output ?? `${check.observedValue} ${check.observedUnit}`}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** 300 -> "last 5 min", 3600 -> "last hour": what a target's figure covers. */
const windowLabel = (seconds: number) =>
  seconds === 3600 ? 'last hour' : seconds % 60 === 0 ? `last ${seconds / 60} min` : `last ${seconds} s`;

function TargetTile({ target }: { target: ServiceTarget }) {
  const display = TARGET_DISPLAY[target.name];
  if (!display) return null;
  return (
    <div className={`kpi target target--${target.met ? 'met' : 'missed'}`} data-testid={`target-${target.name}`}>
      <dt className="kpi__label">{display.label}</dt>
      <dd className="kpi__value">{target.current === null ? '—' : display.format(target.current)}</dd>
      <dd className="target__goal">
        {target.current === null ? 'Not enough data yet' : target.met ? 'On target' : 'Off target'} (
        {target.comparison} {display.format(target.target)})
        {target.windowSeconds ? `, ${windowLabel(target.windowSeconds)}` : ''}
      </dd>
    </div>
  );
}

function OpenAlerts({ alerts }: { alerts: Alert[] }) {
  if (alerts.length === 0) return <p className="muted">No open alerts.</p>;
  return (
    <ul className="alerts" data-testid="alerts">
      {alerts.map((alert) => {
        const display = TARGET_DISPLAY[alert.target];
        const format = display?.format ?? String;
        return (
          <li key={`${alert.target}-${alert.startedAt}`} className="alerts__item">
            <strong>{display?.label ?? humanize(alert.target)}</strong> off target ({format(alert.valueAtStart)},
            threshold {format(alert.threshold)}) since {formatDateTime(alert.startedAt)} UTC
          </li>
        );
      })}
    </ul>
  );
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A health report (/monitoring/health), which a 503 carries too when a check fails. */
const isHealthReport = (body: unknown): boolean =>
  isObject(body) && typeof body.status === 'string' && isObject(body.checks);

const isMonitoringStatus = (body: unknown): boolean =>
  isObject(body) && Array.isArray(body.targets) && isObject(body.alerts) && Array.isArray(body.alerts.open);

/** The server's health, service targets and open alerts; admin only, polled. */
export function MonitoringSection({ token }: { token: string }) {
  const reportError = useAdminErrorToast();
  const health = usePolling(
    // 503 means a check fails; its body is still the health report to show.
    (signal) =>
      adminRequest<Health>(token, '/monitoring/health', { signal, acceptStatuses: [503], isAnswer: isHealthReport }),
    { intervalMs: MONITORING_POLL_MS, resetKey: token, onErrorChange: (error) => reportError('Server health', error) },
  );
  const status = usePolling(
    (signal) => adminRequest<MonitoringStatus>(token, '/monitoring/status', { signal, isAnswer: isMonitoringStatus }),
    {
    intervalMs: MONITORING_POLL_MS,
    resetKey: token,
      onErrorChange: (error) => reportError('Monitoring', error),
    },
  );

  const freshness = {
    updatedAt: status.updatedAt,
    loading: health.loading || status.loading,
    stale: false,
    error: status.error ?? health.error,
  };
  const targets = (status.data?.targets ?? [])
    .filter((target) => target.name in TARGET_DISPLAY)
    .sort((a, b) => TARGET_ORDER.indexOf(a.name) - TARGET_ORDER.indexOf(b.name));

  let body;
  if (!health.data && !status.data) {
    body = freshness.error ? (
      <EmptyState>Monitoring could not load. {freshness.error.message}</EmptyState>
    ) : (
      <LoadingPlaceholder rows={3} />
    );
  } else {
    body = (
      <div className="monitoring">
        {health.data && <HealthSummary health={health.data} asOf={health.error ? health.updatedAt : null} />}
        {targets.length > 0 && (
          <dl className="kpi-grid">
            {targets.map((target) => (
              <TargetTile key={target.name} target={target} />
            ))}
          </dl>
        )}
        {status.data && (
          <>
            <h3 className="subheading">Open alerts</h3>
            <OpenAlerts alerts={status.data.alerts.open} />
          </>
        )}
      </div>
    );
  }

  return (
    <SectionCard
      id="monitoring"
      title="Monitoring"
      subtitle="Server health and service targets"
      freshness={freshness}
      followsLiveFeed={false}
      staleThresholdMs={MONITORING_STALE_MS}
      wide
    >
      {body}
    </SectionCard>
  );
}
