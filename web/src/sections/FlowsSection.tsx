import type { Flow } from '../api/types';
import type { Column } from '../components/DataTable';
import { StatusBadge } from '../components/StatusBadge';
import { formatCurrency, formatInteger, formatRate, humanize } from '../format/format';
import { ListSection } from './ListSection';

const FLOW_STATUSES = ['live', 'draft', 'manual'] as const;

const columns: Column<Flow>[] = [
  { field: 'name', label: 'Flow', render: (f) => <span className="cell-name" title={f.name}>{f.name}</span> },
  { field: 'status', label: 'Status', render: (f) => <StatusBadge status={f.status} /> },
  { field: 'trigger', label: 'Trigger', render: (f) => humanize(f.trigger) },
  { field: 'recipients', label: 'Recipients', numeric: true, render: (f) => formatInteger(f.recipients) },
  { field: 'conversionRate', label: 'Conversion', numeric: true, render: (f) => formatRate(f.conversionRate, f.recipients, 2) },
  { field: 'revenue', label: 'Revenue', numeric: true, render: (f) => formatCurrency(f.revenue) },
];

export function FlowsSection() {
  return (
    <ListSection<Flow>
      endpoint="flows"
      title="Flows"
      noun="flows"
      columns={columns}
      statuses={FLOW_STATUSES}
      defaultSort="-revenue"
      wide
    />
  );
}
