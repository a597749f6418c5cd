import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeLiveData } from '../test/fakeLiveData';
import { stubFetch } from '../test/fetchStub';
import { syncStatusFixture } from '../test/fixtures';
import { renderWithProviders } from '../test/render';
import { SyncStatusControl } from './SyncStatusControl';

describe('SyncStatusControl', () => {
  beforeEach(() => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows when the backend last synced', async () => {
    stubFetch({ '/api/sync/status': { body: syncStatusFixture() } });
    renderWithProviders(<SyncStatusControl token="t" />);

    await waitFor(() => expect(screen.getByTestId('sync-status')).toHaveTextContent('Synced 30 s ago'));
    expect(screen.getByTestId('sync-status')).toHaveAttribute('data-state', 'idle');
  });

  it('says what the last sync failed of in its tooltip', async () => {
    const failure = { entity: 'campaigns', message: 'http 503: upstream unavailable', at: Date.now() - 5000 };
    stubFetch({ '/api/sync/status': { body: syncStatusFixture({ state: 'failed', lastError: failure }) } });
    renderWithProviders(<SyncStatusControl token="t" />);

    await waitFor(() => expect(screen.getByTestId('sync-status')).toHaveTextContent('Last sync failed'));
    expect(screen.getByText('Last sync failed')).toHaveAttribute('title', 'campaigns: http 503: upstream unavailable');
  });

  it('asks for the status at once when the live feed reports a change, not at the next poll', async () => {
    let status = syncStatusFixture();
    const fetchMock = stubFetch({ '/api/sync/status': () => ({ body: status }) });
    const client = new FakeLiveData();
    renderWithProviders(<SyncStatusControl token="t" />, { client });
    await waitFor(() => expect(screen.getByTestId('sync-status')).toHaveTextContent('Synced 30 s ago'));
    const asked = fetchMock.mock.calls.length;

    status = syncStatusFixture({
      entities: { campaigns: { lastSuccessAt: Date.now() - 1000, lastError: null, recordsSynced: 301 } },
    });
    act(() => client.emit('livedata:connection', { state: 'live', version: 13, lastChangeAt: Date.now() }));
    await waitFor(() => expect(screen.getByTestId('sync-status')).toHaveTextContent('Synced 1 s ago'));
    expect(fetchMock.mock.calls.length).toBe(asked + 1);
  });

  it('asks once when it mounts while the feed is already live', async () => {
    const fetchMock = stubFetch({ '/api/sync/status': { body: syncStatusFixture() } });
    const client = new FakeLiveData();
    client.connectionStatus = { state: 'live', version: 12, lastChangeAt: Date.now() - 5000 };
    renderWithProviders(<SyncStatusControl token="t" />, { client });
    await waitFor(() => expect(screen.getByTestId('sync-status')).toHaveTextContent('Synced 30 s ago'));
    await act(() => vi.advanceTimersByTimeAsync(500));
    expect(fetchMock.mock.calls.length).toBe(1);
  });

  it('starts a sync, then refreshes the dashboard’s data once the sync has finished', async () => {
    let status = syncStatusFixture();
    const fetchMock = stubFetch({
      '/api/sync/status': () => ({ body: status }),
      '/api/sync': { status: 202, body: { accepted: 'queued', status } },
    });
    const client = new FakeLiveData();
    renderWithProviders(<SyncStatusControl token="secret" />, { client });
    await waitFor(() => expect(screen.getByTestId('sync-status')).toHaveTextContent('Synced'));

    fireEvent.click(screen.getByTestId('sync-button'));

    await waitFor(() => expect(fetchMock.mock.calls.some(([url]) => String(url).endsWith('/api/sync'))).toBe(true));
    const [, init] = fetchMock.mock.calls.find(([url]) => String(url).endsWith('/api/sync'))!;
    expect(init?.method).toBe('POST');
    expect(JSON.parse(String(init?.body))).toEqual({ force: false });
    const headers = new Headers(init?.headers);
    expect(headers.get('Content-Type')).toBe('application/json');
    expect(headers.get('Authorization')).toBe('Bearer secret');
    await waitFor(() => expect(screen.getByTestId('sync-button')).toHaveTextContent('Syncing…'));
    expect(client.forceRefreshData).not.toHaveBeenCalled();

    status = syncStatusFixture({ counters: { ...status.counters, runs: 2, successes: 2 } });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1500);
    });

    expect(client.forceRefreshData).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('sync-button')).toHaveTextContent('Sync now');
    expect(screen.getByTestId('sync-button')).toBeEnabled();
  });

  it('watches a running sync every second, without asking twice when it learns it runs', async () => {
    const fetchMock = stubFetch({ '/api/sync/status': { body: syncStatusFixture({ state: 'running' }) } });
    const statusCalls = () => fetchMock.mock.calls.filter(([url]) => String(url).endsWith('/api/sync/status')).length;
    renderWithProviders(<SyncStatusControl token="t" />);
    await waitFor(() => expect(screen.getByTestId('sync-status')).toHaveAttribute('data-state', 'running'));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(500);
    });
    expect(statusCalls()).toBe(1);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(600);
    });
    expect(statusCalls()).toBe(2);
  });

  it('toasts a sync that could not start', async () => {
    stubFetch({
      '/api/sync/status': { body: syncStatusFixture() },
      '/api/sync': { status: 503, body: { error: { code: 'store_unavailable', message: 'x' } } },
    });
    renderWithProviders(<SyncStatusControl token="t" />);
    await waitFor(() => expect(screen.getByTestId('sync-status')).toHaveTextContent('Synced'));

    fireEvent.click(screen.getByTestId('sync-button'));

    await waitFor(() => expect(screen.getByTestId('toast')).toHaveTextContent('Sync could not start'));
    expect(screen.getByTestId('sync-button')).toBeEnabled();
  });
});
