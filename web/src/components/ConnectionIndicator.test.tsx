import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeLiveData } from '../test/fakeLiveData';
import { renderWithProviders } from '../test/render';
import { ConnectionIndicator } from './ConnectionIndicator';

describe('ConnectionIndicator', () => {
  it('follows the module’s connection events and shows the last change', () => {
    const client = new FakeLiveData();
    renderWithProviders(<ConnectionIndicator />, { client });
    expect(screen.getByTestId('connection')).toHaveAttribute('data-state', 'idle');

    act(() => client.emit('livedata:connection', { state: 'live', version: 12, lastChangeAt: Date.now() - 5500 }));
    expect(screen.getByTestId('connection')).toHaveAttribute('data-state', 'live');
    expect(screen.getByTestId('connection')).toHaveTextContent('Live · last change 5 s ago');

    act(() => client.emit('livedata:connection', { state: 'reconnecting', version: 12, lastChangeAt: null }));
    expect(screen.getByTestId('connection')).toHaveTextContent('Reconnecting…');
    expect(screen.getByTestId('connection')).not.toHaveTextContent('last change');
  });

  it('announces the state, not the age that changes every second', () => {
    const client = new FakeLiveData();
    renderWithProviders(<ConnectionIndicator />, { client });
    act(() => client.emit('livedata:connection', { state: 'live', version: 12, lastChangeAt: Date.now() - 5500 }));
    const region = screen.getByTestId('connection').querySelector('[role="status"]');
    expect(region).toHaveTextContent(/^Live$/);
    expect(screen.getByTestId('connection').getAttribute('role')).toBeNull();
  });
});
