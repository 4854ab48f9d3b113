import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  bidMessage, confirmBid, declineBid, floorBidMessage, hasPending, initialState, joinMessage, MAX_RESENDS,
  reduce, RESEND_MS, resendMessage, serverNow, standingBids,
} from '../state.js';
import { bidEv, ev, lot, snapshot } from './fixtures.js';

function run(state, msgs, now = 0) {
  let effects = [];
  for (const m of msgs) {
    const r = reduce(state, m, now);
    state = r.state;
    effects = effects.concat(r.effects);
  }
  return { state, effects };
}

const announcements = (effects) => effects.filter((e) => e.type === 'announce');
let n = 0;
const keys = () => `k${++n}`;

test('snapshot replaces the room, lot, queue, you and seq', () => {
  const { state } = run(initialState(), [snapshot()]);
  assert.equal(state.lastSeq, 10);
  assert.equal(state.lot.round_id, 11);
  assert.equal(state.queue.length, 2);
  assert.equal(state.you.bidder_no, 3);
  assert.equal(state.audience, 12);
});

test('a bid event updates price, leader, next minimum, ladder and resets the count', () => {
  let { state } = run(initialState(), [snapshot({ lot: lot({ count: 2, price: 2_000_000, bidder_no: 9 }) })]);
  ({ state } = run(state, [bidEv(11, 4, 2_010_000)]));
  assert.equal(state.lastSeq, 11);
  assert.equal(state.lot.price, 2_010_000);
  assert.equal(state.lot.bidder_no, 4);
  assert.equal(state.lot.next_min, 2_020_000);
  assert.equal(state.lot.count, 0);
  assert.deepEqual(state.lot.bids.map((b) => b.amount), [2_010_000]);
});

test('events at or below the last applied seq are ignored', () => {
  let { state } = run(initialState(), [snapshot(), bidEv(11, 4, 2_010_000)]);
  const before = state;
  const r = run(state, [bidEv(11, 5, 2_500_000), bidEv(9, 5, 2_600_000)]);
  assert.equal(r.state, before);
  assert.deepEqual(r.effects, []);
});

test('a gap in seq asks for a re-join once and applies nothing until the resync', () => {
  let { state } = run(initialState(), [snapshot()]);
  const r = run(state, [bidEv(13, 4, 2_010_000), bidEv(14, 5, 2_020_000)]);
  assert.deepEqual(r.effects.filter((e) => e.type === 'rejoin').length, 1);
  assert.equal(r.state.lastSeq, 10);
  assert.equal(r.state.lot.price, null);
  assert.equal(r.state.resyncing, true);
  // The replay that answers the re-join fills the gap in order and lifts the resync.
  const j = joinMessage(r.state);
  assert.equal(j.msg.last_seq, 10);
  const after = run(j.state, [{ type: 'replay', v: 1, events: [bidEv(11, 4, 2_010_000), bidEv(12, 6, 2_020_000), bidEv(13, 4, 2_030_000)] }]);
  assert.equal(after.state.lastSeq, 13);
  assert.equal(after.state.resyncing, false);
  assert.equal(after.state.lot.price, 2_030_000);
  // Live events continue after the replay.
  const live = run(after.state, [bidEv(14, 5, 2_040_000)]);
  assert.equal(live.state.lot.bidder_no, 5);
});

test('replay skips events already applied and keeps order', () => {
  let { state } = run(initialState(), [snapshot(), bidEv(11, 4, 2_010_000)]);
  const r = run(state, [{ type: 'replay', events: [bidEv(10, 1, 1), bidEv(11, 4, 2_010_000), bidEv(12, 5, 2_020_000)] }]);
  assert.deepEqual(r.state.lot.bids.map((b) => b.bidder_no), [4, 5]);
  assert.equal(r.state.lastSeq, 12);
});

test('join carries last_seq only once something was applied', () => {
  assert.equal('last_seq' in joinMessage(initialState()).msg, false);
  const { state } = run(initialState(), [snapshot()]);
  assert.deepEqual(joinMessage(state).msg, { type: 'join', v: 1, last_seq: 10 });
});

test('being outbid is announced politely; others outbidding others is not', () => {
  let { state } = run(initialState(), [snapshot()]);
  let r = run(state, [bidEv(11, 4, 2_000_000), bidEv(12, 5, 2_010_000)]);
  assert.deepEqual(announcements(r.effects), []);
  r = run(r.state, [bidEv(13, 3, 2_020_000)]);
  assert.deepEqual(announcements(r.effects), []);
  r = run(r.state, [bidEv(14, 4, 2_030_000)]);
  const a = announcements(r.effects);
  assert.equal(a.length, 1);
  assert.equal(a[0].key, 'ann_outbid');
  assert.equal(a[0].level, 'polite');
  assert.equal(a[0].params.amount, 2_030_000);
});

test('counts announce only at three; the count resets on a bid', () => {
  let { state } = run(initialState(), [snapshot(), bidEv(11, 4, 2_000_000)]);
  let r = run(state, [ev('count', 12, { n: 1 }), ev('count', 13, { n: 2 })]);
  assert.deepEqual(announcements(r.effects), []);
  assert.equal(r.state.lot.count, 2);
  assert.ok(r.state.lot.count_at);
  r = run(r.state, [ev('count', 14, { n: 3 })]);
  assert.deepEqual(announcements(r.effects).map((a) => a.key), ['ann_count3']);
  r = run(r.state, [bidEv(15, 5, 2_010_000)]);
  assert.equal(r.state.lot.count, 0);
  assert.equal(r.state.lot.count_at, null);
});

test('hammer closes the lot, keeps the ladder, marks the queue and tells the winner', () => {
  let { state } = run(initialState(), [snapshot(), bidEv(11, 3, 2_000_000)]);
  const ladder = [{ bidder_no: 3, amount: 2_000_000, at: 'x', channel: 'remote' }];
  const r = run(state, [ev('hammer', 12, { price: 2_000_000, bidder_no: 3, bidder_count: 1, ladder })]);
  assert.equal(r.state.lot.live_state, 'hammered');
  assert.deepEqual(r.state.lot.ladder, ladder);
  assert.equal(r.state.queue[0].live_state, 'hammered');
  assert.deepEqual(announcements(r.effects).map((a) => a.key), ['ann_you_won']);
});

test('passed and suspended close the lot and are announced', () => {
  let { state } = run(initialState(), [snapshot()]);
  let r = run(state, [ev('passed', 11)]);
  assert.equal(r.state.lot.live_state, 'passed');
  assert.equal(r.state.queue[0].status, 'no_bidder');
  assert.deepEqual(announcements(r.effects).map((a) => a.key), ['ann_passed']);
  r = run(state, [ev('suspended', 11, { reason_code: 'court_order', reason: 'คำสั่งศาล' })]);
  assert.equal(r.state.lot.live_state, 'suspended');
  assert.equal(r.state.lot.suspend_reason, 'คำสั่งศาล');
  assert.deepEqual(announcements(r.effects).map((a) => [a.key, a.level]), [['ann_suspended', 'polite']]);
});

test('lot_opened replaces the current lot and marks it open in the queue', () => {
  let { state } = run(initialState(), [snapshot({ lot: null })]);
  const r = run(state, [ev('lot_opened', 11, { round_id: 12, lot: lot({ round_id: 12, lot_id: 6, sale_order: '14' }) })]);
  assert.equal(r.state.lot.round_id, 12);
  assert.equal(r.state.queue[1].live_state, 'open');
  assert.deepEqual(announcements(r.effects).map((a) => a.key), ['ann_lot_opened']);
});

test('undo keeps the bid on the ladder as undone and restores the previous leader and minimum', () => {
  let { state } = run(initialState(), [snapshot(), bidEv(11, 4, 2_000_000), bidEv(12, 3, 2_010_000), ev('count', 13, { n: 1 })]);
  const r = run(state, [ev('bid_undone', 14, { bid_id: 112, reason: 'ผิดป้าย', price: 2_000_000, bidder_no: 4, next_min: 2_010_000 })]);
  assert.deepEqual(r.state.lot.bids.map((b) => [b.bid_id, !!b.undone, b.undo_reason ?? null]), [[111, false, null], [112, true, 'ผิดป้าย']]);
  assert.deepEqual(standingBids(r.state.lot).map((b) => b.bid_id), [111]);
  assert.deepEqual(r.state.lot.lastUndo, { amount: 2_010_000, bidder_no: 3, reason: 'ผิดป้าย' });
  assert.equal(r.state.lot.bidder_no, 4);
  assert.equal(r.state.lot.next_min, 2_010_000);
  assert.equal(r.state.lot.count, 0);
  assert.deepEqual(announcements(r.effects).map((a) => a.key), ['ann_your_bid_undone']);
});

test('everyone is told of an undo, and the notice goes with the next bid', () => {
  let { state } = run(initialState(), [snapshot({ you: { role: 'bidder', user_id: 8, bidder_no: 9, can_bid: true, reason: null } }),
    bidEv(11, 4, 2_000_000), bidEv(12, 3, 2_010_000)]);
  const r = run(state, [ev('bid_undone', 13, { bid_id: 112, reason: 'ผิดป้าย', price: 2_000_000, bidder_no: 4, next_min: 2_010_000 })]);
  assert.deepEqual(announcements(r.effects).map((a) => [a.key, a.params.bidder_no]), [['ann_bid_undone', 3]]);
  const after = run(r.state, [bidEv(14, 5, 2_010_000)]);
  assert.equal(after.state.lot.lastUndo, null);
  assert.equal(after.state.lot.bids.length, 3);
});

test('a joiner sees the undone bids the snapshot carries, and they do not count as standing', () => {
  const bids = [
    { bid_id: 1, bidder_no: 4, amount: 2_000_000, channel: 'remote', at: '2026-11-23T03:00:01Z', seq: 2 },
    { bid_id: 2, bidder_no: 3, amount: 2_010_000, channel: 'remote', at: '2026-11-23T03:00:02Z', seq: 3, undone: true, undo_reason: 'x' },
  ];
  const { state } = run(initialState(), [snapshot({ lot: lot({ bids, price: 2_000_000, bidder_no: 4 }) })]);
  assert.deepEqual(standingBids(state.lot).map((b) => b.bid_id), [1]);
  assert.equal(state.lot.bids[1].undone, true);
});

test('increment_set changes increment and next minimum', () => {
  let { state } = run(initialState(), [snapshot()]);
  const r = run(state, [ev('increment_set', 11, { increment: 20_000, next_min: 2_020_000 })]);
  assert.equal(r.state.lot.increment, 20_000);
  assert.equal(r.state.lot.next_min, 2_020_000);
});

test('a bid gets a fresh key; re-sending the same bid before its receipt reuses it', () => {
  let { state } = run(initialState(), [snapshot()]);
  const a = bidMessage(state, 2_000_000, keys);
  assert.deepEqual(Object.keys(a.msg).sort(), ['amount', 'key', 'type', 'v']);
  const again = bidMessage(a.state, 2_000_000, keys);
  assert.equal(again.msg.key, a.msg.key);
  const other = bidMessage(again.state, 2_010_000, keys);
  assert.notEqual(other.msg.key, a.msg.key);
  // After the receipt the key is spent: the same amount again is a new bid.
  const r = reduce(other.state, { type: 'receipt', key: a.msg.key, status: 'accepted', seq: 11, amount: 2_000_000 });
  assert.notEqual(bidMessage(r.state, 2_000_000, keys).msg.key, a.msg.key);
});

test('a bid without receipt is re-sent with the same key after the reconnect sync', () => {
  let { state } = run(initialState(), [snapshot()]);
  const sent = bidMessage(state, 2_000_000, keys);
  const j = joinMessage(sent.state);
  const r = reduce(j.state, { type: 'replay', events: [] });
  const send = r.effects.find((e) => e.type === 'send');
  assert.deepEqual(send.messages, [sent.msg]);
  assert.equal(r.state.joining, false);
  // Only once per join.
  assert.deepEqual(reduce(r.state, { type: 'replay', events: [] }).effects, []);
});

test('a pending bid is dropped, not re-sent, when its lot closed during the outage', () => {
  let { state } = run(initialState(), [snapshot()]);
  const sent = bidMessage(state, 2_000_000, keys);
  const j = joinMessage(sent.state);
  const r = reduce(j.state, { type: 'replay', events: [ev('passed', 11)] });
  assert.equal(r.effects.find((e) => e.type === 'send'), undefined);
  assert.deepEqual(r.state.pending, {});
});

test('own receipt: accepted is polite, rejected is assertive; others\' receipts say nothing', () => {
  let { state } = run(initialState(), [snapshot()]);
  const a = bidMessage(state, 2_000_000, keys);
  let r = reduce(a.state, { type: 'receipt', key: a.msg.key, status: 'accepted', seq: 11, at: 'x', amount: 2_000_000 });
  assert.deepEqual(announcements(r.effects).map((e) => [e.key, e.level]), [['ann_bid_accepted', 'polite']]);
  const b = bidMessage(r.state, 1_000, keys);
  r = reduce(b.state, { type: 'receipt', key: b.msg.key, status: 'rejected', code: 'bid_too_low', message: { th: 'ต่ำไป', en: 'Too low' }, min_amount: 2_010_000 });
  const rej = announcements(r.effects);
  assert.deepEqual(rej.map((e) => [e.key, e.level]), [['ann_bid_rejected', 'assertive']]);
  assert.equal(rej[0].params.min_amount, 2_010_000);
  assert.deepEqual(reduce(r.state, { type: 'receipt', key: 'nope', status: 'rejected', code: 'x' }).effects, []);
});

test('floor bids carry paddle and key and reuse the key for the same paddle and amount', () => {
  let { state } = run(initialState(), [snapshot()]);
  const a = floorBidMessage(state, 27, 2_000_000, keys);
  assert.deepEqual({ ...a.msg, key: undefined }, { type: 'floor_bid', v: 1, paddle: 27, amount: 2_000_000, key: undefined });
  assert.equal(floorBidMessage(a.state, 27, 2_000_000, keys).msg.key, a.msg.key);
  assert.notEqual(floorBidMessage(a.state, 28, 2_000_000, keys).msg.key, a.msg.key);
});

test('a replay announces only its latest meaningful moment', () => {
  let { state } = run(initialState(), [snapshot()]);
  const r = reduce(state, { type: 'replay', events: [bidEv(11, 3, 2_000_000), bidEv(12, 4, 2_010_000), ev('count', 13, { n: 3 })] });
  assert.deepEqual(announcements(r.effects).map((a) => a.key), ['ann_count3']);
});

test('clock offset comes from the quickest pong; snapshot seeds it until then', () => {
  let { state } = run(initialState(), [snapshot({ server_time: '2026-11-23T03:00:05.000Z' })], Date.parse('2026-11-23T03:00:00.000Z'));
  assert.equal(state.clock.offset, 5000);
  const t0 = 1_000_000;
  // Slow round trip (400 ms): offset estimate 2000 - 200.
  state = reduce(state, { type: 'pong', t: t0, server_time: new Date(t0 + 2200).toISOString() }, t0 + 400).state;
  assert.equal(state.clock.offset, 2000);
  // A quicker one (40 ms) wins.
  state = reduce(state, { type: 'pong', t: t0, server_time: new Date(t0 + 1520).toISOString() }, t0 + 40).state;
  assert.equal(state.clock.offset, 1500);
  assert.equal(state.clock.rtt, 40);
  // A later snapshot does not override a measured round trip.
  state = reduce(state, snapshot({ server_time: new Date(t0 + 99_999).toISOString() }), t0).state;
  assert.equal(state.clock.offset, 1500);
  assert.equal(serverNow(state, 10), 1510);
});

test('you and audience messages update the state', () => {
  let { state } = run(initialState(), [snapshot()]);
  state = reduce(state, { type: 'you', role: 'bidder', user_id: 7, bidder_no: null, can_bid: false, reason: 'not_approved' }).state;
  assert.equal(state.you.can_bid, false);
  assert.equal(state.you.reason, 'not_approved');
  state = reduce(state, { type: 'audience', count: 40 }).state;
  assert.equal(state.audience, 40);
});

test('an internal error about a bid stops the wait but a retry of the same bid keeps its key', () => {
  let { state } = run(initialState(), [snapshot()]);
  const a = bidMessage(state, 2_000_000, keys);
  assert.equal(hasPending(a.state), true);
  const r = reduce(a.state, { type: 'error', code: 'internal', message: { th: 'ขัดข้อง', en: 'Failed' }, ref: 'bid' });
  assert.equal(hasPending(r.state), false);
  assert.deepEqual(announcements(r.effects).map((e) => [e.key, e.level]), [['ann_bid_failed', 'assertive']]);
  const again = bidMessage(r.state, 2_000_000, keys);
  assert.equal(again.msg.key, a.msg.key);
  assert.equal(hasPending(again.state), true);
  // An error about something else leaves waiting bids alone.
  const other = reduce(again.state, { type: 'error', code: 'officer_only', message: {}, ref: 'count' });
  assert.equal(hasPending(other.state), true);
  assert.deepEqual(announcements(other.effects), []);
});

test('error and closing become effects and leave the state alone', () => {
  let { state } = run(initialState(), [snapshot()]);
  const r = reduce(state, { type: 'error', code: 'count_out_of_order', message: { th: 'ก', en: 'a' }, ref: 'count' });
  assert.equal(r.state, state);
  assert.deepEqual(r.effects, [{ type: 'toast', code: 'count_out_of_order', message: { th: 'ก', en: 'a' }, ref: 'count' }]);
  assert.equal(reduce(state, { type: 'closing', code: 'too_slow', message: {} }).effects[0].type, 'closing');
});

test('a bid the stopping server did not take is re-sent, same key, after the reconnect', () => {
  // The server answers `server_shutdown` as an error (never a rejected receipt), then closes with 1012.
  let { state } = run(initialState(), [snapshot()]);
  const sent = bidMessage(state, 2_000_000, keys);
  const r = reduce(sent.state, { type: 'error', code: 'server_shutdown', message: { th: 'ปิด', en: 'Shutting down' }, ref: 'bid' });
  assert.equal(hasPending(r.state), false); // not waiting on that server any more ...
  const j = joinMessage(r.state);
  const back = reduce(j.state, { type: 'replay', events: [] });
  const send = back.effects.find((e) => e.type === 'send');
  assert.deepEqual(send.messages, [sent.msg]); // ... but the bid is kept and sent again to the next one
});

test('a bid refused db_unavailable is resent later with the same key, a bounded number of times', () => {
  let { state } = run(initialState(), [snapshot()]);
  const sent = bidMessage(state, 2_000_000, keys);
  const refused = { type: 'receipt', key: sent.msg.key, status: 'rejected', code: 'db_unavailable', message: { th: 'x', en: 'x' } };
  let r = reduce(sent.state, refused);
  const resend = r.effects.find((e) => e.type === 'resend');
  assert.deepEqual(resend, { type: 'resend', key: sent.msg.key, delay: RESEND_MS });
  assert.deepEqual(announcements(r.effects).map((e) => [e.key, e.level]), [['ann_bid_retrying', 'polite']]);
  assert.equal(hasPending(r.state), true); // still waiting: the button says so
  assert.deepEqual(resendMessage(r.state, sent.msg.key), sent.msg); // same key, same amount
  // Each further refusal waits longer; after MAX_RESENDS the bid is given up and said so.
  for (let i = 2; i <= MAX_RESENDS; i++) {
    r = reduce(r.state, refused);
    assert.equal(r.effects.find((e) => e.type === 'resend').delay, RESEND_MS * i);
  }
  r = reduce(r.state, refused);
  assert.equal(r.effects.find((e) => e.type === 'resend'), undefined);
  assert.deepEqual(announcements(r.effects).map((e) => e.key), ['ann_bid_rejected']);
  assert.equal(resendMessage(r.state, sent.msg.key), null);
  // A resend whose lot closed meanwhile is not sent.
  const other = bidMessage(state, 2_000_000, keys);
  const again = reduce(other.state, { ...refused, key: other.msg.key });
  assert.deepEqual(resendMessage(again.state, other.msg.key), other.msg);
  assert.equal(resendMessage(run(again.state, [ev('passed', 11)]).state, other.msg.key), null);
});

test('confirm_required asks the bidder; yes resends the same key with confirm, no drops it', () => {
  let { state } = run(initialState(), [snapshot()]);
  const sent = bidMessage(state, 20_000_000, keys);
  assert.equal('confirm' in sent.msg, false);
  const r = reduce(sent.state, { type: 'receipt', key: sent.msg.key, status: 'rejected', code: 'confirm_required', amount: 20_000_000, ratio: 10 });
  assert.deepEqual(r.effects, [{ type: 'confirm_bid', key: sent.msg.key, kind: 'bid', amount: 20_000_000, ratio: 10 }]);
  assert.equal(hasPending(r.state), false); // not waiting on the server while the question is open
  const yes = confirmBid(r.state, sent.msg.key);
  assert.deepEqual(yes.msg, { ...sent.msg, confirm: true });
  assert.equal(hasPending(yes.state), true);
  assert.equal(confirmBid(yes.state, sent.msg.key).msg, null); // asked once, answered once
  const no = declineBid(r.state, sent.msg.key);
  assert.deepEqual(no.pending, {});
  // The page's own check already asked: the bid goes out confirmed the first time.
  assert.equal(bidMessage(state, 20_000_000, keys, true).msg.confirm, true);
});
