import { act, fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { RefreshReport } from '@livedata/wasm';
import { FakeLiveData, makeError } from '../test/fakeLiveData';
import { renderWithProviders } from '../test/render';
import { RefreshButton } from './RefreshButton';

describe('RefreshButton', () => {
  it('refreshes every endpoint and shows it is busy until the refresh ends', async () => {
    const client = new FakeLiveData();
    let finish: (report: RefreshReport) => void = () => {};
    client.forceRefreshData.mockImplementation(() => new Promise((resolve) => (finish = resolve)));
    renderWithProviders(<RefreshButton />, { client });
    const button = screen.getByTestId('refresh-button');
    expect(button).toHaveTextContent('Refresh');

    fireEvent.click(button);

    expect(client.forceRefreshData).toHaveBeenCalledTimes(1);
    expect(client.forceRefreshData).toHaveBeenCalledWith();
    expect(button).toHaveAttribute('aria-disabled', 'true');
    expect(button).toHaveAttribute('aria-busy', 'true');
    expect(button).toHaveTextContent('Refreshing…');
    fireEvent.click(button);
    expect(client.forceRefreshData).toHaveBeenCalledTimes(1); // a second press while busy does nothing
    expect(button).not.toBeDisabled(); // and keeps the keyboard's focus where it is

    await act(async () => finish({ endpoints: [], allOk: true }));

    expect(button).toHaveAttribute('aria-disabled', 'false');
    expect(button).toHaveAttribute('aria-busy', 'false');
    expect(button).toHaveTextContent('Refresh');
  });

  it('is usable again once every request is answered or waits to be tried again', async () => {
    const client = new FakeLiveData();
    client.forceRefreshData.mockImplementation(() => {
      client.emit('livedata:loading', { endpoint: 'campaigns', key: 'campaigns', loading: true });
      client.emit('livedata:loading', { endpoint: 'flows', key: 'flows', loading: true });
      return new Promise(() => {}); // flows waits out a long Retry-After
    });
    renderWithProviders(<RefreshButton />, { client });
    const button = screen.getByTestId('refresh-button');
    fireEvent.click(button);
    expect(button).toHaveTextContent('Refreshing…');

    act(() => client.emit('livedata:loading', { endpoint: 'campaigns', key: 'campaigns', loading: false }));
    expect(button).toHaveTextContent('Refreshing…');
    const error = makeError('flows', { kind: 'rate_limited', status: 429 });
    act(() => client.emit('livedata:retry', { endpoint: 'flows', key: 'flows', error, delayMs: 60_000, retryAt: 1 }));
    expect(button).toHaveTextContent('Refresh');
    expect(button).toHaveAttribute('aria-busy', 'false');
  });

  it('becomes usable again and says so when the client cannot refresh', async () => {
    const client = new FakeLiveData();
    client.forceRefreshData.mockRejectedValue(new Error('this livedata client was disposed'));
    renderWithProviders(<RefreshButton />, { client });

    await act(async () => fireEvent.click(screen.getByTestId('refresh-button')));

    expect(screen.getByTestId('refresh-button')).toHaveAttribute('aria-disabled', 'false');
    expect(screen.getByTestId('toast')).toHaveTextContent('Refresh failed');
  });
});
