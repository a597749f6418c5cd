interface KpiCardProps {
  label: string;
  value: string;
  /** The exact figure, when `value` is rounded: the pointer's tooltip and what a screen reader reads. */
  exact?: string;
}

export function KpiCard({ label, value, exact }: KpiCardProps) {
  const rounded = value && exact && exact !== value;
  return (
    <div className="kpi" data-testid="kpi">
      <dt className="kpi__label">{label}</dt>
      {/* An empty value (still loading) keeps the line's height. */}
      <dd className="kpi__value">
        {!value && <span className="skeleton__line kpi__placeholder" />}
        {/* A rounded figure is shown, with the exact one in its tooltip; a screen reader reads
            the exact one alone (a title beside hidden text would be read twice). */}
        {rounded ? (
          <>
            <span aria-hidden="true" title={exact}>
              {value}
            </span>
            <span className="visually-hidden">{exact}</span>
          </>
        ) : (
          value
        )}
      </dd>
    </div>
  );
}
