import { test } from 'node:test';
import assert from 'node:assert/strict';

import { createRoom } from '../socket.js';
import { bidEv, snapshot } from './fixtures.js';

// A fake browser: sockets we drive by hand and a clock we advance.
function fakeEnv() {
  const sockets = [];
  let t = 0;
  let timers = [];
  let nextId = 1;
  let online = true;
  let netListener = null;
  class FakeWS {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      sockets.push(this);
    }
    send(s) { this.sent.push(JSON.parse(s)); }
    close(code) { this.readyState = 3; this.closedWith = code; }
    serverOpen() { this.readyState = 1; this.onopen(); }
    serverSend(m) { this.onmessage({ data: JSON.stringify(m) }); }
    drop(code = 1006) { this.readyState = 3; this.onclose({ code }); }
  }
  const env = {
    WebSocket: FakeWS,
    now: () => t,
    random: () => 1,
    uuid: () => `uuid-${nextId++}`,
    isOnline: () => online,
    onNetwork: (fn) => { netListener = fn; },
    setTimeout: (fn, ms) => { const id = nextId++; timers.push({ id, at: t + ms, fn }); return id; },
    clearTimeout: (id) => { timers = timers.filter((x) => x.id !== id); },
    setInterval: (fn, ms) => {
      const id = nextId++;
      const tick = { id, at: t + ms, fn: () => { tick.at += ms; timers.push(tick); fn(); } };
      timers.push(tick);
      return id;
    },
    clearInterval: (id) => { timers = timers.filter((x) => x.id !== id); },
  };
  function advance(ms) {
    const end = t + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (!next || next.at > end) break;
      timers.shift();
      t = next.at;
      next.fn();
    }
    t = end;
  }
  return {
    env, sockets, advance,
    last: () => sockets[sockets.length - 1],
    setOnline(v) { online = v; netListener(v); },
  };
}

function started() {
  const f = fakeEnv();
  const statuses = [];
  const room = createRoom({ url: 'ws://x/ws/rooms/1/2026-11-23', env: f.env, onChange: (_s, st) => statuses.push(st) });
  room.start();
  return { f, room, statuses };
}

test('joins on open, goes live on snapshot and pings every 20 s', () => {
  const { f, room } = started();
  f.last().serverOpen();
  assert.deepEqual(f.last().sent, [{ type: 'join', v: 1 }]);
  f.last().serverSend(snapshot());
  assert.equal(room.status(), 'live');
  f.advance(20000);
  assert.deepEqual(f.last().sent[1], { type: 'ping', v: 1, t: 20000 });
});

test('after a drop it reconnects with growing delays and re-joins with last_seq', () => {
  const { f, room } = started();
  f.last().serverOpen();
  f.last().serverSend(snapshot());
  f.last().serverSend(bidEv(11, 4, 2_000_000));
  f.last().drop();
  assert.equal(room.status(), 'reconnecting');
  assert.equal(f.sockets.length, 1);
  f.advance(499);
  assert.equal(f.sockets.length, 1);
  f.advance(1);
  assert.equal(f.sockets.length, 2);
  f.last().drop(); // server still down: next wait is 1 s
  f.advance(999);
  assert.equal(f.sockets.length, 2);
  f.advance(1);
  assert.equal(f.sockets.length, 3);
  f.last().serverOpen();
  assert.deepEqual(f.last().sent[0], { type: 'join', v: 1, last_seq: 11 });
  // The page kept its state through the outage.
  assert.equal(room.state().lot.price, 2_000_000);
  f.last().serverSend({ type: 'replay', events: [bidEv(12, 5, 2_010_000)] });
  assert.equal(room.status(), 'live');
  assert.equal(room.state().lot.bidder_no, 5);
});

test('a bid sent just before the drop is re-sent with the same key after the re-join', () => {
  const { f, room } = started();
  f.last().serverOpen();
  f.last().serverSend(snapshot());
  const sent = room.bid(2_000_000);
  assert.match(sent.key, /^uuid-/);
  f.last().drop();
  f.advance(500);
  f.last().serverOpen();
  f.last().serverSend({ type: 'replay', events: [] });
  assert.deepEqual(f.last().sent.slice(1), [sent]);
});

test('a gap closes the socket and re-joins at once for a snapshot or replay', () => {
  const { f } = started();
  f.last().serverOpen();
  f.last().serverSend(snapshot());
  const first = f.last();
  first.serverSend(bidEv(15, 4, 2_000_000));
  assert.equal(first.closedWith, 4000);
  assert.equal(f.sockets.length, 2);
  f.last().serverOpen();
  assert.deepEqual(f.last().sent[0], { type: 'join', v: 1, last_seq: 10 });
});

test('the network coming back reconnects immediately instead of waiting out the backoff', () => {
  const { f, room } = started();
  f.last().serverOpen();
  f.last().serverSend(snapshot());
  f.setOnline(false);
  f.last().drop();
  assert.equal(room.status(), 'offline');
  f.advance(400); // still inside the 0.5 s backoff
  const before = f.sockets.length;
  f.setOnline(true);
  assert.equal(f.sockets.length, before + 1);
});

test('a silent socket is abandoned after two missed pings', () => {
  const { f } = started();
  f.last().serverOpen();
  f.last().serverSend(snapshot());
  const first = f.last();
  f.advance(60000);
  assert.equal(first.closedWith, 4000);
  assert.ok(f.sockets.length >= 2);
});

for (const code of [4003, 4404]) {
  test(`a final refusal (${code}: bad origin / no such room) stops retrying`, () => {
    const { f, room } = started();
    f.last().drop(code);
    f.advance(60000);
    assert.equal(f.sockets.length, 1);
    assert.equal(room.status(), 'closed');
  });
}

test('a slow-consumer close (4008) reconnects and catches up', () => {
  const { f } = started();
  f.last().serverOpen();
  f.last().serverSend(snapshot());
  f.last().drop(4008);
  f.advance(500);
  f.last().serverOpen();
  assert.deepEqual(f.last().sent[0], { type: 'join', v: 1, last_seq: 10 });
});

test('a bid refused db_unavailable goes out again by itself, same key, after the delay', () => {
  const { f, room } = started();
  f.last().serverOpen();
  f.last().serverSend(snapshot());
  const sent = room.bid(2_000_000);
  f.last().serverSend({ type: 'receipt', key: sent.key, status: 'rejected', code: 'db_unavailable' });
  const before = f.last().sent.length;
  f.advance(1499);
  assert.equal(f.last().sent.length, before);
  f.advance(1);
  assert.deepEqual(f.last().sent.slice(before), [sent]);
  f.last().serverSend({ type: 'receipt', key: sent.key, status: 'accepted', seq: 11, amount: 2_000_000 });
  assert.deepEqual(room.state().pending, {});
});
