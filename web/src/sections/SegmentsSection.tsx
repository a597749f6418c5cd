import type { Segment } from '../api/types';
import type { Column } from '../components/DataTable';
import { StatusBadge } from '../components/StatusBadge';
import { changeDirection, formatChange, formatInteger } from '../format/format';
import { ListSection } from './ListSection';

const SEGMENT_STATUSES = ['active', 'archived'] as const;

const columns: Column<Segment>[] = [
  { field: 'name', label: 'Segment', render: (s) => <span className="cell-name" title={s.name}>{s.name}</span> },
  { field: 'status', label: 'Status', render: (s) => <StatusBadge status={s.status} /> },
  { field: 'members', label: 'Members', numeric: true, render: (s) => formatInteger(s.members) },
  {
    field: 'growth',
    label: 'Growth',
    numeric: true,
    render: (s) => (
      <span className={{ up: 'trend-up', down: 'trend-down', flat: undefined }[changeDirection(s.growth)]}>
        {formatChange(s.growth)}
      </span>
    ),
  },
];

export function SegmentsSection() {
  return (
    <ListSection<Segment>
      endpoint="segments"
      title="Segments"
      noun="segments"
      columns={columns}
      statuses={SEGMENT_STATUSES}
      defaultSort="-members"
    />
  );
}
