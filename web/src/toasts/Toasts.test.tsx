import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeLiveData, makeError } from '../test/fakeLiveData';
import { renderWithProviders } from '../test/render';
import { LiveDataErrorToasts } from './LiveDataErrorToasts';
import { TOAST_AUTO_DISMISS_MS, ToastProvider, useToasts, type ToastInput } from './ToastProvider';

function NotifyButton({ toast }: { toast: ToastInput }) {
  const { notify } = useToasts();
  return (
    <button type="button" onClick={() => notify(toast)}>
      notify {toast.key}
    </button>
  );
}

const campaignsDown: ToastInput = {
  key: 'campaigns:http_server',
  title: 'Campaigns could not load',
  message: 'The server ran into a problem.',
};
const flowsTimeout: ToastInput = {
  key: 'flows:timeout',
  title: 'Flows could not load',
  message: 'The server is taking too long to respond.',
};

function renderToasts() {
  render(
    <ToastProvider>
      <NotifyButton toast={campaignsDown} />
      <NotifyButton toast={flowsTimeout} />
    </ToastProvider>,
  );
  return {
    notify: (toast: ToastInput) => fireEvent.click(screen.getByText(`notify ${toast.key}`)),
  };
}

describe('toasts', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('live region is in the page before any toast, so additions are announced', () => {
    renderToasts();

    const region = screen.getByRole('status');
    expect(region).toHaveAttribute('aria-live', 'polite');
    expect(region).toBeEmptyDOMElement();
  });

  it('shows the message inside the live region', () => {
    const { notify } = renderToasts();
    notify(campaignsDown);

    const toast = screen.getByTestId('toast');
    expect(screen.getByRole('status')).toContainElement(toast);
    expect(toast).toHaveTextContent('Campaigns could not load');
    expect(toast).toHaveTextContent('The server ran into a problem.');
  });

  it('does not stack the same problem twice, but shows different ones', () => {
    const { notify } = renderToasts();
    notify(campaignsDown);
    notify(campaignsDown);
    expect(screen.getAllByTestId('toast')).toHaveLength(1);

    notify(flowsTimeout);
    expect(screen.getAllByTestId('toast')).toHaveLength(2);
  });

  it('is dismissed with its close button', () => {
    const { notify } = renderToasts();
    notify(campaignsDown);
    notify(flowsTimeout);

    fireEvent.click(screen.getByRole('button', { name: 'Dismiss: Campaigns could not load' }));

    expect(screen.getAllByTestId('toast')).toHaveLength(1);
    expect(screen.getByTestId('toast')).toHaveTextContent('Flows could not load');
  });

  it('dismisses itself after a while, counting again when the problem recurs', () => {
    const { notify } = renderToasts();
    notify(campaignsDown);

    act(() => vi.advanceTimersByTime(TOAST_AUTO_DISMISS_MS - 1000));
    notify(campaignsDown);
    act(() => vi.advanceTimersByTime(TOAST_AUTO_DISMISS_MS - 1000));
    expect(screen.getByTestId('toast')).toBeInTheDocument();

    act(() => vi.advanceTimersByTime(1000));
    expect(screen.queryByTestId('toast')).not.toBeInTheDocument();
  });

  it('stays while it is pointed at or holds the focus, and counts afresh after', () => {
    const { notify } = renderToasts();
    notify(campaignsDown);
    fireEvent.mouseEnter(screen.getByTestId('toast'));
    act(() => vi.advanceTimersByTime(3 * TOAST_AUTO_DISMISS_MS));
    expect(screen.getByTestId('toast')).toBeInTheDocument();
    fireEvent.mouseLeave(screen.getByTestId('toast'));

    fireEvent.focus(screen.getByRole('button', { name: /Dismiss/ }));
    act(() => vi.advanceTimersByTime(3 * TOAST_AUTO_DISMISS_MS));
    expect(screen.getByTestId('toast')).toBeInTheDocument();
    fireEvent.blur(screen.getByRole('button', { name: /Dismiss/ }));

    act(() => vi.advanceTimersByTime(TOAST_AUTO_DISMISS_MS - 1));
    expect(screen.getByTestId('toast')).toBeInTheDocument();
    act(() => vi.advanceTimersByTime(1));
    expect(screen.queryByTestId('toast')).not.toBeInTheDocument();
  });
});

describe('LiveDataErrorToasts', () => {
  it('toasts the module’s errors once per endpoint and kind, with their user-facing message', () => {
    const client = new FakeLiveData();
    renderWithProviders(<LiveDataErrorToasts />, { client });
    const error = makeError('campaigns', { message: 'The server ran into a problem.' });

    act(() => {
      client.emit('livedata:error', { endpoint: 'campaigns', key: 'campaigns', error, servedStale: true });
      client.emit('livedata:error', { endpoint: 'campaigns', key: 'campaigns?status=sent', error, servedStale: true });
    });

    const toast = screen.getByTestId('toast');
    expect(toast).toHaveTextContent('The server ran into a problem.');
    expect(toast).toHaveTextContent('Campaigns: showing earlier data');
  });

  it('makes one toast of one cause, naming every section it hit', () => {
    const client = new FakeLiveData();
    renderWithProviders(<LiveDataErrorToasts />, { client });
    act(() => {
      for (const endpoint of ['overview', 'campaigns', 'flows']) {
        const error = makeError(endpoint, { kind: 'network', status: 0, message: 'Can’t reach the server.' });
        client.emit('livedata:error', { endpoint, key: endpoint, error, servedStale: false });
      }
    });
    expect(screen.getAllByTestId('toast')).toHaveLength(1);
    expect(screen.getByTestId('toast')).toHaveTextContent('Overview, Campaigns and Flows could not load');

    act(() => {
      const error = makeError('forms', { kind: 'http_server', status: 503, message: 'The server ran into a problem.' });
      client.emit('livedata:error', { endpoint: 'forms', key: 'forms', error, servedStale: false });
    });
    expect(screen.getAllByTestId('toast')).toHaveLength(2); // another cause is another toast
  });

  it('does not bring back a dismissed toast while its cause lasts, but does once it recurs', () => {
    const client = new FakeLiveData();
    renderWithProviders(<LiveDataErrorToasts />, { client });
    const error = makeError('campaigns', { kind: 'network', status: 0, message: 'Can’t reach the server.' });
    const fail = () =>
      act(() => client.emit('livedata:error', { endpoint: 'campaigns', key: 'campaigns', error, servedStale: false }));
    fail();
    fireEvent.click(screen.getByRole('button', { name: /Dismiss/ }));
    fail(); // the module's next try fails too
    expect(screen.queryByTestId('toast')).not.toBeInTheDocument();

    act(() => client.emit('livedata:updated', { endpoint: 'campaigns', key: 'campaigns', updatedAt: 1, fromCache: false }));
    fail();
    expect(screen.getByTestId('toast')).toHaveTextContent('Campaigns could not load');
  });

  it('takes its toast away once every section the cause hit has data again', () => {
    const client = new FakeLiveData();
    renderWithProviders(<LiveDataErrorToasts />, { client });
    act(() => {
      for (const endpoint of ['campaigns', 'flows']) {
        const error = makeError(endpoint, { kind: 'network', status: 0, message: 'Can’t reach the server.' });
        client.emit('livedata:error', { endpoint, key: endpoint, error, servedStale: true });
      }
    });
    const recovered = (endpoint: string) =>
      act(() => client.emit('livedata:updated', { endpoint, key: endpoint, updatedAt: 1, fromCache: true }));
    recovered('campaigns');
    expect(screen.getByTestId('toast')).toHaveTextContent('Campaigns and Flows: showing earlier data');
    recovered('flows');
    expect(screen.queryByTestId('toast')).not.toBeInTheDocument();
  });

  it('does not toast cancelled requests', () => {
    const client = new FakeLiveData();
    renderWithProviders(<LiveDataErrorToasts />, { client });

    act(() =>
      client.emit('livedata:error', {
        endpoint: 'flows',
        key: 'flows',
        error: makeError('flows', { kind: 'cancelled', message: 'The request was cancelled.' }),
        servedStale: false,
      }),
    );

    expect(screen.queryByTestId('toast')).not.toBeInTheDocument();
  });
});
