import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeLiveData } from '../test/fakeLiveData';
import { stubFetch } from '../test/fetchStub';
import { healthFixture, monitoringStatusFixture } from '../test/fixtures';
import { renderWithProviders } from '../test/render';
import { MONITORING_POLL_MS, MonitoringSection } from './MonitoringSection';

describe('MonitoringSection', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows health, the service targets and open alerts, asking with the bearer token', async () => {
    const fetchMock = stubFetch({
      '/monitoring/health': { status: 503, body: { ...healthFixture, status: 'fail' } },
      '/monitoring/status': { body: monitoringStatusFixture },
    });
    renderWithProviders(<MonitoringSection token="secret" />, { client: new FakeLiveData() });
    const section = screen.getByTestId('section-monitoring');

    // A failing check answers 503, and its report is still what to show.
    await waitFor(() => expect(within(section).getByTestId('health-status')).toHaveAttribute('data-status', 'fail'));
    await waitFor(() => expect(within(section).getByTestId('target-cache_hit_rate')).toHaveTextContent('50.0%'));
    expect(within(section).getByTestId('target-cache_hit_rate')).toHaveTextContent('Off target');
    expect(within(section).getByTestId('target-average_response_ms')).toHaveTextContent('0.8 ms');
    expect(within(section).getByTestId('target-sync_success_rate')).toHaveTextContent('100.0%');
    expect(within(section).getByTestId('alerts')).toHaveTextContent('Cache hit rate off target');
    expect(section).toHaveTextContent('serving from memory');
    for (const [, init] of fetchMock.mock.calls) {
      expect(new Headers(init?.headers).get('Authorization')).toBe('Bearer secret');
    }
  });

  it('lists every failing check, several under one name included', async () => {
    const consoleError = vi.spyOn(console, 'error');
    const check = healthFixture.checks['redis:connection']![0]!;
    const health = {
      status: 'warn' as const,
      checks: {
        'redis:connection': [
          { ...check, output: 'primary unreachable' },
          { ...check, output: 'replica unreachable' },
        ],
      },
    };
    stubFetch({ '/monitoring/health': { body: health }, '/monitoring/status': { body: monitoringStatusFixture } });
    renderWithProviders(<MonitoringSection token="secret" />, { client: new FakeLiveData() });
    const section = screen.getByTestId('section-monitoring');

    await waitFor(() => expect(section).toHaveTextContent('primary unreachable'));
    expect(section).toHaveTextContent('replica unreachable');
    expect(consoleError).not.toHaveBeenCalledWith(expect.stringMatching(/same key/), expect.anything(), expect.anything());
    consoleError.mockRestore();
  });

  it('shows a target without enough data as not judged yet, not as a number', async () => {
    const status = {
      ...monitoringStatusFixture,
      targets: monitoringStatusFixture.targets.map((target) =>
        target.name === 'average_response_ms' ? { ...target, current: null, met: true } : target,
      ),
    };
    stubFetch({ '/monitoring/health': { body: healthFixture }, '/monitoring/status': { body: status } });
    renderWithProviders(<MonitoringSection token="t" />, { client: new FakeLiveData() });
    const tile = await screen.findByTestId('target-average_response_ms');
    expect(tile).toHaveTextContent('—');
    expect(tile).toHaveTextContent('Not enough data yet');
  });

  it('names the window each target is judged over', async () => {
    stubFetch({ '/monitoring/health': { body: healthFixture }, '/monitoring/status': { body: monitoringStatusFixture } });
    renderWithProviders(<MonitoringSection token="t" />, { client: new FakeLiveData() });
    expect(await screen.findByTestId('target-error_rate')).toHaveTextContent('On target (< 1.00%), last 5 min');
    expect(screen.getByTestId('target-sync_success_rate')).toHaveTextContent(/, last hour$/);
  });

  it('shows the health as unknown, with its last report, while the server does not answer', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let down = false;
    const answer = (body: unknown) => () => {
      if (down) throw new TypeError('Failed to fetch');
      return { body };
    };
    stubFetch({
      '/monitoring/health': answer({ ...healthFixture, status: 'pass' }),
      '/monitoring/status': answer(monitoringStatusFixture),
    });
    renderWithProviders(<MonitoringSection token="t" />, { client: new FakeLiveData() });
    const status = () => screen.getByTestId('health-status');
    await waitFor(() => expect(status()).toHaveAttribute('data-status', 'pass'));
    expect(status()).toHaveTextContent('Healthy');

    down = true;
    await act(async () => {
      await vi.advanceTimersByTimeAsync(MONITORING_POLL_MS);
    });
    await waitFor(() => expect(status()).toHaveAttribute('data-status', 'unknown'));
    expect(status()).toHaveTextContent('Unknown');
    expect(screen.getByTestId('section-monitoring')).toHaveTextContent(/last report Healthy, at .* UTC/);

    down = false;
    await act(async () => {
      await vi.advanceTimersByTimeAsync(MONITORING_POLL_MS);
    });
    await waitFor(() => expect(status()).toHaveAttribute('data-status', 'pass'));
  });

  it('takes a 503 that is not a health report (a proxy’s page, an outage) for an outage, and recovers by itself', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let outage = false;
    stubFetch({
      '/monitoring/health': () =>
        outage
          ? { status: 503, body: { error: { code: 'unavailable', message: 'down' } } }
          : { body: { ...healthFixture, status: 'pass' } },
      '/monitoring/status': { body: monitoringStatusFixture },
    });
    renderWithProviders(<MonitoringSection token="t" />, { client: new FakeLiveData() });
    const status = () => screen.getByTestId('health-status');
    await waitFor(() => expect(status()).toHaveAttribute('data-status', 'pass'));

    outage = true;
    await act(async () => {
      await vi.advanceTimersByTimeAsync(MONITORING_POLL_MS);
    });
    await waitFor(() => expect(status()).toHaveAttribute('data-status', 'unknown'));
    expect(screen.getByTestId('section-monitoring')).not.toHaveTextContent('could not be shown');

    outage = false;
    await act(async () => {
      await vi.advanceTimersByTimeAsync(MONITORING_POLL_MS);
    });
    await waitFor(() => expect(status()).toHaveAttribute('data-status', 'pass'));
  });

  it('polls every 10 seconds', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const fetchMock = stubFetch({
      '/monitoring/health': { body: healthFixture },
      '/monitoring/status': { body: monitoringStatusFixture },
    });
    renderWithProviders(<MonitoringSection token="t" />, { client: new FakeLiveData() });
    await waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(2));

    await act(async () => {
      await vi.advanceTimersByTimeAsync(MONITORING_POLL_MS);
    });

    expect(fetchMock).toHaveBeenCalledTimes(4);
  });

  it('reports a rejected token once, in a toast and the indicator', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const unauthorized = { status: 401, body: { error: { code: 'unauthorized', message: 'no' } } };
    stubFetch({ '/monitoring/health': unauthorized, '/monitoring/status': unauthorized });
    renderWithProviders(<MonitoringSection token="wrong" />, { client: new FakeLiveData() });

    await waitFor(() => expect(screen.getByTestId('freshness')).toHaveAttribute('data-state', 'error'));
    // One per route and status.
    await waitFor(() => expect(screen.getAllByTestId('toast')).toHaveLength(2));
    expect(screen.getAllByTestId('toast')[0]).toHaveTextContent('The admin token was not accepted.');

    // Past the toasts' own lifetime, polls that fail the same way do not bring them back.
    await act(async () => {
      await vi.advanceTimersByTimeAsync(MONITORING_POLL_MS * 2);
    });
    expect(screen.queryByTestId('toast')).not.toBeInTheDocument();
    expect(screen.getByTestId('freshness')).toHaveAttribute('data-state', 'error');
  });
});
