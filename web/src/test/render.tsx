import { render, type RenderOptions } from '@testing-library/react';
import type { ReactElement, ReactNode } from 'react';
import { AdminTokenProvider } from '../admin/adminToken';
import { LiveDataContext } from '../livedata-context';
import { ToastProvider } from '../toasts/ToastProvider';
import { FakeLiveData } from './fakeLiveData';

export interface TestProviderOptions {
  client?: FakeLiveData;
  staleThresholdMs?: number;
  adminToken?: string;
}

/** The app's providers around `children`, over a fake client. */
export function TestProviders({
  client = new FakeLiveData(),
  staleThresholdMs = 300_000,
  adminToken = '',
  children,
}: TestProviderOptions & { children: ReactNode }) {
  return (
    <LiveDataContext.Provider value={{ client: client.asLiveData(), staleThresholdMs }}>
      <AdminTokenProvider initialToken={adminToken}>
        <ToastProvider>{children}</ToastProvider>
      </AdminTokenProvider>
    </LiveDataContext.Provider>
  );
}

export function renderWithProviders(
  ui: ReactElement,
  options: TestProviderOptions & Omit<RenderOptions, 'wrapper'> = {},
) {
  const { client = new FakeLiveData(), staleThresholdMs, adminToken, ...renderOptions } = options;
  const result = render(ui, {
    wrapper: ({ children }) => (
      <TestProviders client={client} staleThresholdMs={staleThresholdMs} adminToken={adminToken}>
        {children}
      </TestProviders>
    ),
    ...renderOptions,
  });
  return { ...result, client };
}
