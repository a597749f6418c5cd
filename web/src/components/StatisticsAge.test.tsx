import { act, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StatisticsAge } from './StatisticsAge';

const NOW = new Date('2026-12-05T12:00:00Z').getTime();

describe('StatisticsAge', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows how old the statistics are, and keeps counting', () => {
    render(<StatisticsAge asOf="2026-12-05T11:54:00Z" />);
    expect(screen.getByTestId('statistics-age')).toHaveTextContent('Statistics as of 6 min ago');

    act(() => vi.advanceTimersByTime(60_000));
    expect(screen.getByTestId('statistics-age')).toHaveTextContent('Statistics as of 7 min ago');
  });

  it('says when there are none yet, and holds its line while nothing has loaded', () => {
    const { rerender } = render(<StatisticsAge asOf={null} />);
    expect(screen.getByTestId('statistics-age')).toHaveTextContent('Statistics not fetched yet');

    rerender(<StatisticsAge asOf={undefined} />);
    expect(screen.getByTestId('statistics-age').textContent).toBe('\u00a0');
  });
});
