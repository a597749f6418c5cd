import { formatInteger } from '../format/format';

interface PagerProps {
  offset: number;
  limit: number;
  /** undefined while the first page loads: the pager holds its place, disabled. */
  total: number | undefined;
  noun: string;
  onOffsetChange: (offset: number) => void;
}

export function Pager({ offset, limit, total, noun, onOffsetChange }: PagerProps) {
  if (total === 0) return null;
  const last = total === undefined ? 0 : Math.min(offset + limit, total);
  const atStart = total === undefined || offset === 0;
  const atEnd = total === undefined || last >= total;
  return (
    <nav className="pager" aria-label={`${noun} pages`}>
      <span className="pager__range" data-testid="pager-range">
        {total === undefined
          ? `Loading ${noun}…`
          : offset < total
            ? `${formatInteger(offset + 1)}–${formatInteger(last)} of ${formatInteger(total)} ${noun}`
            : // A page past the end (the list shrank under it) names no range of its own.
              `${formatInteger(total)} ${noun}`}
      </span>
      <button
        type="button"
        className="button button--ghost"
        // aria-disabled, not disabled: a focused button that became disabled would drop the
        // keyboard's focus to the page (pressing Next onto the last page, or while it loads).
        aria-disabled={atStart}
        onClick={() => atStart || onOffsetChange(Math.max(0, offset - limit))}
      >
        Previous
      </button>
      <button
        type="button"
        className="button button--ghost"
        aria-disabled={atEnd}
        onClick={() => atEnd || onOffsetChange(offset + limit)}
      >
        Next
      </button>
    </nav>
  );
}
