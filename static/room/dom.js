// DOM helpers shared by the bidder's room and the officer's console. Rendering only: every
// decision comes from state.js / rules.js.

import { fmtBaht, fmtTime, L } from './i18n.js';
import { parseAmount } from './rules.js';

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

export function setText(el, text) {
  if (el && el.textContent !== text) el.textContent = text;
}

// Live regions speak on change: clear first so the same sentence twice is read twice.
export function createAnnouncer(politeEl, assertiveEl) {
  return (level, text) => {
    const el = level === 'assertive' ? assertiveEl : politeEl;
    if (!el || !text) return;
    el.textContent = '';
    setTimeout(() => { el.textContent = text; }, 50);
  };
}

export function toast(container, text, { kind = 'error', role = null, ms = 6000, dismiss = '×' } = {}) {
  const close = h('button', { type: 'button', class: 'toast-x', 'aria-label': dismiss, text: '×' });
  const el = h('div', { class: `toast toast-${kind}`, role }, h('span', { text }), close);
  const remove = () => el.remove();
  close.addEventListener('click', remove);
  container.append(el);
  setTimeout(remove, ms);
  while (container.children.length > 4) container.firstElementChild.remove();
  return el;
}

export function renderConn(el, status, t) {
  el.dataset.status = status;
  setText(el, t(`conn_${status}`));
}

// Sale order and round ride on the state line, so the facts fit two rows on a phone.
export function renderLotFacts(dl, lot, t, lang) {
  const rows = [
    ['red_case', lot.red_case],
    ['appraisal', fmtBaht(lot.appraisal)],
    ['start_price', fmtBaht(lot.start_price)],
    ['increment', fmtBaht(lot.increment)],
  ];
  dl.replaceChildren(...rows.map(([k, v]) => h('div', {}, h('dt', { text: t(k) }), h('dd', { text: v ?? '' }))));
  return L(lot.title, lang) || L(lot.property_type_label, lang);
}

// Newest first: the top row is what just happened.
export function renderBidRows(tbody, bids, t, { me = null, limit = 50 } = {}) {
  const rows = bids.slice(-limit).reverse().map((b) => h('tr', {
    class: [b.bidder_no === me ? 'mine' : '', b.undone ? 'undone' : ''].filter(Boolean).join(' ') || null,
  },
    h('td', { text: fmtTime(b.at) }),
    h('td', { text: String(b.bidder_no) }),
    // Struck through and said in words: the strike alone is invisible to a screen reader.
    h('td', { class: 'num' }, b.undone ? h('s', { text: fmtBaht(b.amount) }) : fmtBaht(b.amount),
      b.undone ? h('span', { class: 'undone-tag', text: ` ${t('undone_tag')}` }) : null),
    h('td', { text: b.undone && b.undo_reason ? `${t(`channel_${b.channel}`)} · ${b.undo_reason}` : t(`channel_${b.channel}`) }),
  ));
  tbody.replaceChildren(...rows);
}

// What a typed amount means, shown only when it is not already written that way (Thai digits, no commas).
export function previewText(value) {
  const v = parseAmount(value);
  if (v == null) return '';
  return value.trim() === v.toLocaleString('en-US') ? '' : fmtBaht(v);
}

export function secondsSince(iso, serverNowMs) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.floor((serverNowMs - at) / 1000));
}

// <dialog> confirm: resolves true on the confirm button, false on cancel or Escape.
export function confirmWith(dialog, text) {
  $('[data-confirm-text]', dialog).textContent = text;
  return new Promise((resolve) => {
    const done = () => {
      dialog.removeEventListener('close', done);
      resolve(dialog.returnValue === 'yes');
    };
    dialog.returnValue = '';
    dialog.addEventListener('close', done);
    dialog.showModal();
  });
}

export function readPage(rootId) {
  const root = document.getElementById(rootId);
  const lang = document.documentElement.lang === 'en' ? 'en' : 'th';
  return { root, lang, wsPath: root.dataset.wsPath };
}
