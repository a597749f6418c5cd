import type { Form } from '../api/types';
import type { Column } from '../components/DataTable';
import { StatusBadge } from '../components/StatusBadge';
import { formatInteger, formatRate } from '../format/format';
import { ListSection } from './ListSection';

const FORM_STATUSES = ['live', 'draft'] as const;

const columns: Column<Form>[] = [
  { field: 'name', label: 'Form', render: (f) => <span className="cell-name" title={f.name}>{f.name}</span> },
  { field: 'status', label: 'Status', render: (f) => <StatusBadge status={f.status} /> },
  { field: 'views', label: 'Views', numeric: true, render: (f) => formatInteger(f.views) },
  { field: 'submissions', label: 'Submissions', numeric: true, render: (f) => formatInteger(f.submissions) },
  { field: 'submitRate', label: 'Submit rate', numeric: true, render: (f) => formatRate(f.submitRate, f.views) },
];

export function FormsSection() {
  return (
    <ListSection<Form>
      endpoint="forms"
      title="Forms"
      noun="forms"
      columns={columns}
      statuses={FORM_STATUSES}
      defaultSort="-submissions"
    />
  );
}
