import type { Overview } from '../api/types';
import { AreaChart, AreaChartPlaceholder } from '../components/AreaChart';
import { LoadFailure } from '../components/EmptyState';
import { KpiCard } from '../components/KpiCard';
import { SectionCard } from '../components/SectionCard';
import {
  formatCompactCurrency,
  formatCurrency,
  formatDay,
  formatDayRange,
  formatInteger,
  formatRate,
  formatSteadyCompact,
  formatSteadyCompactCurrency,
} from '../format/format';
import { useLiveData } from '../hooks/useLiveData';

const KPI_LABELS = ['Sends', 'Opens', 'Clicks', 'Revenue', 'Open rate', 'Click rate'];

/** The overview's final layout with placeholders for its figures, while they load. */
function OverviewPlaceholder() {
  return (
    <>
      <dl className="kpi-grid" aria-hidden="true">
        {KPI_LABELS.map((label) => (
          <KpiCard key={label} label={label} value="" />
        ))}
      </dl>
      <h3 className="subheading">Revenue per day</h3>
      <AreaChartPlaceholder />
    </>
  );
}

function OverviewBody({ overview }: { overview: Overview }) {
  const { totals, series } = overview;
  return (
    <>
      <dl className="kpi-grid">
        <KpiCard label="Sends" value={formatSteadyCompact(totals.sends)} exact={formatInteger(totals.sends)} />
        <KpiCard label="Opens" value={formatSteadyCompact(totals.opens)} exact={formatInteger(totals.opens)} />
        <KpiCard label="Clicks" value={formatSteadyCompact(totals.clicks)} exact={formatInteger(totals.clicks)} />
        <KpiCard label="Revenue" value={formatSteadyCompactCurrency(totals.revenue)} exact={formatCurrency(totals.revenue)} />
        {/* Rates over sends: none sent is no rate, as in the tables. */}
        <KpiCard label="Open rate" value={formatRate(totals.openRate, totals.sends)} />
        <KpiCard label="Click rate" value={formatRate(totals.clickRate, totals.sends, 2)} />
      </dl>
      <h3 className="subheading">Revenue per day</h3>
      <AreaChart
        title={`Revenue per day, ${series.length} days`}
        points={series.map((point) => ({ label: formatDay(point.date), value: point.revenue }))}
        formatValue={formatCurrency}
        formatAxisValue={formatCompactCurrency}
      />
    </>
  );
}

export function OverviewSection() {
  const result = useLiveData<Overview>('overview');
  const overview = result.data;
  const { from, to } = overview?.range ?? {};
  const range = from && to ? formatDayRange(from, to) : undefined;

  let body;
  if (overview === undefined) body = <OverviewPlaceholder />;
  else if (result.fallback && result.error)
    body = <LoadFailure what="The overview" message={result.error.message} onRetry={() => void result.refetch()} />;
  else body = <OverviewBody overview={overview} />;

  return (
    // The subtitle line is held (empty) until the range is known, so the card does not grow.
    <SectionCard id="overview" title="Overview" subtitle={range ?? '\u00a0'} freshness={result} wide>
      {body}
    </SectionCard>
  );
}
