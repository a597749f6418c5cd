import { useState, type KeyboardEvent, type MouseEvent } from 'react';

export interface ChartPoint {
  label: string;
  value: number;
}

interface AreaChartProps {
  points: ChartPoint[];
  /** Describes the chart for screen readers. */
  title: string;
  formatValue: (value: number) => string;
  formatAxisValue?: (value: number) => string;
}

// The SVG is drawn in a fixed coordinate space and stretched to the container
// (preserveAspectRatio="none"): it fills any width without measuring the DOM. Text and
// dots would stretch with it, so they are HTML positioned in percentages instead.
const WIDTH = 1000;
const HEIGHT = 300;
const GRIDLINES = [0, 0.25, 0.5, 0.75, 1];

/**
 * The chart's top: four gridline steps (GRIDLINES) of a round figure (1, 1.5, 2, 2.5, 3, 4,
 * 5, 6 or 8 times a power of ten, each short enough for a compact label), the smallest
 * reaching `value`: the line fills at least two thirds of the height ($31K tops out at $32K
 * in steps of $8K, where a ceiling of 1, 2 or 5 times a power of ten gave $50K).
 */
export function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const steps = GRIDLINES.length - 1;
  const rawStep = value / steps;
  const magnitude = 10 ** Math.floor(Math.log10(rawStep));
  const factor = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((candidate) => candidate * magnitude >= rawStep) ?? 10;
  return steps * factor * magnitude;
}

/** The chart's frame at its final size, while its points load. */
export function AreaChartPlaceholder() {
  return (
    <div className="chart chart--loading" aria-hidden="true">
      <div className="chart__frame">
        <div className="chart__y-axis" />
        <div className="chart__plot skeleton__block" />
      </div>
      <div className="chart__x-axis" />
    </div>
  );
}

export function AreaChart({ points, title, formatValue, formatAxisValue = formatValue }: AreaChartProps) {
  const [hovered, setHovered] = useState<number | null>(null);
  if (points.length === 0) return <p className="chart-empty">No data for this period.</p>;

  const max = niceCeiling(Math.max(...points.map((point) => point.value)));
  const x = (index: number) => (points.length === 1 ? 0.5 : index / (points.length - 1));
  const y = (value: number) => 1 - value / max;
  const line = points.map((point, index) => `${x(index) * WIDTH},${y(point.value) * HEIGHT}`).join(' L');
  const area = `M0,${HEIGHT} L${line} L${WIDTH},${HEIGHT} Z`;

  const onMouseMove = (event: MouseEvent<HTMLDivElement>) => {
    const bounds = event.currentTarget.getBoundingClientRect();
    const fraction = (event.clientX - bounds.left) / bounds.width;
    setHovered(Math.min(points.length - 1, Math.max(0, Math.round(fraction * (points.length - 1)))));
  };
  // From the keyboard: the plot takes the focus (showing the last day), and the arrow keys,
  // Home and End move along the days, as the pointer does.
  const last = points.length - 1;
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const from = hovered ?? last;
    const steps: Record<string, number> = { ArrowLeft: from - 1, ArrowRight: from + 1, Home: 0, End: last };
    const next = steps[event.key];
    if (next === undefined) return;
    event.preventDefault();
    setHovered(Math.min(last, Math.max(0, next)));
  };
  const hoveredPoint = hovered === null ? undefined : points[hovered];
  const xLabels = [0, Math.floor((points.length - 1) / 2), points.length - 1].filter(
    (v, i, all) => all.indexOf(v) === i,
  );

  return (
    <figure className="chart" data-testid="chart">
      <div className="chart__frame">
        <div className="chart__y-axis" aria-hidden="true">
          {GRIDLINES.map((fraction) => (
            <span key={fraction} style={{ top: `${(1 - fraction) * 100}%` }}>
              {formatAxisValue(max * fraction)}
            </span>
          ))}
        </div>
        <div
          className="chart__plot"
          data-testid="chart-plot"
          tabIndex={0}
          role="img"
          aria-label={title}
          onMouseMove={onMouseMove}
          onMouseLeave={() => setHovered(null)}
          onFocus={() => setHovered((current) => current ?? last)}
          onBlur={() => setHovered(null)}
          onKeyDown={onKeyDown}
        >
          <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" aria-hidden="true">
            <defs>
              <linearGradient id="chart-fill" x1="0" x2="0" y1="0" y2="1">
                <stop offset="0%" stopColor="var(--chart-color)" stopOpacity="0.35" />
                <stop offset="100%" stopColor="var(--chart-color)" stopOpacity="0.02" />
              </linearGradient>
            </defs>
            {GRIDLINES.map((fraction) => (
              <line
                key={fraction}
                className="chart__gridline"
                x1="0"
                x2={WIDTH}
                y1={(1 - fraction) * HEIGHT}
                y2={(1 - fraction) * HEIGHT}
                vectorEffect="non-scaling-stroke"
              />
            ))}
            <path d={area} fill="url(#chart-fill)" />
            <path d={`M${line}`} className="chart__line" fill="none" vectorEffect="non-scaling-stroke" />
            {hovered !== null && (
              <line
                className="chart__cursor"
                x1={x(hovered) * WIDTH}
                x2={x(hovered) * WIDTH}
                y1="0"
                y2={HEIGHT}
                vectorEffect="non-scaling-stroke"
              />
            )}
          </svg>
          {hoveredPoint && hovered !== null && (
            <>
              <span
                className="chart__dot"
                style={{ left: `${x(hovered) * 100}%`, top: `${y(hoveredPoint.value) * 100}%` }}
              />
              <span
                className={`chart__tooltip${x(hovered) > 0.7 ? ' chart__tooltip--left' : ''}`}
                style={{ left: `${x(hovered) * 100}%` }}
                data-testid="chart-readout"
              >
                <strong>{formatValue(hoveredPoint.value)}</strong> {hoveredPoint.label}
              </span>
            </>
          )}
        </div>
      </div>
      <div className="chart__x-axis" aria-hidden="true">
        {xLabels.map((index) => (
          <span key={index} style={{ left: `${x(index) * 100}%` }}>
            {points[index]?.label}
          </span>
        ))}
      </div>
      {/* The figures behind the line, for screen readers: the picture alone shows them only
          to a pointer's hover. */}
      <table className="visually-hidden">
        <caption>{title}</caption>
        <tbody>
          {points.map((point, index) => (
            <tr key={index}>
              <th scope="row">{point.label}</th>
              <td>{formatValue(point.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
