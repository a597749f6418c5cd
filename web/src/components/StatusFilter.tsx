import { useId } from 'react';
import { humanize } from '../format/format';

interface StatusFilterProps {
  statuses: readonly string[];
  /** '' for every status. */
  value: string;
  onChange: (status: string) => void;
}

export function StatusFilter({ statuses, value, onChange }: StatusFilterProps) {
  const id = useId();
  return (
    <div className="status-filter">
      <label htmlFor={id} className="visually-hidden">
        Status
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
