import { act, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DataFreshnessIndicator } from './DataFreshnessIndicator';

const NOW = new Date('2026-10-31T12:00:00Z').getTime();
const MINUTE = 60_000;

const defaults = { updatedAt: NOW - 12_000, loading: false, stale: false, error: null, staleThresholdMs: 5 * MINUTE };

const indicator = () => screen.getByTestId('freshness');

describe('DataFreshnessIndicator', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows how long ago the data was updated', () => {
    render(<DataFreshnessIndicator {...defaults} />);

    expect(indicator()).toHaveAttribute('data-state', 'fresh');
    expect(indicator()).toHaveTextContent('updated 12 s ago');
  });

  it('keeps counting every second', () => {
    render(<DataFreshnessIndicator {...defaults} />);

    act(() => vi.advanceTimersByTime(3000));
    expect(indicator()).toHaveTextContent('updated 15 s ago');

    act(() => vi.advanceTimersByTime(60_000));
    expect(indicator()).toHaveTextContent('updated 1 min ago');
  });

  it('turns stale once the data is older than the threshold, without any event', () => {
    render(<DataFreshnessIndicator {...defaults} updatedAt={NOW - 4 * MINUTE} />);
    expect(indicator()).toHaveAttribute('data-state', 'fresh');

    act(() => vi.advanceTimersByTime(2 * MINUTE));

    expect(indicator()).toHaveAttribute('data-state', 'stale');
    expect(indicator()).toHaveTextContent('stale: updated 6 min ago');
  });

  it('shows stale when the module flags the data stale', () => {
    render(<DataFreshnessIndicator {...defaults} stale />);

    expect(indicator()).toHaveAttribute('data-state', 'stale');
    expect(indicator()).toHaveTextContent('stale: updated 12 s ago');
  });

  it('says why a refresh waits to try again and counts down to it, with the error in the tooltip', () => {
    const retry = {
      error: { kind: 'rate_limited', message: 'Too many requests: the server asked us to wait.' },
      retryAt: NOW + 42_000,
    };
    render(<DataFreshnessIndicator {...defaults} loading retry={retry} />);

    expect(indicator()).toHaveAttribute('data-state', 'retrying');
    expect(indicator()).toHaveTextContent('server busy · retrying in 42 s');
    expect(indicator().getAttribute('title')).toContain('Too many requests');

    act(() => vi.advanceTimersByTime(40_000));
    expect(indicator()).toHaveTextContent('server busy · retrying in 2 s');
    act(() => vi.advanceTimersByTime(3_000));
    expect(indicator()).toHaveTextContent('server busy · retrying…');
  });

  it('names a network failure that is being retried as such', () => {
    const retry = { error: { kind: 'network', message: "Can't reach the server." }, retryAt: NOW + 900 };
    render(<DataFreshnessIndicator {...defaults} loading retry={retry} />);

    expect(indicator()).toHaveTextContent("can't reach server · retrying in 1 s");
  });

  it('shows a refresh in progress', () => {
    render(<DataFreshnessIndicator {...defaults} loading stale />);

    expect(indicator()).toHaveAttribute('data-state', 'loading');
    expect(indicator()).toHaveTextContent('refreshing…');
  });

  it('shows an error with the age of the data still shown, and the message on hover', () => {
    const error = { message: 'Can’t reach the server.' };
    render(<DataFreshnessIndicator {...defaults} error={error} stale />);

    expect(indicator()).toHaveAttribute('data-state', 'error');
    expect(indicator()).toHaveTextContent('refresh failed · updated 12 s ago');
    expect(indicator().getAttribute('title')).toContain(error.message);
  });

  it('says so when nothing could be loaded at all', () => {
    render(<DataFreshnessIndicator {...defaults} updatedAt={null} error={{ message: 'x' }} />);

    expect(indicator()).toHaveAttribute('data-state', 'error');
    expect(indicator()).toHaveTextContent('could not load');
  });

  it('is never stale while the live feed keeps the data current, and claims no change it did not see', () => {
    const { rerender } = render(<DataFreshnessIndicator {...defaults} updatedAt={NOW - 3000} feed="live" />);
    expect(indicator()).toHaveAttribute('data-state', 'live');
    expect(indicator()).toHaveTextContent('live · up to date');
    expect(indicator().getAttribute('title')).toContain('Kept current by the live feed; last fetched:');

    rerender(<DataFreshnessIndicator {...defaults} updatedAt={NOW - 20 * MINUTE} feed="live" />);
    expect(indicator()).toHaveAttribute('data-state', 'live');
    expect(indicator()).toHaveTextContent('live · up to date');
    // Not "last confirmed" 20 minutes ago: the feed confirms it all the while.
    expect(indicator().getAttribute('title')).not.toContain('Last confirmed');

    rerender(<DataFreshnessIndicator {...defaults} updatedAt={NOW - 20 * MINUTE} />);
    expect(indicator()).toHaveAttribute('data-state', 'stale');
    expect(indicator().getAttribute('title')).toContain('Last confirmed by the server');
  });

  it('does not pass young data off as current while the feed that would tell of changes is down', () => {
    const { rerender } = render(<DataFreshnessIndicator {...defaults} feed="down" />);
    expect(indicator()).toHaveAttribute('data-state', 'unconfirmed');
    expect(indicator()).toHaveTextContent('not live · updated 12 s ago');

    // Past the threshold it is stale, the stronger word.
    rerender(<DataFreshnessIndicator {...defaults} updatedAt={NOW - 20 * MINUTE} feed="down" />);
    expect(indicator()).toHaveAttribute('data-state', 'stale');
  });
});
