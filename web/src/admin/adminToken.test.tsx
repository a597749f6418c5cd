import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AdminTokenSettings } from './AdminTokenSettings';
import {
  ADMIN_TOKEN_STORAGE_KEY,
  AdminTokenProvider,
  stripTokenFromAddress,
  takeInitialAdminToken,
  tokenFromFragment,
  useAdminToken,
} from './adminToken';

function ShowToken() {
  return <output data-testid="token">{useAdminToken().token}</output>;
}

describe('admin token', () => {
  it('comes from the fragment of a link, never from the query string', () => {
    expect(tokenFromFragment('#token=from-link')).toBe('from-link');
    expect(tokenFromFragment('#view=x&token=%20t%20')).toBe('t');
    expect(tokenFromFragment('')).toBe('');
    expect(tokenFromFragment('#other=1')).toBe('');
  });

  it("is taken from the link, stored, and stripped from the address bar at once; others stay", () => {
    window.localStorage.removeItem(ADMIN_TOKEN_STORAGE_KEY);
    window.history.replaceState(null, '', '/?stale=1500#token=s3cret&view=x');

    expect(takeInitialAdminToken()).toBe('s3cret');
    expect(window.location.search).toBe('?stale=1500');
    expect(window.location.hash).toBe('#view=x');
    expect(window.location.href).not.toContain('s3cret');
    expect(window.localStorage.getItem(ADMIN_TOKEN_STORAGE_KEY)).toBe('s3cret');

    window.history.replaceState(null, '', '/');
    expect(takeInitialAdminToken()).toBe('s3cret');
  });

  it('does not take a token from the query string, but removes it from the address bar', () => {
    window.localStorage.removeItem(ADMIN_TOKEN_STORAGE_KEY);
    window.history.replaceState(null, '', '/?token=sent-already&stale=1500');

    expect(takeInitialAdminToken()).toBe('');
    expect(window.location.search).toBe('?stale=1500');
  });

  it('leaves an address without a token untouched', () => {
    window.history.replaceState(null, '', '/?stale=1#section');
    const before = window.history.length;
    stripTokenFromAddress();
    expect(window.location.href).toMatch(/\/\?stale=1#section$/);
    expect(window.history.length).toBe(before);
  });

  it('is saved to localStorage from the settings field and cleared on sign out', () => {
    render(
      <AdminTokenProvider initialToken="">
        <AdminTokenSettings />
        <ShowToken />
      </AdminTokenProvider>,
    );

    fireEvent.change(screen.getByTestId('admin-token-input'), { target: { value: '  s3cret ' } });
    fireEvent.click(screen.getByTestId('admin-token-save'));

    expect(window.localStorage.getItem(ADMIN_TOKEN_STORAGE_KEY)).toBe('s3cret');
    expect(screen.getByTestId('token')).toHaveTextContent('s3cret');

    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));

    expect(window.localStorage.getItem(ADMIN_TOKEN_STORAGE_KEY)).toBeNull();
    expect(screen.getByTestId('token')).toBeEmptyDOMElement();
  });

  it('follows a sign-in or sign-out in another tab', () => {
    window.localStorage.setItem(ADMIN_TOKEN_STORAGE_KEY, 'old');
    render(
      <AdminTokenProvider initialToken="old">
        <ShowToken />
      </AdminTokenProvider>,
    );

    // Another tab signs out: this one hears it as a storage event.
    window.localStorage.removeItem(ADMIN_TOKEN_STORAGE_KEY);
    act(() => window.dispatchEvent(new StorageEvent('storage', { key: ADMIN_TOKEN_STORAGE_KEY, newValue: null })));
    expect(screen.getByTestId('token')).toBeEmptyDOMElement();

    window.localStorage.setItem(ADMIN_TOKEN_STORAGE_KEY, 'new');
    act(() => window.dispatchEvent(new StorageEvent('storage', { key: ADMIN_TOKEN_STORAGE_KEY, newValue: 'new' })));
    expect(screen.getByTestId('token')).toHaveTextContent('new');

    // Other keys are none of its business.
    act(() => window.dispatchEvent(new StorageEvent('storage', { key: 'something.else', newValue: 'x' })));
    expect(screen.getByTestId('token')).toHaveTextContent('new');
  });

  it('opens with the focus in its field and closes on Escape or a click elsewhere', async () => {
    render(
      <AdminTokenProvider initialToken="">
        <AdminTokenSettings />
        <p>elsewhere</p>
      </AdminTokenProvider>,
    );
    const toggle = screen.getByTestId('settings-toggle');
    const details = toggle.closest('details') as HTMLDetailsElement;

    fireEvent.click(toggle);
    await waitFor(() => expect(screen.getByTestId('admin-token-input')).toHaveFocus());
    fireEvent.keyDown(screen.getByTestId('admin-token-input'), { key: 'Escape' });
    expect(details.open).toBe(false);
    expect(toggle).toHaveFocus();
    fireEvent.keyDown(screen.getByText('elsewhere'), { key: 'Escape' });
    expect(toggle).toHaveFocus(); // Escape elsewhere is not its business

    fireEvent.click(toggle);
    await waitFor(() => expect(details.open).toBe(true));
    fireEvent.pointerDown(screen.getByTestId('admin-token-input'));
    expect(details.open).toBe(true); // a click inside keeps it open
    fireEvent.pointerDown(screen.getByText('elsewhere'));
    expect(details.open).toBe(false);
  });
});
