import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { FakeLiveData, fakeKey, fallbackResult, makeError, okResult } from '../test/fakeLiveData';
import { TestProviders } from '../test/render';
import { useLiveData } from './useLiveData';

type Page = { items: string[] };
const EMPTY: Page = { items: [] };

function setup(client: FakeLiveData, initialParams: { status?: string; sort?: string } = {}) {
  const wrapper = ({ children }: { children: ReactNode }) => <TestProviders client={client}>{children}</TestProviders>;
  return renderHook(({ params }) => useLiveData<Page>('campaigns', params), {
    wrapper,
    initialProps: { params: initialParams },
  });
}

// A page per status, the 'draft' one answered only when the test releases it.
function draftHeldBack() {
  let releaseDraft: () => void = () => {};
  const client = new FakeLiveData().respond('campaigns', (params) => {
    const page = okResult('campaigns', { items: [String(params?.status)] });
    if (params?.status !== 'draft') return page;
    return new Promise((resolve) => (releaseDraft = () => resolve(page)));
  });
  return { client, release: () => releaseDraft() };
}

describe('useLiveData', () => {
  it('fetches on mount and returns the data with its metadata', async () => {
    const client = new FakeLiveData().respond(
      'campaigns',
      okResult('campaigns', { items: ['a'] }, { updatedAt: 1000 }),
    );
    const { result } = setup(client, { sort: 'name' });

    expect(result.current.loading).toBe(true);
    expect(result.current.data).toBeUndefined();
    await waitFor(() => expect(result.current.data).toEqual({ items: ['a'] }));
    expect(result.current).toMatchObject({
      loading: false,
      error: null,
      stale: false,
      fallback: false,
      updatedAt: 1000,
    });
    expect(client.watch).toHaveBeenCalledWith('campaigns', { sort: 'name' }, expect.any(Function));
    expect(client.get).not.toHaveBeenCalled();
  });

  it('shows the new data the module delivers for the watched call, without asking for it', async () => {
    let items = ['old'];
    const client = new FakeLiveData().respond('campaigns', () => okResult('campaigns', { items }));
    const { result } = setup(client);
    await waitFor(() => expect(result.current.data).toEqual({ items: ['old'] }));

    items = ['new'];
    await act(() => client.push('campaigns'));

    expect(result.current.data).toEqual({ items: ['new'] });
    expect(client.get).not.toHaveBeenCalled();
    expect(client.watch).toHaveBeenCalledTimes(1);
  });

  it('is not touched by changes of other endpoints', async () => {
    let items = ['kept'];
    const client = new FakeLiveData()
      .respond('campaigns', () => okResult('campaigns', { items }))
      .respond('flows', () => okResult('flows', { items: ['flow'] }));
    const { result } = setup(client, { status: 'sent' });
    await waitFor(() => expect(result.current.data).toEqual({ items: ['kept'] }));

    items = ['changed'];
    await act(() => client.push('flows'));

    expect(result.current.data).toEqual({ items: ['kept'] });
  });

  it('keeps the last data and reports the error when a request fails', async () => {
    let fail = false;
    const client = new FakeLiveData().respond('campaigns', () =>
      fail ? fallbackResult('campaigns', EMPTY) : okResult('campaigns', { items: ['kept'] }, { updatedAt: 5000 }),
    );
    const { result } = setup(client);
    await waitFor(() => expect(result.current.data).toEqual({ items: ['kept'] }));

    fail = true;
    await act(() => result.current.refetch());

    expect(result.current.data).toEqual({ items: ['kept'] });
    expect(result.current.error?.kind).toBe('http_server');
    expect(result.current.stale).toBe(true);
    expect(result.current.updatedAt).toBe(5000);
    expect(client.get).toHaveBeenLastCalledWith('campaigns', {}, { forceFresh: true });
  });

  it('clears the error once a request succeeds again', async () => {
    const client = new FakeLiveData().respond('campaigns', fallbackResult('campaigns', EMPTY));
    const { result } = setup(client);
    await waitFor(() => expect(result.current.error).not.toBeNull());
    expect(result.current.fallback).toBe(true);

    client.respond('campaigns', okResult('campaigns', { items: ['back'] }));
    await act(() => result.current.refetch());

    expect(result.current).toMatchObject({ data: { items: ['back'] }, error: null, fallback: false });
  });

  it('shows errors of refreshes started elsewhere, keeping the data', async () => {
    const client = new FakeLiveData().respond('campaigns', okResult('campaigns', { items: ['a'] }));
    const { result } = setup(client);
    await waitFor(() => expect(result.current.data).toBeDefined());

    const error = makeError('campaigns', { kind: 'timeout', message: 'The server is taking too long to respond.' });
    act(() =>
      client.emit('livedata:error', { endpoint: 'campaigns', key: fakeKey('campaigns', {}), error, servedStale: true }),
    );

    expect(result.current.error).toEqual(error);
    expect(result.current.stale).toBe(true);
    expect(result.current.data).toEqual({ items: ['a'] });
  });

  it('knows while loading that a failed try waits to be repeated, and forgets it when loading ends', async () => {
    const client = new FakeLiveData().respond('campaigns', okResult('campaigns', { items: ['a'] }));
    const { result } = setup(client);
    await waitFor(() => expect(result.current.data).toBeDefined());
    const key = fakeKey('campaigns', {});
    const error = makeError('campaigns', { kind: 'rate_limited', status: 429, message: 'Too many requests.' });

    act(() => client.emit('livedata:loading', { endpoint: 'campaigns', key, loading: true }));
    act(() => client.emit('livedata:retry', { endpoint: 'campaigns', key, error, delayMs: 30_000, retryAt: 123_456 }));
    act(() => client.emit('livedata:retry', { endpoint: 'flows', key: 'flows', error, delayMs: 1, retryAt: 1 }));
    expect(result.current).toMatchObject({ loading: true, retry: { error, retryAt: 123_456 } });

    act(() => client.emit('livedata:loading', { endpoint: 'campaigns', key, loading: false }));
    expect(result.current).toMatchObject({ loading: false, retry: null });
  });

  it('follows the module’s loading and stale events for its key', async () => {
    const client = new FakeLiveData().respond('campaigns', okResult('campaigns', EMPTY));
    const { result } = setup(client);
    await waitFor(() => expect(result.current.loading).toBe(false));
    const key = fakeKey('campaigns', {});

    act(() => client.emit('livedata:loading', { endpoint: 'campaigns', key, loading: true }));
    expect(result.current.loading).toBe(true);
    act(() => client.emit('livedata:loading', { endpoint: 'campaigns', key, loading: false }));
    expect(result.current.loading).toBe(false);

    act(() => client.emit('livedata:stale', { endpoint: 'campaigns', key, lastUpdated: 0, ageMs: 400_000 }));
    expect(result.current.stale).toBe(true);
  });

  it('refetches when the params change, not when equal params are a new object', async () => {
    const client = new FakeLiveData().respond('campaigns', (params) =>
      okResult('campaigns', { items: [String(params?.sort)] }),
    );
    const { result, rerender } = setup(client, { sort: 'name' });
    await waitFor(() => expect(result.current.data).toEqual({ items: ['name'] }));

    rerender({ params: { sort: 'name' } });
    expect(client.watch).toHaveBeenCalledTimes(1);

    rerender({ params: { sort: '-revenue' } });
    await waitFor(() => expect(result.current.data).toEqual({ items: ['-revenue'] }));
    expect(client.watch).toHaveBeenCalledTimes(2);
    expect(client.watcherCount()).toBe(1);
  });

  it('never lets a slow answer for old params overwrite newer data', async () => {
    let releaseSlow: () => void = () => {};
    const client = new FakeLiveData().respond('campaigns', (params) => {
      const result = okResult('campaigns', { items: [String(params?.sort)] });
      if (params?.sort !== 'slow') return result;
      return new Promise((resolve) => (releaseSlow = () => resolve(result)));
    });
    const { result, rerender } = setup(client, { sort: 'slow' });
    rerender({ params: { sort: 'fast' } });
    await waitFor(() => expect(result.current.data).toEqual({ items: ['fast'] }));

    await act(async () => releaseSlow());

    expect(result.current.data).toEqual({ items: ['fast'] });
  });

  it('clears an error once the server confirms the data, a 304 the watch does not deliver included', async () => {
    const client = new FakeLiveData().respond('campaigns', okResult('campaigns', { items: ['a'] }, { updatedAt: 1000 }));
    const { result } = setup(client);
    await waitFor(() => expect(result.current.data).toBeDefined());
    const key = fakeKey('campaigns', {});
    act(() =>
      client.emit('livedata:error', { endpoint: 'campaigns', key, error: makeError('campaigns'), servedStale: true }),
    );
    expect(result.current.error).not.toBeNull();

    act(() => client.emit('livedata:updated', { endpoint: 'campaigns', key, updatedAt: 9000, fromCache: false }));

    expect(result.current).toMatchObject({ error: null, stale: false, updatedAt: 9000, data: { items: ['a'] } });
  });

  it('counts the age from the module’s last confirmation when the live feed stops vouching for the data', async () => {
    const client = new FakeLiveData().respond('campaigns', okResult('campaigns', { items: ['a'] }, { updatedAt: 1000 }));
    const { result } = setup(client);
    await waitFor(() => expect(result.current.updatedAt).toBe(1000));
    const key = fakeKey('campaigns', {});
    // While live, the feed confirmed the entry silently; the module holds it as of 50,000.
    client.peek.mockReturnValue(okResult('campaigns', { items: ['a'] }, { key, updatedAt: 50_000, fromCache: true }));

    act(() => client.emit('livedata:connection', { state: 'live', version: 3, lastChangeAt: null }));
    expect(result.current.updatedAt).toBe(1000);
    act(() => client.emit('livedata:connection', { state: 'reconnecting', version: 3, lastChangeAt: null }));

    expect(result.current).toMatchObject({ updatedAt: 50_000, stale: false, data: { items: ['a'] } });
    expect(client.peek).toHaveBeenCalledWith('campaigns', {});
  });

  it('marks the previous parameters’ data as a placeholder while the new ones load', async () => {
    const { client, release } = draftHeldBack();
    const { result, rerender } = setup(client, { status: 'sent' });
    await waitFor(() => expect(result.current.data).toEqual({ items: ['sent'] }));

    rerender({ params: { status: 'draft' } });
    expect(result.current).toMatchObject({ data: { items: ['sent'] }, placeholder: true, loading: true });

    await act(async () => release());
    expect(result.current).toMatchObject({ data: { items: ['draft'] }, placeholder: false, loading: false });
  });

  it('ignores the end, failure or retry of the previous parameters’ request while the new ones load', async () => {
    const { client, release } = draftHeldBack();
    const { result, rerender } = setup(client, { status: 'sent' });
    await waitFor(() => expect(result.current.data).toEqual({ items: ['sent'] }));
    const leftKey = fakeKey('campaigns', { status: 'sent' });

    rerender({ params: { status: 'draft' } });
    act(() => client.emit('livedata:loading', { endpoint: 'campaigns', key: leftKey, loading: false }));
    act(() => client.emit('livedata:error', { endpoint: 'campaigns', key: leftKey, error: makeError('campaigns'), servedStale: true }));
    act(() => client.emit('livedata:retry', { endpoint: 'campaigns', key: leftKey, error: makeError('campaigns'), delayMs: 1000, retryAt: 1 }));
    expect(result.current).toMatchObject({ loading: true, error: null, retry: null, stale: false, placeholder: true });

    // The new parameters' own first load is followed before its key is known.
    const newKey = fakeKey('campaigns', { status: 'draft' });
    act(() => client.emit('livedata:retry', { endpoint: 'campaigns', key: newKey, error: makeError('campaigns'), delayMs: 1000, retryAt: 2 }));
    expect(result.current.retry).toMatchObject({ retryAt: 2 });

    await act(async () => release());
    expect(result.current).toMatchObject({ data: { items: ['draft'] }, placeholder: false, loading: false, error: null });
  });

  it('follows its own key again when it comes back to the parameters it left before the new ones loaded', async () => {
    // Only the first request answers; the later ones are still loading when the test looks.
    let answered = 0;
    const client = new FakeLiveData().respond('campaigns', (params) =>
      answered++ === 0 ? okResult('campaigns', { items: [String(params?.status)] }) : new Promise<never>(() => {}),
    );
    const { result, rerender } = setup(client, { status: 'sent' });
    await waitFor(() => expect(result.current.data).toEqual({ items: ['sent'] }));
    const sentKey = fakeKey('campaigns', { status: 'sent' });
    rerender({ params: { status: 'draft' } });
    rerender({ params: { status: 'sent' } });  // back before the draft page's key was learnt
    act(() => client.emit('livedata:retry', { endpoint: 'campaigns', key: sentKey, error: makeError('campaigns'), delayMs: 1000, retryAt: 7 }));
    expect(result.current).toMatchObject({ loading: true, retry: { retryAt: 7 } });
  });

  it('shows the failure of new parameters, never the previous ones’ data as theirs', async () => {
    const client = new FakeLiveData().respond('campaigns', (params) =>
      params?.status === 'draft'
        ? fallbackResult('campaigns', EMPTY)
        : okResult('campaigns', { items: [String(params?.status)] }),
    );
    const { result, rerender } = setup(client, { status: 'sent' });
    await waitFor(() => expect(result.current.data).toEqual({ items: ['sent'] }));

    rerender({ params: { status: 'draft' } });
    await waitFor(() => expect(result.current.error).not.toBeNull());

    expect(result.current).toMatchObject({ data: EMPTY, fallback: true, placeholder: false });
  });

  it('unsubscribes from the module when unmounted', async () => {
    const client = new FakeLiveData().respond('campaigns', okResult('campaigns', EMPTY));
    const { unmount, result } = setup(client);
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(client.listenerCount()).toBeGreaterThan(0);

    unmount();

    expect(client.listenerCount()).toBe(0);
    expect(client.watcherCount()).toBe(0);
  });
});
