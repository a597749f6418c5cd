// The admin routes (sync, monitoring) need the bearer token and are polled, not cached, so
// they bypass the livedata module and use fetch directly.

/** A failed admin call, with a message fit for a toast. */
export class AdminRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly path: string,
  ) {
    super(message);
    this.name = 'AdminRequestError';
  }
}

function messageFor(status: number): string {
  if (status === 401 || status === 403) return 'The admin token was not accepted. Check it in Settings.';
  if (status === 429) return 'Too many requests: the server asked us to wait.';
  if (status >= 500) return 'The server ran into a problem.';
  return 'The server did not accept the request.';
}

interface AdminRequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  /** Statuses whose body is still the answer, e.g. 503 from /monitoring/health when a check fails. */
  acceptStatuses?: number[];
  /**
   * Whether a body is the answer expected. One that is not is an error: from a success, data
   * we cannot read; from an accepted failure status (a proxy's own 503 page, not the
   * server's report), that status's error.
   */
  isAnswer?: (body: unknown) => boolean;
  signal?: AbortSignal;
}

export async function adminRequest<T>(token: string, path: string, options: AdminRequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      cache: 'no-store',
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new AdminRequestError('Can’t reach the server.', 0, path);
  }
  if (!response.ok && !options.acceptStatuses?.includes(response.status)) {
    throw new AdminRequestError(messageFor(response.status), response.status, path);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (body === undefined || (options.isAnswer && !options.isAnswer(body))) {
    const message = response.ok ? 'The server sent data we couldn’t read.' : messageFor(response.status);
    throw new AdminRequestError(message, response.status, path);
  }
  return body as T;
}
