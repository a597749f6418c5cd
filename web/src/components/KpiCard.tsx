interface KpiCardProps {
  label: string;
  value: string;
  /** The exact figure, for the tooltip, when `value` is rounded. */
  exact?: string;
}

export function KpiCard({ label, value, exact }: KpiCardProps) {
  return (
    <div className="kpi" data-testid="kpi" title={exact}>
      <dt className="kpi__label">{label}</dt>
      {/* An empty value (still loading) keeps the line's height. */}
      <dd className="kpi__value">
        {value || <span className="skeleton__line kpi__placeholder" />}
        {/* The exact figure for screen readers too, not only for a pointer's tooltip. */}
        {value && exact && exact !== value && <span className="visually-hidden"> (exactly {exact})</span>}
      </dd>
    </div>
  );
}
