// One live feed stream per browser, not per tab (a dashboard is often open in several, and
// HTTP/1.1 allows six connections per origin across all of them): the tab holding a Web
// Lock is the leader and runs the real stream; it relays the stream's complete events to
// the other tabs over a BroadcastChannel. A follower's stream starts with a `subscribed`
// event naming the leader's version (the core resyncs when that is not its own, so nothing
// is missed), then carries the leader's events. When the leader's stream goes down or its
// tab closes, followers' streams end and their cores reconnect; the tab that gets the lock
// next leads. A follower that found no leader's stream to join opens one of its own; it
// leads with it if it gets the lock, and drops it for the shared one once a leader's stream
// is live again. Only the transport is shared: each tab's core decides everything itself.

// How long a follower waits for the leader's first event before opening a stream of its
// own (a leader tab that watches nothing has no stream to share).
const JOIN_TIMEOUT_MS = 5000;

/**
 * @param {object} options
 * @param {string} options.name        the lock's and the channel's name (per feed URL)
 * @param {(id, url, headers, timeoutMs, tap) => void} options.direct  opens a real stream;
 *        tap(text) hears each piece of its body
 * @param {(id) => void} options.closeDirect  closes a real stream `direct` opened, silently
 * @param {{ response(id, status, headers), data(id, text), end(id, kind, message) }} options.sink
 * @param {() => { state: string, version: number }} options.connection  this tab's core's feed
 * @param {LockManager} [options.locks]  navigator.locks (a stand-in in unit tests)
 * @param {number} [options.joinTimeoutMs]
 */
export function createStreamSharing({
  name,
  direct,
  closeDirect,
  sink,
  connection,
  locks = globalThis.navigator?.locks,
  joinTimeoutMs = JOIN_TIMEOUT_MS,
}) {
  const channel = new BroadcastChannel(name);
  let leader = false;
  let releaseLock = null;
  let leaderLive = false;
  let unrelayed = ''; // the start of the real stream's event not complete yet
  const own = new Set(); // ids of the real streams this tab opened (a core holds one at a time)
  const joining = new Map(); // follower stream id -> { url, headers, timeoutMs, timer }, waiting for a leader
  const relayed = new Set(); // follower stream ids fed by the leader
  let disposed = false;

  const hello = () => {
    const version = connection().version;
    return `id: ${version}\nevent: subscribed\ndata: {"version":${version}}\n\n`;
  };
  // Opens the real stream for `id`, relayed to the other tabs while this one leads (a
  // follower's own stream too, should it come to lead).
  const openDirect = (id, { url, headers, timeoutMs }) => {
    unrelayed = '';
    own.add(id);
    direct(id, url, headers, timeoutMs, relay);
  };
  // The leader's stream is live: followers joining hear it, followers on streams of their
  // own come back to it (their cores reconnect, through the shared stream).
  const announceLive = () => {
    channel.postMessage({ type: 'hello', text: hello() });
    channel.postMessage({ type: 'live' });
  };
  const endFollowers = (message) => {
    for (const [id, join] of joining) {
      clearTimeout(join.timer);
      joining.delete(id);
      sink.end(id, 'network', message);
    }
    for (const id of relayed) {
      relayed.delete(id);
      sink.end(id, 'network', message);
    }
  };

  locks
    .request(name, () => new Promise((release) => {
      if (disposed) return release();
      releaseLock = release;
      leader = true;
      // A stream still waiting to join (the first tab asks before its lock is granted) opens
      // the real one at once: ending it would show a reconnection that never was, and cost
      // the reconnect's wait. Streams a former leader fed end: our core reconnects, through
      // the real stream now.
      for (const [id, join] of joining) {
        clearTimeout(join.timer);
        joining.delete(id);
        openDirect(id, join);
      }
      endFollowers('the leading tab went away');
      channel.postMessage({ type: 'leader' });
      // A stream of its own (its join had timed out) may be live already, and no change of
      // state will say so: it is the one shared now.
      leaderLive = own.size > 0 && connection().state === 'live';
      if (leaderLive) announceLive();
    }))
    .catch(() => {});

  channel.onmessage = ({ data }) => {
    if (disposed) return;
    if (leader) {
      // A join while the stream is not live is answered when it is (announceLive). Answered
      // with `live` too: a follower that gave up waiting (this tab was slow) and opened its
      // own stream comes back to this one.
      if (data.type === 'join' && leaderLive) announceLive();
      return;
    }
    if (data.type === 'hello') {
      for (const [id, join] of joining) {
        clearTimeout(join.timer);
        joining.delete(id);
        relayed.add(id);
        sink.response(id, 200, ['content-type', 'text/event-stream']);
        sink.data(id, data.text);
      }
    } else if (data.type === 'data') {
      for (const id of relayed) sink.data(id, data.text);
    } else if (data.type === 'down' || data.type === 'leader') {
      endFollowers(data.type === 'down' ? "the leading tab's stream went down" : 'another tab leads now');
    } else if (data.type === 'live') {
      for (const id of own) {
        own.delete(id);
        closeDirect(id);
        sink.end(id, 'network', "the leading tab's stream is live again");
      }
    }
  };

  // The leader relays whole events only, so a tab that joins mid-stream never gets half of
  // one. Event boundaries are followed while not leading too: a tab that comes to lead with
  // its own stream relays from the next whole event.
  const relay = (text) => {
    unrelayed += text;
    const end = unrelayed.lastIndexOf('\n\n');
    if (end < 0) return;
    if (leader) channel.postMessage({ type: 'data', text: unrelayed.slice(0, end + 2) });
    unrelayed = unrelayed.slice(end + 2);
  };

  return {
    open(id, url, headers, timeoutMs) {
      if (leader) {
        openDirect(id, { url, headers, timeoutMs });
        return;
      }
      const timer = setTimeout(() => {
        if (!joining.delete(id)) return;
        openDirect(id, { url, headers, timeoutMs }); // no leader stream to share: our own
      }, joinTimeoutMs);
      joining.set(id, { url, headers, timeoutMs, timer });
      channel.postMessage({ type: 'join' });
    },
    /** Whether `id` is fed by the leader (closing it then touches no network). */
    close(id) {
      const join = joining.get(id);
      if (join) clearTimeout(join.timer);
      own.delete(id);
      return joining.delete(id) || relayed.delete(id);
    },
    /** This tab's core's feed changed state: a leader tells the followers. */
    connectionChanged(state) {
      if (!leader) return;
      const wasLive = leaderLive;
      leaderLive = state === 'live';
      if (leaderLive && !wasLive) announceLive();
      if (wasLive && !leaderLive) channel.postMessage({ type: 'down' });
    },
    isLeader: () => leader,
    dispose() {
      disposed = true;
      for (const join of joining.values()) clearTimeout(join.timer);
      joining.clear();
      relayed.clear();
      own.clear();
      channel.close();
      if (releaseLock) releaseLock();
    },
  };
}

/** Whether this environment can share a stream between tabs. */
export const canShareStreams = () =>
  typeof BroadcastChannel === 'function' && !!(globalThis.navigator && globalThis.navigator.locks);
