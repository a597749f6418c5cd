import { describe, expect, it } from 'vitest';
import {
  changeDirection,
  formatAge,
  formatAgo,
  formatChange,
  formatDateTime,
  formatDayRange,
  formatExactTime,
  formatPercent,
  formatRate,
  formatSteadyCompact,
  formatSteadyCompactCurrency,
  humanize,
} from '../format/format';
import { stableKey } from '../hooks/stableKey';
import { niceCeiling } from './AreaChart';
import { nextSort, parseSort } from './sort';

describe('sort', () => {
  it('parses the API’s sort parameter', () => {
    expect(parseSort('-sendTime')).toEqual({ field: 'sendTime', descending: true });
    expect(parseSort('name')).toEqual({ field: 'name', descending: false });
  });

  it('flips the active column and starts others in their natural direction', () => {
    expect(nextSort('-revenue', 'revenue', true)).toBe('revenue');
    expect(nextSort('revenue', 'revenue', true)).toBe('-revenue');
    expect(nextSort('-revenue', 'name', false)).toBe('name');
    expect(nextSort('name', 'recipients', true)).toBe('-recipients');
  });
});

describe('stableKey', () => {
  it('ignores key order and absent values', () => {
    expect(stableKey({ sort: 'name', limit: 5 })).toBe(stableKey({ limit: 5, sort: 'name', status: '' }));
    expect(stableKey({ sort: 'name' })).not.toBe(stableKey({ sort: '-name' }));
    expect(stableKey(undefined)).toBe('{}');
  });
});

describe('format', () => {
  it('says ages the way people do', () => {
    expect(formatAge(12_400)).toBe('12 s');
    expect(formatAge(6 * 60_000 + 5_000)).toBe('6 min');
    expect(formatAge(3 * 3_600_000)).toBe('3 h');
    expect(formatAge(72 * 3_600_000)).toBe('3 d');
    expect(formatAge(-50)).toBe('0 s');
  });

  it('gives a range of days its year, each day its own across a new year', () => {
    expect(formatDayRange('2026-10-02', '2026-10-31')).toBe('Oct 2 – Oct 31, 2026');
    expect(formatDayRange('2025-12-20', '2026-01-18')).toBe('Dec 20, 2025 – Jan 18, 2026');
  });

  it('keeps a changing figure the same width: one decimal once abbreviated', () => {
    expect(formatSteadyCompactCurrency(312_000)).toBe('$312.0K');
    expect(formatSteadyCompactCurrency(312_400)).toBe('$312.4K');
    expect(formatSteadyCompactCurrency(950)).toBe('$950');
    expect(formatSteadyCompact(1_635_753)).toBe('1.6M');
    expect(formatSteadyCompact(12_000)).toBe('12.0K');
    expect(formatSteadyCompact(999)).toBe('999');
  });

  it('formats fractions as percentages', () => {
    expect(formatPercent(0.3841)).toBe('38.4%');
    expect(formatChange(0.1225)).toBe('+12.3%');
    expect(formatChange(-0.05)).toBe('−5.0%'); // the minus sign, not a hyphen
    expect(formatChange(0)).toBe('0.0%');
    // A change too small to show is no change: no sign, no direction.
    expect(formatChange(-0.00004)).toBe('0.0%');
    expect(formatChange(0.00004)).toBe('0.0%');
    expect(changeDirection(-0.00004)).toBe('flat');
    expect(changeDirection(-0.001)).toBe('down');
    expect(changeDirection(0.1225)).toBe('up');
  });

  it('says how long ago alike everywhere: just now under a second', () => {
    expect(formatAgo(400)).toBe('just now');
    expect(formatAgo(12_000)).toBe('12 s ago');
  });

  it('gives a rate of nothing as a dash, and a rate of something as a percentage, zero too', () => {
    expect(formatRate(0, 0)).toBe('—');
    expect(formatRate(0, 12)).toBe('0.0%');
    expect(formatRate(0.04, 1000, 2)).toBe('4.00%');
  });

  it('shows instants in UTC on a 24-hour clock', () => {
    expect(formatDateTime('2026-10-31T18:34:34Z')).toBe('Oct 31, 2026, 18:34');
    expect(formatDateTime(null)).toBe('—');
  });

  it('gives tooltips the second, in UTC and saying so', () => {
    expect(formatExactTime(Date.parse('2026-12-06T17:28:03.500Z'))).toBe('Dec 6, 2026, 17:28:03 UTC');
  });

  it('turns identifiers into words', () => {
    expect(humanize('checkout_started')).toBe('Checkout started');
    expect(humanize('conversionRate')).toBe('Conversion rate');
  });
});

describe('niceCeiling', () => {
  it('tops a chart with four round steps, the smallest that reach the value', () => {
    expect(niceCeiling(31_000)).toBe(32_000); // steps of 8K
    expect(niceCeiling(14_918)).toBe(16_000); // 4K
    expect(niceCeiling(41_000)).toBe(60_000); // 15K
    expect(niceCeiling(100)).toBe(100); // 25
    expect(niceCeiling(7.2)).toBe(8); // 2
    for (const value of [1, 3.3, 17, 999, 4_900, 31_000, 1_234_567, 4_800_000]) {
      expect(niceCeiling(value)).toBeGreaterThanOrEqual(value);
      expect(value / niceCeiling(value)).toBeGreaterThan(0.66); // the line fills the chart
    }
    expect(niceCeiling(0)).toBe(1);
  });
});
