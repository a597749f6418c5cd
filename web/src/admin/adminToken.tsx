import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

export const ADMIN_TOKEN_STORAGE_KEY = 'livedata.adminToken';

function readStoredToken(): string {
  try {
    return window.localStorage.getItem(ADMIN_TOKEN_STORAGE_KEY) ?? '';
  } catch {
    return ''; // storage disabled (private mode, sandboxed frame): no token kept
  }
}

function writeStoredToken(token: string): void {
  try {
    if (token) window.localStorage.setItem(ADMIN_TOKEN_STORAGE_KEY, token);
    else window.localStorage.removeItem(ADMIN_TOKEN_STORAGE_KEY);
  } catch {
    // Without storage the token lasts for this page only, which is still usable.
  }
}

/**
 * The token a link brings in its fragment (`/#token=...`, as the demo prints it), which the
 * browser never sends to a server, so it reaches no log and no Referer. The query form
 * (`?token=`) is not taken: it has already been sent by the time the page reads it.
 */
export function tokenFromFragment(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token')?.trim() ?? '';
}

/**
 * Removes a token from the address bar (fragment or query) without a reload or a history
 * entry, so it stays out of history, bookmarks and screenshots. Other parameters stay.
 */
export function stripTokenFromAddress(location: Location = window.location, history: History = window.history): void {
  const url = new URL(location.href);
  const fragment = new URLSearchParams(url.hash.replace(/^#/, ''));
  const hadToken = fragment.has('token') || url.searchParams.has('token');
  if (!hadToken) return;
  fragment.delete('token');
  url.searchParams.delete('token');
  const rest = fragment.toString();
  url.hash = rest ? `#${rest}` : '';
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
}

/**
 * The token to start with: a fragment's (stored for the next visit, and stripped from the
 * address bar at once), else the stored one.
 */
export function takeInitialAdminToken(location: Location = window.location, history: History = window.history): string {
  const fromLink = tokenFromFragment(location.hash);
  stripTokenFromAddress(location, history);
  if (!fromLink) return readStoredToken();
  writeStoredToken(fromLink);
  return fromLink;
}

interface AdminTokenApi {
  token: string;
  setToken: (token: string) => void;
}

const AdminTokenContext = createContext<AdminTokenApi | null>(null);

export function AdminTokenProvider({ children, initialToken }: { children: ReactNode; initialToken?: string }) {
  const [token, setTokenState] = useState(() => initialToken ?? takeInitialAdminToken());
  const setToken = useCallback((next: string) => {
    const trimmed = next.trim();
    writeStoredToken(trimmed);
    setTokenState(trimmed);
  }, []);
  // Another tab of the dashboard that signs in or out changes the stored token (a storage
  // event reaches every other tab of the origin): this one follows, so it neither keeps
  // polling with a token signed out of nor stays signed out after a sign-in.
  useEffect(() => {
    const onStorage = (event: StorageEvent) => {
      if (event.key === ADMIN_TOKEN_STORAGE_KEY || event.key === null) setTokenState(readStoredToken());
    };
    window.addEventListener('storage', onStorage);
    return () => window.removeEventListener('storage', onStorage);
  }, []);
  const api = useMemo(() => ({ token, setToken }), [token, setToken]);
  return <AdminTokenContext.Provider value={api}>{children}</AdminTokenContext.Provider>;
}

export function useAdminToken(): AdminTokenApi {
  const api = useContext(AdminTokenContext);
  if (!api) throw new Error('useAdminToken must be used inside an AdminTokenProvider');
  return api;
}
