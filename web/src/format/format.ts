// Display formatting, in one place so every section shows numbers the same way.

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const currency = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 0,
  maximumFractionDigits: 0,
});
const compactCurrency = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  minimumFractionDigits: 0,
  maximumFractionDigits: 1,
});
// One decimal always once abbreviated: a live figure keeps its width as it changes ("$312.0K",
// "$312.4K"), where a dropped ".0" made it jump.
const steadyCompact = new Intl.NumberFormat('en-US', {
  notation: 'compact',
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const steadyCompactCurrency = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const shortDate = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
const dateTime = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});
const exactTime = new Intl.DateTimeFormat('en-US', {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});

export const formatInteger = (value: number) => integer.format(value);
export const formatCurrency = (value: number) => currency.format(value);
export const formatCompactCurrency = (value: number) => compactCurrency.format(value);
/** For figures that change in place (KPIs): whole below 1,000, else abbreviated with one decimal. */
export const formatSteadyCompact = (value: number) =>
  Math.abs(value) < 1000 ? integer.format(value) : steadyCompact.format(value);
export const formatSteadyCompactCurrency = (value: number) =>
  Math.abs(value) < 1000 ? currency.format(value) : steadyCompactCurrency.format(value);

/** A fraction from 0 to 1 as a percentage, e.g. 0.3841 -> "38.4%". */
export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/**
 * A rate out of `base` (opens per recipient, submissions per view) as formatPercent gives it;
 * a dash when the base is 0: a rate of nothing is no figure, and "0.0%" would read as a flop.
 */
export function formatRate(fraction: number, base: number, digits = 1): string {
  return base === 0 ? '—' : formatPercent(fraction, digits);
}

/**
 * Which way a change goes as formatChange shows it: a change that rounds to 0.0% is flat, so
 * its sign and colour never claim a direction its figure does not show.
 */
export function changeDirection(fraction: number): 'up' | 'down' | 'flat' {
  const shown = Number((fraction * 100).toFixed(1));
  return shown > 0 ? 'up' : shown < 0 ? 'down' : 'flat';
}

/** A signed fraction as a change, e.g. 0.1225 -> "+12.3%". */
export function formatChange(fraction: number): string {
  const direction = changeDirection(fraction);
  const sign = direction === 'up' ? '+' : direction === 'down' ? '−' : '';  // U+2212, the minus sign, as wide as '+'
  return `${sign}${formatPercent(Math.abs(fraction))}`;
}

/** "2026-10-02" (a calendar day, no time zone) -> "Oct 2". */
export function formatDay(isoDay: string): string {
  return shortDate.format(new Date(`${isoDay}T00:00:00Z`));
}

/** Two ISO days as a range with its year: "Oct 2 – Oct 31, 2026", or each day's across years. */
export function formatDayRange(fromDay: string, toDay: string): string {
  const fromYear = fromDay.slice(0, 4);
  const toYear = toDay.slice(0, 4);
  const from = fromYear === toYear ? formatDay(fromDay) : `${formatDay(fromDay)}, ${fromYear}`;
  return `${from} – ${formatDay(toDay)}, ${toYear}`;
}

/**
 * An ISO 8601 instant as the API sends them, shown in UTC like the API's days (column
 * headers say so); an em dash when absent. "Oct 31, 2026, 18:34".
 */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '—' : dateTime.format(date);
}

/**
 * An instant (ms since the epoch) to the second, for tooltips: in UTC and saying so, like
 * every time the dashboard shows. "Dec 6, 2026, 17:28:03 UTC".
 */
export function formatExactTime(ms: number): string {
  return `${exactTime.format(new Date(ms))} UTC`;
}

/** An age in milliseconds, coarsened the way people say it: "12 s", "6 min", "3 h", "2 d". */
export function formatAge(ageMs: number): string {
  const seconds = Math.max(0, Math.floor(ageMs / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

/** How long ago, as the dashboard says it everywhere: "just now" under a second, else "12 s ago". */
export function formatAgo(ageMs: number): string {
  return ageMs < 1000 ? 'just now' : `${formatAge(ageMs)} ago`;
}

/** snake_case or camelCase identifiers as words: "checkout_started" -> "Checkout started". */
export function humanize(identifier: string): string {
  const words = identifier
    .replace(/_/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
