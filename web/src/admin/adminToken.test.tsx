import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AdminTokenSettings } from './AdminTokenSettings';
import { ADMIN_TOKEN_STORAGE_KEY, AdminTokenProvider, initialAdminToken, useAdminToken } from './adminToken';

function ShowToken() {
  return <output data-testid="token">{useAdminToken().token}</output>;
}

describe('admin token', () => {
  it('comes from ?token= first, then from storage', () => {
    window.localStorage.setItem(ADMIN_TOKEN_STORAGE_KEY, 'stored');

    expect(initialAdminToken('?token=from-url')).toBe('from-url');
    expect(initialAdminToken('?stale=1000')).toBe('stored');
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
});
