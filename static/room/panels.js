// The parts both pages show the same way: connection bar, the lot, price and count, the ladder.

import { $, renderBidRows, renderConn, renderLotFacts, secondsSince, setText } from './dom.js';
import { fmtBaht, fmtTime } from './i18n.js';
import { serverNow, standingBids } from './state.js';

export function labelStatic(root, t) {
  for (const el of root.querySelectorAll('[data-t]')) setText(el, t(el.dataset.t));
  for (const th of root.querySelectorAll('[data-col]')) setText(th, t(`col_${th.dataset.col}`));
}

export function renderShared(q, state, status, t, lang, { me = null } = {}) {
  const lot = state.lot;
  renderConn(q('conn'), status, t);
  setText(q('audience'), t('audience', { n: state.audience || 0 }));

  q('lot-empty').hidden = !!lot;
  setText(q('lot-empty'), lot ? '' : `${t('no_lot')}. ${t('no_lot_hint')}`);
  setText(q('lot-state'), lot
    ? [t(`state_${lot.live_state}`), `${t('sale_order')} ${lot.sale_order}`, lot.round_no ? `${t('round')} ${lot.round_no}` : ''].filter(Boolean).join(' · ')
    : '');
  q('lot-state').dataset.state = lot ? lot.live_state : '';
  if (lot) setText(q('lot-title'), renderLotFacts(q('lot-facts'), lot, t, lang));
  else {
    setText(q('lot-title'), '');
    q('lot-facts').replaceChildren();
  }

  const sold = !!lot && lot.live_state === 'hammered';
  setText(q('price-label'), t(sold ? 'sold_price' : 'current_price'));
  setText(q('price'), lot && lot.price != null ? fmtBaht(lot.price) : lot ? t('no_bids_yet') : '–');
  const mine = !!lot && lot.bidder_no != null && lot.bidder_no === me;
  setText(q('leader'), leaderText(lot, mine, t));
  q('leader').classList.toggle('me', mine);
  const count = lot && lot.live_state === 'open' ? lot.count || 0 : 0;
  q('count').dataset.n = String(count);
  setText($('span', q('count')), count ? String(count) : '');
  renderSince(q, state, t);
  renderResult(q('result'), lot, t);
  renderUndo(q('undo-notice'), lot, t, me);

  // Once sold, the hammer's ladder is the record; before, the standing bids.
  const bids = lot ? (lot.ladder && lot.live_state === 'hammered' ? lot.ladder : lot.bids) : [];
  renderBidRows(q('ladder'), bids, t, { me });
  q('ladder-table').hidden = bids.length === 0;
  setText(q('ladder-empty'), bids.length ? '' : t('ladder_empty'));
}

// Who leads, said only while it means something: after a suspension or a pass nobody "is the highest bidder".
function leaderText(lot, mine, t) {
  if (!lot || lot.bidder_no == null) return '';
  if (lot.live_state === 'hammered') return mine ? t('you_won') : t('leading_bidder', { n: lot.bidder_no });
  if (lot.live_state !== 'open') return t('last_bid_by', { n: lot.bidder_no });
  return mine ? t('you_lead') : t('leading_bidder', { n: lot.bidder_no });
}

// The last undo, visible to everyone until the next bid (screen readers hear it too, from the announcer).
function renderUndo(el, lot, t, me) {
  if (!el) return;
  const u = lot && lot.live_state === 'open' ? lot.lastUndo : null;
  el.hidden = !u;
  if (!u) return setText(el, '');
  const mine = me != null && u.bidder_no === me;
  setText(el, t(mine ? 'notice_your_bid_undone' : 'notice_bid_undone', {
    amount: u.amount != null ? fmtBaht(u.amount) : '', n: u.bidder_no, reason: u.reason || '',
  }));
}

// The chosen reason in the reader's language; the officer's free text only as its detail.
export function suspendText(lot, t) {
  const code = lot.suspend_reason_code;
  const label = code ? t(`reason_${code}`) : '';
  const detail = lot.suspend_reason || '';
  if (label && detail && detail !== label) return `${label} (${detail})`;
  return label || detail;
}

function renderResult(el, lot, t) {
  const closed = !!lot && lot.live_state !== 'open';
  el.hidden = !closed;
  if (!closed) return;
  el.dataset.state = lot.live_state;
  if (lot.live_state === 'hammered') {
    setText(el, t('result_sold', { price: fmtBaht(lot.price), n: lot.bidder_no, c: lot.bidder_count ?? bidderCount(lot) }));
  } else if (lot.live_state === 'passed') setText(el, t('result_passed'));
  else if (lot.live_state === 'suspended') setText(el, t('result_suspended', { reason: suspendText(lot, t) }));
  else setText(el, t(`state_${lot.live_state}`));
}

// "Count 2 · 4 s ago" on the server's clock, so a phone with a wrong clock still reads right.
export function renderSince(q, state, t) {
  renderClock(q('clock'), state, t);
  const lot = state.lot;
  const el = q('since');
  if (!lot || lot.live_state !== 'open') return setText(el, '');
  const now = serverNow(state, Date.now());
  if (lot.count && lot.count_at) setText(el, `${t('count')} ${lot.count} · ${t('count_since', { s: secondsSince(lot.count_at, now) })}`);
  else if (lastBidAt(lot)) setText(el, t('last_bid_since', { s: secondsSince(lastBidAt(lot), now) }));
  else setText(el, '');
}

// The server's clock in Bangkok time: the count's seconds and the sale's times are read against it.
function renderClock(el, state, t) {
  if (!el) return;
  const at = fmtTime(new Date(serverNow(state, Date.now())).toISOString());
  setText(el, at ? `${t('clock')} ${at}` : '');
}

// A snapshot taken after the hammer may carry the standing bids but not the hammer's count.
function bidderCount(lot) {
  return new Set((lot.ladder || standingBids(lot)).map((b) => b.bidder_no)).size;
}

function lastBidAt(lot) {
  const bids = standingBids(lot);
  return lot.last_bid_at || (bids.length ? bids[bids.length - 1].at : null);
}

// Coalesce bursts of messages into one paint per frame.
export function frameScheduler(fn) {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      fn();
    });
  };
}
