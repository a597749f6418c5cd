// Sharing one live feed stream between tabs (js/shared_stream.js), tab by tab in one node
// process: each tab's sharing on a real BroadcastChannel, its real streams and its core
// recorded, and the Web Lock from a stand-in lock manager (node has no navigator.locks).
// The dashboard's browser test runs the same module in Chromium with real tabs.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createStreamSharing } from '../js/shared_stream.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const JOIN_TIMEOUT_MS = 50;

// Web Locks' exclusive mode: one holder per name, the others granted in turn as it releases.
function lockManager() {
  const queues = new Map();
  return {
    request(name, callback) {
      return new Promise((resolve, reject) => {
        const queue = queues.get(name) ?? [];
        queues.set(name, queue);
        const grant = async () => {
          try {
            resolve(await callback({ name }));
          } catch (error) {
            reject(error);
          }
          queue.shift();
          if (queue.length) queue[0]();
        };
        queue.push(grant);
        if (queue.length === 1) grant();
      });
    },
  };
}

// A tab: its sharing, the real streams it opened and closed, and what its core heard.
function openTab(name, locks) {
  const tab = { state: 'connecting', version: 1, opened: [], closed: [], responses: [], data: [], ends: [], taps: new Map() };
  tab.sharing = createStreamSharing({
    name,
    locks,
    joinTimeoutMs: JOIN_TIMEOUT_MS,
    direct: (id, url, headers, timeoutMs, tap) => {
      tab.opened.push(id);
      tab.taps.set(id, tap);
    },
    closeDirect: (id) => tab.closed.push(id),
    sink: {
      response: (id, status) => tab.responses.push([id, status]),
      data: (id, text) => tab.data.push([id, text]),
      end: (id, kind) => tab.ends.push([id, kind]),
    },
    connection: () => ({ state: tab.state, version: tab.version }),
  });
  return tab;
}

let feeds = 0;
const feedName = () => `livedata-feed:test-${process.pid}-${++feeds}`;

test('a tab that found no live stream to join leads with its own when the leader goes, and relays it', async () => {
  const name = feedName();
  const locks = lockManager();
  const first = openTab(name, locks);
  first.state = 'reconnecting';
  assert.equal(first.sharing.isLeader(), true);
  const second = openTab(name, locks);

  // The leader's stream is down: the second tab's join times out and it opens its own.
  second.sharing.open(1, 'http://feed', [], 1000);
  await sleep(JOIN_TIMEOUT_MS * 2);
  assert.deepEqual(second.opened, [1]);
  second.state = 'live';
  // Half an event before it leads: relayed later only whole.
  second.taps.get(1)('id: 4\nevent: change\nda');

  first.sharing.dispose();
  await sleep(10);
  assert.equal(second.sharing.isLeader(), true);

  // A third tab joins the second's stream at once, from the next whole event.
  const third = openTab(name, locks);
  third.sharing.open(7, 'http://feed', [], 1000);
  await sleep(20);
  assert.deepEqual(third.responses, [[7, 200]]);
  assert.match(third.data[0][1], /event: subscribed/);
  second.taps.get(1)('ta: {"version":4}\n\nid: 5\nevent: change\ndata: {"version":5}\n\n');
  await sleep(20);
  assert.deepEqual(third.data.slice(1), [
    [7, 'id: 4\nevent: change\ndata: {"version":4}\n\nid: 5\nevent: change\ndata: {"version":5}\n\n'],
  ]);
  await sleep(JOIN_TIMEOUT_MS * 2);
  assert.deepEqual(third.opened, [], 'no stream of its own');
  assert.deepEqual(second.closed, [], "the leader's stream stays");

  second.sharing.dispose();
  third.sharing.dispose();
});

test('a tab on a stream of its own comes back to the leader’s once that is live', async () => {
  const name = feedName();
  const locks = lockManager();
  const first = openTab(name, locks);
  first.state = 'reconnecting';
  const second = openTab(name, locks);
  second.sharing.open(1, 'http://feed', [], 1000);
  await sleep(JOIN_TIMEOUT_MS * 2);
  assert.deepEqual(second.opened, [1]);

  first.state = 'live';
  first.sharing.connectionChanged('live');
  await sleep(20);
  // Its own stream is closed and its core told, so that it reconnects, through the leader.
  assert.deepEqual(second.closed, [1]);
  assert.deepEqual(second.ends, [[1, 'network']]);

  second.sharing.open(2, 'http://feed', [], 1000);
  await sleep(20);
  assert.deepEqual(second.responses, [[2, 200]]);
  assert.deepEqual(second.opened, [1], 'no second stream of its own');

  first.sharing.dispose();
  second.sharing.dispose();
});

// A follower whose join timed out (the leader's tab was busy) opened a stream of its own;
// 'live' brings it back (the test before). A leader already live says 'live' with every
// answer to a join, since no change of its state will say it again.
test('a live leader answers every join with hello and live', async () => {
  const name = feedName();
  const locks = lockManager();
  const first = openTab(name, locks);
  first.state = 'live';
  first.sharing.connectionChanged('live');
  const second = openTab(name, locks);
  const listener = new BroadcastChannel(name);
  const seen = [];
  listener.onmessage = ({ data }) => seen.push(data.type);
  second.sharing.open(1, 'http://feed', [], 1000);
  await sleep(20);
  assert.deepEqual(second.responses, [[1, 200]], 'joined at once: the leader is live');
  assert.deepEqual(seen, ['join', 'hello', 'live']);
  listener.close();
  first.sharing.dispose();
  second.sharing.dispose();
});

test('a join while the leader’s stream is down is answered when it is live again, not by a stream of its own', async () => {
  const name = feedName();
  const locks = lockManager();
  const first = openTab(name, locks);
  first.state = 'connecting';
  const second = openTab(name, locks);
  second.sharing.open(1, 'http://feed', [], 1000);
  await sleep(JOIN_TIMEOUT_MS / 5);

  first.state = 'live';
  first.sharing.connectionChanged('live');
  await sleep(JOIN_TIMEOUT_MS * 2);

  assert.deepEqual(second.responses, [[1, 200]]);
  assert.deepEqual(second.opened, []);
  first.sharing.dispose();
  second.sharing.dispose();
});
