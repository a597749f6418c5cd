import type { Campaign } from '../api/types';
import type { Column } from '../components/DataTable';
import { StatusBadge } from '../components/StatusBadge';
import { formatCurrency, formatDateTime, formatInteger, formatRate } from '../format/format';
import { ListSection } from './ListSection';

const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'sending', 'sent', 'cancelled'] as const;

// A campaign that reached no one (not sent yet, or cancelled before it sent) has no
// statistics: a dash, not zeros that read as a flop. One cancelled while sending has
// figures for those it reached.
const UNSENT: ReadonlySet<Campaign['status']> = new Set(['draft', 'scheduled']);
const reachedNoOne = (c: Campaign) => UNSENT.has(c.status) || (c.status === 'cancelled' && c.recipients === 0);
const statistic = (format: (c: Campaign) => string) => (c: Campaign) => (reachedNoOne(c) ? '—' : format(c));

const columns: Column<Campaign>[] = [
  { field: 'name', label: 'Campaign', render: (c) => <span className="cell-name" title={c.name}>{c.name}</span> },
  { field: 'status', label: 'Status', render: (c) => <StatusBadge status={c.status} /> },
  { field: 'sendTime', label: 'Send time (UTC)', startDescending: true, render: (c) => formatDateTime(c.sendTime) },
  { field: 'recipients', label: 'Recipients', numeric: true, render: statistic((c) => formatInteger(c.recipients)) },
  { field: 'openRate', label: 'Open rate', numeric: true, render: statistic((c) => formatRate(c.openRate, c.recipients)) },
  { field: 'clickRate', label: 'Click rate', numeric: true, render: statistic((c) => formatRate(c.clickRate, c.recipients, 2)) },
  { field: 'revenue', label: 'Revenue', numeric: true, render: statistic((c) => formatCurrency(c.revenue)) },
  { field: 'updatedAt', label: 'Updated (UTC)', startDescending: true, render: (c) => formatDateTime(c.updatedAt) },
];

export function CampaignsSection() {
  return (
    <ListSection<Campaign>
      endpoint="campaigns"
      title="Campaigns"
      noun="campaigns"
      columns={columns}
      statuses={CAMPAIGN_STATUSES}
      // Recently changed first: campaigns still sending lead, their numbers moving.
      defaultSort="-updatedAt"
      pageSize={15}
      wide
    />
  );
}
