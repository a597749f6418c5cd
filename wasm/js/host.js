// The JavaScript side of the core's platform (wasm/src/js_platform.h): HTTP over fetch with an
// AbortController per request, the live feed's stream over fetch with a readable body, timers
// over setTimeout, the wall clock, and logging. It moves
// bytes and time only; every decision (caching, retry, fallback, freshness) is the core's.

import { canShareStreams, createStreamSharing } from './shared_stream.js';

// setTimeout holds at most 2^31 - 1 ms (about 24.8 days) and fires a longer delay at once
// (browsers silently, node with a warning), which would turn a long timeout or backoff into
// a storm of requests: a longer delay is waited for in such steps. The handle is an object
// holding the current step's timer, for clearLongTimeout.
export const MAX_TIMER_MS = 2 ** 31 - 1;
export function setLongTimeout(callback, delayMs) {
  const handle = { timer: undefined };
  const arm = (left) => {
    handle.timer = setTimeout(left > MAX_TIMER_MS ? () => arm(left - MAX_TIMER_MS) : callback, Math.min(left, MAX_TIMER_MS));
  };
  arm(delayMs);
  return handle;
}
export const clearLongTimeout = (handle) => handle && clearTimeout(handle.timer);

// A failure's words for the error's detail: node's fetch says only "fetch failed" and keeps
// the reason (ENOTFOUND, ECONNREFUSED...) in `cause`.
function describeFailure(error) {
  if (!error || !error.message) return String(error);
  const cause = error.cause;
  if (!cause) return error.message;
  return `${error.message}: ${cause.code && cause.message ? cause.message : String(cause.code || cause.message || cause)}`;
}

const FAILURE_KINDS = new Set(['network', 'timeout', 'cancelled', 'offline', 'tooLarge']);
// JSON is UTF-8 (RFC 8259 section 8.1): bytes that are not are rejected, not patched.
const utf8 = new TextDecoder('utf-8', { fatal: true });

// A response's body, read piece by piece up to maxBytes (as decoded, which Content-Length
// is not under a Content-Encoding), so a broken server or proxy cannot fill the page's
// memory: past that, the rest is cancelled unread and `cut` says so, with the bytes up to
// the bound.
async function readBody(response, maxBytes) {
  const pieces = [];
  let length = 0;
  let cut = false;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      cut = value.length > maxBytes - length;
      pieces.push(cut ? value.subarray(0, maxBytes - length) : value);
      length += pieces[pieces.length - 1].length;
      if (cut) {
        reader.cancel().catch(() => {});
        break;
      }
    }
  }
  if (pieces.length === 1) return { bytes: pieces[0], cut };
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const piece of pieces) {
    bytes.set(piece, at);
    at += piece.length;
  }
  return { bytes, cut };
}

/**
 * @param {object} options
 * @param {() => object} options.client  the module's client, once it exists
 * @param {typeof fetch} [options.fetch]
 * @param {(level: string, message: string) => void} [options.log]
 * @param {(type: string, payload: object) => void} options.onEvent
 * @param {(token: number) => void} options.onResult  a request's result is in the record
 * @param {() => Uint8Array} options.heap  the module's memory (a new view after it grows)
 */
export function createHost({
  client,
  fetch: fetchImpl = globalThis.fetch,
  log,
  onEvent,
  onResult,
  onWatchUpdate,
  heap,
  shareStream = true,
}) {
  const requests = new Map(); // id -> { controller, timer, reason }
  const streams = new Map(); // id -> AbortController of a live feed stream
  const timers = new Map(); // id -> setLongTimeout handle
  let disposed = false;
  // The parsed body of the response being completed, while completeRequest runs: results
  // flagged as carrying that body take this value instead of parsing it again.
  let completingData;

  function finish(id) {
    const request = requests.get(id);
    if (!request) return null;
    clearLongTimeout(request.timer);
    requests.delete(id);
    return request;
  }

  function fail(id, kind, message) {
    if (disposed || !finish(id)) return;
    client().failRequest(id, FAILURE_KINDS.has(kind) ? kind : 'network', message);
  }

  async function send(id, method, url, flatHeaders, body, timeoutMs, maxResponseBytes) {
    if (globalThis.navigator && globalThis.navigator.onLine === false) {
      // Completing inside send() is allowed by the transport contract, but deferring keeps
      // the core's stack simple.
      requests.set(id, { controller: null, timer: undefined, reason: null });
      queueMicrotask(() => fail(id, 'offline', 'the browser reports no network'));
      return;
    }
    const controller = new AbortController();
    const request = { controller, reason: null, timer: undefined };
    request.timer = setLongTimeout(() => {
      request.reason = 'timeout';
      controller.abort();
    }, timeoutMs);
    requests.set(id, request);
    const headers = new Headers();
    for (let i = 0; i + 1 < flatHeaders.length; i += 2) headers.append(flatHeaders[i], flatHeaders[i + 1]);
    try {
      // no-store: the core is the cache. The browser's HTTP cache would otherwise answer
      // the core's own If-None-Match revalidations from its copy instead of the server.
      const response = await fetchImpl(url, {
        method,
        headers,
        body: body === '' ? undefined : body,
        signal: controller.signal,
        cache: 'no-store',
      });
      const { bytes, cut } = await readBody(response, maxResponseBytes);
      // Data past the bound is refused; an error's body only explains it, so its status
      // stands, with the body cut at the bound.
      if (cut && response.ok) {
        fail(id, 'tooLarge', `response body over ${maxResponseBytes} bytes (maxResponseBytes); the rest was not read`);
        return;
      }
      if (disposed || !finish(id)) return;
      const responseHeaders = [];
      response.headers.forEach((value, name) => responseHeaders.push(name, value));
      // Only a 2xx body is data, so only those are parsed (once, here). The verdict is
      // bindings.cpp's JsonVerdict: -1 not checked, 0 rejected, 1 accepted.
      let verdict = -1;
      let data;
      if (response.status >= 200 && response.status < 300) {
        try {
          data = JSON.parse(utf8.decode(bytes));
          verdict = 1;
        } catch {
          verdict = 0;
        }
      }
      const wasm = client();
      const at = wasm.bodyBuffer(bytes.length); // first: it may grow the memory, and replace heap()
      heap().set(bytes, at);
      completingData = data;
      try {
        wasm.completeRequest(id, response.status, responseHeaders, verdict);
      } finally {
        completingData = undefined;
      }
    } catch (error) {
      const reason = request.reason;
      if (reason === 'timeout') fail(id, 'timeout', `no response within ${timeoutMs} ms`);
      else if (reason === 'cancelled') fail(id, 'cancelled', 'cancelled');
      else fail(id, 'network', describeFailure(error));
    }
  }

  // The live feed's event stream: its body handed on as text as it arrives. The core
  // parses the events and decides everything else (reconnects, backoff, resume).
  async function openStream(id, url, flatHeaders, timeoutMs, tap = () => {}) {
    const controller = new AbortController();
    streams.set(id, controller);
    const current = () => !disposed && streams.get(id) === controller;
    const end = (kind, message) => {
      if (!current()) return;
      streams.delete(id);
      client().streamEnd(id, kind, message);
    };
    const headers = new Headers();
    for (let i = 0; i + 1 < flatHeaders.length; i += 2) headers.append(flatHeaders[i], flatHeaders[i + 1]);
    // Only the wait for the response's headers is bounded; the stream then lasts.
    const timer = setLongTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await fetchImpl(url, { headers, signal: controller.signal, cache: 'no-store' });
      clearLongTimeout(timer);
      if (!current()) return;
      const responseHeaders = [];
      response.headers.forEach((value, name) => responseHeaders.push(name, value));
      client().streamResponse(id, response.status, responseHeaders);
      if (!response.body) return end('', '');
      const reader = response.body.getReader();
      const decoder = new TextDecoder('utf-8');
      for (;;) {
        const { done, value } = await reader.read();
        if (!current()) {
          reader.cancel().catch(() => {});
          return;
        }
        if (done) break;
        const text = decoder.decode(value, { stream: true });
        if (!text) continue;
        client().streamData(id, text);
        tap(text);
      }
      end('', '');
    } catch (error) {
      clearLongTimeout(timer);
      end('network', describeFailure(error));
    }
  }

  // Stops a stream openStream opened, without a word to the core.
  const closeOwnStream = (id) => {
    const controller = streams.get(id);
    streams.delete(id);
    if (controller) controller.abort();
  };

  // One stream per browser where tabs can share it (shared_stream.js), made on first use.
  let sharing = null;
  const sharingFor = (url) => {
    if (!shareStream || !canShareStreams()) return null;
    sharing ??= createStreamSharing({
      name: `livedata-feed:${url}`,
      direct: openStream,
      closeDirect: closeOwnStream,
      sink: {
        response: (id, status, headers) => !disposed && client().streamResponse(id, status, headers),
        data: (id, text) => !disposed && client().streamData(id, text),
        end: (id, kind, message) => !disposed && client().streamEnd(id, kind, message),
      },
      connection: () => client().connection(),
    });
    return sharing;
  };

  return {
    openStream(id, url, headers, timeoutMs) {
      const shared = sharingFor(url);
      if (shared) shared.open(id, url, headers, timeoutMs);
      else openStream(id, url, headers, timeoutMs);
    },
    closeStream(id) {
      if (sharing && sharing.close(id)) return;
      closeOwnStream(id);
    },
    watchUpdate: (token) => onWatchUpdate(token),
    send(id, method, url, headers, body, timeoutMs, maxResponseBytes) {
      send(id, method, url, headers, body, timeoutMs, maxResponseBytes);
    },
    abort(id) {
      const request = requests.get(id);
      if (!request) return;
      request.reason = 'cancelled';
      if (request.controller) request.controller.abort();
      else fail(id, 'cancelled', 'cancelled');
    },
    setTimer(id, delayMs) {
      timers.set(
        id,
        setLongTimeout(() => {
          timers.delete(id);
          if (!disposed) client().runTimer(id);
        }, delayMs),
      );
    },
    clearTimer(id) {
      clearLongTimeout(timers.get(id));
      timers.delete(id);
    },
    acceptsJson(text) {
      try {
        JSON.parse(text);
        return true;
      } catch {
        return false;
      }
    },
    log(level, message) {
      if (log) log(level, message);
    },
    event(type, payload) {
      if (type === 'connectionChanged' && sharing) sharing.connectionChanged(payload.state);
      onEvent(type, payload);
    },
    deliver: (token) => onResult(token),
    responseData: () => completingData,
    // Stops every request and timer without calling back into the core.
    dispose() {
      disposed = true;
      for (const request of requests.values()) {
        clearLongTimeout(request.timer);
        if (request.controller) request.controller.abort();
      }
      requests.clear();
      for (const timer of timers.values()) clearLongTimeout(timer);
      timers.clear();
      for (const controller of streams.values()) controller.abort();
      streams.clear();
      if (sharing) sharing.dispose();
    },
  };
}
