import { vi } from 'vitest';

type Route =
  { status?: number; body: unknown } | ((init: RequestInit | undefined) => { status?: number; body: unknown });

/** Replaces fetch with answers per path (ignoring the query); unknown paths answer 404. */
export function stubFetch(routes: Record<string, Route>) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = new URL(String(input), 'http://localhost').pathname;
    const route = routes[path];
    const answer =
      typeof route === 'function' ? route(init) : (route ?? { status: 404, body: { error: { code: 'not_found' } } });
    return new Response(JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { 'Content-Type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return fetchMock;
}
