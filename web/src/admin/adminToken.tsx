import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

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

/** `?token=` wins over the stored token so browser tests can start signed in. */
export function initialAdminToken(search: string = window.location.search): string {
  return new URLSearchParams(search).get('token')?.trim() || readStoredToken();
}

interface AdminTokenApi {
  token: string;
  setToken: (token: string) => void;
}

const AdminTokenContext = createContext<AdminTokenApi | null>(null);

export function AdminTokenProvider({ children, initialToken }: { children: ReactNode; initialToken?: string }) {
  const [token, setTokenState] = useState(() => initialToken ?? initialAdminToken());
  const setToken = useCallback((next: string) => {
    const trimmed = next.trim();
    writeStoredToken(trimmed);
    setTokenState(trimmed);
  }, []);
  const api = useMemo(() => ({ token, setToken }), [token, setToken]);
  return <AdminTokenContext.Provider value={api}>{children}</AdminTokenContext.Provider>;
}

export function useAdminToken(): AdminTokenApi {
  const api = useContext(AdminTokenContext);
  if (!api) throw new Error('useAdminToken must be used inside an AdminTokenProvider');
  return api;
}
