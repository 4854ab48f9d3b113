// The bidder's room (phone first). Reads the page's data-* attributes, renders the reducer's state.

import { $, confirmWith, createAnnouncer, h, previewText, readPage, setText, toast } from './dom.js';
import { fmtBaht, L, makeT } from './i18n.js';
import { frameScheduler, labelStatic, renderShared, renderSince } from './panels.js';
import { bidderView, needsConfirm, parseAmount, refillAmount, stepAmount } from './rules.js';
import { browserEnv, createRoom, wsUrl } from './socket.js';
import { hasPending } from './state.js';

const { root, lang, wsPath } = readPage('room');
const t = makeT(lang);
const q = (name) => $(`[data-${name}]`, root);
const speak = createAnnouncer(q('polite'), q('assertive'));
const STEPS = [1, 2, 5];

labelStatic(root, t);
setText(q('next-min-label'), t('next_min'));
setText(q('amount-label'), t('your_bid'));
setText(q('send'), t('send_bid'));
setText(q('confirm-title'), t('confirm_title'));
setText(q('confirm-yes'), t('confirm_yes'));
setText(q('confirm-no'), t('cancel'));

const input = $('#bid-amount', root);
const form = q('bid-form');
let edited = false; // the bidder changed the box: keep their number while it is still valid
let lastRound = null;
let confirming = false;

const room = createRoom({
  url: wsUrl(wsPath),
  env: browserEnv(),
  onChange: () => schedule(),
  onEffect: (e) => {
    if (e.type === 'announce') {
      const text = t(e.key, e.params);
      speak(e.level, text);
      // Your own bid's fate is shown where you bid, not only spoken.
      if (e.key === 'ann_bid_rejected' || e.key === 'ann_bid_failed') setText(q('bid-error'), text);
      else if (e.key === 'ann_bid_accepted') setText(q('bid-error'), '');
    } else if (e.type === 'confirm_bid') askJump(e);
    else if (e.type === 'toast' && e.ref !== 'bid') toast(q('toasts'), L(e.message, lang) || e.code, { dismiss: t('dismiss') });
    else if (e.type === 'closing') toast(q('toasts'), t('closing', { message: L(e.message, lang) || e.code }), { kind: 'warn', dismiss: t('dismiss') });
  },
});
const schedule = frameScheduler(render);

const stepButtons = STEPS.map((k) => h('button', {
  type: 'button', class: 'secondary step', 'data-k': k,
  onclick: () => {
    const lot = room.state().lot;
    if (!lot) return;
    input.value = stepAmount(parseAmount(input.value), lot.next_min, lot.increment, k).toLocaleString('en-US');
    edited = true;
    renderPreview();
  },
}));
q('steps').append(...stepButtons);

function renderPreview() {
  setText(q('preview'), previewText(input.value));
}

function renderWhy(view, state) {
  const why = q('why');
  why.hidden = view.mode !== 'spectator' || !view.why;
  if (why.hidden) return;
  const href = {
    why_login: `/login?next=${encodeURIComponent(location.pathname + location.search)}`,
    why_not_approved: state.lot ? `/lots/${state.lot.lot_id}/register` : null,
    why_officer: location.pathname.replace(/^\/rooms\//, '/officer/rooms/'),
  }[view.why];
  const action = href ? h('a', { href, text: t(view.why) }) : h('span', { text: t(view.why) });
  why.replaceChildren(h('span', { text: `${t('watching')} · ` }), action);
}

function render() {
  const state = room.state();
  const status = room.status();
  const lot = state.lot;
  const you = state.you;
  const me = you ? you.bidder_no : null;
  renderShared(q, state, status, t, lang, { me });

  const view = bidderView(state);
  setText(q('you'), you && you.bidder_no != null
    ? `${t('you_are', { n: you.bidder_no })}${you.can_bid ? ` · ${t('you_approved')}` : ''}`
    : '');
  renderWhy(view, state);
  form.hidden = view.mode !== 'bidder' || !view.open;
  if (!lot || form.hidden) return;
  if (lot.round_id !== lastRound) {
    lastRound = lot.round_id;
    edited = false;
    setText(q('bid-error'), '');
  }
  setText(q('next-min'), fmtBaht(lot.next_min));
  const cur = parseAmount(input.value);
  const want = refillAmount(cur, lot.next_min, edited);
  if (want !== cur && document.activeElement !== input) {
    input.value = want.toLocaleString('en-US');
    edited = false;
  }
  renderPreview();
  for (const b of stepButtons) {
    const k = Number(b.dataset.k);
    setText(b, t('plus', { n: k, amount: k * lot.increment }));
    b.setAttribute('aria-label', t('plus_label', { n: k, amount: fmtBaht(k * lot.increment) }));
    b.disabled = !view.canSend;
  }
  const send = q('send');
  send.disabled = !view.canSend || status !== 'live' || confirming;
  setText(send, hasPending(state, 'bid') ? t('wait_receipt') : view.leading ? t('you_lead') : t('send_bid'));
  input.disabled = !view.canSend;
}

input.addEventListener('input', () => {
  edited = true;
  setText(q('bid-error'), '');
  input.removeAttribute('aria-invalid');
  renderPreview();
});

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const lot = room.state().lot;
  if (!lot || confirming) return;
  const amount = parseAmount(input.value);
  if (amount == null) return fail(t('bad_amount'));
  if (amount < lot.next_min) return fail(t('below_min', { min: fmtBaht(lot.next_min) }));
  const asked = needsConfirm(amount, lot.next_min, lot.increment);
  if (asked) {
    const over = amount - lot.next_min;
    const pct = Math.round((over / lot.next_min) * 1000) / 10;
    confirming = true;
    const ok = await confirmWith(q('confirm'), t('confirm_body', { amount: fmtBaht(amount), over: fmtBaht(over), pct }));
    confirming = false;
    schedule();
    // The lot may have closed while the dialog was open.
    const now = room.state().lot;
    if (!ok || !now || now.round_id !== lot.round_id || now.live_state !== 'open') return;
  }
  room.bid(amount, asked);
  edited = false;
});

// The server found the bid far above the price (confirm_required): ask, then resend or drop it.
async function askJump(e) {
  confirming = true;
  const ok = await confirmWith(q('confirm'), t('confirm_jump', { amount: fmtBaht(e.amount), ratio: e.ratio }));
  confirming = false;
  if (ok) room.confirmBid(e.key);
  else room.declineBid(e.key);
  schedule();
}

function fail(msg) {
  setText(q('bid-error'), msg);
  input.setAttribute('aria-invalid', 'true');
  input.focus();
}

setInterval(() => renderSince(q, room.state(), t), 1000);
room.start();
render();
