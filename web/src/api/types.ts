// The JSON shapes of the backend's routes (docs/api.md). Times in list items are ISO 8601
// UTC strings; rates are fractions from 0 to 1.

export interface OverviewTotals {
  sends: number;
  opens: number;
  clicks: number;
  revenue: number;
  openRate: number;
  clickRate: number;
}

export interface OverviewPoint {
  date: string;
  sends: number;
  opens: number;
  clicks: number;
  revenue: number;
}

export interface Overview {
  // Null in the module's empty fallback, before any data arrived.
  range: { from: string | null; to: string | null };
  totals: OverviewTotals;
  series: OverviewPoint[];
}

export interface ListPage<Item> {
  items: Item[];
  total: number;
  limit: number;
  offset: number;
  /** When the items' statistics were last fetched (ISO 8601); null before then, and absent
   *  in the module's empty fallback. */
  statisticsAsOf?: string | null;
}

export interface Campaign {
  id: string;
  name: string;
  status: 'draft' | 'scheduled' | 'sending' | 'sent' | 'cancelled';
  sendTime: string | null;
  recipients: number;
  opens: number;
  clicks: number;
  revenue: number;
  openRate: number;
  clickRate: number;
  updatedAt: string;
}

export interface Flow {
  id: string;
  name: string;
  status: 'live' | 'draft' | 'manual';
  trigger: string;
  recipients: number;
  revenue: number;
  conversionRate: number;
  updatedAt: string;
}

export interface Form {
  id: string;
  name: string;
  status: 'live' | 'draft';
  views: number;
  submissions: number;
  submitRate: number;
  updatedAt: string;
}

export interface Segment {
  id: string;
  name: string;
  status: 'active' | 'archived';
  members: number;
  growth: number;
  updatedAt: string;
}

// Admin routes (Authorization: Bearer <token>). Times here are Unix milliseconds.

/** A sync failure as the status reports it: what went wrong and when. */
export interface SyncFailure {
  message: string;
  at: number;
}

export interface SyncStatus {
  state: 'idle' | 'running' | 'failed';
  progress: { entity: string; pagesDone: number; recordsDone: number; estimate: number | null } | null;
  entities: Record<string, { lastSuccessAt: number | null; lastError: SyncFailure | null; recordsSynced: number }>;
  lastError: (SyncFailure & { entity: string }) | null;
  counters: {
    runs: number;
    successes: number;
    failures: number;
    pages: number;
    records: number;
    retries: number;
    rateLimitedRetries: number;
  };
  lastRunDurationMs: number | null;
  successRate: number;
}

export interface SyncAccepted {
  accepted: 'queued' | 'merged';
  status: SyncStatus;
}

export type HealthStatus = 'pass' | 'warn' | 'fail';

export interface HealthCheck {
  componentType: string;
  observedValue: number | string;
  observedUnit: string;
  status: HealthStatus;
  time: string;
  output?: string;
}

export interface Health {
  status: HealthStatus;
  checks: Record<string, HealthCheck[]>;
}

export interface ServiceTarget {
  name: 'cache_hit_rate' | 'sync_success_rate' | 'error_rate' | 'average_response_ms' | string;
  comparison: '<' | '>';
  target: number;
  /** Null until there is enough data to judge (a cold server, no sync run yet). */
  current: number | null;
  met: boolean;
  /** The trailing window `current` covers, in seconds (the last 5 minutes; sync runs: the hour). */
  windowSeconds?: number;
}

export interface Alert {
  target: string;
  threshold: number;
  startedAt: string;
  valueAtStart: number;
  endedAt: string | null;
  valueAtEnd: number | null;
}

export interface MonitoringStatus {
  targets: ServiceTarget[];
  alerts: { open: Alert[]; history: Alert[] };
}
