import { test } from 'node:test';
import assert from 'node:assert/strict';

import { makeT } from '../i18n.js';

test('a step button names its amount in baht, not "+1"', () => {
  assert.equal(makeT('th')('plus', { n: 1, amount: 10_000 }), '+฿10,000');
  assert.equal(makeT('en')('plus', { n: 2, amount: 20_000 }), '+฿20,000');
});

test('a suspension is announced with the chosen reason, the free text only as its detail', () => {
  const th = makeT('th');
  assert.equal(th('ann_suspended', { reason_code: 'court_order', reason: null }), 'งดขาย: ศาลมีคำสั่งให้งดการขาย');
  assert.equal(th('ann_suspended', { reason_code: 'court_order', reason: 'คำสั่งที่ 12/2569' }), 'งดขาย: ศาลมีคำสั่งให้งดการขาย (คำสั่งที่ 12/2569)');
  assert.equal(makeT('en')('ann_suspended', { reason_code: 'other', reason: 'flood' }), 'Sale suspended: Other (flood)');
});

test('the undo notice says whose bid, how much and why, in both languages', () => {
  assert.match(makeT('th')('notice_bid_undone', { amount: '฿2,010,000', n: 3, reason: 'ผิดป้าย' }), /ป้ายหมายเลข 3.*ผิดป้าย/);
  assert.match(makeT('en')('notice_your_bid_undone', { amount: '฿2,010,000', n: 3, reason: 'wrong paddle' }), /your bid of ฿2,010,000. Reason: wrong paddle/);
});
