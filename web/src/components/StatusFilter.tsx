import { useId } from 'react';
import { humanize } from '../format/format';

interface StatusFilterProps {
  /** Its accessible name, telling the page's filters apart: "Filter campaigns by status". */
  label: string;
  statuses: readonly string[];
  /** '' for every status. */
  value: string;
  onChange: (status: string) => void;
}

export function StatusFilter({ label, statuses, value, onChange }: StatusFilterProps) {
  const id = useId();
  return (
    <div className="status-filter">
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value)} data-testid="status-filter">
        <option value="">All statuses</option>
        {statuses.map((status) => (
          <option key={status} value={status}>
            {humanize(status)}
          </option>
        ))}
      </select>
    </div>
  );
}
