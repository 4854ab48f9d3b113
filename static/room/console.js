// The officer's console: open lots from the day's queue, enter floor bids, count, hammer, pass,
// suspend, undo. The server decides; these controls only offer what it would accept next.

import { $, confirmWith, createAnnouncer, h, previewText, readPage, setText, toast } from './dom.js';
import { fmtBaht, L, makeT, SUSPEND_REASONS } from './i18n.js';
import { frameScheduler, labelStatic, renderShared, renderSince } from './panels.js';
import { OFFICER_ROLES, officerView, parseAmount } from './rules.js';
import { browserEnv, createRoom, wsUrl } from './socket.js';
import { V } from './state.js';

const { root, lang, wsPath } = readPage('console');
const t = makeT(lang);
const q = (name) => $(`[data-${name}]`, root);
const speak = createAnnouncer(q('polite'), q('assertive'));
const toasts = q('toasts');
const note = (text, kind = 'error') => toast(toasts, text, { kind, role: kind === 'error' ? 'alert' : null, dismiss: t('dismiss') });

labelStatic(root, t);
q('suspend-code').replaceChildren(...SUSPEND_REASONS.map((c) => h('option', { value: c, text: t(`reason_${c}`) })));
const countButtons = [1, 2, 3].map((n) => {
  const b = $(`[data-count-btn="${n}"]`, root);
  setText(b, t('count_n', { n }));
  b.addEventListener('click', () => send({ type: 'count', n }));
  return b;
});

const room = createRoom({
  url: wsUrl(wsPath),
  env: browserEnv(),
  onChange: () => schedule(),
  onEffect: (e) => {
    if (e.type === 'toast') note(L(e.message, lang) || e.code);
    else if (e.type === 'closing') note(t('closing', { message: L(e.message, lang) || e.code }), 'warn');
    // The console's own failures show as alert toasts; the error's toast already covers a failed bid.
    else if (e.type === 'announce' && e.key === 'ann_bid_rejected') note(t(e.key, e.params));
    else if (e.type === 'announce' && e.level === 'polite') speak(e.level, t(e.key, e.params));
    else if (e.type === 'confirm_bid') {
      // A floor bid far above the price (a digit too many?): the officer says yes or drops it.
      confirmWith(q('confirm'), t('confirm_jump', { amount: fmtBaht(e.amount), ratio: e.ratio }))
        .then((ok) => (ok ? room.confirmBid(e.key) : room.declineBid(e.key)));
    }
  },
});
const schedule = frameScheduler(render);

function send(msg) {
  if (!room.send({ v: V, ...msg })) note(t('conn_reconnecting'), 'warn');
}

const floorPaddle = $('#floor-paddle', root);
const floorAmount = $('#floor-amount', root);
let floorEdited = false;
let lastNextMin = null;

function renderQueue(state, view) {
  const list = q('queue');
  q('queue-empty').hidden = state.queue.length > 0;
  setText(q('queue-empty'), t('queue_empty'));
  const current = state.lot ? state.lot.round_id : null;
  const items = state.queue.map((item) => {
    const label = t(`qstatus_${item.status}`);
    const live = item.live_state && item.live_state !== 'idle' && item.status === 'scheduled' ? ` · ${t(`state_${item.live_state}`)}` : '';
    const open = h('button', {
      type: 'button', class: 'secondary', text: t('open_lot'),
      'aria-label': t('open_lot_label', { order: item.sale_order }),
      disabled: !(view.canOpen(item) && isOfficer(state)),
      onclick: () => openLot(item),
    });
    return h('li', { 'data-current': item.round_id === current ? '' : null, 'data-round-id': item.round_id },
      h('div', {},
        h('b', { text: `${t('sale_order')} ${item.sale_order}` }),
        h('div', { class: 'qmeta', text: `${item.red_case} · ${fmtBaht(item.start_price)}` }),
        h('div', { class: 'qstatus', text: `${label}${live}` })),
      open);
  });
  // Rebuilding would steal focus from a button the officer is on: keep it where it was.
  const focusedIndex = [...list.querySelectorAll('button')].indexOf(document.activeElement);
  list.replaceChildren(...items);
  if (focusedIndex >= 0) list.querySelectorAll('button')[focusedIndex]?.focus();
}

function openLot(item) {
  const msg = { type: 'open_lot', round_id: item.round_id };
  const inc = $('#open-inc', root).value.trim();
  if (inc) {
    const n = parseAmount(inc);
    if (n == null) return note(t('bad_amount'));
    msg.increment = n;
  }
  send(msg);
}

function isOfficer(state) {
  return !!state.you && OFFICER_ROLES.has(state.you.role);
}

function render() {
  const state = room.state();
  const status = room.status();
  const lot = state.lot;
  renderShared(q, state, status, t, lang);
  // On a phone the panels stack: between lots the queue comes first, during a lot the controls do.
  root.toggleAttribute('data-lot-open', !!lot && lot.live_state === 'open');
  const view = officerView(state);
  const officer = isOfficer(state);
  const live = status === 'live' && officer;
  q('officer-only').hidden = !state.you || officer;
  setText(q('officer-only'), t('officer_only'));

  countButtons.forEach((b, i) => { b.disabled = !live || view.nextCount !== i + 1; });
  q('hammer').disabled = !live || !view.canHammer;
  q('pass').disabled = !live || !view.canPass;
  q('undo-send').disabled = !live || !view.canUndo;
  q('suspend-send').disabled = !live || !view.canSuspend;
  q('floor-send').disabled = !live || !view.canFloor;
  q('inc-send').disabled = !live || !view.canSetIncrement;

  if (lot && lot.next_min !== lastNextMin) {
    lastNextMin = lot.next_min;
    // A new minimum replaces what was typed unless the officer is typing a higher floor bid.
    const typed = parseAmount(floorAmount.value);
    if (!floorEdited || typed == null || typed < lot.next_min) {
      floorAmount.value = lot.next_min.toLocaleString('en-US');
      floorEdited = false;
    }
    const inc = $('#inc-amount', root);
    if (document.activeElement !== inc) inc.value = (lot.increment ?? '').toLocaleString('en-US');
  }
  setText(q('floor-preview'), previewText(floorAmount.value));
  renderQueue(state, view);
}

floorAmount.addEventListener('input', () => {
  floorEdited = true;
  setText(q('floor-preview'), previewText(floorAmount.value));
});

q('floor-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const paddle = parseAmount(floorPaddle.value);
  const amount = parseAmount(floorAmount.value);
  setText(q('floor-error'), '');
  if (paddle == null) return floorFail(floorPaddle, t('bad_paddle'));
  if (amount == null) return floorFail(floorAmount, t('bad_amount'));
  room.floorBid(paddle, amount);
  floorPaddle.removeAttribute('aria-invalid');
  floorAmount.removeAttribute('aria-invalid');
  floorEdited = false;
  floorPaddle.select();
});

function floorFail(input, msg) {
  setText(q('floor-error'), msg);
  input.setAttribute('aria-invalid', 'true');
  input.focus();
}

q('inc-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const n = parseAmount($('#inc-amount', root).value);
  if (n == null) return note(t('bad_amount'));
  send({ type: 'set_increment', amount: n });
});

q('undo-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $('#undo-reason', root);
  const reason = input.value.trim();
  if (!reason) {
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return note(t('reason_required'));
  }
  input.removeAttribute('aria-invalid');
  send({ type: 'undo', reason });
  input.value = '';
});

q('hammer').addEventListener('click', async () => {
  const lot = room.state().lot;
  if (!lot) return;
  const ok = await confirmWith(q('confirm'), t('hammer_confirm', { price: fmtBaht(lot.price), n: lot.bidder_no }));
  if (ok) send({ type: 'hammer' });
});

q('pass').addEventListener('click', () => send({ type: 'pass' }));

q('close-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const msg = { type: 'suspend', reason_code: q('suspend-code').value };
  const text = $('#suspend-text', root).value.trim();
  if (text) msg.reason = text;
  send(msg);
});

setInterval(() => renderSince(q, room.state(), t), 1000);
room.start();
render();
