import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  arabicDigits, backoffDelay, bidderView, needsConfirm, officerView, parseAmount, refillAmount, stepAmount,
} from '../rules.js';
import { fmtBaht, fmtDate, fmtTime, makeT, STRINGS } from '../i18n.js';
import { lot } from './fixtures.js';

test('amounts accept Thai digits, commas, spaces and the baht sign', () => {
  assert.equal(arabicDigits('๑๒๓'), '123');
  assert.equal(parseAmount('๒,๐๑๐,๐๐๐'), 2_010_000);
  assert.equal(parseAmount(' ฿1,234 '), 1234);
  assert.equal(parseAmount('12.5'), null);
  assert.equal(parseAmount('-5'), null);
  assert.equal(parseAmount(''), null);
  assert.equal(parseAmount('0'), null);
  assert.equal(parseAmount('1e6'), null);
});

test('a jump of more than 3 increments or 10% above the minimum needs confirming', () => {
  assert.equal(needsConfirm(2_030_000, 2_000_000, 10_000), false);
  assert.equal(needsConfirm(2_040_000, 2_000_000, 10_000), true);
  // 10% rule bites when the increment is large relative to the price.
  assert.equal(needsConfirm(111_000, 100_000, 50_000), true);
  assert.equal(needsConfirm(110_000, 100_000, 50_000), false);
  assert.equal(needsConfirm(null, 100_000, 1), false);
});

test('+k increments build on a valid typed amount, else on the minimum', () => {
  assert.equal(stepAmount(null, 2_000_000, 10_000, 2), 2_020_000);
  assert.equal(stepAmount(1_000, 2_000_000, 10_000, 1), 2_010_000);
  assert.equal(stepAmount(2_050_000, 2_000_000, 10_000, 5), 2_100_000);
});

test('the bid box keeps an edited valid amount and otherwise follows the minimum', () => {
  assert.equal(refillAmount(2_050_000, 2_010_000, true), 2_050_000);
  assert.equal(refillAmount(2_050_000, 2_060_000, true), 2_060_000);
  assert.equal(refillAmount(2_050_000, 2_010_000, false), 2_010_000);
});

test('backoff doubles from 0.5 s to a 10 s cap with jitter in the upper half', () => {
  assert.equal(backoffDelay(0, 0), 250);
  assert.equal(backoffDelay(0, 0.999999), 500);
  assert.equal(backoffDelay(3, 1), 4000);
  assert.equal(backoffDelay(20, 1), 10000);
  assert.equal(backoffDelay(20, 0), 5000);
});

test('bidders see controls only when approved; spectators are told why', () => {
  const open = lot();
  assert.deepEqual(bidderView({ you: null, lot: open }).why, 'why_login');
  assert.deepEqual(bidderView({ you: { role: 'spectator', can_bid: false }, lot: open }).why, 'why_login');
  assert.deepEqual(bidderView({ you: { role: 'bidder', user_id: 7, can_bid: false, reason: 'not_approved' }, lot: open }).why, 'why_not_approved');
  assert.deepEqual(bidderView({ you: { role: 'buyer', user_id: 7, can_bid: false, reason: 'not_registered' }, lot: open }).why, 'why_not_approved');
  assert.deepEqual(bidderView({ you: { role: 'buyer', user_id: 7, can_bid: false, reason: 'bidder_barred' }, lot: open }).why, 'why_barred');
  assert.deepEqual(bidderView({ you: { role: 'officer', user_id: 1, can_bid: false, reason: 'led_staff_cannot_bid' }, lot: open }).why, 'why_officer');
  assert.deepEqual(bidderView({ you: { role: 'buyer', user_id: 9, can_bid: false, reason: 'led_staff_cannot_bid' }, lot: open }).why, 'why_staff');
  // No lot open and no stated reason: nothing to explain yet.
  assert.equal(bidderView({ you: { role: 'buyer', user_id: 7, can_bid: false, reason: null }, lot: null }).why, null);
  const v = bidderView({ you: { role: 'bidder', user_id: 7, bidder_no: 3, can_bid: true }, lot: open });
  assert.equal(v.mode, 'bidder');
  assert.equal(v.canSend, true);
  // The leader cannot outbid themselves.
  assert.equal(bidderView({ you: { role: 'bidder', user_id: 7, bidder_no: 3, can_bid: true }, lot: lot({ bidder_no: 3, price: 1 }) }).canSend, false);
  assert.equal(bidderView({ you: { role: 'bidder', user_id: 7, bidder_no: 3, can_bid: true }, lot: lot({ live_state: 'hammered' }) }).canSend, false);
});

test('officer controls follow the lot: count in order, hammer after 3, pass only without bids', () => {
  let v = officerView({ lot: lot() });
  assert.equal(v.canPass, true);
  assert.equal(v.canHammer, false);
  assert.equal(v.nextCount, null);
  assert.equal(v.canUndo, false);
  v = officerView({ lot: lot({ price: 2_000_000, bidder_no: 4, count: 2 }) });
  assert.equal(v.canPass, false);
  assert.equal(v.nextCount, 3);
  assert.equal(v.canHammer, false);
  assert.equal(v.canUndo, true);
  v = officerView({ lot: lot({ price: 2_000_000, bidder_no: 4, count: 3 }) });
  assert.equal(v.nextCount, null);
  assert.equal(v.canHammer, true);
  v = officerView({ lot: lot({ live_state: 'hammered', price: 1, count: 3 }) });
  assert.equal(v.canHammer, false);
  assert.equal(v.canOpen({ status: 'scheduled', live_state: 'idle' }), true);
  assert.equal(v.canOpen({ status: 'sold', live_state: 'hammered' }), false);
  assert.equal(officerView({ lot: lot() }).canOpen({ status: 'scheduled', live_state: 'idle' }), false);
});

test('money, time and dates are formatted for Thai readers', () => {
  assert.equal(fmtBaht(1234567), '฿1,234,567');
  assert.equal(fmtBaht(null), '–');
  assert.equal(fmtTime('2026-11-23T03:04:05Z'), '10:04:05');
  assert.equal(fmtDate('2026-11-23', 'th'), '23/11/2569');
  assert.equal(fmtDate('2026-11-23', 'en'), '23/11/2026');
});

test('every Thai string has an English twin and the reverse', () => {
  assert.deepEqual(Object.keys(STRINGS.th).sort(), Object.keys(STRINGS.en).sort());
  const t = makeT('en');
  assert.equal(t('audience', { n: 4 }), '4 watching');
  assert.equal(makeT('th')('conn_live'), 'สด');
  assert.equal(t('no_such_key'), 'no_such_key');
});
