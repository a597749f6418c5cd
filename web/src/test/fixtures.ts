import type { Health, MonitoringStatus, Overview, SyncStatus } from '../api/types';

export const overviewFixture: Overview = {
  range: { from: '2026-10-02', to: '2026-10-31' },
  totals: { sends: 1635753, opens: 628313, clicks: 76083, revenue: 317969.92, openRate: 0.3841, clickRate: 0.0465 },
  series: [
    { date: '2026-10-02', sends: 49226, opens: 16330, clicks: 1325, revenue: 4295.45 },
    { date: '2026-10-03', sends: 34231, opens: 13244, clicks: 1997, revenue: 5919.63 },
    { date: '2026-10-04', sends: 26059, opens: 8036, clicks: 1133, revenue: 6404.18 },
  ],
};

export function syncStatusFixture(overrides: Partial<SyncStatus> = {}): SyncStatus {
  return {
    state: 'idle',
    progress: null,
    entities: { campaigns: { lastSuccessAt: Date.now() - 30_000, lastError: null, recordsSynced: 300 } },
    lastError: null,
    counters: { runs: 1, successes: 1, failures: 0, pages: 5, records: 760, retries: 0, rateLimitedRetries: 0 },
    lastRunDurationMs: 18,
    successRate: 1,
    ...overrides,
  };
}

export const healthFixture: Health = {
  status: 'warn',
  checks: {
    'database:responseTime': [
      { componentType: 'datastore', observedValue: 0.4, observedUnit: 'ms', status: 'pass', time: '' },
    ],
    'redis:connection': [
      {
        componentType: 'datastore',
        observedValue: 'unreachable',
        observedUnit: '',
        status: 'warn',
        time: '',
        output: 'serving from memory',
      },
    ],
  },
};

export const monitoringStatusFixture: MonitoringStatus = {
  targets: [
    { name: 'cache_hit_rate', comparison: '>', target: 0.9, current: 0.5, met: false, windowSeconds: 300 },
    { name: 'sync_success_rate', comparison: '>', target: 0.99, current: 1, met: true, windowSeconds: 3600 },
    { name: 'error_rate', comparison: '<', target: 0.01, current: 0, met: true, windowSeconds: 300 },
    { name: 'average_response_ms', comparison: '<', target: 200, current: 0.751, met: true, windowSeconds: 300 },
  ],
  alerts: {
    open: [
      {
        target: 'cache_hit_rate',
        threshold: 0.9,
        startedAt: '2026-12-01T03:43:57Z',
        valueAtStart: 0,
        endedAt: null,
        valueAtEnd: null,
      },
    ],
    history: [],
  },
};
